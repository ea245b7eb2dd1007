"""`ask stats`: the questions the knowledge base failed, grouped into named topics, so HR can see
what to write next instead of reading a raw log.

Small talk ("thanks") and clinical questions are left out: the first is not a question, and the
second is declined on purpose, so no article would fill either gap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.i18n import N_, Translator
from skills.grouping import group_similar
from skills.knowledge.clinical import looks_clinical
from skills.knowledge.smalltalk import small_talk
from skills.knowledge.spanish import english_reading, language_of
from skills.knowledge.text import STOP_WORDS, is_noise, tokenize
from skills.phi.tags import readable, without_tags
from skills.textkit.stemming import stem
from storage.questions import LoggedQuestion

MAX_TOPICS = 10
EXAMPLES = 2
KEY_TERMS = 3


@dataclass
class Topic:
    name: str | None  # None: a lone question that matches nothing else
    members: list[LoggedQuestion]


def is_gap(question: LoggedQuestion) -> bool:
    """A question an article could answer: not small talk, not a clinical question (a Spanish
    one read through the Spanish vocabulary, as search reads it)."""
    text = question.text
    english = text if language_of(text) == "en" else english_reading(text)
    return small_talk(text) is None and not looks_clinical(english)


def content_gaps(
    questions: Sequence[LoggedQuestion],
    t: Translator,
    *,
    total: int,
    days: int,
    titles: Mapping[str, str],
) -> str:
    """The report, in the reader's language (`t`); `titles` names the articles the questions
    came closest to, by id. The questions are quoted as they were asked."""
    gaps = [q for q in questions if is_gap(q)]
    asked = t.plural("{count} question", "{count} questions", total)
    if not gaps:
        return t.plural(
            'In the last day I was asked {asked}, and none was left unanswered or marked "Not '
            'helpful".',
            "In the last {count} days I was asked {asked}, and none was left unanswered or marked "
            '"Not helpful".',
            days,
            asked=asked,
        )
    unanswered = sum(1 for q in gaps if not q.answered)
    unhelpful = sum(1 for q in gaps if q.answered and q.helpful is False)
    lines = [
        t.plural(
            "**Knowledge gaps, last day**: {asked} asked, {unanswered} not answered, "
            "{unhelpful} answered but marked not helpful.",
            "**Knowledge gaps, last {count} days**: {asked} asked, {unanswered} not answered, "
            "{unhelpful} answered but marked not helpful.",
            days,
            asked=asked,
            unanswered=t.number(unanswered),
            unhelpful=t.number(unhelpful),
        ),
        "",
        t("By topic, largest first:"),
    ]
    topics = _topics(gaps, titles)
    named = [topic for topic in topics if topic.name is not None]
    other = [q for topic in topics if topic.name is None for q in topic.members]
    for topic in named[MAX_TOPICS:]:
        other.extend(topic.members)
    for number, topic in enumerate(named[:MAX_TOPICS], start=1):
        lines.append(f"{number}. **{topic.name}**: {_summary(topic.members, t)}")
    if other:
        lines.append(t("Other: {summary}", summary=_summary(other, t)))
    return "\n".join(lines)


def _summary(members: Sequence[LoggedQuestion], t: Translator) -> str:
    open_count = sum(1 for q in members if not q.answered)
    examples = "; ".join(f"_{readable(q.text, t)}_" for q in members[:EXAMPLES])
    return t(
        "{questions} ({unanswered} unanswered, {unhelpful} not helpful), e.g. {examples}",
        questions=t.plural("{count} question", "{count} questions", len(members)),
        unanswered=t.number(open_count),
        unhelpful=t.number(len(members) - open_count),
        examples=examples,
    )


def _topics(questions: Sequence[LoggedQuestion], titles: Mapping[str, str]) -> list[Topic]:
    """Questions grouped by likeness, each group named by the article most of it came closest
    to, else by the words its questions share; groups with the same name are one topic."""
    oldest_first = sorted(questions, key=lambda q: q.asked_at)
    by_name: dict[str | None, Topic] = {}
    lone: list[LoggedQuestion] = []
    for group in group_similar(oldest_first, lambda q: q.text):
        name = _name(group.members, titles)
        if name is None:
            lone.extend(group.members)
            continue
        by_name.setdefault(name, Topic(name, [])).members.extend(group.members)
    topics = sorted(by_name.values(), key=lambda t: len(t.members), reverse=True)
    if lone:
        topics.append(Topic(None, lone))
    return topics


def _name(members: Sequence[LoggedQuestion], titles: Mapping[str, str]) -> str | None:
    """The title of the article most members came closest to, or the words at least two of
    them share (a PHI tag is no word of theirs); a lone question has neither."""
    if len(members) < 2:
        return None
    articles = Counter(q.article_id for q in members if q.article_id in titles)
    if articles:
        article_id, hits = articles.most_common(1)[0]
        if article_id is not None and hits * 2 > len(members):
            return titles[article_id]
    spelled: dict[str, Counter[str]] = {}
    shared: Counter[str] = Counter()
    for q in members:
        stems = set()
        for word in tokenize(without_tags(q.text)):
            if word in STOP_WORDS or is_noise(word) or len(word) < 3:
                continue
            root = stem(word)
            spelled.setdefault(root, Counter())[word] += 1
            stems.add(root)
        shared.update(stems)
    # The most shared first; among equals the longer, which says more ("nurses" over "new").
    ranked = sorted(shared.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))
    terms = [spelled[root].most_common(1)[0][0] for root, n in ranked if n >= 2]
    return ", ".join(terms[:KEY_TERMS]).capitalize() if terms else None


CRISIS_KINDS = {
    "self_harm": N_("self-harm or suicidal thoughts"),
    "violence": N_("violence or threats at work"),
    "domestic_violence": N_("domestic violence"),
    "sexual": N_("sexual harassment or assault"),
    "active_threat": N_("an active threat"),
}


def crisis_summary(counts: Mapping[str, int], t: Translator) -> str:
    """How many messages got crisis resources instead of an answer, by kind: they are not
    among the questions above, and nothing else of them is kept."""
    total = sum(counts.values())
    kinds = ", ".join(
        f"{t(CRISIS_KINDS[kind]) if kind in CRISIS_KINDS else kind}: {t.number(count)}"
        for kind, count in sorted(counts.items(), key=lambda item: -item[1])
    )
    return t(
        "**Crisis resources**: {messages} got them instead of an answer ({kinds}). I keep no "
        "names or words of these, only the count.",
        messages=t.plural("{count} message", "{count} messages", total),
        kinds=kinds,
    )


# How long after a spotlight its questions are counted: long enough for people on every
# rotation to have worked a shift since, short of the next turn of a weekly campaign.
SPOTLIGHT_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class SpotlightEcho:
    """What came after one spotlight turn: counts only, never who."""

    spotlight_id: int
    title: str
    fired_at: datetime
    sent: int
    questions: int  # every question asked in the window
    on_article: int  # those that came to the spotlight's article, "Ask about this" included
    asks: int  # "Ask about this" presses
    complete: bool  # the whole window has passed


def spotlight_summary(echoes: Sequence[SpotlightEcho], t: Translator, zone: ZoneInfo) -> str:
    """One line per spotlight sent: how many questions followed it, overall and on its
    article, and how many of those came through its "Ask about this" button."""
    days = t.plural("{count} day", "{count} days", SPOTLIGHT_WINDOW.days)
    lines = [t("**Spotlights**: questions asked after each one.")]
    for echo in echoes:
        window = t("In the {days} after", days=days) if echo.complete else t("Since then")
        lines.append(
            t(
                "- #{id} _{title}_, {day}, sent to {people}. {window}: {questions} asked, "
                '{on_article} about this article ({asks} through "Ask about this").',
                id=echo.spotlight_id,
                title=echo.title,
                day=t.local_day(echo.fired_at, zone),
                people=t.plural("{count} person", "{count} people", echo.sent),
                window=window,
                questions=t.plural("{count} question", "{count} questions", echo.questions),
                on_article=t.number(echo.on_article),
                asks=t.number(echo.asks),
            )
        )
    return "\n".join(lines)
