"""SlackMessenger over real HTTP on loopback against the fake Slack Web API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from adapters.slack.messenger import METADATA_EVENT, SlackMessenger
from adapters.slack.render import OPEN_FORM_ACTION
from bot.messenger import DeliveryError, RateLimited, RecipientUnreachable, SentMessage
from bot.replies import Button, Buttons, File, Form, Image, Input, Reply, Text
from storage.people import Identity
from tests.fake_slack import FakeSlack

NURSE = Identity(id=1, person_id=1, platform="slack", tenant="T1", user_id="U0NURSE")
AN_HOUR_AGO = datetime.now(UTC) - timedelta(hours=1)

SURVEY = Reply(
    fallback="Quick pulse: how was your shift?",
    blocks=(
        Text("**Quick pulse**: how was your shift?"),
        Buttons((Button("Open", action_id="pulse.open", value="7"),)),
    ),
)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def messenger(slack: FakeSlack) -> AsyncIterator[SlackMessenger]:
    client = SlackMessenger("xoxb-test", base_url=slack.url)
    yield client
    await client.close()


async def test_a_dm_posts_text_blocks_and_the_dedupe_key(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    sent = await messenger.send_direct(NURSE, SURVEY, dedupe_key="outbox:7")

    [call] = await slack.wait_for_call("chat.postMessage")
    assert call.args["channel"] == "U0NURSE"
    assert call.args["text"] == SURVEY.fallback
    assert call.args["blocks"][0] == {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "*Quick pulse*: how was your shift?"},
    }
    assert call.args["blocks"][1]["elements"][0]["action_id"] == "pulse.open"
    assert call.args["metadata"] == {
        "event_type": METADATA_EVENT,
        "event_payload": {"key": "outbox:7"},
    }
    [stored] = slack.posted_to("U0NURSE")
    assert sent == SentMessage("slack", stored["ts"])
    assert dict(sent.handle) == {"channel": "DU0NURSE", "ts": stored["ts"]}


async def test_the_notification_text_is_escaped_as_slack_requires(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    """Slack reads `<…>` in any message text as a link or mention: `ask <question>` would show
    as "ask" in the notification."""
    await messenger.send_direct(NURSE, Reply.text("Type `ask <question>` & wait"))
    [call] = await slack.wait_for_call("chat.postMessage")
    assert call.args["text"] == "Type `ask &lt;question&gt;` &amp; wait"


async def test_a_send_without_a_dedupe_key_carries_no_metadata(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    await messenger.send_direct(NURSE, Reply.text("Thanks!"))
    [call] = slack.calls["chat.postMessage"]
    assert "metadata" not in call.args


async def test_429_becomes_rate_limited_with_retry_after(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    slack.fail_next("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited) as caught:
        await messenger.send_direct(NURSE, SURVEY)
    assert caught.value.retry_after == 7.0
    # The SDK's own retry handlers are off: exactly one request went out.
    assert len(slack.calls["chat.postMessage"]) == 1
    assert slack.posted_to("U0NURSE") == []


async def test_the_fakes_rate_limit_answers_429_with_a_whole_second_retry_after() -> None:
    async with FakeSlack(rate=1, burst=1) as limited:
        client = SlackMessenger("xoxb-test", base_url=limited.url)
        try:
            await client.send_direct(NURSE, SURVEY)
            with pytest.raises(RateLimited) as caught:
                await client.send_direct(NURSE, SURVEY)
        finally:
            await client.close()
    assert caught.value.retry_after == 1.0
    assert limited.rate_limited == 1


async def test_a_person_who_blocked_the_bot_is_unreachable(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    slack.blocked.add("U0NURSE")
    with pytest.raises(RecipientUnreachable, match="cannot_dm_bot"):
        await messenger.send_direct(NURSE, SURVEY)


@pytest.mark.parametrize("error", ["user_not_found", "account_inactive", "messages_tab_disabled"])
async def test_gone_accounts_are_unreachable(
    slack: FakeSlack, messenger: SlackMessenger, error: str
) -> None:
    slack.fail_next("chat.postMessage", error)
    with pytest.raises(RecipientUnreachable):
        await messenger.send_direct(NURSE, SURVEY)


async def test_other_errors_are_delivery_errors(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    slack.fail_next("chat.postMessage", "invalid_blocks")
    with pytest.raises(DeliveryError, match="invalid_blocks") as caught:
        await messenger.send_direct(NURSE, SURVEY)
    assert not isinstance(caught.value, RecipientUnreachable | RateLimited)
    slack.fail_next("chat.postMessage", "fatal_error", status=500)
    with pytest.raises(DeliveryError, match="fatal_error"):
        await messenger.send_direct(NURSE, SURVEY)


async def test_a_bad_token_is_a_delivery_error(slack: FakeSlack) -> None:
    client = SlackMessenger("not-a-bot-token", base_url=slack.url)
    try:
        with pytest.raises(DeliveryError, match="invalid_auth"):
            await client.send_direct(NURSE, SURVEY)
    finally:
        await client.close()


async def test_an_unreachable_api_is_a_delivery_error() -> None:
    async with FakeSlack() as gone:
        url = gone.url
    client = SlackMessenger("xoxb-test", base_url=url, timeout=2)
    try:
        with pytest.raises(DeliveryError, match="slack: "):
            await client.send_direct(NURSE, SURVEY)
    finally:
        await client.close()


async def test_find_sent_finds_the_message_by_its_key_in_the_dm_history(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    await messenger.send_direct(NURSE, Reply.text("unrelated"))
    sent = await messenger.send_direct(NURSE, SURVEY, dedupe_key="outbox:7")
    await messenger.send_direct(NURSE, Reply.text("later"), dedupe_key="outbox:8")

    found = await messenger.find_sent(NURSE, "outbox:7", AN_HOUR_AGO)

    assert found == sent
    assert dict(found.handle) == dict(sent.handle)
    [opened] = slack.calls["conversations.open"]
    assert opened.args["users"] == "U0NURSE"
    [history] = slack.calls["conversations.history"]
    assert history.args["channel"] == "DU0NURSE"
    assert history.args["include_all_metadata"] in ("1", "true", True)
    assert float(history.args["oldest"]) == pytest.approx(AN_HOUR_AGO.timestamp(), abs=1e-3)


async def test_find_sent_pages_through_history(slack: FakeSlack, messenger: SlackMessenger) -> None:
    await messenger.send_direct(NURSE, SURVEY, dedupe_key="outbox:1")
    for n in range(250):  # newer messages push the one we want onto the second page
        slack.messages["DU0NURSE"].append(
            {"type": "message", "ts": f"{9e9 + n:.6f}", "text": "filler"}
        )
    assert await messenger.find_sent(NURSE, "outbox:1", AN_HOUR_AGO) is not None
    assert len(slack.calls["conversations.history"]) == 2


async def test_find_sent_says_none_when_absent_or_older(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    await messenger.send_direct(NURSE, SURVEY, dedupe_key="outbox:7")
    assert await messenger.find_sent(NURSE, "outbox:99", AN_HOUR_AGO) is None
    later = datetime.now(UTC) + timedelta(minutes=1)
    assert await messenger.find_sent(NURSE, "outbox:7", later) is None


async def test_find_sent_for_someone_the_bot_cannot_reach_is_none(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    slack.fail_next("conversations.open", "user_not_found")
    assert await messenger.find_sent(NURSE, "outbox:7", AN_HOUR_AGO) is None


async def test_find_sent_that_cannot_look_raises(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    slack.fail_next("conversations.history", "missing_scope")
    with pytest.raises(DeliveryError, match="missing_scope"):
        await messenger.find_sent(NURSE, "outbox:7", AN_HOUR_AGO)


async def test_update_edits_the_message_in_place(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    sent = await messenger.send_direct(NURSE, SURVEY)
    await messenger.update(sent, Reply.text("Thanks, your answers are in."))
    [call] = slack.calls["chat.update"]
    assert (call.args["channel"], call.args["ts"]) == ("DU0NURSE", sent.message_id)
    [stored] = slack.posted_to("U0NURSE")
    assert stored["text"] == "Thanks, your answers are in."
    assert stored["blocks"][0]["text"]["text"] == "Thanks, your answers are in."


async def test_update_of_a_vanished_message_is_a_delivery_error(
    messenger: SlackMessenger,
) -> None:
    gone = SentMessage("slack", "1.000001", {"channel": "DU0NURSE", "ts": "1.000001"})
    with pytest.raises(DeliveryError, match="message_not_found"):
        await messenger.update(gone, SURVEY)


async def test_send_to_channel_posts_there(slack: FakeSlack, messenger: SlackMessenger) -> None:
    sent = await messenger.send_to_channel("C0HR", Reply.text("New question for HR"))
    [call] = slack.calls["chat.postMessage"]
    assert call.args["channel"] == "C0HR"
    assert sent.handle["channel"] == "C0HR"
    assert len(slack.messages["C0HR"]) == 1


async def test_not_in_channel_is_unreachable(slack: FakeSlack, messenger: SlackMessenger) -> None:
    slack.fail_next("chat.postMessage", "not_in_channel")
    with pytest.raises(RecipientUnreachable):
        await messenger.send_to_channel("C0HR", Reply.text("hello"))


async def test_form_bodies_are_read_like_json_ones(slack: FakeSlack) -> None:
    """slack_sdk sends some methods form-encoded; the fake must read both the same way."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            slack.url + "chat.postMessage",
            data={
                "token": "xoxb-test",
                "channel": "U0NURSE",
                "text": "hi",
                "metadata": '{"event_type": "breakroom_outbox", "event_payload": {"key": "k"}}',
            },
        ) as response,
    ):
        body = await response.json()
    assert body["ok"] is True
    assert slack.posted_to("U0NURSE")[0]["metadata"]["event_payload"] == {"key": "k"}


