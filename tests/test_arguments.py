"""Declared arguments and options: typed values for handlers, and for anything that doesn't fit
a message naming what is wrong, what it expects, and the usage line."""

from __future__ import annotations

import pytest

from bot.arguments import (
    MAX_ID,
    Arg,
    BadInput,
    Flag,
    Identifier,
    Integer,
    Invocation,
    OneOf,
    Option,
    Phrase,
    Rest,
    Syntax,
    Words,
    whole_number,
)
from bot.i18n import translator
from bot.tokens import tokenize

DAYS = Option("--days", Integer("days", 1, 730), default=7)
UNIT = Option("--unit", Phrase("unit", "UNIT"), default=None)
BREAKDOWN = OneOf("breakdown", {"department": "department", "unit": "unit"}, "department|unit")
BY = Option("--by", BREAKDOWN, default=None)
MINE = Flag("--mine")
IDEA = Arg(Identifier("idea"))
STATUSES = {"under_review": "under_review", "review": "under_review", "declined": "declined"}
STATUS = Arg(OneOf("status", STATUSES, "STATUS"))
REASON = Rest("REASON", required=False)

LIST = Syntax(options=(DAYS, UNIT, BY, MINE))
STATUS_CHANGE = Syntax(args=(IDEA, STATUS, REASON))


def parse(syntax: Syntax, line: str, path: str = "ideas demo") -> Invocation:
    return syntax.parse(line, tokenize(line), syntax.usage(path))


def refusal(syntax: Syntax, line: str) -> str:
    with pytest.raises(BadInput) as caught:
        parse(syntax, line)
    return caught.value.text(translator("en"))


def test_usage_is_built_from_the_declaration() -> None:
    assert LIST.usage("ideas list") == (
        "ideas list [--days N] [--unit UNIT] [--by department|unit] [--mine]"
    )
    assert STATUS_CHANGE.usage("ideas status") == "ideas status ID STATUS [REASON]"
    hidden = Option("--file", Phrase("file", "PATH"), default=None, in_usage=False)
    assert Syntax((Words("TEMPLATE [SCHEDULE]"),), (hidden,)).usage("pulse create") == (
        "pulse create TEMPLATE [SCHEDULE]"
    )


def test_options_arrive_typed_with_defaults_for_those_left_out() -> None:
    given = parse(LIST, "--unit '5 North' --days 30 --mine")
    assert (given[DAYS], given[UNIT], given[BY], given[MINE]) == (30, "5 North", None, True)
    default = parse(LIST, "")
    assert (default[DAYS], default[UNIT], default[BY], default[MINE]) == (7, None, None, False)
    assert parse(LIST, "--days=14 --BY Unit")[DAYS] == 14
    assert parse(LIST, "--by Unit")[BY] == "unit"


def test_a_phone_dash_is_read_as_two_hyphens() -> None:
    assert parse(LIST, "\N{EM DASH}days 3 \N{EN DASH}unit ICU")[DAYS] == 3


def test_a_quoted_word_that_looks_like_an_option_is_a_value() -> None:
    assert parse(LIST, "--unit '--odd'")[UNIT] == "--odd"
    assert "didn't expect `--days`" in refusal(LIST, '"--days" 3')


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("--days x", "Days must be a number from 1 to 730."),
        ("--days 0", "Days must be a number from 1 to 730."),
        ("--days 731", "Days must be a number from 1 to 730."),
        ("--days -5", "Days must be a number from 1 to 730."),
        ("--days 99999999999999999999999", "Days must be a number from 1 to 730."),
        (
            "--days \u0661\u0662",
            "Days must be a number from 1 to 730, typed with the digits 0 to 9.",
        ),
        ("--days \u00b2", "Days must be a number from 1 to 730."),
        ("--days", "`--days` needs a value: `--days N`."),
        ("--unit ''", "`--unit` needs a value: `--unit UNIT`."),
        ("--days 3 --days 4", "`--days` is there twice; please give it once."),
        ("--by region", "I don't know the breakdown `region`. Use one of: `department`, `unit`."),
        ("--colour red", "I don't know the option `--colour`."),
        ("--mine=yes", "`--mine` takes no value."),
        ("extra", "I didn't expect `extra` there."),
    ],
)
def test_a_bad_option_says_which_what_it_expects_and_the_usage(line: str, expected: str) -> None:
    assert refusal(LIST, line) == (
        f"{expected}\nUsage: `ideas demo [--days N] [--unit UNIT] [--by department|unit] [--mine]`"
    )


