"""Crisis and safety messages: told from questions on our own examples (skills/safety/examples.tsv),
answered at once with resources in the person's language, and never logged, searched or handed
to HR: through the router, the terminal chat and Slack over real HTTP."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.events import Command, ConversationKind, ConversationRef
from bot.i18n import translator
from bot.replies import Buttons, Reply
from bot.roles import Role
from bot.runtime import Runtime, start_runtime
from bot.settings import Settings, SettingsError, load_settings
from skills.knowledge.articles import load
from skills.knowledge.library import bundled_kb
from skills.knowledge.text import vocabulary
from skills.safety import learned
from skills.safety.contacts import program_line
from skills.safety.detector import Crisis, CuesError, Kind, detect, parse_cues
from skills.safety.learned import THRESHOLD, language_of, reader
from skills.safety.replies import Resources, crisis_text
from storage.admission import Admissions, CrisisCount, QuestionEntry
from storage.crisis_counts import CrisisCounts
from storage.db import Database
from storage.people import PeopleRepository, Profile
from storage.questions import QuestionLog
from tests.cli import run
from tests.conftest import SHARED_EVAL
from tests.fake_slack import FakeSlack
from tests.helpers import TENANT, actor, dm, message
from tests.kb_fixture import write_kb
from tests.slack_harness import NURSE, Slack, serve_slack, slack_env
from tests.slack_payloads import dm_event
from tests.spanish import english_words

ENGLISH = translator("en")
CRISIS_SET = Path(__file__).parents[1] / "skills" / "safety" / "examples.tsv"
ONE_DAY = date(2026, 12, 7)
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
FIRST_DAY = LONG_AGO.date()


def crisis_set() -> list[tuple[str, Kind | None]]:
    rows = []
    for line in CRISIS_SET.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, kind = line.split("\t")
            rows.append((text, None if kind == "none" else Kind(kind)))
    return rows


# -- telling a crisis from a question ---------------------------------------------------------


def test_the_set_is_large_and_about_half_near_misses() -> None:
    rows = crisis_set()
    near_misses = [text for text, kind in rows if kind is None]
    assert len(rows) >= 120
    assert 0.4 <= len(near_misses) / len(rows) <= 0.6
    assert {kind for _, kind in rows if kind} == set(Kind)


def test_crises_are_found_and_near_misses_left_alone() -> None:
    rows = crisis_set()
    crises = [(text, kind) for text, kind in rows if kind is not None]
    near_misses = [text for text, kind in rows if kind is None]
    found = [text for text, kind in crises if (seen := detect(text)) and seen.kind is kind]
    flagged = [text for text in near_misses if detect(text) is not None]
    assert len(found) / len(crises) >= 0.95, sorted({t for t, _ in crises} - set(found))
    assert len(flagged) / len(near_misses) <= 0.05, flagged


@pytest.mark.parametrize(
    ("text", "kind", "language"),
    [
        ("wrote goodbye notes to everyone tonight", Kind.SELF_HARM, "en"),
        ("i feel like a burden and want it all to stop", Kind.SELF_HARM, "en"),
        ("mi pareja me dejo moretones en los brazos", Kind.DOMESTIC_VIOLENCE, "es"),
        ("my coworker keeps sending me pics of himself, i said stop", Kind.SEXUAL, "en"),
    ],
)
def test_the_learned_reader_finds_what_no_cue_foresaw(text: str, kind: Kind, language: str) -> None:
    assert reader().read(text)[0] is kind
    found = detect(text)
    assert found is not None
    assert (found.kind, found.language) == (kind, language)


@pytest.mark.parametrize(
    "text",
    [
        "i would never kill myself, just tired",  # a cue, negated: the cues have read it
        "this shift is killing me lol",
        "el paciente me pidio agua",
        "shoot me a text when youre on the unit",
        "the ED is a war zone tonight",
    ],
)
def test_what_the_cues_defuse_or_laughter_marks_is_not_read_again(text: str) -> None:
    assert detect(text) is None


def test_the_reader_is_sure_only_above_its_threshold() -> None:
    probabilities = reader().probabilities("how many pto days do i get")
    assert set(probabilities) == {"none", *(kind.value for kind in Kind)}
    assert sum(probabilities.values()) == pytest.approx(1.0)
    assert 1 - probabilities["none"] < THRESHOLD


@pytest.mark.parametrize(
    ("text", "language"),
    [("quiero que todo se acabe ya", "es"), ("i want it all to be over", "en"), ("", "en")],
)
def test_the_reply_language_follows_the_words_used(text: str, language: str) -> None:
    assert language_of(text) == language


@pytest.mark.parametrize(
    ("text", "kind", "language"),
    [
        ("I\u2019m gonna kill myself", Kind.SELF_HARM, "en"),
        ("Me quiero MORIR", Kind.SELF_HARM, "es"),
        ("mi esposo me pegó", Kind.DOMESTIC_VIOLENCE, "es"),
        ("theres a guy with a GUN in the lobby!!", Kind.ACTIVE_THREAT, "en"),
    ],
)
def test_messages_are_read_as_typed(text: str, kind: Kind, language: str) -> None:
    found = detect(text)
    assert found is not None
    assert (found.kind, found.language) == (kind, language)


def test_a_negation_or_a_joke_undoes_a_cue_but_not_a_disclosure_beside_it() -> None:
    assert detect("im not going to kill myself") is None
    assert detect("i want to die lol") is None
    assert detect("lol i want to kill myself") is not None  # a joke does not undo that one
    assert detect("no me quiero morir") is None
    assert detect("ya no aguanto, me quiero matar") is not None


def test_a_malformed_cue_file_is_refused_with_where() -> None:
    with pytest.raises(CuesError, match=r"en\.kinds\.self_harm\.cues"):
        parse_cues("en:\n  kinds:\n    self_harm:\n      cues: ['(unclosed']\n")
    with pytest.raises(CuesError, match="is not one of"):
        parse_cues("en:\n  kinds:\n    boredom:\n      cues: []\n")
    with pytest.raises(CuesError, match="negations"):
        parse_cues("en:\n  negations: not a list\n")


# -- the reply's resources ---------------------------------------------------------------------


def test_the_eap_and_hr_numbers_come_from_the_knowledge_base() -> None:
    articles = load(bundled_kb()).articles
    concepts = vocabulary().equivalents
    assert program_line(articles, concepts["eap"]) == "555-0188"
    assert program_line(articles, concepts["hr"]) == "555-0140"


@pytest.mark.skipif(not (SHARED_EVAL / "kb").is_dir(), reason="../shared/eval is not here")
@pytest.mark.parametrize("kb", ["kb", "kb-harbor"])
def test_the_eap_line_is_found_in_any_house_style(kb: str) -> None:
    """The number beside "24/7", not the program office's."""
    line = program_line(load(SHARED_EVAL / kb).articles, vocabulary().equivalents["eap"])
    assert line is not None
    article = next(a for a in load(SHARED_EVAL / kb).articles if line in a.body)
    around = article.body[max(0, article.body.index(line) - 80) : article.body.index(line)]
    assert "24" in around


