"""Each person's language: chosen, or read off their platform; dates and numbers in it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.events import Command
from bot.i18n import language_of, languages, translator, translator_for
from bot.runtime import Runtime
from bot.settings import SettingsError, load_settings
from skills.language.skill import CHOOSE
from storage.people import Person, Profile
from tests.helpers import TENANT, action, actor, command, dm, message
from tests.spanish import english_words

NIGHT = datetime(2026, 12, 10, 4, 0, tzinfo=ZoneInfo("UTC"))
CHICAGO = ZoneInfo("America/Chicago")


def test_spanish_and_english_are_offered() -> None:
    assert languages() == ("en", "es")


@pytest.mark.parametrize(
    ("locale", "language"),
    [("es-MX", "es"), ("es_LA", "es"), ("ES", "es"), ("en-US", "en"), ("fr-FR", None), ("", None)],
)
def test_a_platform_locale_names_a_language_only_when_we_speak_it(
    locale: str, language: str | None
) -> None:
    assert language_of(locale) == language


def test_dates_numbers_and_lists_follow_the_language() -> None:
    english, spanish = translator("en"), translator("es")
    assert english.moment(NIGHT, CHICAGO) == "Wed 9 Dec, 22:00"
    assert spanish.moment(NIGHT, CHICAGO) == "mié 9 dic, 22:00"
    assert spanish.day(date(2025, 3, 3), this_year=2026) == "lun 3 mar 2025"
    assert english.number(12345) == spanish.number(12345) == "12,345"
    assert spanish.list(["Slack", "Teams", "correo"]) == "Slack, Teams y correo"


def test_a_spanish_locale_outside_the_united_states_keeps_its_own_formats() -> None:
    assert translator("es", "es-ES").number(12345.5) == "12.345,5"
    assert translator("es", "es-LA").number(12345.5) == "12,345.5"  # Slack's; unknown to CLDR


def test_plural_forms_come_from_the_catalog() -> None:
    spanish = translator("es")
    assert spanish.plural("{count} idea", "{count} ideas", 1) == "1 idea"


def test_a_choice_outranks_the_platform_and_the_platform_the_hospital() -> None:
    person = Person(1, "Ana", frozenset(), locale="es-MX")
    assert translator_for(person).language == "es"
    assert (
        translator_for(Person(1, "Ana", frozenset(), locale="es-MX", language="en")).language
        == "en"
    )
    assert translator_for(Person(1, "Ana", frozenset()), "es").language == "es"
    assert translator_for(Person(1, "Ana", frozenset(), locale="fr-FR"), "es").language == "es"


def test_the_hospital_language_must_be_one_with_a_catalog() -> None:
    assert load_settings(environ={"BREAKROOM_LANGUAGE": "ES"}, env_file=None).language == "es"
    with pytest.raises(SettingsError, match="BREAKROOM_LANGUAGE"):
        load_settings(environ={"BREAKROOM_LANGUAGE": "fr"}, env_file=None)


async def _person(runtime: Runtime, user: str) -> Person:
    person = await runtime.services.people.resolve(Profile("console", TENANT, user))
    return person


async def test_idioma_espanol_is_kept_and_answered_in_spanish(runtime: Runtime) -> None:
    [reply] = await runtime.router.dispatch(command("idioma", "Español", user="U-ana"))
    assert "español" in reply.fallback
    assert not english_words(reply.fallback), reply.fallback
    assert (await _person(runtime, "U-ana")).language == "es"

    [shown] = await runtime.router.dispatch(command("language", user="U-ana"))
    assert shown.fallback.startswith("Le escribo en español")
    assert not english_words(shown.fallback), shown.fallback


async def test_a_choice_outlasts_the_platform_locale(runtime: Runtime) -> None:
    await runtime.router.dispatch(command("language", "spanish", user="U-luis"))
    english_client = Command(actor=actor("U-luis", locale="en-US"), conversation=dm(), name="help")
    await runtime.router.dispatch(english_client)
    person = await _person(runtime, "U-luis")
    assert (person.locale, person.language) == ("en-US", "es")
    [shown] = await runtime.router.dispatch(command("idioma", user="U-luis"))
    assert shown.fallback.startswith("Le escribo en español")


async def test_auto_gives_the_choice_back_to_the_platform(runtime: Runtime) -> None:
    await runtime.router.dispatch(command("idioma", "español", user="U-eva"))
    [reply] = await runtime.router.dispatch(command("language", "auto", user="U-eva"))
    assert (await _person(runtime, "U-eva")).language is None
    assert "computer" in reply.fallback


async def test_the_buttons_choose_too_and_unknown_words_offer_the_choices(
    runtime: Runtime,
) -> None:
    [menu] = await runtime.router.dispatch(command("language", "klingon", user="U-jo"))
    assert "English and Español" in menu.fallback
    [done] = await runtime.router.dispatch(action(CHOOSE, "es", user="U-jo"))
    assert done.fallback == "Listo: desde ahora le escribo en **español**.".replace("**", "")
    assert (await _person(runtime, "U-jo")).language == "es"


async def test_refusals_reach_a_spanish_speaker_in_spanish(runtime: Runtime) -> None:
    await runtime.router.dispatch(command("idioma", "español", user="U-rosa"))
    [reply] = await runtime.router.dispatch(action(CHOOSE, "", user="U-rosa"))
    assert reply.fallback.startswith("Puedo escribirle en")
    [unrouted] = await runtime.router.dispatch(message("language", user="U-rosa"))
    assert unrouted.fallback.startswith("Le escribo en")
