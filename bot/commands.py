"""The command table: commands, the sub-commands declared under them, and who may use which.

`Router.command` and `Router.subcommand` fill it. The router asks it which declaration a typed
line means; `help` and a bare group command (`pulse` alone) read their lines from it, so what is
listed is exactly what is handled, for exactly the roles that may use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.arguments import Syntax
from bot.context import Handler
from bot.i18n import N_, Translator
from bot.roles import Role, allows
from bot.tokens import Token

OVERVIEW = N_("Here's what `{command}` can do:")


@dataclass(frozen=True)
class HelpEntry:
    """A line of `help`: how to type something and what it does, in the reader's language."""

    usage: str
    summary: str


@dataclass(frozen=True)
class Declaration:
    """One thing a person can type: its words (`pulse create`), what may follow them, who may
    use it, and the handler that receives the parsed values.

    A sub-command with `refuse_others=False` is not one at all for people without its roles:
    they keep the command's own meaning (an employee's `ask reply to my manager …` is a
    question), where others are refused (and audited)."""

    path: str
    handler: Handler
    summary: str  # an English catalog message, translated where it is shown
    # None for a command that declares nothing to follow it: its handler reads the text as it
    # came (`help` ignores it), where a declaration would refuse words it did not expect.
    syntax: Syntax | None
    roles: frozenset[Role] = frozenset()
    refuse_others: bool = True

    def usage(self, t: Translator | None = None) -> str:
        """How to type it, what follows the words named in `t`'s language (English without)."""
        return self.syntax.usage(self.path, t) if self.syntax else self.path


@dataclass
class CommandSpec:
    """A command word. `own` handles what follows it when that is not a sub-command (`ask` a
    question); a group without one (`pulse`) answers with its sub-commands' usage. `default`
    runs when nothing follows (`ideas` alone is `ideas summary`)."""

    name: str
    summary: str
    roles: frozenset[Role]
    own: Declaration | None
    # Typed as a plain word in a chat, a bare-only command matches only when nothing follows it,
    # so "help me understand my 403b" stays a question instead of becoming `help`.
    bare_only: bool = False
    # The word's name in other languages (`idioma` for `language`): typed, it is the same
    # command; in help, a reader of that language is shown their word instead of this one.
    names_in: Mapping[str, str] = field(default_factory=dict)
    subcommands: dict[str, Declaration] = field(default_factory=dict)
    default: Declaration | None = None

    def choose(
        self, tokens: Sequence[Token], roles: frozenset[Role]
    ) -> tuple[Declaration, Sequence[Token]] | None:
        """The declaration `tokens` mean for someone holding `roles`, and the tokens left for
        its arguments; None when only the group's usage can answer."""
        first = tokens[0] if tokens and not tokens[0].quoted else None
        chosen = self.subcommands.get(first.text.lower()) if first else None
        if chosen is not None and (chosen.refuse_others or allows(roles, chosen.roles)):
            return chosen, tokens[1:]
        if not tokens and self.default is not None:
            return self.default, tokens
        if self.own is not None:
            return self.own, tokens
        return None

    def visible(self, roles: frozenset[Role]) -> list[Declaration]:
        return [sub for sub in self.subcommands.values() if allows(roles, sub.roles)]

    def overview(self, roles: frozenset[Role], t: Translator) -> str:
        lines = [t(OVERVIEW, command=self.name)]
        lines += [f"- `{sub.usage(t)}` — {t(sub.summary)}" for sub in self.visible(roles)]
        return "\n".join(lines)

    def help_lines(self, roles: frozenset[Role], t: Translator) -> list[HelpEntry]:
        """A group is one line naming its sub-commands (`pulse` alone explains each). A command
        with a use of its own keeps its line, and its sub-commands, being other jobs that
        share the word, get lines of their own."""
        name = self.names_in.get(t.language, self.name)
        if self.own is None:
            words = "|".join(sub.path.split(" ", 1)[1] for sub in self.visible(roles))
            return [HelpEntry(f"{name} {words}".strip(), t(self.summary))]
        own = HelpEntry(_renamed(self.own.usage(t), self.name, name), t(self.summary))
        subs = (
            HelpEntry(_renamed(sub.usage(t), self.name, name), t(sub.summary))
            for sub in self.visible(roles)
        )
        return [own, *subs]


def _renamed(usage: str, name: str, shown: str) -> str:
    return shown + usage[len(name) :]


class CommandTable:
    def __init__(self) -> None:
        self._commands: dict[str, CommandSpec] = {}
        self._other_names: dict[str, str] = {}

    def add_command(
        self,
        name: str,
        handler: Handler | None,
        *,
        summary: str,
        roles: Iterable[Role],
        bare_only: bool,
        syntax: Syntax,
        names_in: Mapping[str, str],
    ) -> None:
        key = name.lower()
        others = {language: word.lower() for language, word in names_in.items()}
        for word in (key, *others.values()):
            if word in self._commands or word in self._other_names or " " in word:
                raise ValueError(f"command {word!r} is registered twice or has a space")
        if handler is None and syntax != Syntax():
            raise ValueError(f"command {name!r}: arguments need a handler to receive them")
        allowed = frozenset(roles)
        declared = syntax if syntax != Syntax() else None
        own = None if handler is None else Declaration(key, handler, summary, declared, allowed)
        self._commands[key] = CommandSpec(key, summary, allowed, own, bare_only, others)
        self._other_names.update(dict.fromkeys(others.values(), key))

    def add_subcommand(
        self,
        path: str,
        handler: Handler,
        *,
        summary: str,
        roles: Iterable[Role],
        syntax: Syntax,
        default: bool,
        refuse_others: bool,
    ) -> None:
        words = path.lower().split()
        parent = self._commands.get(words[0]) if len(words) == 2 else None
        if parent is None:
            raise ValueError(f"sub-command {path!r}: register its command first, as `name word`")
        if words[1] in parent.subcommands or (default and parent.default is not None):
            raise ValueError(f"sub-command {path!r} is registered twice, or a second default")
        declared = Declaration(
            " ".join(words), handler, summary, syntax, frozenset(roles), refuse_others
        )
        parent.subcommands[words[1]] = declared
        if default:
            parent.default = declared

    def get(self, name: str) -> CommandSpec | None:
        word = name.lower().lstrip("/")
        return self._commands.get(self._other_names.get(word, word))

    @property
    def names(self) -> frozenset[str]:
        """Every word that is a command, in every language."""
        return frozenset(self._commands) | frozenset(self._other_names)

    def help_for(self, roles: frozenset[Role], t: Translator) -> list[HelpEntry]:
        return [
            line
            for spec in self._commands.values()
            if allows(roles, spec.roles)
            for line in spec.help_lines(roles, t)
        ]
