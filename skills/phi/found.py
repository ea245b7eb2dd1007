"""What every finder of structured identifiers yields, which find wins an overlap, and the
clause a find is judged by."""

from __future__ import annotations

Found = tuple[str, int, int, int]

# Higher wins when two finds overlap: a labelled number beats the phone-shaped reading of it.
PRIORITY = {
    "EMAIL": 90,
    "SSN": 80,
    "MRN": 70,
    "ID": 70,
    "PHONE": 60,
    "DATE": 50,
    "GUESS": 45,  # an unlabelled number typed by its context: loses to labels, dates, phones
    "STREET": 55,  # "Calle 5 de Mayo 212": a street word before the name beats the date in it
    "ADDRESS": 40,
}


def clause_before(text: str, start: int, width: int = 60) -> str:
    """The text before `start` back to the last sentence break, at most `width` characters."""
    window = text[max(0, start - width) : start]
    cut = max(window.rfind(". "), window.rfind("! "), window.rfind("? "), window.rfind("\n"))
    return window[cut + 1 :] if cut >= 0 else window
