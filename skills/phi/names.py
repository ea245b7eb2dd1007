"""Person names, found from evidence rather than from capital letters alone.

What each word says alone (strong, weak, unknown, stop) is `skills.phi.name_words`. Strong words
are names on their own; weak and unknown ones need more: a title ("Dr.", "mrs"), a cue before
("pt", "her daughter", "named", "thanks to"), a cue after ("'s wife", ", RN", "from transport",
"in room 4"), or a strong neighbour in the same capitalized run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from skills.phi import words as w
from skills.phi.lexicon import first_names, surnames
from skills.phi.name_words import STRONG, Kind, Token, tokens


def _alternation(vocabulary: Iterable[str]) -> str:
    return "|".join(re.escape(v) for v in sorted(vocabulary, key=len, reverse=True))


_CUE_BEFORE = re.compile(
    rf"(?i)(?:^|[^\w'\u2019])(?:{_alternation(w.PATIENTS | w.RELATIONS | w.STAFF | {'baby'})}"
    r"|named|name\s+is|names\s+are|name\s*:|pte?s?\.|thanks?(?:\s+you)?(?:\s+to)?"
    r"|shout\s*-?\s*outs?(?:\s+to)?|kudos(?:\s+to)?|props(?:\s+to)?|congrats(?:\s+to)?"
    r"|congratulations(?:\s+to)?|praise\s+for|goes\s+by|known\s+as|call(?:ed|ing)?\s+(?:her|him)"
    r"|asked\s+for|ask\s+for|sending\s+this\s+for|visited\s+by|(?:pts?|patients|people)\s+like"
    r"|se\s+llama|llamad[oa]|(?:su\s+)?nombre\s+es|nombre\s*:|(?:muchas\s+)?gracias(?:\s+a)?"
    r"|agrade[cz]\w*(?:\s+mucho)?\s+a|felicidades\s+a|felicitar\s+a|reconoc\w*\s+a"
    r"|reconocimiento\s+(?:a|para)|habl[eéó]\s+con|pregunt[aeó]\s+por|atendid[oa]\s+por"
    r"|le\s+dicen|conocid[oa]\s+como|de\s+parte\s+de"
    rf"|(?:{_alternation(w.RELATIONS | w.BABIES)})\s+del?"
    r")[,:]?\s+$"
)
# A patient, relative or colleague word right before: after these a lowercase given name that is
# also a word ("la pte rosario", "su hija consuelo") is the name.
_ROLE_BEFORE = re.compile(
    rf"(?i)(?:^|[^\w'\u2019])(?:{_alternation(w.PATIENTS | w.RELATIONS | w.STAFF)})\.?,?\s+$"
)
# Weaker cues: enough only for a lowercase word from the name lists ("tell jenny in pharmacy").
_VERB_BEFORE = re.compile(
    r"(?i)\b(?:tell|told|ask|asked|page|paged|text|texted|cc|avisar\s+a|avísale\s+a|dile\s+a)\s+$"
)
_CREDENTIAL_AFTER = re.compile(rf"^,?\s*(?:{_alternation(w.CREDENTIALS)})\b")
_ROLE_AFTER = re.compile(
    r"(?i)^(?:\s*,\s*(?:our|the|a|an|my|his|her|their|la|el|nuestra|nuestro|mi|su|una|un)\s+"
    r"|\s*\(\s*|\s+(?:la|el)\s+|\s+(?:es|era|is|was)\s+(?:la|el|the|our|nuestra|nuestro|mi|my)\s+)"
    r"(?:(?!(?:de|del|of)\s)[\w/&-]+\s+){0,2}"  # "Rosa es la enfermera", not "la cita del doctor"
    rf"(?:{_alternation(w.STAFF | w.RELATIONS | w.PATIENTS | {'mom', 'dad'})})\b"
)
_PLACE_AFTER = re.compile(
    r"(?i)^\s+(?:from|in|on|at|de|del|en)\s+(?:the\s+|la\s+|el\s+)?(?:front\s+)?"
    r"(?:room\b|rm\b|bed\b|bay\b"
    r"|\d{1,4}[a-z]?\b(?!\s*(?:mg|mcg|ml|hours?|hrs?|min|minutes|days?|weeks?|am|pm|units?"
    rf"|times|x)\b)|(?-i:[A-Z&]{{2,}})\b|(?:{_alternation(w.DEPARTMENTS)})\b)"
)
# "mari de admisión", "chelo de caja": a department after a lowercase name.
_DEPARTMENT_AFTER = re.compile(
    rf"(?i)\s+(?:from|in|on|at|de|del|en)\s+(?:the\s+|la\s+|el\s+)?"
    rf"(?:{_alternation(w.DEPARTMENTS - w.ROOMS)})\b"
)
# "Esperanza Sana es el programa de ...": what the words name is said right after them.
_NAMES_A_THING = re.compile(
    r"(?i),?\s+(?:es|era|is|was)\s+(?:el|la|un|una|the|a|an|our|nuestro|nuestra)\s+"
    r"(?:programa|proyecto|plan|canci[oó]n|lema|grupo|comit[eé]|club|evento|campa[ñn]a|sistema"
    r"|app|program|project|song|motto|group|committee|event|campaign|system)\b"
)
_EPONYM_POSSESSIVE = re.compile(r"\s+(?:disease|syndrome|palsy|sign|law)\b")
# "Our Lady of Lourdes", "Bank of America", "Virgen de Guadalupe", "Nuestra Señora de la Paz"
_CAPITAL_OF = re.compile(r"\b[A-ZÁÉÍÓÚÑ]\w* (?:of|de|del|de la|de los|de las) $")
_NUMBER_BEFORE = re.compile(r"\d[ \t]+$")  # "2 West", "Tower 3 South"
_PLACE_PREPOSITION = re.compile(r"(?i)\b(?:in|from|near|outside|to|of|en|desde|hacia)\s+$")
_TITLE_GAP = re.compile(r"\.?[ \t]+")
# People's names that name an institution, a program or a product instead.
_NOT_PEOPLE = re.compile(
    r"(?i)\b(?:johns\s+hopkins|kaiser\s+permanente|mass\s+general|mount\s+sinai|cedars-sinai"
    r"|sloan[\s-]+kettering|md\s+anderson|dana-farber|scott\s+(?:&|and)\s+white|virginia\s+mason"
    r"|lenox\s+hill|ronald\s+mcdonald|meals\s+on\s+wheels|planned\s+parenthood|salvation\s+army"
    r"|red\s+cross|good\s+samaritan|florence\s+nightingale|martin\s+luther\s+king|press\s+ganey"
    r"|bair\s+hugger|jackson-pratt|swan-ganz|welch\s+allyn|hill-rom|earl\s+grey|wong-baker"
    r"|cruz\s+(?:roja|verde|azul)|seguro\s+popular|d[ií]a\s+de\s+muertos|semana\s+santa"
    r"|ave\s+mar[ií]a|mercedes-benz)\b"
)


def find_names(text: str, taken: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Spans of person names (without titles, credentials or possessive 's), outside `taken`."""
    known = [m.span() for m in _NOT_PEOPLE.finditer(text)]
    return _Scanner(text, tokens(text, [*taken, *known])).scan()


