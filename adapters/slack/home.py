"""The App Home tab: the neutral home reply as a `home` view, published with views.publish
(https://docs.slack.dev/reference/methods/views.publish; it needs no scope beyond the bot token).

The `app_home_opened` listener dispatches a `HomeOpened` event and hands the reply here. A home
view is replaced whole on every publish, so there is nothing to update in place.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import render_blocks
from bot.replies import Reply

# A view holds at most 100 blocks (https://docs.slack.dev/reference/views); Slack refuses the
# whole view beyond that, so the tail is cut rather than the tab left blank.
MAX_BLOCKS = 100


def home_view(reply: Reply) -> dict[str, Any]:
    return {"type": "home", "blocks": render_blocks(reply)[:MAX_BLOCKS]}


async def publish_home(client: AsyncWebClient, user_id: str, reply: Reply) -> None:
    await client.views_publish(user_id=user_id, view=home_view(reply))
