"""The App Home tab: the neutral home reply as a `home` view, which the adapter publishes with
views.publish (https://docs.slack.dev/reference/methods/views.publish) when the core places a
`HomeOpened` event's reply on the home surface. A home view is replaced whole on every publish,
so there is nothing to update in place.
"""

from __future__ import annotations

from typing import Any

from adapters.slack.render import render_blocks
from bot.replies import Reply

# A view holds at most 100 blocks (https://docs.slack.dev/reference/views); Slack refuses the
# whole view beyond that, so the tail is cut rather than the tab left blank.
MAX_BLOCKS = 100


def home_view(reply: Reply) -> dict[str, Any]:
    return {"type": "home", "blocks": render_blocks(reply)[:MAX_BLOCKS]}
