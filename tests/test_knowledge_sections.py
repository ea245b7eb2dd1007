"""Sections as units of an answer: how an article is cut at its `##` headings, the link to each
section, the section search finds best for a question, and the excerpt drawn from it; on the
bundled sample knowledge base, and on the shared evaluation one when it is beside the repo."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from skills.knowledge import shelf
from skills.knowledge.articles import Article, load
from skills.knowledge.excerpt import excerpt
from skills.knowledge.library import bundled_kb
from skills.knowledge.search import Retriever
from skills.knowledge.sections import Section, anchor, link, sections
from skills.textkit.spelling import likely_meant, load_english
from tests.conftest import SHARED_EVAL

DATA = Path(__file__).resolve().parent / "data"
LEAVES = Article(
    id="leaves",
    title="Leaves of absence",
    body=(
        "Start any leave with the Leave Center at 555-0175.\n\n"
        "## FMLA\nUp to 12 weeks, job protected, after 12 months of work.\n\n"
        "## Pay during leave\nFMLA itself is unpaid; your sick bank is used first.\n"
        "### Premiums\nCollected when you return.\n\n"
        "```\n## not a heading inside a code block\n```\n\n"
        "## Pay during leave ##\nA second section with the same heading.\n\n"
        "## 403(b) & **457(b)** loans\nLoans are paused while you are out."
    ),
    questions=("Do I qualify for FMLA?",),
    tags=("fmla", "leave"),
    link="https://intranet.example/leaves",
    source="kb/leaves.md",
)


def test_an_article_is_cut_at_its_level_two_headings() -> None:
    found = sections(LEAVES)
    assert [s.heading for s in found] == [
        None,
        "FMLA",
        "Pay during leave",
        "Pay during leave",
        "403(b) & **457(b)** loans",
    ]
    assert found[0].text == "Start any leave with the Leave Center at 555-0175."
    assert "### Premiums" in found[2].text, "a deeper heading stays in its section"
    assert "## not a heading" in found[2].text, "nor is a ## line in a code block"
    assert [s.anchor for s in found] == [
        None,
        "fmla",
        "pay-during-leave",
        "pay-during-leave-1",
        "403b--457b-loans",
    ]


def test_an_article_without_headings_and_a_spreadsheet_row_are_one_section() -> None:
    plain = Article("a", "A", "One paragraph.\n\nAnother.", source="kb/a.md")
    assert sections(plain) == (Section(None, "One paragraph.\n\nAnother.", None),)
    row = Article("r", "R", "## Not a heading in a cell", source="kb/faq.csv:3", link="https://x")
    [whole] = sections(row)
    assert whole.heading is None
    assert link(row, whole) == "https://x"


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Pay during leave", "pay-during-leave"),
        ("Not eligible for FMLA?", "not-eligible-for-fmla"),
        ("Workers' compensation pay", "workers-compensation-pay"),
        ("Cash-out and leaving", "cash-out-and-leaving"),
        ("See [Sick leave](sick-leave.md)", "see-sick-leave"),
    ],
)
def test_anchors_follow_the_usual_slug_rule(heading: str, slug: str) -> None:
    assert anchor(heading) == slug


@pytest.mark.parametrize(
    ("article_link", "expected"),
    [
        ("https://intranet.example/leaves", "https://intranet.example/leaves#pay-during-leave"),
        ("http://intranet.example/leaves", "http://intranet.example/leaves#pay-during-leave"),
        ("https://intranet.example/leaves#top", "https://intranet.example/leaves#top"),
        ("\\\\fileserver\\hr\\leaves.docx", "\\\\fileserver\\hr\\leaves.docx"),
        ("", ""),
    ],
)
def test_a_section_link_points_at_its_heading_where_the_source_allows(
    article_link: str, expected: str
) -> None:
    article = Article("leaves", "Leaves", LEAVES.body, link=article_link, source="kb/leaves.md")
    pay = sections(article)[2]
    assert link(article, pay) == expected
    assert link(article, sections(article)[0]) == article_link, "the lead is the article"


def test_a_question_about_one_section_gets_that_section_and_its_excerpt() -> None:
    retriever = Retriever([LEAVES, Article("eap", "EAP", "Free counseling.", source="eap.md")])
    best = retriever.answer("is my leave paid or unpaid").best
    assert best is not None
    assert best.section.heading == "Pay during leave"
    text = excerpt(best.article, "is my leave paid or unpaid", section=best.section)
    assert text.startswith("FMLA itself is unpaid")
    assert "Leave Center" not in text
    general = retriever.answer("leaves of absence").best
    assert general is not None
    assert general.section.heading is None, "a question only about the article gets its lead"


def test_sections_survive_a_saved_index(tmp_path: Path) -> None:
    built = Retriever(load(bundled_kb()).articles)
    state = marshal.loads(marshal.dumps(built.state()))
    read = Retriever.from_state(state)
    for question in ("can i cary over my pto", "is fmla paid", "how do i add my newborn"):
        assert read.answer(question) == built.answer(question)


async def test_sections_survive_the_shelf(tmp_path: Path) -> None:
    loaded = load(bundled_kb())
    built = Retriever(loaded.articles)
    path = shelf.path_for(tmp_path, "k1")
    shelf.write(path, "k1", built, loaded.problems)
    read, _ = await shelf.read(path, "k1")
    question = "how do i put in for vacation"
    assert read.answer(question) == built.answer(question)
    best = read.answer(question).best
    assert best is not None
    assert best.section.heading == "How to request it"


def test_a_rare_word_next_to_a_common_one_is_read_as_its_typo() -> None:
    load_english()
    assert likely_meant("cary", ("carry", "care")) == ("carry", "care")
    assert likely_meant("severance", ("severe",)) == (), "a word used in its own right"
    assert likely_meant("sheath", ("health",)) == (), "two edits away"


@pytest.fixture(scope="module")
def retrievers() -> dict[str, Retriever]:
    found = {"sample": Retriever(load(bundled_kb()).articles)}
    if (SHARED_EVAL / "kb").is_dir():
        found["eval"] = Retriever(load(SHARED_EVAL / "kb").articles)
    return found


def _cases() -> list[tuple[str, str, str, str, str]]:
    """`question, knowledge base, article id, heading (- for the lead), words to show` lines."""
    cases = []
    for line in (DATA / "answer_sections.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, kb, article_id, heading, words = line.split("\t")
            cases.append((question, kb, article_id, heading, words))
    return cases


def test_the_section_and_excerpt_shown_are_the_ones_that_answer(
    retrievers: dict[str, Retriever],
) -> None:
    """Given the right article, the section search picks and the excerpt drawn from it show
    the answer. A regression floor a little under what it reaches (15 of the 22 lines on the
    sample knowledge base, 21 of 27 with the evaluation one; the misses are words the section
    does not use, such as "paid" for "unpaid"), not a target."""
    right = total = 0
    for question, kb, article_id, heading, words in _cases():
        if kb not in retrievers:
            continue
        retriever = retrievers[kb]
        article = next(a for a in retriever.articles if a.id == article_id)
        section = retriever.section_for(article, question)
        shown = excerpt(article, question, section=section)
        total += 1
        right += (section.heading or "-") == heading and words.lower() in shown.lower()
    assert total >= 20
    assert right / total >= 0.65


@pytest.mark.parametrize("kb", ["sample", "eval"])
def test_carrying_over_pto_is_answered_with_the_carry_over_rule(
    retrievers: dict[str, Retriever], kb: str
) -> None:
    if kb not in retrievers:
        pytest.skip(f"the shared evaluation set is not at {SHARED_EVAL}")
    question = "can i cary over my pto"
    answer = retrievers[kb].answer(question)
    assert answer.answered
    assert answer.best is not None
    shown = excerpt(answer.best.article, question, section=answer.best.section)
    assert "carr" in shown.lower(), shown
    assert not shown.startswith("PTO is one bank"), "the lead paragraph does not answer it"
