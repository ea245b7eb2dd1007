"""Every word a person reads, in their language: message catalogs and locale formatting.

The English text in the code is the message id; other languages are gettext catalogs managed
with Babel (`bot/locale/<language>/LC_MESSAGES/breakroom.po`, kept current by
`breakroom catalog update`), so adding a language is adding a catalog. Catalogs are read from
their `.po` text when first needed: there is no compiled file to forget to rebuild.

Messages use named placeholders (`"Ticket #{id} is answered."`) filled after translation, so a
translation may put them in its own order. A string defined away from where it is shown is
marked with `N_` so the catalog tools find it, and translated where a person reads it.

Dates, times, numbers and lists are formatted by Babel from CLDR for the person's locale: a
Spanish speaker reads "jue 10 dic, 23:00" and "a, b y c".
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

DOMAIN = "breakroom"
SOURCE_LANGUAGE = "en"
# Where a person's locale names no region Babel knows, formats follow the United States, where
# the hospitals are: "12,345.5" in Spanish too, not Spain's "12.345,5".
DEFAULT_REGION = "US"

_MOMENT = "EEE d MMM, HH:mm"
_DAY = "EEE d MMM"


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it: it is translated where shown."""
    return message


def catalog_dir() -> Any:
    """The directory of the catalogs, one folder per language."""
    return files("bot") / "locale"


@cache
def languages() -> tuple[str, ...]:
    """The languages people may choose: English, and every language with a catalog."""
    found = [
        entry.name
        for entry in catalog_dir().iterdir()
        if entry.is_dir() and (entry / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
    ]
    return (SOURCE_LANGUAGE, *sorted(found))


def language_of(locale: str | None) -> str | None:
    """The language of a platform locale ("es-MX", "es_LA", "en-US") when it is one we speak."""
    if not locale:
        return None
    code = locale.replace("_", "-").split("-")[0].lower()
    return code if code in languages() else None


class Speaker(Protocol):
    """What a person's language is read from: their own choice, else their platform's locale."""

    @property
    def language(self) -> str | None: ...

    @property
    def locale(self) -> str | None: ...


class Translator:
    """One language's messages and formats. Get one with `translator` (they are shared)."""

    def __init__(self, language: str, locale: Locale, messages: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = locale
        self._messages = messages

    def __call__(self, message: str, /, **values: Any) -> str:
        """`message` in this language, its `{placeholders}` filled from `values`."""
        text = self._messages.gettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, /, **values: Any) -> str:
        """The form that agrees with `n`; `{count}` is `n` written for this locale."""
        text = self._messages.ngettext(singular, plural, n)
        return text.format(count=self.number(n), **values)

    def number(self, n: float) -> str:
        return format_decimal(n, locale=self.locale)

    def percent(self, fraction: float) -> str:
        return format_percent(fraction, locale=self.locale)

    def list(self, items: Iterable[str]) -> str:
        """ "a, b and c" in this language's way."""
        return format_list(list(items), locale=self.locale)

    def day(self, day: date, *, this_year: int | None = None) -> str:
        """A day as people read it: "Thu 10 Dec"; with the year when `this_year` is given and
        the day is in another year."""
        pattern = _DAY if this_year in (None, day.year) else f"{_DAY} y"
        return format_date(day, pattern, locale=self.locale)

    def moment(self, moment: datetime, zone: ZoneInfo, *, now: datetime | None = None) -> str:
        """A moment on the reader's own clock: "Thu 10 Dec, 23:00". Give `now` for a moment that
        may lie in another year: its year is then named when it differs."""
        local = moment.astimezone(zone)
        if now is not None and now.astimezone(zone).year != local.year:
            return f"{self.day(local.date(), this_year=now.astimezone(zone).year)}, {local:%H:%M}"
        return format_datetime(local, _MOMENT, tzinfo=zone, locale=self.locale)

    def local_day(self, moment: datetime, zone: ZoneInfo) -> str:
        """The reader's own day of a moment, where the hour does not matter: "Thu 10 Dec"."""
        return self.day(moment.astimezone(zone).date())


def translator(language: str | None, locale: str | None = None) -> Translator:
    """The translator for `language` (English for one we do not speak), formatting for
    `locale` when it is a locale of that language Babel knows, else for the language in the
    United States."""
    chosen = language if language in languages() else SOURCE_LANGUAGE
    region = _region(locale, chosen)
    return _translator(chosen, region)


def translator_for(speaker: Speaker, default: str = SOURCE_LANGUAGE) -> Translator:
    """A person's translator: the language they chose, else their platform's, else `default`
    (the hospital's)."""
    language = speaker.language or language_of(speaker.locale) or default
    return translator(language, speaker.locale)


def _region(locale: str | None, language: str) -> str:
    if locale:
        try:
            parsed = Locale.parse(locale.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            parsed = None
        if parsed is not None and parsed.language == language and parsed.territory:
            return parsed.territory
    return DEFAULT_REGION


@cache
def _translator(language: str, region: str) -> Translator:
    try:
        locale = Locale(language, region)
    except UnknownLocaleError:
        locale = Locale(language, DEFAULT_REGION)
    return Translator(language, locale, _messages(language))


@cache
def _messages(language: str) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    with (catalog_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