async def test_users_list_pages(slack: FakeSlack) -> None:
    slack.users = [{"id": f"U{n}"} for n in range(5)]
    seen: list[str] = []
    cursor = ""
    async with aiohttp.ClientSession() as session:
        while True:
            params = {"limit": "2", "cursor": cursor}
            headers = {"Authorization": "Bearer xoxb-test"}
            async with session.get(
                slack.url + "users.list", params=params, headers=headers
            ) as response:
                body = await response.json()
            seen += [m["id"] for m in body["members"]]
            cursor = body["response_metadata"]["next_cursor"]
            if not cursor:
                break
    assert seen == ["U0", "U1", "U2", "U3", "U4"]


CHART = Image(
    "Bar chart of 12 answers: 5: 7, 4: 3, 3: 2.",
    title="How was your shift?",
    png=b"\x89PNG\r\n\x1a\nfake",
)


async def test_a_png_picture_is_uploaded_after_the_message_with_its_alt_text(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    reply = Reply(fallback="Results", blocks=(Text("**Results**"), CHART))
    await messenger.post("C0HR", reply, thread_ts="1700000000.000100")
    [message] = slack.messages["C0HR"]
    assert message["text"] == "Results"  # the text is kept; the picture is no block
    assert [b["type"] for b in message["blocks"]] == ["section"]
    [upload] = slack.uploads
    assert upload["data"] == CHART.png
    assert upload["filename"] == "how-was-your-shift.png"
    assert upload["alt_txt"] == CHART.alt_text
    assert upload["title"] == "How was your shift?"
    assert (upload["channel"], upload["thread_ts"]) == ("C0HR", "1700000000.000100")


async def test_a_file_sent_by_dm_is_uploaded_into_that_dm(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    export = File("ideas.csv", b"id,title\n1,Quiet\n", title="Ideas, last 30 days")
    await messenger.send_direct(NURSE, Reply(fallback="Export", blocks=(Text("Export"), export)))
    [upload] = slack.uploads
    assert (upload["channel"], upload["filename"], upload["data"]) == (
        "DU0NURSE",
        "ideas.csv",
        export.data,
    )


async def test_an_ephemeral_post_sends_pictures_to_the_persons_dm_only(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    reply = Reply(fallback="Results", blocks=(Text("Results"), CHART), ephemeral=True)
    await messenger.post_ephemeral("C0GENERAL", "U0HR", reply, thread_ts="1.5")
    [posted] = slack.ephemeral
    assert (posted["channel"], posted["user"], posted["thread_ts"]) == ("C0GENERAL", "U0HR", "1.5")
    assert posted["blocks"][0]["text"]["text"] == "Results"
    [upload] = slack.uploads
    assert upload["channel"] == "DU0HR"  # a channel upload would show it to everyone there


async def test_respond_posts_to_the_response_url(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    await messenger.respond(slack.response_url("cmd1"), SURVEY, user_id="U0NURSE", ephemeral=True)
    await messenger.respond(
        slack.response_url("cmd1"),
        Reply.text("Done"),
        user_id="U0NURSE",
        ephemeral=False,
        replace_original=True,
    )
    first, second = slack.calls["response_url"]
    assert first.args["key"] == "cmd1"
    assert (first.args["response_type"], first.args["replace_original"]) == ("ephemeral", False)
    assert first.args["text"] == SURVEY.fallback
    assert first.args["blocks"][1]["elements"][0]["action_id"] == "pulse.open"
    assert (second.args["response_type"], second.args["replace_original"]) == ("in_channel", True)


async def test_a_refused_or_rate_limited_response_url_is_a_delivery_error(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    slack.fail_next("response_url", "expired_url", status=404)
    with pytest.raises(DeliveryError, match="expired_url"):
        await messenger.respond(slack.response_url(), SURVEY, user_id="U1", ephemeral=True)
    slack.fail_next("response_url", "rate_limited", status=429, headers={"Retry-After": "3"})
    with pytest.raises(RateLimited) as caught:
        await messenger.respond(slack.response_url(), SURVEY, user_id="U1", ephemeral=True)
    assert caught.value.retry_after == 3.0


async def test_open_view_and_an_expired_trigger(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}, "blocks": []}
    await messenger.open_view("trigger-1", view)
    [call] = slack.calls["views.open"]
    assert call.args["trigger_id"] == "trigger-1"
    assert slack.views_opened == [view]
    slack.fail_next("views.open", "expired_trigger_id")
    with pytest.raises(DeliveryError, match="expired_trigger_id"):
        await messenger.open_view("trigger-1", view)


async def test_channel_members_are_read_page_by_page(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    slack.channel_members["C0ICU"] = [f"U{n:03}" for n in range(450)]
    members = await messenger.channel_members("C0ICU")
    assert members == slack.channel_members["C0ICU"]
    assert len(slack.calls["conversations.members"]) == 3
    with pytest.raises(RecipientUnreachable):
        await messenger.channel_members("C0GONE")


async def test_a_form_sent_proactively_is_kept_for_its_button(slack: FakeSlack) -> None:
    kept: dict[str, Any] = {}

    async def keep(views: Mapping[str, Any]) -> None:
        kept.update(views)

    client = SlackMessenger("xoxb-test", base_url=slack.url, keep_forms=keep)
    form = Form("Your comment", (Input("comment", "Comment"),), "pulse.comment_submit", value="4")
    try:
        await client.send_direct(NURSE, Reply(fallback="Comment?", blocks=(form,)))
    finally:
        await client.close()
    [call] = slack.calls["chat.postMessage"]
    [button] = call.args["blocks"][0]["elements"]
    assert button["action_id"] == OPEN_FORM_ACTION
    assert kept[button["value"]]["blocks"][0]["block_id"] == "comment"


async def test_a_failed_upload_does_not_fail_the_message_that_went_out(
    slack: FakeSlack, messenger: SlackMessenger
) -> None:
    slack.fail_next("files.getUploadURLExternal", "ratelimited", status=429)
    sent = await messenger.post("C0HR", Reply(fallback="Results", blocks=(Text("Results"), CHART)))
    assert slack.messages["C0HR"][0]["ts"] == sent.message_id
    assert slack.uploads == []
