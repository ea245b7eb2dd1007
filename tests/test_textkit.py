"""The shared text utilities: accent folding, word lists, the stemmer and the spelling help."""

from __future__ import annotations

import pytest

from skills.phi.lexicon import fold
from skills.textkit.spelling import Speller, allowed_typos, edit_distance, is_english
from skills.textkit.stemming import stem
from skills.textkit.words import strip_accents, words


def test_strip_accents_keeps_case_and_unfolds_ligatures() -> None:
    assert strip_accents("Ramírez Façade") == "Ramirez Facade"
    assert strip_accents("\ufb01le") == "file"
    assert strip_accents("plain ASCII") == "plain ASCII"


def test_phi_keys_fold_accents_and_apostrophes() -> None:
    assert fold("O\u2019Brien") == fold("O'Brien") == "obrien"
    assert fold("Ramírez") == "ramirez"


def test_words_reads_a_block_of_text_as_a_word_list() -> None:
    assert words("""mr  mrs
        dr""") == {"mr", "mrs", "dr"}


@pytest.mark.parametrize(
    "family",
    [
        ("deploy", "deployed", "deployment"),
        ("policy", "policies"),
        ("reimburse", "reimbursed", "reimbursement"),
        ("vacation", "vacations"),
        ("certified", "certification", "certify"),
        ("enroll", "enrolled", "enrollment"),
    ],
)
def test_stem_conflates_a_family(family: tuple[str, ...]) -> None:
    assert len({stem(word) for word in family}) == 1


def test_stem_keeps_codes_and_short_words() -> None:
    assert [stem(w) for w in ("403b", "w4", "pto", "fmla")] == ["403b", "w4", "pto", "fmla"]


def test_speller_finds_the_nearest_known_words() -> None:
    speller = Speller(["vacation", "tuition", "ladder", "leader", "later"])
    assert speller.nearest("vaccation") == ("vacation",)
    assert speller.nearest("tution") == ("tuition",)
    assert speller.nearest("lader") == ("ladder", "later", "leader")
    assert speller.nearest("pto") == ()  # too short to guess
    assert speller.nearest("zzzzzz") == ()


def test_edit_distance_counts_a_swap_once_and_stops_at_the_limit() -> None:
    assert edit_distance("form", "from", 2) == 1
    assert edit_distance("tuition", "tution", 2) == 1
    assert edit_distance("pto", "vacation", 2) == 3


def test_short_words_get_no_typo_allowance() -> None:
    assert [allowed_typos(w) for w in ("pto", "leave", "reimbursement")] == [0, 1, 2]


def test_is_english_tells_a_real_word_from_a_misspelling() -> None:
    assert is_english("severance")
    assert not is_english("vaction")