def test_each_kind_gets_its_lines_in_the_persons_language() -> None:
    resources = Resources(emergency="911", security="555-0111", eap="555-0188", hr="555-0140")
    text = {kind: crisis_text(detect_kind(kind), resources, ENGLISH) for kind in Kind}
    assert "988" in text[Kind.SELF_HARM]
    assert "1-800-799-7233" in text[Kind.DOMESTIC_VIOLENCE]
    assert "START" in text[Kind.DOMESTIC_VIOLENCE]
    assert "1-800-656-4673" in text[Kind.SEXUAL]
    assert text[Kind.ACTIVE_THREAT].index("911") < text[Kind.ACTIVE_THREAT].index("555-0111")
    for kind in Kind:
        assert "555-0188" in text[kind]
        if kind is not Kind.ACTIVE_THREAT:
            assert "HR is not told" in text[kind]
    spanish = crisis_text(detect_or_fail("me quiero morir"), resources, translator("es"))
    assert "Llame o envíe un mensaje de texto al **988**" in spanish
    assert "marque 2" in spanish


def test_a_reply_for_two_kinds_gives_both_kinds_resources_once() -> None:
    """Where the reader cannot tell domestic violence from violence at work, the person gets
    the hotline and the way to report it, and the emergency step only once."""
    resources = Resources(emergency="911", security="5-5555")
    text = crisis_text(Crisis(Kind.DOMESTIC_VIOLENCE, "en", (Kind.VIOLENCE,)), resources, ENGLISH)
    assert "1-800-799-7233" in text
    assert "how to report what happened" in text
    assert "ask me about leave" in text
    assert text.count("If you are in danger now") == 1
    assert text.startswith("I'm so sorry. You deserve to be safe")


