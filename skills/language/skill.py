"""A person's language, theirs to choose: `idioma español`, `language english`, or a button.

Until someone chooses, they are spoken to in their platform's language (Slack's user locale,
Teams' activity locale), else the hospital's. A choice is stored and outlasts any locale the
platform reports later; `language auto` gives the choice back to the platform.

The command answers in the language just chosen, so the person sees at once that it worked.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from typing import Any

from bot.arguments import Rest
from bot.context import Context
from bot.events import Action, Command
from bot.i18n import N_, Translator, language_of, languages, translator
from bot.replies import Button, Buttons, ButtonStyle, Reply, Text
from bot.router import Router

CHOOSE = "language.choose"
AUTOMATIC = "auto"

CHOICE = Rest("language", required=False)

# What people type for each language, in either language, accents and case aside.
_WORDS = {
    "en": ("en", "eng", "english", "ingles", "inglés"),
    "es": ("es", "esp", "spanish", "espanol", "español", "castellano"),
    AUTOMATIC: ("auto", "automatic", "automatico", "automático", "default"),
}
# Each language's name in itself, for the buttons: how a person finds their own among them.
NATIVE_NAMES = {"en": "English", "es": "Español"}
# Its name in a sentence of the language being read ("le escribo en español").
NAMES = {"en": N_("English"), "es": N_("Spanish")}

SUMMARY = N_("See or change the language I write to you in")
CURRENT = N_("I write to you in **{language}**.")
CHOSEN = N_("Done: from now on I write to you in **{language}**.")
FOLLOWING = N_(
    "Done: I write to you in the language your {platform} is set to, now **{language}**."
)
UNKNOWN = N_("I can write to you in {choices}. Which one would you like?")
PICK = N_("Tap the one you want, or type `language english` or `idioma español`.")


def setup(router: Router) -> None:
    router.command(
        "language", show_or_choose, summary=SUMMARY, args=(CHOICE,), names_in={"es": "idioma"}
    )
    router.action(CHOOSE, on_choose)


async def show_or_choose(ctx: Context[Command]) -> Reply:
    typed = ctx.args[CHOICE]
    if not typed:
        return _menu(ctx.t, CURRENT)
    choice = _read(typed)
    if choice is None:
        return _menu(ctx.t, UNKNOWN)
    return await _choose(ctx, choice)


async def on_choose(ctx: Context[Action]) -> Reply:
    choice = _read(ctx.event.value)
    if choice is None:
        return _menu(ctx.t, UNKNOWN)
    return await _choose(ctx, choice)


async def _choose(ctx: Context[Any], choice: str) -> Reply:
    language = None if choice == AUTOMATIC else choice
    await ctx.services.people.set_language(ctx.person.id, language)
    default = ctx.services.settings.language
    if language is not None:
        t = translator(language, ctx.person.locale)
        chosen = Reply.text(t(CHOSEN, language=language_name(t, language)))
        return replace(chosen, language=t.language)
    t = translator(language_of(ctx.person.locale) or default, ctx.person.locale)
    platform = ctx.event.actor.platform
    following = Reply.text(
        t(FOLLOWING, platform=_platform_name(t, platform), language=language_name(t, t.language))
    )
    return replace(following, language=t.language)


def language_buttons(t: Translator) -> Buttons:
    """A button per language, each named in itself, the one `t` speaks marked as chosen."""
    return Buttons(
        tuple(
            Button(
                NATIVE_NAMES.get(code, code),
                CHOOSE,
                value=code,
                style=ButtonStyle.PRIMARY if code == t.language else ButtonStyle.DEFAULT,
            )
            for code in languages()
        )
    )


def _menu(t: Translator, heading: str) -> Reply:
    names = [NATIVE_NAMES.get(code, code) for code in languages()]
    text = t(heading, language=language_name(t, t.language), choices=t.list(names))
    return Reply.of(Text(text), Text(t(PICK), subtle=True), language_buttons(t), ephemeral=True)


def _read(typed: str) -> str | None:
    word = _folded(typed.strip().split()[0]) if typed.strip() else ""
    for code, words in _WORDS.items():
        if word in {_folded(w) for w in words} and (code == AUTOMATIC or code in languages()):
            return code
    return None


def _folded(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def language_name(t: Translator, language: str) -> str:
    """A language's name as said in `t`'s language ("español" in Spanish)."""
    return t(NAMES[language]) if language in NAMES else language


def _platform_name(t: Translator, platform: str) -> str:
    names = {"slack": N_("Slack profile"), "teams": N_("Teams app"), "console": N_("computer")}
    return t(names.get(platform, names["console"]))
