"""What may follow a command's words, declared once and read in the core.

A sub-command declares its positional arguments (one word read by a `Reader`, free text to the end
of the line, or the remaining words for a small grammar the skill reads itself) and its options
(`--days N`, `--by department|unit`, flags). `Syntax.parse` reads a tokenized line against the
declaration and gives the handler an `Invocation` of typed values. Anything that does not fit
becomes a `BadInput` naming the argument or option, what it expects, and the usage line, so the
person learns how to fix it instead of reading an apology.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from bot.errors import SkillError, Term
from bot.i18n import N_, Translator, translator
from bot.tokens import Token

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

MAX_ID = 2**63 - 1  # the largest value a database BIGINT holds
_MAX_DIGITS = len(str(MAX_ID))
# Phone keyboards turn a typed `--` into a dash; `—days 7` means `--days 7`.
_DASHES = ("--", "\N{EM DASH}", "\N{EN DASH}")


class BadInput(SkillError):
    """What was typed does not fit the declaration; the message says what it expects."""


USAGE = N_("{problem}\nUsage: `{usage}`")


def with_usage(problem: SkillError, usage: str) -> BadInput:
    """`problem` followed by the usage line of what was typed (`Invocation.usage`), each part
    in the reader's language."""
    return BadInput(USAGE, problem=problem, usage=usage)


def whole_number(text: str) -> int | None:
    """`text` as a number when it is ASCII digits only and fits a database integer, else None.

    `int()` alone would take Arabic-Indic digits and other scripts, and fail on superscripts."""
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        value = int(text)
        return value if value <= MAX_ID else None
    return None


def _shown(raw: str) -> str:
    """What the person typed, safe to echo inside backticks."""
    text = raw.replace("`", "'").strip()
    return text if len(text) <= 40 else text[:39] + "…"


class Reader(ABC, Generic[T_co]):
    """Turns one typed word into a value, or raises `BadInput` saying what it expects."""

    label: str
    metavar: str

    @abstractmethod
    def read(self, raw: str) -> T_co: ...

    @property
    def missing(self) -> SkillError:
        return BadInput(N_("Please add the {label}."), label=Term(self.label))


@dataclass(frozen=True, eq=False)
class Integer(Reader[int]):
    """A number within bounds, such as a count of days."""

    label: str
    low: int
    high: int
    metavar: str = "N"

    def read(self, raw: str) -> int:
        text = raw.strip()
        value = whole_number(text)
        if value is not None and self.low <= value <= self.high:
            return value
        label = Term(self.label, capital=True)
        if text.isdecimal() and not text.isascii():
            raise BadInput(
                N_("{label} must be a number from {low} to {high}, typed with the digits 0 to 9."),
                label=label,
                low=self.low,
                high=self.high,
            )
        raise BadInput(
            N_("{label} must be a number from {low} to {high}."),
            label=label,
            low=self.low,
            high=self.high,
        )


@dataclass(frozen=True, eq=False)
class Identifier(Reader[int]):
    """The number of a record (an idea, a survey, a ticket), typed as 12 or #12."""

    label: str
    metavar: str = "ID"

    def read(self, raw: str) -> int:
        text = raw.strip().removeprefix("#")
        value = whole_number(text)
        if value:
            return value
        label = Term(self.label)
        if value == 0 or (text.isascii() and text.isdigit()):
            raise BadInput(N_("There is no {label} #{number}."), label=label, number=_shown(text))
        if text.isdecimal():
            raise BadInput(
                N_("Please type the {label} number with the digits 0 to 9, like 12."), label=label
            )
        raise BadInput(
            N_("I need a number like 12 for the {label}, not `{typed}`."),
            label=label,
            typed=_shown(raw),
        )

    @property
    def missing(self) -> SkillError:
        label = Term(self.label)
        return BadInput(N_("Please say which {label}: its number, like 12."), label=label)