def test_without_a_security_number_the_reply_names_security_without_one() -> None:
    text = crisis_text(detect_or_fail("a patient punched me"), Resources(emergency="911"), ENGLISH)
    assert "call hospital security, or **911**" in text
    assert "EAP" not in text  # no number found: no line that would say nothing


def detect_or_fail(text: str) -> Crisis:
    found = detect(text)
    assert found is not None
    return found


def detect_kind(kind: Kind) -> Crisis:
    examples = {
        Kind.SELF_HARM: "i want to kill myself",
        Kind.VIOLENCE: "a patient punched me",
        Kind.DOMESTIC_VIOLENCE: "my husband hits me",
        Kind.SEXUAL: "i was raped",
        Kind.ACTIVE_THREAT: "someone has a gun in the lobby",
    }
    found = detect(examples[kind])
    assert found is not None
    assert found.kind is kind
    return found


# -- settings ----------------------------------------------------------------------------------


def test_emergency_and_security_numbers_are_read_and_formatted() -> None:
    defaults = load_settings({}, env_file=None)
    assert (defaults.emergency_number, defaults.security_number) == ("911", None)
    settings = load_settings(
        {"BREAKROOM_EMERGENCY_NUMBER": "112", "BREAKROOM_SECURITY_NUMBER": "+1 617 555 0111"},
        env_file=None,
    )
    assert (settings.emergency_number, settings.security_number) == ("112", "(617) 555-0111")
    extension = load_settings({"BREAKROOM_SECURITY_NUMBER": "5-5555"}, env_file=None)
    assert extension.security_number == "5-5555"


@pytest.mark.parametrize("raw", ["call security", "12", "617-555-01", "+1 617 555 0100 9999"])
def test_a_number_that_cannot_be_dialled_stops_the_bot(raw: str) -> None:
    with pytest.raises(SettingsError, match="BREAKROOM_SECURITY_NUMBER"):
        load_settings({"BREAKROOM_SECURITY_NUMBER": raw}, env_file=None)


# -- storage: a count, no trace ----------------------------------------------------------------


async def test_a_crisis_is_counted_with_its_event_and_never_logged(database: Database) -> None:
    people = PeopleRepository(database)
    known = await people.known(Profile("slack", TENANT, "U-one"))
    admissions = Admissions(database)
    crisis = CrisisCount(ONE_DAY, Kind.SELF_HARM.value)
    first = await admissions.admit("slack", "Ev1", identity_id=known.identity_id, crisis=crisis)
    again = await admissions.admit("slack", "Ev1", identity_id=known.identity_id, crisis=crisis)
    other = await admissions.admit("slack", "Ev2", identity_id=known.identity_id, crisis=crisis)
    assert first is not None
    assert other is not None
    assert again is None, "a redelivery is not answered, nor counted, twice"
    counts = CrisisCounts(database)
    await counts.add(ONE_DAY, Kind.VIOLENCE.value)
    assert await counts.since(ONE_DAY) == {"self_harm": 2, "violence": 1}
    assert await QuestionLog(database).count_since(LONG_AGO) == 0
    with pytest.raises(ValueError, match="never logged"):
        await admissions.admit(
            "slack",
            "Ev3",
            identity_id=known.identity_id,
            question=QuestionEntry("x", article_id=None, confidence=0.0, answered=False),
            crisis=crisis,
        )