class _Scanner:
    """One left-to-right pass over the words of one text."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.toks = tokens

    def scan(self) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        i, chained = 0, False
        while i < len(self.toks):
            end = self._name_at(i, chained)
            if end > i:
                spans.append((self.toks[i].start, self.toks[end - 1].end))
                after = self._after_conjunction(end)
                chained = after is not None
                i = after if after is not None else end
            else:
                chained = False
                i += 1
        return spans

    # -- the decision --------------------------------------------------------------------------

    def _name_at(self, i: int, chained: bool) -> int:
        """End (exclusive) of a name starting at token i, or i when there is none."""
        tok = self.toks[i]
        title = self._title_before(i)
        if title is None and (tok.kind is Kind.STOP or tok.key in w.ARTICLES):
            return i  # "Los Pérez llegaron": the name starts after the article
        if tok.shape == "lower":
            if title is not None or chained or (tok.kind in STRONG and self._cue_before(i, True)):
                lower_title = title in w.STRONG_TITLES and self.toks[i - 1].shape == "lower"
                return self._lower_name_end(i, lower_title)  # "mr smith", not "Dr. rounds"
            if self._given_after_role(i):
                return self._lower_name_end(i, True)  # "la pte rosario", "su hija consuelo"
            if tok.kind in STRONG and _DEPARTMENT_AFTER.match(self.text, tok.full_end):
                return i if self._after_determiner(i) else i + 1  # "chelo de caja"
            return i
        upper = tok.shape == "upper"
        if not self._capable(tok, upper):
            if title is None:
                return i
            if self._initial_at(i, upper):
                return self._run_end(i + 1, upper)  # "Dr. J. Smith"
            listed = tok.key in first_names() or tok.key in surnames()
            return self._run_end(i, upper) if upper or listed else i  # "MR. OKAFOR", "Ms. May"
        end = self._run_end(i, upper)
        if title is not None:
            return end
        run = [t for t in self.toks[i:end] if t.key not in w.PARTICLES]
        if self._not_a_person(i, end) or any(t.key in w.ORGANIZATION_WORDS for t in run[1:]):
            return i
        if upper:
            strong = len(run) >= 2 and any(t.kind in STRONG for t in run)
            return end if strong else self._last_comma_first(i)
        if chained or self._cue_before(i):
            return end
        if self._after_determiner(i):
            # the Spanish "to" before a name with a cue after it: "y a Nacho de Nutrición"
            return end if self.toks[i - 1].key == "a" and self._cue_after(end) else i
        if any(t.kind in STRONG for t in run):
            return end if self._full_name(run) else i
        if len(run) >= 2 and all(t.kind is Kind.UNKNOWN for t in run):
            return end  # "Tigist Bekele", "Aminata N'Diaye"
        if len(run) >= 2 and run[0].key in first_names() and not any(t.everyday() for t in run):
            return end  # "Mercedes Luna": listed words, none everyday, a given name first
        if len(run) == 1 and tok.kind is Kind.WEAK and self._starts_sentence(i):
            # "Will someone...", "Grace period...", "Luz tenue...", but "Grace said...",
            # "Rosa from registration..."; a surname that is also a word needs more than a place
            # after it: "Mesa de la sala de descanso", "Alegría en pediatría"
            given = tok.key in first_names()
            named = self._person_verb_at(end) or self._cue_after(end, places=given)
            return end if not tok.everyday() and named else i
        return end if self._cue_after(end) else i

    def _lower_name_end(self, i: int, loose: bool) -> int:
        """ "pt wendell", "shoutout yesenia": a lowercase name is a listed, uncommon word; after a
        lowercase "mr", "mrs", "dr" (`loose`) any word but an everyday one ("mr smith", "mrs
        thorsen"), and listed words after it that are not everyday ("sr. julio cesar ríos")."""
        tok = self.toks[i]
        other = tok.kind in (Kind.WEAK, Kind.UNKNOWN) and not tok.everyday()
        if tok.key in w.PARTICLES or not (tok.kind in STRONG or (loose and other)):
            return i  # "el sr. de la cama 4"
        j = i + 1
        while j < len(self.toks) and j - i < 3 and self._joined(j):
            nxt = self.toks[j]
            hyphenated_name = "-" in nxt.key and nxt.kind is Kind.WEAK  # "bishop-hayes"
            listed = loose and nxt.kind is Kind.WEAK and not nxt.everyday()
            if nxt.shape != "lower" or not (nxt.kind in STRONG or hyphenated_name or listed):
                break
            j += 1
        return j

    @staticmethod
    def _full_name(run: list[Token]) -> bool:
        """ "Tyrone Little" is a name, "Greenleaf Money" a program: an everyday word after the
        first place needs a first name before it."""
        for k, tok in enumerate(run[1:], start=1):
            firsts = (t.kind is Kind.FIRST or t.key in first_names() for t in run[:k])
            if tok.kind is Kind.WEAK and tok.everyday() and not any(firsts):
                return False
        return True

    # -- runs of capitalized words --------------------------------------------------------------

    def _capable(self, tok: Token, upper: bool) -> bool:
        """Can this word be part of a capitalized (or all-caps) name?"""
        if upper:
            return tok.shape == "upper" and len(tok.text) > 2 and tok.kind in (*STRONG, Kind.WEAK)
        if tok.shape != "cap":
            return False
        return tok.kind in STRONG or (tok.kind is not Kind.STOP and tok.name_shaped)

    def _run_end(self, i: int, upper: bool) -> int:
        """End (exclusive) of the run of name words starting at i, with particles and initials."""
        j, count = i + 1, 1
        while j < len(self.toks) and count < 4 and self._joined(j):
            if self._capable(self.toks[j], upper):
                j, count = j + 1, count + 1
            elif self._initial_at(j, upper):
                j, count = j + 2, count + 1  # "Harold W. Simmons"
            elif self._listed_between(j, upper):
                j, count = j + 1, count + 1  # "Ana Karen Solís": Karen is a language too
            else:
                k = j  # "de la Cruz", "De La Rosa": particles count only before a name word
                while k < len(self.toks) and self.toks[k].key in w.PARTICLES and self._joined(k):
                    k += 1
                if k == j or k >= len(self.toks) or not self._joined(k):
                    break
                if not self._capable(self.toks[k], upper):
                    break
                j = k
        return j

    def _listed_between(self, j: int, upper: bool) -> bool:
        """Token j is a stop word that is also a listed given name or surname, between two name
        words of one run."""
        tok = self.toks[j]
        if (
            tok.kind is not Kind.STOP
            or j + 1 >= len(self.toks)
            or self.toks[j - 1].kind not in STRONG
        ):
            return False
        if tok.key in w.TITLES or tok.key in w.BEFORE_PLACES:
            return False
        listed = tok.key in first_names() or tok.key in surnames()
        nxt = self.toks[j + 1]
        shaped = tok.shape == ("upper" if upper else "cap")
        return (
            listed
            and shaped
            and self._joined(j + 1)
            and nxt.kind in STRONG
            and self._capable(nxt, upper)
        )

    def _initial_at(self, j: int, upper: bool) -> bool:
        """Token j is a middle initial ("W" or "W.") followed by a name word."""
        tok = self.toks[j]
        if len(tok.text) != 1 or not tok.text.isupper() or j + 1 >= len(self.toks):
            return False
        gap = self.text[tok.full_end : self.toks[j + 1].start]
        return bool(_TITLE_GAP.fullmatch(gap)) and self._capable(self.toks[j + 1], upper)

    def _last_comma_first(self, i: int) -> int:
        """ "JOHNSON, MARY", as a door sign or a label writes it."""
        j = i + 1
        if j >= len(self.toks) or self.toks[i].kind not in (*STRONG, Kind.WEAK):
            return i
        nxt = self.toks[j]
        gap = self.text[self.toks[i].full_end : nxt.start]
        return j + 1 if gap == ", " and nxt.shape == "upper" and nxt.key in first_names() else i

    # -- context ---------------------------------------------------------------------------------

    def _joined(self, i: int) -> bool:
        """Token i follows token i-1 across plain spaces, so both can be one name."""
        prev = self.toks[i - 1]
        gap = self.text[prev.full_end : self.toks[i].start]
        return not prev.possessive and gap != "" and gap.isspace() and "\n" not in gap

    def _title_before(self, i: int) -> str | None:
        if i == 0:
            return None
        prev = self.toks[i - 1]
        gap = self.text[prev.full_end : self.toks[i].start]
        if prev.key not in w.TITLES or prev.possessive or not _TITLE_GAP.fullmatch(gap):
            return None
        return None if prev.text == "miss" else prev.key  # "we miss the real ones"

    def _given_after_role(self, i: int) -> bool:
        """A lowercase given name, not an everyday word, right after "pte", "su hija", ..."""
        tok = self.toks[i]
        if tok.key not in first_names() or tok.key in w.PERSON_VERBS or tok.everyday():
            return False
        return bool(_ROLE_BEFORE.search(self.text, max(0, tok.start - 30), tok.start))

    def _cue_before(self, i: int, verbs: bool = False) -> bool:
        start = self.toks[i].start
        before = self.text[max(0, start - 40) : start]
        return bool(_CUE_BEFORE.search(before) or (verbs and _VERB_BEFORE.search(before)))

    def _cue_after(self, end: int, places: bool = True) -> bool:
        """ "Mariam's brother", "Tigist, CNA", "Nadège, our unit secretary", "Kelsey on 8 East",
        "Bukola said"."""
        last = self.toks[end - 1]
        if last.possessive:
            nxt = self._next_word(end)
            return nxt is not None and nxt.key in w.OWNED
        if self._person_verb_at(end):
            return True
        after = self.text[last.full_end :]
        cues = (
            (_CREDENTIAL_AFTER, _ROLE_AFTER, _PLACE_AFTER)
            if places
            else (_CREDENTIAL_AFTER, _ROLE_AFTER)
        )
        return any(p.match(after) for p in cues)

    def _person_verb_at(self, j: int) -> bool:
        nxt = self._next_word(j)
        return nxt is not None and nxt.shape == "lower" and nxt.key in w.PERSON_VERBS

    def _starts_sentence(self, i: int) -> bool:
        j = self.toks[i].start - 1
        while j >= 0 and self.text[j] in " \t\"'\u201c\u2018([*":
            j -= 1
        return j < 0 or self.text[j] in ".!?:;\n\r\u2014\u2013-\u2022)"

    def _after_determiner(self, i: int) -> bool:
        if i == 0 or not self._joined(i):
            return False
        prev = self.toks[i - 1].key
        if (prev == "a" or prev in w.ARTICLES) and self.toks[i].kind in STRONG:
            return False  # the Spanish "to" and articles: "gracias a Chuy", "los Pérez"
        return prev in w.DETERMINERS

    def _next_word(self, j: int) -> Token | None:
        """Token j when it directly follows token j-1 across spaces."""
        return self.toks[j] if j < len(self.toks) and self._joined(j) else None

    def _not_a_person(self, i: int, end: int) -> bool:
        """An organization, a place, a unit or an eponym: "Mayo Clinic", "St. Jude", "4 West",
        "Foley catheter", "Bell's palsy", "lives in Dallas"."""
        nxt = self._next_word(end)
        if nxt is not None and nxt.key in (
            w.THING_WORDS if nxt.shape == "lower" else w.ORGANIZATION_WORDS
        ):
            return True
        last = self.toks[end - 1]
        if last.possessive and _EPONYM_POSSESSIVE.match(self.text, last.full_end):
            return True
        if _NAMES_A_THING.match(self.text, last.full_end):
            return True
        first = self.toks[i]
        if end - i == 1 and first.kind in (Kind.WEAK, Kind.UNKNOWN) and self._in_title_case(i):
            return True
        if self._place_name(i, end):
            return True
        before = self.text[max(0, first.start - 30) : first.start]
        if end - i == 1 and (
            _CAPITAL_OF.search(before)
            or (first.kind not in STRONG and _NUMBER_BEFORE.search(before))
            or (first.key in w.PLACES and _PLACE_PREPOSITION.search(before))
        ):
            return True
        return self._after_place_word(i)

    def _place_name(self, i: int, end: int) -> bool:
        """ "Los Ángeles", "Las Cruces", "Little Havana": a place of two words, both names."""
        keys = tuple(t.key for t in self.toks[i:end])
        if keys in w.PLACE_NAMES:
            return True
        return i > 0 and self._joined(i) and (self.toks[i - 1].key, *keys) in w.PLACE_NAMES

    def _in_title_case(self, i: int) -> bool:
        """The last word of a capitalized phrase of everyday words: "Cuidados Intensivos
        Neonatales" names a unit; "Gracias Ana" starts a sentence, so it can still name Ana."""
        if i == 0 or not self._joined(i):
            return False
        prev = self.toks[i - 1]
        return (
            prev.shape == "cap"
            and prev.kind is Kind.STOP
            and prev.key not in w.TITLES
            and not self._starts_sentence(i - 1)
        )

    def _after_place_word(self, i: int) -> bool:
        """ "St. Jude", "Clínica San José", and every capitalized word after them in the same run:
        "San Judas Tadeo", "Hospital San Rafael"."""
        j = i
        while j > 0 and i - j < 3:
            prev = self.toks[j - 1]
            gap = self.text[prev.full_end : self.toks[j].start]
            if not _TITLE_GAP.fullmatch(gap):
                return False
            if prev.key in w.BEFORE_PLACES:
                return True
            if prev.shape != "cap":
                return False
            j -= 1
        return False

    def _after_conjunction(self, j: int) -> int | None:
        """ "Connor and Maricel", "Lupita y a Nacho": the evidence for the first name carries over
        the "and"; the index of the word after it (and after the Spanish personal "a"), if any."""
        if j + 1 >= len(self.toks) or self.toks[j].key not in w.CONJUNCTIONS:
            return None
        k = j + 1
        if self.toks[k].key == "a" and k + 1 < len(self.toks) and self._joined(k):
            k += 1
        return k if self._joined(j) and self._joined(k) else None