@dataclass(frozen=True, eq=False)
class OneOf(Reader[str]):
    """One of a few words. `words` maps what may be typed to the value it stands for; case,
    hyphens and spaces do not matter. With `prefix`, the first value that starts with what was
    typed is taken too (`wait` for `wait_times`)."""

    label: str
    words: Mapping[str, str]
    metavar: str
    prefix: bool = False

    def read(self, raw: str) -> str:
        typed = _folded(raw)
        for word, value in self.words.items():
            if _folded(word) == typed:
                return value
        if self.prefix and typed:
            for value in self.values:
                if value.startswith(typed):
                    return value
        raise BadInput(
            N_("I don't know the {label} `{typed}`. Use one of: {listed}."),
            label=Term(self.label),
            typed=_shown(raw),
            listed=", ".join(f"`{value}`" for value in self.values),
        )

    @property
    def values(self) -> list[str]:
        return list(dict.fromkeys(self.words.values()))


def _folded(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


@dataclass(frozen=True, eq=False)
class Phrase(Reader[str]):
    """A word or a quoted phrase, as typed (a unit's name, a group)."""

    label: str
    metavar: str

    def read(self, raw: str) -> str:
        return raw.strip()


@dataclass(frozen=True, eq=False)
class Arg(Generic[T]):
    """A required positional argument: one word read by `reader`."""

    reader: Reader[T]

    @property
    def metavar(self) -> str:
        return self.reader.metavar


@dataclass(frozen=True, eq=False)
class Rest:
    """Free text to the end of the line, as typed; a phrase quoted whole loses its quotes.

    Options are not looked for inside it, so a comment may say `--days` freely. `missing` is
    what a person reads when a required text is left out (default: asks for `label`), an
    English catalog message marked with `N_`."""

    metavar: str
    label: str = ""
    required: bool = True
    missing: str = ""


@dataclass(frozen=True, eq=False)
class Words:
    """The remaining words, options taken out, for a small grammar the skill reads itself
    (`pulse create TEMPLATE to unit "5 North" every monday 10:00`)."""

    metavar: str


@dataclass(frozen=True, eq=False)
class Option(Generic[T]):
    """`--name VALUE` (or `--name=VALUE`) anywhere before free text; `default` when absent.
    `in_usage=False` keeps an option out of usage lines (an operator's option that chat refuses)."""

    name: str
    reader: Reader[T]
    default: T
    in_usage: bool = True


@dataclass(frozen=True, eq=False)
class Flag:
    """`--name` alone: true when given."""

    name: str


Positional = Arg[Any] | Rest | Words
Named = Option[Any] | Flag


class Invocation:
    """The typed values of one command line, looked up by their declarations, and the usage line
    of what was typed, for messages the handler adds itself."""

    def __init__(self, usage: str = "", values: Mapping[object, object] | None = None) -> None:
        self.usage = usage
        self._values = dict(values or {})

    @overload
    def __getitem__(self, key: Arg[T]) -> T: ...
    @overload
    def __getitem__(self, key: Option[T]) -> T: ...
    @overload
    def __getitem__(self, key: Rest) -> str: ...
    @overload
    def __getitem__(self, key: Words) -> tuple[str, ...]: ...
    @overload
    def __getitem__(self, key: Flag) -> bool: ...
    def __getitem__(self, key: object) -> Any:
        return self._values[key]


@dataclass(frozen=True)
class Syntax:
    """What may follow a command's words: positional arguments in order, and options anywhere
    before free text begins."""

    args: tuple[Positional, ...] = ()
    options: tuple[Named, ...] = ()

    def __post_init__(self) -> None:
        """Declaration mistakes fail at start-up, not when someone types the command."""
        for arg in self.args[:-1]:
            if not isinstance(arg, Arg):
                raise ValueError(f"{arg.metavar!r}: free text and words must come last")
        names = [option.name for option in self.options]
        for name in names:
            if not name.startswith("--") or name != name.lower() or names.count(name) > 1:
                raise ValueError(f"option {name!r}: lowercase `--name`, declared once")

    def usage(self, path: str, t: Translator | None = None) -> str:
        """How to type it: the command's words as registered, what may follow them named in
        the reader's language (`t`; English when not given)."""
        say = t or translator(None)
        parts = [path]
        for arg in self.args:
            optional = isinstance(arg, Rest) and not arg.required
            parts.append(f"[{say(arg.metavar)}]" if optional else say(arg.metavar))
        for option in self.options:
            if isinstance(option, Flag):
                parts.append(f"[{option.name}]")
            elif option.in_usage:
                parts.append(f"[{option.name} {say(option.reader.metavar)}]")
        return " ".join(parts)

    def parse(self, line: str, tokens: Sequence[Token], usage: str) -> Invocation:
        """Read `tokens` (the words of `line` after the command's own) into typed values."""
        values: dict[object, object] = {}
        try:
            self._read(line, list(tokens), values)
        except _Missing as missing:
            raise BadInput(missing.message, **missing.values) from None
        except BadInput as exc:
            raise with_usage(exc, usage) from None
        return Invocation(usage, values)

    def _read(self, line: str, tokens: list[Token], values: dict[object, object]) -> None:
        options = {option.name: option for option in self.options}
        waiting = list(self.args)
        words: list[str] = []
        while tokens:
            token = tokens.pop(0)
            name, attached = _option_word(token)
            next_arg = waiting[0] if waiting else None
            if name in options:
                option = options[name]
                if option in values:
                    raise BadInput(N_("`{name}` is there twice; please give it once."), name=name)
                values[option] = _option_value(option, attached, tokens)
            elif isinstance(next_arg, Rest):
                values[next_arg] = _free_text(line, token, tokens)
                waiting.pop(0)
                tokens.clear()
            elif name is not None:
                raise BadInput(N_("I don't know the option `{name}`."), name=_shown(name))
            elif isinstance(next_arg, Words):
                words.append(token.text)
            elif isinstance(next_arg, Arg):
                values[next_arg] = next_arg.reader.read(token.text)
                waiting.pop(0)
            else:
                raise BadInput(N_("I didn't expect `{typed}` there."), typed=_shown(token.text))
        for arg in waiting:
            if isinstance(arg, Words):
                values[arg] = tuple(words)
            elif isinstance(arg, Rest) and not arg.required:
                values[arg] = ""
            elif isinstance(arg, Rest) and arg.missing:
                raise _Missing(arg.missing)
            elif isinstance(arg, Rest):
                label = Term(arg.label) if arg.label else Term(arg.metavar, lower=True)
                raise BadInput(N_("Please add the {label}."), label=label)
            else:
                raise arg.reader.missing
        for option in self.options:
            values.setdefault(option, False if isinstance(option, Flag) else option.default)


class _Missing(SkillError):
    """Left-out free text whose declaration says, in its own words, what to type."""


def _option_word(token: Token) -> tuple[str | None, str | None]:
    """The option a token names (`--days`, `—days`, `--days=7`) and a value attached with `=`."""
    if token.quoted:
        return None, None
    for dash in _DASHES:
        body = token.text.removeprefix(dash)
        if body != token.text and body[:1].isalpha():
            name, equals, value = body.partition("=")
            return "--" + name.lower(), value if equals else None
    return None, None


def _option_value(option: Named, attached: str | None, tokens: list[Token]) -> object:
    if isinstance(option, Flag):
        if attached is not None:
            raise BadInput(N_("`{name}` takes no value."), name=option.name)
        return True
    raw = attached if attached is not None else (tokens.pop(0).text if tokens else "")
    if not raw.strip():
        raise BadInput(
            N_("`{name}` needs a value: `{name} {metavar}`."),
            name=option.name,
            metavar=Term(option.reader.metavar),
        )
    return option.reader.read(raw)


def _free_text(line: str, first: Token, after: list[Token]) -> str:
    if first.quoted and not after:
        return first.text.strip()
    return line[first.start :].strip()
