"""Reading typed command lines into words: quotes straight and curly, apostrophes, open quotes."""

from __future__ import annotations

import pytest

from bot.tokens import Token, quote, tokenize

LEFT_DOUBLE, RIGHT_DOUBLE = "\N{LEFT DOUBLE QUOTATION MARK}", "\N{RIGHT DOUBLE QUOTATION MARK}"
LEFT_SINGLE, RIGHT_SINGLE = "\N{LEFT SINGLE QUOTATION MARK}", "\N{RIGHT SINGLE QUOTATION MARK}"


def words(line: str) -> list[str]:
    return [token.text for token in tokenize(line)]


@pytest.mark.parametrize("line", ["", "   ", "\t\n"])
def test_an_empty_line_has_no_words(line: str) -> None:
    assert tokenize(line) == []


def test_words_are_split_on_any_whitespace_and_remember_where_they_start() -> None:
    assert tokenize("run  12\u00a0now") == [Token("run", 0), Token("12", 5), Token("now", 8)]


@pytest.mark.parametrize(
    "line",
    [
        'to unit "5 North" now',
        "to unit '5 North' now",
        f"to unit {LEFT_DOUBLE}5 North{RIGHT_DOUBLE} now",
        f"to unit {LEFT_SINGLE}5 North{RIGHT_SINGLE} now",
        f'to unit {LEFT_DOUBLE}5 North" now',  # keyboards mix the pair
    ],
)
def test_straight_and_curly_quotes_group_words(line: str) -> None:
    assert words(line) == ["to", "unit", "5 North", "now"]
    assert tokenize(line)[2].quoted


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("We can't staff it", ["We", "can't", "staff", "it"]),
        (f"We can{RIGHT_SINGLE}t staff it", ["We", f"can{RIGHT_SINGLE}t", "staff", "it"]),
        ("the nurses' lounge", ["the", "nurses'", "lounge"]),
        ('"We can\'t staff it"', ["We can't staff it"]),
        ("'We can't staff it'", ["We can't staff it"]),
        (
            f"{LEFT_DOUBLE}We can{RIGHT_SINGLE}t staff it{RIGHT_DOUBLE}",
            [f"We can{RIGHT_SINGLE}t staff it"],
        ),
        (f"{RIGHT_SINGLE}til noon", [f"{RIGHT_SINGLE}til", "noon"]),
        ('a 12" screen', ["a", '12"', "screen"]),
    ],
)
def test_apostrophes_and_quotes_inside_words_stay_as_typed(line: str, expected: list[str]) -> None:
    assert words(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "declined \"We can't staff it",
        "declined 'We can't staff it  ",
        f"declined {LEFT_DOUBLE}We can't staff it",
    ],
)
def test_an_unclosed_quote_runs_to_the_end_of_the_line(line: str) -> None:
    assert words(line) == ["declined", "We can't staff it"]


def test_empty_quotes_are_an_empty_word() -> None:
    assert tokenize('--group ""') == [Token("--group", 0), Token("", 8, quoted=True)]


@pytest.mark.parametrize(
    "word",
    ["weekly-pulse", "5 North", "St. Mary's", "can't", "'til", "--file", 'say "hi"', "", " pad "],
)
def test_quote_writes_a_word_that_reads_back_unchanged(word: str) -> None:
    assert words(quote(word)) == [word]


def test_quote_leaves_plain_words_plain_so_options_stay_options() -> None:
    assert quote("--file") == "--file"
    assert not tokenize(quote("--file"))[0].quoted
