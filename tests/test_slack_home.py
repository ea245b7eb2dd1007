"""The App Home tab: the neutral home reply as a Block Kit `home` view, published over real
HTTP to the fake Slack Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.slack.home import MAX_BLOCKS, home_view
from adapters.slack.messenger import SlackMessenger
from adapters.slack.render import render_blocks
from bot.events import Actor, ConversationKind, ConversationRef, HomeOpened
from bot.replies import Button, Buttons, Reply, Text
from bot.runtime import Runtime
from tests.fake_slack import TEAM_ID, FakeSlack

HOME = Reply(
    fallback="Hi Rosa!",
    blocks=(
        Text("Hi **Rosa**!"),
        Buttons((Button("Answer now", "pulse.open", "7"),)),
        Text("Type `help` in Messages.", subtle=True),
    ),
)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def client(slack: FakeSlack) -> AsyncIterator[SlackMessenger]:
    messenger = SlackMessenger("xoxb-test", base_url=slack.url)
    yield messenger
    await messenger.close()


def test_the_home_view_is_the_rendered_reply() -> None:
    """The same Block Kit as a message: the home surface shows what a DM would."""
    view = home_view(HOME)
    assert view == {"type": "home", "blocks": render_blocks(HOME)}
    assert view["blocks"][0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "Hi *Rosa*!"},
    }


def test_a_home_view_stays_within_slacks_block_limit() -> None:
    long = Reply(fallback="many", blocks=tuple(Text(f"line {n}") for n in range(150)))
    blocks = home_view(long)["blocks"]
    assert len(blocks) == MAX_BLOCKS
    assert blocks[0]["text"]["text"] == "line 0"


async def test_publish_sends_the_view_for_that_user(
    slack: FakeSlack, client: SlackMessenger
) -> None:
    await client.publish_home("U0NURSE", home_view(HOME))
    [call] = await slack.wait_for_call("views.publish")
    assert call.args["user_id"] == "U0NURSE"
    assert slack.home_views["U0NURSE"] == home_view(HOME)


async def test_the_home_skill_renders_into_a_published_tab(
    slack: FakeSlack, client: SlackMessenger, runtime: Runtime
) -> None:
    """What answering app_home_opened does: dispatch HomeOpened, publish the reply."""
    actor = Actor(platform="slack", tenant=TEAM_ID, user_id="U0NURSE")
    event = HomeOpened(actor=actor, conversation=ConversationRef("slack", ConversationKind.DIRECT))
    [reply] = await runtime.router.dispatch(event)
    await client.publish_home("U0NURSE", home_view(reply))

    view = slack.home_views["U0NURSE"]
    assert view["type"] == "home"
    action_ids = [
        element["action_id"]
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    # Slack wants action ids unique within a block: the second language button gets "#2".
    assert action_ids == [
        "knowledge.ask_form",
        "ideas.new",
        "language.choose",
        "language.choose#2",
    ]
