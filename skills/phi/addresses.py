"""Street addresses and postal codes, in English and in the habits of Latin America and of
Spanish speakers in the US ("Calle 5 #23-10", "1450 NW 7 Ave", "el 4500 de la Bird Road", "vive
en la 23 con Flagler"); a room, a bed, a floor or a hospital building is never one ("cuarto 12",
"Edificio B, sala 204")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from skills.phi.found import PRIORITY, Found, clause_before
from skills.textkit.words import words

_STREET_SUFFIX = (
    r"(?:street|st|avenue|ave|av|road|rd|drive|dr|lane|ln|boulevard|blvd|court|ct|way|place|pl"
    r"|parkway|pkwy|circle|cir|terrace|ter|trail|trl|highway|hwy|row|loop|square|sq|pike|alley"
    r"|crescent|crossing|xing|run|path|cove|ridge|heights|hts|plaza|plz|expressway|expy|hollow"
    r"|landing|bend|point|walk|commons|turnpike|tpke)"
)
_STREET_WORD = r"(?:[A-Z][A-Za-z'\u2019.-]*|\d{1,3}(?:st|nd|rd|th)|Jr\.?)"
_STREET_WORD_LOWER = r"(?:[a-z][a-z'\u2019-]*|\d{1,3}(?:st|nd|rd|th))"
_DIRECTION = r"(?:[NSEW]\.?|NE|NW|SE|SW|North|South|East|West)"
_UNIT_WORD = (  # longest first: "apto" is not "apt" followed by unit "o"
    r"apartamento|apartment|apto|apt|unit|suite|ste|lot|trlr|trailer|bldg|building|spc|space"
    r"|departamento|depto|dpto|interior|int|edificio|edif|local|casa"
)
_UNIT = (
    rf"\.?,?\s*(?:(?:{_UNIT_WORD})(?![a-z])\.?\s*#?|#)\s*(?:\d[A-Za-z0-9-]*|[A-Za-z](?:-?\d+)?)\b"
)
_ADDRESS = re.compile(
    rf"(?<![\w/.$:#-])\d{{1,6}}[A-Za-z]?\s+(?:{_DIRECTION}\s+)?"
    rf"(?:(?i:county\s+(?:road|rd)|state\s+(?:route|road|rd|hwy|highway)|route|rte|rt|highway|hwy"
    rf"|interstate|farm\s+road)\s+\d{{1,4}}[A-Za-z]?\b"
    rf"|(?:{_STREET_WORD}\s+){{1,4}}(?i:{_STREET_SUFFIX})\b(?:\s+(?:NE|NW|SE|SW|[NSEW])\b)?)"
    rf"(?i:{_UNIT})?"
    rf"|(?i:\bp\.?\s?o\.?\s*box|\bpost\s+office\s+box)\s*#?\s*\d{{1,6}}\b"
)
_ADDRESS_LOWER = re.compile(
    rf"(?i)(?:\b(?:at|address|lives|live|living|moved\s+to|home|house|apartment|apt|mailed\s+to"
    rf"|sent\s+to|delivered\s+to|dropped\s+off\s+at)\W+)"
    rf"(?P<a>\d{{1,6}}[a-z]?\s+(?:{_DIRECTION}\s+)?(?:{_STREET_WORD_LOWER}\s+){{1,3}}"
    rf"{_STREET_SUFFIX}\b(?:{_UNIT})?)"
)
_DIRECTION_ONLY = re.compile(rf"(?i)^\d+\s+{_DIRECTION}\s+dr\b")
# Miami and other grid cities number their streets: "1450 NW 7 Ave", "12345 SW 152 St". A bare
# number names the street only after a direction, so "3 7 Ave" and the like stay out.
_ADDRESS_GRID = re.compile(
    rf"(?<![\w/.$:#-])\d{{1,6}}[A-Za-z]?\s+{_DIRECTION}\s+\d{{1,3}}\s+(?i:{_STREET_SUFFIX})\b"
    rf"(?:\s+(?:NE|NW|SE|SW|[NSEW])\b)?(?i:{_UNIT})?"
)
# Spanish order: the street word, the name, then the number ("Av. Juárez 123 depto 4",
# "Calle 5 de Mayo 212", "Paseo de la Reforma 220, int. 5").
_STREET_FIRST_WORDS = words(
    """calle avenida ave av avda blvd bulevar calzada calz callejón callejon privada priv
    prolongación prolongacion prol cerrada andador circuito paseo camino carretera carr carrera
    cra kr diagonal transversal pasaje psje"""
)
_STREET_FIRST = "|".join(sorted(_STREET_FIRST_WORDS, key=len, reverse=True))
_STREET_NAME_WORD = r"(?:[A-ZÁÉÍÓÚÑ][\w'\u2019.-]*|\d{1,2}|de|del|la|las|los|el)"
_ADDRESS_STREET_FIRST = re.compile(
    rf"(?i:\b(?:{_STREET_FIRST}))\b\.?\s+(?:{_STREET_NAME_WORD}\s+){{0,4}}[A-ZÁÉÍÓÚÑ][\w'\u2019.-]*"
    rf"\s+(?i:(?:#|n[oº°]\.?|n[uú]m\.?)\s*)?\d{{1,5}}(?:-?[A-Za-z]\b)?(?![\w/:]|[.,]\d)(?i:{_UNIT})?"
)
# The house number after "#" or "No.", with Colombia's distance from the corner ("#23-10").
_HOUSE_NUMBER = (
    r"(?:#|n[oº°]\.?|n[uú]m(?:ero)?\.?)\s*\d{1,5}[A-Za-z]?(?:\s?-\s?\d{1,4}[A-Za-z]?)?"
    r"(?:\s+(?:sur|norte|este|oeste|bis)\b)?"
)
# A numbered street, then the house ("Calle 5 #23-10", "Carrera 7 # 45-12", "Calle 10 No. 5-32"),
# a unit ("calle 3 casa 14") or Puerto Rico's kilometre ("Carr. 2 km 14.5"); and a street of
# lowercase words when a "#" or "No." gives the house ("calle morelos #12").
_ADDRESS_NUMBERED = re.compile(
    rf"(?i)\b(?:{_STREET_FIRST})\b\.?\s+(?:\d{{1,3}}[a-z]?(?:\s+bis)?(?:\s+(?:sur|norte|este|oeste))?"
    rf"(?:\s*{_HOUSE_NUMBER}(?:{_UNIT})?|{_UNIT}|\s+km\.?\s*\d{{1,3}}(?:[.,]\d{{1,2}})?)"
    rf"|(?:[a-záéíóúñ][\w'\u2019.-]*\s+){{1,3}}{_HOUSE_NUMBER}(?:{_UNIT})?)(?![\w/:]|[.,]\d)"
)
# An ordinal street, then the house: "5ta avenida 220", "3ra calle 45".
_ADDRESS_ORDINAL = re.compile(
    r"(?i)(?<![\w/.$:#-])\d{1,2}(?:ra|da|ta|va|na|ma|a|ª|º|°|o)\.?\s+(?:avenida|ave|av|calle)\.?\s+"
    r"(?:(?:#|n[oº°]\.?)\s*)?\d{1,5}[a-z]?(?![\w/:]|[.,]\d|\s*(?:a[ñn]os|veces|pisos|cuadras)\b)"
)
# Puerto Rico writes the number first: "45 Calle Sol".
_ADDRESS_NUMBER_STREET = re.compile(
    r"(?<![\w/.$:#-])\d{1,5}[A-Za-z]?\s+(?:Calle|Avenida|Ave|Av|Camino|Carretera|Paseo)\.?"
    r"(?:\s+(?:de|del|la|las|los|el))*\s+[A-ZÁÉÍÓÚÑ][\w'\u2019.-]*(?:\s+[A-ZÁÉÍÓÚÑ][\w'\u2019.-]*)?"
    rf"(?i:{_UNIT})?"
)
# "en el 4500 de la Bird Road", "el 300 de la Flagler", "el número 45 de la Calle Real": the house
# number, then the street it is on, the way Spanish speakers in Miami say it.
_STREET_KIND = (
    r"calle|avenida|ave|av|street|st|avenue|road|rd|court|ct|terrace|ter|drive|dr|place|pl|way"
    r"|lane|ln|boulevard|blvd"
)
_COMPASS = r"NW|SW|NE|SE|[NSEW]|noroeste|suroeste|noreste|sureste|norte|sur|este|oeste"
_HOUSE_BEFORE = re.compile(r"(?i)(?:\b(?:el|al|n[uú]mero)\s+|#\s*)$")
_NOT_A_STREET = r"torre|sala|unidad|ala|piso|planta|cl[ií]nica|hospital|lista|ma[ñn]ana|tarde|noche"
_ADDRESS_ON_STREET = re.compile(
    rf"(?<![\w/.$:#-])(?P<a>\d{{2,5}}[A-Za-z]?\s+de\s+la\s+"
    rf"(?:(?i:calle|avenida|ave?)\.?\s+[A-ZÁÉÍÓÚÑ\d][\w'\u2019.-]*(?:\s+[A-ZÁÉÍÓÚÑ][\w'\u2019.-]*){{0,2}}"
    rf"|\d{{1,3}}\s+(?i:{_STREET_KIND})\b\.?(?:\s+(?i:del?)\s+(?:{_COMPASS})\b)?"
    rf"|(?!(?i:{_NOT_A_STREET})\b)[A-ZÁÉÍÓÚÑ][\w'\u2019.-]*(?:\s+[A-ZÁÉÍÓÚÑ][\w'\u2019.-]*){{0,2}})"
    rf"(?i:{_UNIT})?)"
)
# Where someone lives, said in Spanish: after these, a capitalized name and a number are a
# street address even without a street word ("vive en Insurgentes 1602 depto 8", "dirección:
# 16 de Septiembre #204"), and two streets are a corner ("vive en la 23 con Flagler").
_LIVES_WORD = re.compile(r"\b(?:viv[eií]|direcci|domicilio|mud|queda|casa)")  # in lowercase
_LIVES_AT = re.compile(
    r"(?i)\b(?:viv[eií]\w*|direcci[oó]n|domicilio|se\s+mud\w*|mud[oó]|queda|casa)\b[^.!?\n]*$"
)
_HOW_MUCH = (  # "vive en Texas 20 años": a quantity, not a house number
    r"\s*(?:a[ñn]os|mes(?:es)?|d[ií]as?|semanas?|horas?|hrs?|min(?:utos)?|veces|cuadras|millas"
    r"|km|kil[oó]metros|pisos|personas|hij[oa]s|niet[oa]s|%)"
)
_ADDRESS_NAMED = re.compile(
    rf"(?<![\w#-])(?:[A-ZÁÉÍÓÚÑ][\w'\u2019-]*|\d{{1,2}}(?=\s+de\s+[A-ZÁÉÍÓÚÑ]))"
    rf"(?:\s+(?:[A-ZÁÉÍÓÚÑ][\w'\u2019.-]*|de|del|la|las|los|el)){{0,4}}"
    rf"\s*(?i:#|n[oº°]\.|n[uú]m\.)?\s*\d{{1,5}}[A-Za-z]?(?![\w/:]|[.,]\d|{_HOW_MUCH}\b)"
    rf"(?i:{_UNIT})?"
)
_ADDRESS_STREET_LOWER = re.compile(  # "vive en av hidalgo 45"
    rf"(?i)\b(?:{_STREET_FIRST})\b\.?\s+(?:[a-záéíóúñ][\w'\u2019-]*\s+){{1,3}}\d{{1,5}}[a-z]?"
    rf"(?![\w/:]|[.,]\d|{_HOW_MUCH}\b)(?:{_UNIT})?"
)
_CROSS_NAME = r"(?:\d{1,3}(?:st|nd|rd|th|va|ra|a)?|[A-ZÁÉÍÓÚÑ][\w'\u2019.-]+)"
_CROSS_STREET = (
    rf"(?:(?i:calle|avenida|ave|av)\.?\s+)?{_CROSS_NAME}(?:\s+(?i:{_STREET_KIND})\b\.?)?"
    rf"(?:\s+(?i:del?)\s+(?:{_COMPASS})\b)?"
)
_ADDRESS_CORNER = re.compile(
    rf"(?<![\w#-]){_CROSS_STREET}\s+(?i:y|con|esquina(?:\s+con)?|esq\.)\s+(?:(?i:la|el)\s+)?"
    rf"{_CROSS_STREET}(?![\w/:]|[.,]\d|{_HOW_MUCH}\b)(?i:{_UNIT})?"
)
_HAS_STREET = re.compile(rf"(?i)\b(?:{_STREET_KIND})\b|\d")
_ROOM_BEFORE = re.compile(
    r"(?i)\b(?:piso|cuarto|cama|habitaci[oó]n|sala|torre|unidad|planta|ext|extensi[oó]n|room|bed)"
    r"\W*$"
)
# Units without a street: "Edificio 3, depto 201", "Edif. 5 Apt. 42", Mexico's "Mz 4 Lt 12".
_BUILDING_WORDS = words("edificio edif bldg building torre bloque manzana mza mz")
_ADDRESS_BUILDING = re.compile(
    r"(?i)\b(?:(?:edificio|edif|bldg|building|torre|bloque)\.?\s*#?\s*(?:\d{1,4}[a-z]?|[a-z]),?\s+"
    r"(?:apartamento|apto|apt|departamento|depto|dpto|interior|int)(?![a-z])\.?\s*#?\s*"
    r"(?:\d{1,4}[a-z]?|[a-z](?:-?\d{1,4})?)"
    r"|(?:manzana|mza|mz)(?![a-z])\.?\s*\d{1,3}[a-z]?,?\s*(?:lote|lte|lt)(?![a-z])\.?\s*\d{1,4}[a-z]?)\b"
)
# Units, Mexico's colonia and a postal code after the street ("Calle Mayor 10, Edificio 2, apto
# 3", "Calle Hidalgo 34, Col. Centro, C.P. 06000"); a unit, development or colonia named before
# it ("apto. 2B, 1800 Collins Ave", "Urb. Las Palmas, calle 3 casa 14").
_PLACE_NAME = (
    r"(?:(?:de|del|la|las|los|el)\s+)*[A-ZÁÉÍÓÚÑ][\w'\u2019-]*\.?"
    r"(?:\s+(?:(?:de|del|la|las|los|el)\s+)*[A-ZÁÉÍÓÚÑ][\w'\u2019-]*\.?){0,3}"
)
_POSTAL = r"(?:C\.\s?P\.|CP|(?i:c[oó]digo\s+postal))\s*:?\s*\d{5}\b"
_ADDRESS_TAIL = re.compile(
    rf"(?i:{_UNIT}){{0,2}}"
    rf"(?:,?\s+(?i:col(?:onia)?|fracc?(?:ionamiento)?|barrio|bo(?=\.)|urb(?:anizaci[oó]n)?|sector)\.?\s+"
    rf"(?:{_PLACE_NAME}|(?:[a-záéíóúñ]+\s+){{0,2}}[a-záéíóúñ]+(?=\s*[,.;]|\s*$)))?"
    rf"(?:,?\s+{_POSTAL})?"
)
_ADDRESS_HEAD = re.compile(
    rf"(?i:\b(?:col(?:onia)?|fracc?(?:ionamiento)?|barrio|urb(?:anizaci[oó]n)?|res(?:idencial)?"
    rf"|condominio|cond|conjunto|reparto))\.?\s+{_PLACE_NAME},\s*$"
    rf"|(?i:\b(?:{_UNIT_WORD})(?![a-z])\.?\s*#?\s*(?:\d{{1,4}}[a-z]?|[a-z](?:-?\d{{1,4}})?)),\s*$"
)
# A postal code on its own: "código postal 33130", "su zip code es 33142".
_ZIP_WORDS = words("zip zipcode postal cp")
_ZIP = re.compile(
    r"(?:\bC\.\s?P\.|\bCP|(?i:\bc[oó]digo\s+postal|\bzip(?:\s*code)?))"
    r"(?i:[\s,:#]+(?:es|era|is|de|del|la|el|su|the|of|paciente|patient|pt|pte)\b)*[\s,:#]*"
    r"(\d{5})(?:-\d{4})?(?![\w-])"
)


_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]+")


def find_addresses(text: str) -> Iterator[Found]:
    """Street addresses, each grown by the colonia, development or postal code written with it;
    a postal code alone."""
    if not _DIGIT.search(text):
        return  # every address has a number
    lower = text.lower()
    # Most texts have none of the words the Spanish patterns start from: look for them once, and
    # run only the patterns that could match.
    words = frozenset(_WORD.findall(lower))
    for start, end, prio in _street_addresses(text, lower, words):
        head = _ADDRESS_HEAD.search(text, max(0, start - 60), start)
        tail = _ADDRESS_TAIL.match(text, end)
        yield "ADDRESS", head.start() if head else start, tail.end() if tail else end, prio
    if words & _ZIP_WORDS or "C.P" in text or "C. P" in text:
        for m in _ZIP.finditer(text):
            yield "ADDRESS", m.start(1), m.end(1), PRIORITY["ADDRESS"]


def _street_addresses(
    text: str, lower: str, words: frozenset[str]
) -> Iterator[tuple[int, int, int]]:
    prio, street = PRIORITY["ADDRESS"], PRIORITY["STREET"]
    for m in _ADDRESS.finditer(text):
        if _DIRECTION_ONLY.match(m.group()) and re.match(r"\.?\s+[A-Z]", text[m.end() :]):
            continue  # "on 7 West Dr. Lee rounded": a unit, then a doctor
        yield m.start(), m.end(), prio
    for m in _ADDRESS_LOWER.finditer(text):
        yield m.start("a"), m.end("a"), prio
    for m in _ADDRESS_GRID.finditer(text):
        yield m.start(), m.end(), prio
    for m in _ADDRESS_BUILDING.finditer(text) if words & _BUILDING_WORDS else ():
        yield m.start(), m.end(), prio
    street_first = (
        (_ADDRESS_STREET_FIRST, _ADDRESS_NUMBERED, _ADDRESS_NUMBER_STREET, _ADDRESS_ORDINAL)
        if words & _STREET_FIRST_WORDS
        else ()
    )
    for pattern in street_first:
        for m in pattern.finditer(text):
            yield m.start(), m.end(), street
    for m in _ADDRESS_ON_STREET.finditer(text) if "de" in words and "la" in words else ():
        if _HOUSE_BEFORE.search(text, max(0, m.start() - 8), m.start()):
            yield m.start(), m.end(), street
    lives_at = _LIVES_WORD.search(lower)
    for pattern in (_ADDRESS_NAMED, _ADDRESS_STREET_LOWER, _ADDRESS_CORNER) if lives_at else ():
        for m in pattern.finditer(text):
            if _ROOM_BEFORE.search(text, max(0, m.start() - 16), m.start()):
                continue  # "vive en el piso 3 con su hija"
            if _LIVES_AT.search(clause_before(text, m.start())) and (
                pattern is _ADDRESS_NAMED or _HAS_STREET.search(m.group())
            ):
                yield m.start(), m.end(), street