def test_positional_arguments_and_free_text() -> None:
    given = parse(STATUS_CHANGE, "#12 Review  we'll look\nnext week")
    assert (given[IDEA], given[STATUS]) == (12, "under_review")
    assert given[REASON] == "we'll look\nnext week"
    assert parse(STATUS_CHANGE, "12 declined")[REASON] == ""
    assert parse(STATUS_CHANGE, '12 declined "We can\'t staff it"')[REASON] == "We can't staff it"
    # Free text is taken as typed: quotes inside it stay, and options are not looked for.
    assert parse(STATUS_CHANGE, '12 declined "No" for --days')[REASON] == '"No" for --days'


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", "Please say which idea: its number, like 12."),
        ("12", "Please add the status."),
        ("abc declined", "I need a number like 12 for the idea, not `abc`."),
        ("`x` declined", "I need a number like 12 for the idea, not `'x'`."),
        ("0 declined", "There is no idea #0."),
        (f"{MAX_ID + 1} declined", f"There is no idea #{MAX_ID + 1}."),
        ("\u0661\u0662 declined", "Please type the idea number with the digits 0 to 9, like 12."),
        ("12 maybe", "I don't know the status `maybe`. Use one of: `under_review`, `declined`."),
    ],
)
def test_a_bad_argument_says_what_it_expects(line: str, expected: str) -> None:
    assert refusal(STATUS_CHANGE, line) == (f"{expected}\nUsage: `ideas demo ID STATUS [REASON]`")


def test_the_largest_database_id_is_accepted() -> None:
    assert parse(STATUS_CHANGE, f"{MAX_ID} declined")[IDEA] == MAX_ID


def test_missing_free_text_asks_for_it_in_the_declared_words() -> None:
    comment = Rest("TEXT", label="comment")
    assert refusal(Syntax((IDEA, comment)), "12") == (
        "Please add the comment.\nUsage: `ideas demo ID TEXT`"
    )
    question = Rest("<question>", missing="What would you like to know?")
    assert refusal(Syntax((question,)), "  ") == "What would you like to know?"


def test_words_collect_what_is_left_with_options_taken_out() -> None:
    rest = Words("TEMPLATE [SCHEDULE]")
    given = parse(Syntax((rest,), (DAYS,)), "weekly to unit '5 North' --days 3 every monday")
    assert given[rest] == ("weekly", "to", "unit", "5 North", "every", "monday")
    assert given[DAYS] == 3
    assert parse(Syntax((rest,)), "")[rest] == ()


def test_choices_can_match_the_start_of_a_value() -> None:
    words = {"wait_times": "wait_times", "Wait times": "wait_times"}
    category = OneOf("category", words, "CATEGORY", prefix=True)
    assert category.read("wait") == "wait_times"
    assert category.read("Wait Times") == "wait_times"
    with pytest.raises(BadInput):
        category.read("")


def test_whole_numbers_are_ascii_digits_within_a_database_integer() -> None:
    assert whole_number("12") == 12
    assert whole_number(str(MAX_ID)) == MAX_ID
    for text in ("", "-1", "1.5", "\u0661\u0662", "\u00b2", str(MAX_ID + 1), "9" * 5000):
        assert whole_number(text) is None


def test_declaration_mistakes_fail_at_start_up() -> None:
    with pytest.raises(ValueError, match="must come last"):
        Syntax((REASON, IDEA))
    with pytest.raises(ValueError, match="declared once"):
        Syntax(options=(DAYS, Option("--days", Integer("days", 1, 2), default=1)))
    with pytest.raises(ValueError, match="lowercase"):
        Syntax(options=(Flag("mine"),))