# -- through the router ------------------------------------------------------------------------


@pytest.fixture
async def kb_runtime(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> AsyncIterator[Runtime]:
    kb = write_kb(tmp_path / "kb")
    rt = await start_runtime(
        make_settings(BREAKROOM_KB_DIR=str(kb), BREAKROOM_SECURITY_NUMBER="555-0111")
    )
    yield rt
    await rt.close()


def action_ids(reply: Reply) -> list[str]:
    return [
        b.action_id for block in reply.blocks if isinstance(block, Buttons) for b in block.buttons
    ]


async def test_a_crisis_question_gets_resources_once_and_leaves_no_trace(
    kb_runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    text = "I was assaulted by a patient"
    event = message(text, redelivered_possible=True)
    [reply] = await kb_runtime.router.dispatch(event)
    assert "hospital security at 555-0111" in reply.fallback
    assert "555-0100" in reply.fallback  # the fixture's EAP line
    assert "punch corrections" not in reply.fallback.lower()
    assert action_ids(reply) == [], "no Ask HR, no feedback, no related articles"
    assert await kb_runtime.router.dispatch(event) == [], "a redelivery is not answered twice"
    services = kb_runtime.services
    assert await services.questions.count_since(LONG_AGO) == 0
    assert await services.crisis_counts.since(FIRST_DAY) == {"violence": 1}
    above_debug = [r.getMessage() for r in caplog.records if r.levelno > logging.DEBUG]
    assert not any("assaulted" in line or "violence" in line for line in above_debug)


async def test_the_resources_are_in_the_language_chosen_else_the_one_written_in(
    kb_runtime: Runtime,
) -> None:
    """A Spanish speaker reads them in Spanish whatever words they used; someone who chose no
    language reads them in the language they wrote in."""
    services = kb_runtime.services
    ana = await services.people.resolve(Profile("console", TENANT, "U-ana", "Ana"))
    await services.people.set_language(ana.id, "es")
    [spanish] = await kb_runtime.router.dispatch(message("I want to kill myself", user="U-ana"))
    assert "Llame o envíe un mensaje de texto al **988**".replace("**", "") in spanish.fallback
    assert spanish.language == "es"
    assert not english_words(spanish.fallback), spanish.fallback

    [written] = await kb_runtime.router.dispatch(message("me quiero morir", user="U-leo"))
    assert "Gracias por contármelo" in written.fallback
    [english] = await kb_runtime.router.dispatch(message("I want to kill myself", user="U-leo"))
    assert english.fallback.startswith("I'm really glad you told me")


async def test_the_ask_command_and_a_channel_get_resources_for_the_person_alone(
    kb_runtime: Runtime,
) -> None:
    channel = ConversationRef("console", ConversationKind.CHANNEL, {"channel": "C-unit"})
    event = Command(
        actor=actor(), conversation=channel, name="ask", text="my bf choked me last night"
    )
    [reply] = await kb_runtime.router.dispatch(event)
    assert reply.ephemeral
    assert "1-800-799-7233" in reply.fallback
    assert "leave" in reply.fallback
    assert await kb_runtime.services.crisis_counts.since(FIRST_DAY) == {"domestic_violence": 1}
    hr = await kb_runtime.services.people.resolve(Profile("console", TENANT, "U-hr", "Hana"))
    await kb_runtime.services.people.grant(hr.id, Role.HR.value, granted_by="test")
    [stats] = await kb_runtime.router.dispatch(
        Command(actor=actor("U-hr"), conversation=dm(), name="ask", text="stats")
    )
    assert "1 message got them instead of an answer (domestic violence: 1)" in stats.fallback
    assert "choked" not in stats.fallback


async def test_an_idea_in_crisis_gets_the_resources_above_its_preview(
    kb_runtime: Runtime,
) -> None:
    idea = "a visitor threatened to shoot me at the front desk, we need a panic button there"
    [reply] = await kb_runtime.router.dispatch(
        Command(actor=actor(), conversation=dm(), name="idea", text=idea)
    )
    assert reply.fallback.index("hospital security") < reply.fallback.index("panic button")
    assert "ideas.confirm" in action_ids(reply), "the idea is still the person's to send"
    assert await kb_runtime.services.crisis_counts.since(FIRST_DAY) == {"violence": 1}


# -- the terminal chat and Slack, end to end ---------------------------------------------------


def test_the_terminal_chat_answers_a_crisis_with_resources_and_stores_no_question(
    tmp_path: Path,
) -> None:
    result = run(
        ["chat"],
        cwd=tmp_path,
        stdin="ya no aguanto, me quiero matar\nmy husband hits me, can I get time off?\nquit\n",
        BREAKROOM_SECURITY_NUMBER="555-0111",
    )
    assert result.returncode == 0, result.stderr
    assert "Llame o envíe un mensaje de texto al 988" in result.stdout
    assert "1-800-799-7233" in result.stdout
    assert "555-0188" in result.stdout  # the bundled knowledge base's EAP line
    assert "Ask HR" not in result.stdout
    assert "matar" not in result.stderr
    assert "husband" not in result.stderr
    with sqlite3.connect(tmp_path / "breakroom.db") as db:
        assert db.execute("SELECT count(*) FROM questions").fetchone() == (0,)
        kinds = dict(db.execute("SELECT kind, count FROM crisis_counts").fetchall())
    assert kinds == {"self_harm": 1, "domestic_violence": 1}


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        yield slack


@pytest.fixture
async def slack(
    make_settings: Callable[..., Settings], fake: FakeSlack, tmp_path: Path
) -> AsyncIterator[Slack]:
    settings = make_settings(**slack_env(fake, tmp_path / "kb"))
    async with serve_slack(settings, fake) as served:
        yield served


async def test_a_slack_dm_in_crisis_gets_resources_once_and_no_ask_hr(slack: Slack) -> None:
    body = dm_event("theres a guy with a gun in the lobby", NURSE, "EvThreat")
    assert await slack.event(body) == 200
    retried = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert await slack.event(body, **retried) == 200
    await slack.bridge.idle()
    [answer] = slack.fake.calls["chat.postMessage"]
    shown = json.dumps(answer.args, ensure_ascii=False)
    assert "911" in shown
    assert "hide, lock or block the door" in shown
    assert "knowledge.ask_hr" not in shown
    assert "Ask HR" not in shown
    services = slack.runtime.services
    assert await services.questions.count_since(LONG_AGO) == 0
    assert await services.crisis_counts.since(FIRST_DAY) == {"active_threat": 1}


def a_few_examples() -> list[learned.Example]:
    """Enough to train a reader quickly where only its saving and reading back are tested."""
    return learned.labelled_examples()[::20] + learned.ordinary_examples()[::20]


def test_the_reader_is_trained_once_per_machine_and_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every replica and terminal chat reads back what the first one trained."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(learned, "training_examples", a_few_examples)
    learned.reader.cache_clear()
    try:
        first = learned.reader()
        [saved] = (tmp_path / "breakroom" / "safety").glob("crisis-reader-*.npz")

        def no_training(examples: object) -> learned.Reader:
            raise AssertionError("trained again")

        monkeypatch.setattr(learned.Reader, "trained", no_training)
        learned.reader.cache_clear()
        again = learned.reader()
        message = "i feel like a burden and want it all to stop"
        assert again.probabilities(message) == pytest.approx(first.probabilities(message))
        assert saved.is_file()
    finally:
        learned.reader.cache_clear()


def test_a_cache_that_cannot_be_written_still_gives_a_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    monkeypatch.setattr(learned, "training_examples", a_few_examples)
    learned.reader.cache_clear()
    try:
        assert learned.reader().probabilities("i feel like a burden")
    finally:
        learned.reader.cache_clear()
