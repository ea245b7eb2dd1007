"""Structured identifiers: e-mails, phones, SSNs, record and account numbers, dates, addresses.

Each finder yields `(type, start, end, priority)`. A number is judged by the words around it
(its label, the clause it sits in), so "MRN 0048…", "acct 7720019" and "pager 4821" come out as
MRN, ID and nothing, and a bare "6/3" is a date unless the clause is about pain or a ratio.
Labels, month names and street words are English and Spanish ("expediente 0048…", "3 de marzo",
"Calle Morelos 45"): staff write in both, and one set of finders reads a mixed text too.
Addresses have a module of their own (`skills.phi.addresses`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from skills.phi.addresses import find_addresses
from skills.phi.found import PRIORITY, Found, clause_before
from skills.phi.lexicon import month_numbers

_EMAIL = re.compile(r"(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

_SSN_SHAPED = re.compile(r"(?<![\w/.-])\d{3}([- ])\d{2}\1\d{4}(?![\w/-]|\.\d)")
_SSN_LABELLED = re.compile(
    r"(?i)\b(?:ssn|ss\s?#|soc(?:ial)?\.?\s+sec(?:urity)?\.?(?:\s+(?:number|no\.?|num|#))?|social|nss)"
    r"(?:\s*[:#,]|\s+(?:number|no\.?|is|was|of|like|on\s+file|given|as|es|era|del\s+paciente"
    r"|n[uú]m(?:ero)?\.?)){0,3}\s*(\d{11}|\d{9})(?!\w)"  # Mexico's NSS has 11 digits
)

# A label, its optional noun ("number", "#", "ID"), then the identifier itself.
_MRN_LABEL = (
    r"\bmrn|\bmr\s?#|\bmrn\s?#|\bmed(?:ical)?\.?\s+rec(?:ord)?s?\.?|\bchart\s+(?:#|number|no\b)"
    r"|\bexpediente|\bexp\.|\bhistoria\s+cl[ií]nica|\bhc\b|\bregistro\s+m[eé]dico"
)
_ID_LABEL = (
    r"\bacct|\baccount|\ba/c|\bhar\b|\bmember|\bsubscriber|\bpolicy|\bgroup|\bclaim|\bclm\b"
    r"|\bauth(?:orization)?|\bmedicare|\bmedicaid|\bmbi\b|\bhicn\b|\btricare|\binsurance"
    r"|\bbeneficiary|\bvisit|\bencounter|\benc\b|\bfin\b|\bcsn\b|\binvoice|\bstatement"
    r"|\bconfirmation|\bdod|\bpayer|\bid\b"
    r"|\bcuenta|\bcta\b|\bmiembro|\bafiliad[oa]|\bafiliaci[oó]n|\bp[oó]liza|\breclamo"
    r"|\breclamaci[oó]n|\bfactura|\bfolio|\bautorizaci[oó]n|\bcredencial|\bseguro\b(?!\s+social)"
)
_LABEL_TAIL = (
    r"(?:\s*(?:number|num|nbr|no\.?|id|#|ids|numbers|n[uú]m(?:ero)?\.?|nro\.?|n[º°]))*\s*[:#-]?\s*"
    r"(?:(?:is|was|of|on\s+file|es|era)\s+)?(?:it'?s\s+)?"
)
_VALUE = r"([A-Za-z0-9](?:[A-Za-z0-9]|[-.](?=[A-Za-z0-9]))*[A-Za-z0-9])(?![\w@-])"
_MRN_LABELLED = re.compile(rf"(?i)(?:{_MRN_LABEL}){_LABEL_TAIL}{_VALUE}")
_ID_LABELLED = re.compile(rf"(?i)(?:{_ID_LABEL}){_LABEL_TAIL}{_VALUE}")

# Unlabelled: long digit runs and letter-prefixed codes; typed by the nearest label before them.
_BARE_NUMBER = re.compile(
    r"(?<![\w$#.,/:-])(?:\d[\d-]{5,}\d|[A-Za-z]{1,4}-?\d{6,})(?![\w@/-]|[.,]\d)"
)
_TICKET = re.compile(r"(?i)^(?:inc|ritm|req|chg|task|prb|sr|wo|ctask|tkt)")
_NEAR_MRN = re.compile(
    r"(?i)\b(?:mrn|mr\s?#|medical\s+record|chart|expediente|historia\s+cl[ií]nica"
    r"|registro\s+m[eé]dico)"
)
_NEAR_ID = re.compile(rf"(?i){_ID_LABEL}")
# Numbers that belong to staff, equipment or IT, not to a patient.
_NOT_PATIENT = (
    r"ticket|work\s*order|w/o|incident|pager|beeper|ext|extension|badge|serial|model|part"
    r"|order\s*(?:#|no|number)|tracking|batch|npi|dea|license|(?:employee|staff)(?:\s+id)?"
    r"|orden\s+de\s+trabajo|gafete|extensi[oó]n|lote|serie|c[eé]dula\s+profesional"
)
_NEAR_NOTHING = re.compile(rf"(?i)\b(?:{_NOT_PATIENT})(?!\w)")
_STAFF_LABEL = re.compile(rf"(?i)\b(?:{_NOT_PATIENT})\W*$")

_PHONE = re.compile(
    r"(?<![\w+/.-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)[\s.-]?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w/-]|\.\d)"
)
_PHONE_BARE = re.compile(r"(?<![\w+/.-])(?:\+?1)?[2-9]\d{2}[2-9]\d{6}(?![\w/-]|\.\d)")
_PHONE_LOCAL = re.compile(r"(?<![\w+/.-])\d{3}-\d{4}(?![\w/-]|\.\d)")
# "+52 55 5550 1234", "+44 20 7946 0000": a country code, then groups of digits.
_PHONE_INTERNATIONAL = re.compile(
    r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\(?\d{1,4}\)?){2,5}(?![\w/-]|\.\d)"
)
# "55 5550 1234", "(55) 5550-1234", "55 12 34 56 78": ten digits as Mexico writes them, after a
# phone word.
_PHONE_AREA_2 = re.compile(
    r"(?<![\w+/.-])(?:(?:\(\d{2}\)\s?|\d{2}[\s.-])\d{4}[\s.-]\d{4}|\d{2}(?:[\s.-]\d{2}){4})"
    r"(?![\w/-]|\.\d)"
)
_PHONE_WORDS = re.compile(
    r"(?i)\b(?:call|called|calling|phone|cell|number|#|fax|text|tel|dial|cel|celular|tel[eé]fono"
    r"|llamar|llam[oó]|marcar|whatsapp|n[uú]mero|al"
    # a phone's own word a few words back: "el celular de la señora es el 555-0142"
    r"|(?:phone|cell|fax|tel|cel|celular|tel[eé]fono|whatsapp)(?:\W+\w+){1,5})\W*$"
)

_MONTHS = month_numbers()
_MONTH = rf"(?:{'|'.join(sorted(_MONTHS, key=len, reverse=True))})"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|ero|ro|er|[oº°])?"  # "1ro", "1ero de mayo"
_YEAR = r"(?:,?\s+|\s+del?\s+)(?:19|20)\d{2}"
# Month first, but never the Spanish "ago" (agosto): "a week ago 3 nurses" is no date.
_DATE_MONTH_FIRST = re.compile(
    rf"(?i)\b(?!ago\b)(?P<m>{_MONTH})\.?\s+(?P<d>{_DAY})(?P<y>{_YEAR})?(?![\w:/]|\.\d|\s*(?:am|pm|%)\b)"
)
_DATE_DAY_FIRST = re.compile(
    rf"(?i)\b(?P<d>{_DAY}|primero)\s+(?:of\s+|de\s+)?(?P<m>{_MONTH})\b\.?(?P<y>{_YEAR})?"
)
_DATE_NUMERIC = re.compile(
    r"(?<![\w/.:-])(?P<a>\d{1,2})(?P<s>[/.-])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?![\w/-]|\.\d)"
)
# "3/marzo/2026", "3-Mar-2026"
_DATE_NAMED_MONTH = re.compile(
    rf"(?i)(?<![\w/.-])(?P<d>{_DAY})(?P<s>[/-])(?P<m>{_MONTH})(?P=s)(?P<y>(?:19|20)?\d{{2}})(?![\w/-])"
)
_DATE_ISO = re.compile(
    r"(?<![\w/.-])(?:19|20)\d{2}([-/])(?:0?[1-9]|1[0-2])\1(?:[12]\d|3[01]|0?[1-9])(?![\w/-])"
)
_DATE_SHORT = re.compile(r"(?<![\w/.:$-])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\w/%:-]|\.\d)")
# A bare "7/10" or "1/2" that is a score, a ratio or a fraction, not a day.
_NOT_A_DAY_BEFORE = re.compile(
    r"(?i)(?:\bpain|\bbp|\bb/p|\bpressure|\bscore[ds]?|\brated?|\bratio|\bgcs|\bapgar|\bstrength"
    r"|\bvision|\bscale|\blevel|\bdolor|\bpresi[oó]n|\bescala|\bcalific|\bpuntua|\bpuntaje"
    r"|\bnivel)\W+(?:\w+\W+){0,3}$"
)
_NOT_A_DAY_AFTER = re.compile(
    r"(?i)^\s*(?:pain|of\b|the\b|tabs?\b|tablets?|caps?\b|strength|dose|cups?\b|scale|ratio|split"
    r"|mg\b|ml\b|units?\b|stars?\b|points?\b|score)"
)
_ON_A_DAY = re.compile(
    r"(?i)\b(?:on|since|until|til|till|by|admitted|discharged|dob|born|dated?|before|after"
    r"|el|desde|hasta|del|naci[oó]|nacid[oa]|fecha)\W*$"
)
_SCORE_CLAUSE = re.compile(
    r"(?i)\b(?:pain|score|scale|rated|rating|out of|dolor|escala|calificaci[oó]n|de cada)\b"
)


def find_structured(text: str) -> Iterator[Found]:
    """Every structured identifier candidate; overlaps are resolved by the caller."""
    yield from _emails(text)
    yield from _ssns(text)
    yield from _labelled(text)
    yield from _bare_numbers(text)
    yield from _phones(text)
    yield from _dates(text)
    yield from find_addresses(text)


def _emails(text: str) -> Iterator[Found]:
    for m in _EMAIL.finditer(text):
        yield "EMAIL", m.start(), m.end(), PRIORITY["EMAIL"]


def _ssns(text: str) -> Iterator[Found]:
    for m in _SSN_SHAPED.finditer(text):
        yield "SSN", m.start(), m.end(), PRIORITY["SSN"]
    for m in _SSN_LABELLED.finditer(text):
        yield "SSN", m.start(1), m.end(1), PRIORITY["SSN"]


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


def _labelled(text: str) -> Iterator[Found]:
    for kind, pattern in (("MRN", _MRN_LABELLED), ("ID", _ID_LABELLED)):
        for m in pattern.finditer(text):
            value = m.group(1)
            if _digits(value) < 4 or len(value) < 5 or _TICKET.match(value):
                continue
            if not _STAFF_LABEL.search(text[max(0, m.start() - 20) : m.start()]):
                yield kind, m.start(1), m.end(1), PRIORITY[kind]  # not "employee ID 4471"


def _nearest_label(text: str, start: int) -> str | None:
    """ "MRN" or "ID" for the nearest label earlier in the clause, "" for a ticket, pager or work
    order, None when the clause names nothing."""
    before = clause_before(text, start)
    labels = [(x.end(), 0, "ID") for x in _NEAR_ID.finditer(before)]
    labels += [(x.end(), 1, "MRN") for x in _NEAR_MRN.finditer(before)]
    labels += [(x.end(), 2, "") for x in _NEAR_NOTHING.finditer(before)]  # "employee ID"
    return max(labels)[2] if labels else None


def _bare_numbers(text: str) -> Iterator[Found]:
    for m in _BARE_NUMBER.finditer(text):
        value = m.group()
        if _TICKET.match(value) or _digits(value) < 7:
            continue
        kind = _nearest_label(text, m.start())
        if kind is None and "-" not in value and not _PHONE_BARE.fullmatch(value):
            kind = "MRN" if value.isdigit() else "ID"
        if kind:
            yield kind, m.start(), m.end(), PRIORITY["GUESS"]


def _phones(text: str) -> Iterator[Found]:
    for m in _PHONE.finditer(text):
        yield "PHONE", m.start(), m.end(), PRIORITY["PHONE"]
    for m in _PHONE_BARE.finditer(text):
        if _nearest_label(text, m.start()) is None:
            yield "PHONE", m.start(), m.end(), PRIORITY["GUESS"]
    for m in _PHONE_INTERNATIONAL.finditer(text):
        if 8 <= _digits(m.group()) <= 15:
            yield "PHONE", m.start(), m.end(), PRIORITY["PHONE"]
    for pattern in (_PHONE_LOCAL, _PHONE_AREA_2):
        for m in pattern.finditer(text):
            if _PHONE_WORDS.search(text[max(0, m.start() - 40) : m.start()]):
                yield "PHONE", m.start(), m.end(), PRIORITY["GUESS"]


def _is_day(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= (
        29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31
    )


def _dates(text: str) -> Iterator[Found]:
    prio = PRIORITY["DATE"]
    for m in _DATE_ISO.finditer(text):
        yield "DATE", m.start(), m.end(), prio
    for m in _DATE_NUMERIC.finditer(text):
        a, b = int(m["a"]), int(m["b"])
        if _is_day(a, b) or _is_day(b, a):
            yield "DATE", m.start(), m.end(), prio
    for pattern in (_DATE_MONTH_FIRST, _DATE_DAY_FIRST, _DATE_NAMED_MONTH):
        for m in pattern.finditer(text):
            month, day = m["m"], m["d"]
            if month == "may" and not day[-1].isalpha() and not m["y"]:
                continue  # lowercase "may 2" is the verb far more often than the month
            number = 1 if day.lower() == "primero" else int(day.rstrip("stndrheoº°"))
            if _is_day(_MONTHS[month.lower()], number):
                yield "DATE", m.start(), m.end(), prio
    for m in _DATE_SHORT.finditer(text):
        a, b = int(m["a"]), int(m["b"])
        if _is_day(a, b) and not _score_or_ratio(text, m.start(), m.end(), b):
            yield "DATE", m.start(), m.end(), prio


def _score_or_ratio(text: str, start: int, end: int, denominator: int) -> bool:
    if _ON_A_DAY.search(text[max(0, start - 12) : start]):
        return False  # "chest pain on 5/14"
    if _NOT_A_DAY_BEFORE.search(text[max(0, start - 40) : start]):
        return True
    if _NOT_A_DAY_AFTER.match(text[end : end + 12]):
        return True
    clause = text[max(0, start - 60) : end + 30]
    return denominator in (5, 10) and bool(_SCORE_CLAUSE.search(clause))
