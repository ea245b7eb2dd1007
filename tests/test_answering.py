"""The answering path in the core: a reply that fails in one place tries the next, nothing
escapes, logs carry the event id and never the text, rate limits are waited out with the
platform's patience, offered forms open or say they are gone, and shutdown waits only so long.

The surface here records what it is asked to do, as an adapter's primitives would do it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.answering import (
    FORM_GONE,
    FORM_LIFETIME,
    Answerer,
    Capabilities,
    Openings,
    Surface,
)
from bot.answering.forms import FORM_NOT_OPENED, OPEN_OFFERED_FORM
from bot.context import Context
from bot.events import Action, ConversationKind, ConversationRef, Event, Message
from bot.messenger import DeliveryError, RateLimited
from bot.patience import Patience
from bot.replies import Reply
from bot.runtime import Runtime
from storage.db import StorageUnavailable
from tests.helpers import actor

SECRET = "my FMLA question about my diagnosis"
CAN = Capabilities(
    platform="console",
    patience=Patience(attempts=3, first=0.0, longest_wait=1.0),
    private_replies=True,
    modal_forms=True,
)
VIEW: dict[str, Any] = {"type": "modal", "title": "Your comment"}


@dataclass
class Recording(Surface):
    """Records each placement; `failing` says what a primitive raises, one error per call."""

    failing: dict[str, list[Exception]] = field(default_factory=dict)
    placed: list[tuple[str, str]] = field(default_factory=list)
    here: Openings = field(default_factory=Openings)

    def openings(self) -> Openings:
        return self.here

    async def post(self, reply: Reply) -> None:
        self._put("post", reply.fallback)

    async def post_private(self, reply: Reply) -> None:
        self._put("private", reply.fallback)

    async def direct(self, reply: Reply) -> None:
        self._put("direct", reply.fallback)

    async def open_offered_form(self, view: Mapping[str, Any]) -> None:
        self._put("form", str(view["title"]))

    def _put(self, place: str, what: str) -> None:
        if self.failing.get(place):
            raise self.failing[place].pop(0)
        self.placed.append((place, what))


def in_channel(text: str = SECRET) -> Message:
    conversation = ConversationRef(platform="console", kind=ConversationKind.CHANNEL)
    return Message(actor=actor(), conversation=conversation, text=text)


@pytest.fixture
def answerer(runtime: Runtime) -> Answerer:
    async def echo(ctx: Context[Any]) -> list[Reply]:
        return [Reply.text("first answer"), Reply.text("second answer")]

    runtime.router.free_text(echo, name="echo")
    return Answerer(runtime.router, CAN)


async def test_a_reply_that_fails_in_one_place_goes_to_the_next(
    answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    event = in_channel()
    surface = Recording(failing={"post": [DeliveryError("slack: not_in_channel")]})
    replies = await answerer.answer(event, surface)
    assert [r.fallback for r in replies] == ["first answer", "second answer"]
    assert surface.placed == [("direct", "first answer"), ("post", "second answer")]
    assert f"event={event.id} console: post failed (slack: not_in_channel)" in caplog.text
    assert SECRET not in caplog.text


@pytest.mark.parametrize(
    "error", [StorageUnavailable("OperationalError"), RuntimeError("bug"), KeyError("handle")]
)
async def test_any_failure_in_a_place_tries_the_next_and_nothing_escapes(
    answerer: Answerer, caplog: pytest.LogCaptureFixture, error: Exception
) -> None:
    caplog.set_level(logging.INFO)
    event = in_channel()
    surface = Recording(failing={"post": [error, error]})
    await answerer.answer(event, surface)
    assert surface.placed == [("direct", "first answer"), ("direct", "second answer")]
    assert f"event={event.id}" in caplog.text
    assert SECRET not in caplog.text


async def test_a_reply_no_place_takes_is_logged_and_the_next_still_goes(
    answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    event = in_channel()
    gone = DeliveryError("gone")
    surface = Recording(failing={"post": [gone], "direct": [gone]})
    await answerer.answer(event, surface)
    assert surface.placed == [("post", "second answer")]
    assert f"event={event.id} console: reply not delivered: post, direct all failed" in (
        caplog.text
    )


async def test_a_rate_limit_is_waited_out_with_the_platforms_patience(
    answerer: Answerer,
) -> None:
    surface = Recording(failing={"post": [RateLimited(0.0), RateLimited(0.0)]})
    await answerer.answer(in_channel(), surface)
    assert surface.placed == [("post", "first answer"), ("post", "second answer")]


async def test_a_rate_limit_past_patience_gives_up_without_adding_calls_elsewhere(
    answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    event = in_channel()
    surface = Recording(failing={"post": [RateLimited(30.0)]})  # over `longest_wait`
    await answerer.answer(event, surface)
    assert surface.placed == [("post", "second answer")]  # no DM for the first
    assert f"event={event.id} console: reply not delivered (post)" in caplog.text


async def test_a_failure_outside_the_placing_is_caught_with_the_event_id(
    answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(Recording):
        def openings(self) -> Openings:
            raise RuntimeError("adapter bug")

    event = in_channel()
    await answerer.answer(event, Broken())
    assert f"event={event.id} console: answer failed" in caplog.text


async def test_an_offered_form_opens_from_its_button(answerer: Answerer, runtime: Runtime) -> None:
    services = runtime.services
    await services.forms.keep("console", {"k1": VIEW}, services.clock() + FORM_LIFETIME)
    surface = Recording(here=Openings(form_now=True))
    replies = await answerer.answer(click("k1"), surface)
    assert replies == []
    assert surface.placed == [("form", "Your comment")]


async def test_an_offered_form_gone_or_not_opened_says_so_kindly(
    answerer: Answerer, runtime: Runtime
) -> None:
    gone = Recording(here=Openings(form_now=True))
    await answerer.answer(click("never-kept"), gone)
    assert gone.placed == [("private", FORM_GONE)]

    services = runtime.services
    await services.forms.keep("console", {"k1": VIEW}, services.clock() + FORM_LIFETIME)
    late = Recording(here=Openings(form_now=True), failing={"form": [DeliveryError("expired")]})
    await answerer.answer(click("k1"), late)
    assert late.placed == [("private", FORM_NOT_OPENED)]


async def test_shutdown_waits_for_answers_then_cuts_the_rest_short(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    release = asyncio.Event()

    async def slow(ctx: Context[Any]) -> Reply:
        await release.wait()
        return Reply.text("at last")

    runtime.router.free_text(slow, name="slow")
    answerer = Answerer(runtime.router, CAN)
    done = asyncio.Event()

    async def quick() -> None:
        done.set()

    stuck = Recording()
    answerer.in_background(quick(), "quick")
    answerer.answer_later(in_channel("stuck"), stuck)
    await answerer.drain(deadline=0.1)
    assert done.is_set()
    assert stuck.placed == []
    assert "console: 1 answers or jobs cut short by the shutdown" in caplog.text
    await answerer.settle()  # nothing left behind


def click(key: str) -> Event:
    return Action(
        actor=actor(),
        conversation=ConversationRef(platform="console"),
        action_id=OPEN_OFFERED_FORM,
        value=key,
    )
