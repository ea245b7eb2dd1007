"""Survey definitions written in YAML, a file or a template bundled in `templates/`, read and
checked with line-precise errors.

Every text a person reads (title, intro, question, option, scale end, comment prompt) is plain
English, or one text per language, English first:

```yaml
id: weekly-pulse
title: {en: Weekly pulse, es: Pulso semanal}
intro:
  en: Three quick questions about your week. Your answers are anonymous.
  es: Tres preguntas rápidas sobre su semana. Sus respuestas son anónimas.
questions:
  - id: workload
    type: rating          # 1-5
    text:
      en: My workload this week was manageable.
      es: Mi carga de trabajo esta semana fue manejable.
    low: {en: Strongly disagree, es: Totalmente en desacuerdo}
    high: {en: Strongly agree, es: Totalmente de acuerdo}
  - id: recommend
    type: enps            # 0-10
    text: How likely are you to recommend working here to a friend?   # English only
  - id: breaks
    type: choice
    text: {en: Did you get your breaks this week?, es: ¿Pudo tomar sus descansos esta semana?}
    options:
      - {en: Always, es: Siempre}
      - {en: Never, es: Nunca}
comment: Anything else you'd like to tell us?   # optional free-text comment
```

A reader whose language a text lacks reads its English; `check_text` warns about each such text
(a warning, not an error: the survey works, and an English-only survey stays valid). What a
file reads as is a `skills.pulse.definitions.SurveyDefinition`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import yaml

from bot.i18n import SOURCE_LANGUAGE, languages
from skills.pulse.definitions import (
    Question,
    QuestionKind,
    QuestionWords,
    SurveyDefinition,
    SurveyWords,
)

MAX_QUESTIONS = 10
MAX_OPTION = 40
_ID = re.compile(r"[a-z][a-z0-9_-]{0,40}")
# The name of each language in a warning HR reads in English.
LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


@dataclass(frozen=True, order=True)
class DefinitionProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Checked:
    """A definition (None when it has errors), its errors, and its warnings: texts missing in
    a language, which its readers then see in English."""

    definition: SurveyDefinition | None
    problems: list[DefinitionProblem] = field(default_factory=list)
    warnings: list[DefinitionProblem] = field(default_factory=list)


def templates_dir() -> Path:
    return Path(str(files("skills.pulse") / "templates"))


def template_names() -> list[str]:
    return sorted(p.stem for p in templates_dir().glob("*.yaml"))


def load_template(name: str) -> Checked:
    path = templates_dir() / f"{name}.yaml"
    if not path.is_file():
        return Checked(None, [DefinitionProblem(name, 0, "no such template")])
    return check_file(path)


def check_file(path: Path) -> Checked:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Checked(None, [DefinitionProblem(str(path), 0, f"cannot read the file: {exc}")])
    return check_text(text, str(path))


def check_text(text: str, name: str = "<survey>") -> Checked:
    """Parse and check a definition; every problem and warning is reported with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        return Checked(None, [DefinitionProblem(name, line, f"not valid YAML: {exc.problem}")])
    problem = Reporter(name)
    if not isinstance(root, yaml.MappingNode):
        problem(root, "a survey must be a mapping with id, title and questions")
        return Checked(None, problem.problems)
    top = _mapping(root)
    for key in top:
        if key not in ("id", "title", "intro", "questions", "comment"):
            problem(top[key][0], f"unknown field {key!r}")
    survey_id = _scalar(top, "id", problem, root, required=True)
    if survey_id and not _ID.fullmatch(survey_id):
        problem(top["id"][1], "id: use lowercase letters, digits, - and _")
    title = _wording(top, "title", problem, root, "the title", required=True)
    intro = _wording(top, "intro", problem, root, "the intro")
    comment = _wording(top, "comment", problem, root, "the comment prompt")
    questions: list[Question] = []
    if "questions" not in top:
        problem(root, "missing field: questions")
    else:
        node = top["questions"][1]
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            problem(node, "questions must be a non-empty list")
        else:
            if len(node.value) > MAX_QUESTIONS:
                problem(node, f"at most {MAX_QUESTIONS} questions: a pulse should take a minute")
            seen: set[str] = set()
            for item in node.value:
                question = _question(item, problem)
                if question is None:
                    continue
                if question.id in seen:
                    problem(item, f"duplicate question id {question.id!r}")
                seen.add(question.id)
                questions.append(question)
    if problem.problems:
        return Checked(None, sorted(problem.problems), sorted(problem.warnings))
    assert survey_id is not None
    assert title is not None
    translations = tuple(
        (
            language,
            SurveyWords(
                title.get(language, ""),
                (intro or {}).get(language, ""),
                (comment or {}).get(language, ""),
            ),
        )
        for language in _other_languages(title, intro, comment)
    )
    definition = SurveyDefinition(
        survey_id,
        title[SOURCE_LANGUAGE],
        tuple(questions),
        (intro or {}).get(SOURCE_LANGUAGE, ""),
        comment[SOURCE_LANGUAGE] if comment else None,
        translations,
    )
    return Checked(definition, [], sorted(problem.warnings))


class Reporter:
    """Collects problems and warnings with the line of the YAML node they are about."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[DefinitionProblem] = []
        self.warnings: list[DefinitionProblem] = []

    def __call__(self, node: yaml.Node | None, message: str) -> None:
        self.problems.append(DefinitionProblem(self.name, _line(node), message))

    def warn(self, node: yaml.Node | None, message: str) -> None:
        self.warnings.append(DefinitionProblem(self.name, _line(node), message))


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 1


def _mapping(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {str(key.value): (key, value) for key, value in node.value}


def _scalar(
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    key: str,
    problem: Reporter,
    parent: yaml.Node,
    *,
    required: bool = False,
) -> str | None:
    if key not in fields:
        if required:
            problem(parent, f"missing field: {key}")
        return None
    node = fields[key][1]
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        problem(node, f"{key} must be a non-empty text")
        return None
    return str(node.value).strip()


def _wording(
    fields: dict[str, tuple[yaml.Node, yaml.Node]],
    key: str,
    problem: Reporter,
    parent: yaml.Node,
    what: str,
    *,
    required: bool = False,
) -> dict[str, str] | None:
    """A text people read: plain English, or `{en: ..., es: ...}`; by language."""
    if key not in fields:
        if required:
            problem(parent, f"missing field: {key}")
        return None
    return _texts(fields[key][1], key, problem, what)


def _texts(node: yaml.Node, key: str, problem: Reporter, what: str) -> dict[str, str] | None:
    """The texts of one node by language; a missing language is warned about."""
    if isinstance(node, yaml.ScalarNode):
        if not str(node.value).strip():
            problem(node, f"{key} must be a non-empty text")
            return None
        texts = {SOURCE_LANGUAGE: str(node.value).strip()}
    elif isinstance(node, yaml.MappingNode):
        texts = {}
        for language_node, text_node in node.value:
            language = str(language_node.value)
            if language not in languages():
                spoken = ", ".join(languages())
                problem(language_node, f"{key}: {language!r} is not a language here ({spoken})")
            elif not isinstance(text_node, yaml.ScalarNode) or not str(text_node.value).strip():
                problem(text_node, f"{key} in {language!r} must be a non-empty text")
            else:
                texts[language] = str(text_node.value).strip()
        if SOURCE_LANGUAGE not in texts:
            problem(node, f"{key} needs its English text ({SOURCE_LANGUAGE}: …)")
            return None
    else:
        problem(node, f"{key} must be a text, or one text per language ({{en: …, es: …}})")
        return None
    for language in languages():
        if language not in texts:
            name = LANGUAGE_NAMES.get(language, language)
            problem.warn(
                node,
                f"{what} has no {name} text ({language}: …): {name} readers see it in English",
            )
    return texts


def _english_of(node: yaml.Node) -> str | None:
    """The English of a text node, before it is checked: for naming it in a warning."""
    if isinstance(node, yaml.ScalarNode):
        return str(node.value).strip() or None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == SOURCE_LANGUAGE and isinstance(value, yaml.ScalarNode):
                return str(value.value).strip() or None
    return None


def _other_languages(*texts: Mapping[str, str] | None) -> list[str]:
    return sorted({language for t in texts if t for language in t} - {SOURCE_LANGUAGE})


def _question(node: yaml.Node, problem: Reporter) -> Question | None:
    if not isinstance(node, yaml.MappingNode):
        problem(node, "each question must be a mapping with id, type and text")
        return None
    fields = _mapping(node)
    before = len(problem.problems)
    for key in fields:
        if key not in ("id", "type", "text", "options", "low", "high"):
            problem(fields[key][0], f"unknown question field {key!r}")
    question_id = _scalar(fields, "id", problem, node, required=True)
    if question_id and not _ID.fullmatch(question_id):
        problem(fields["id"][1], "question id: use lowercase letters, digits, - and _")
    kind_text = _scalar(fields, "type", problem, node, required=True)
    named = f"question {question_id!r}" if question_id else "a question"
    text = _wording(fields, "text", problem, node, f"the text of {named}", required=True)
    kind = None
    if kind_text is not None:
        try:
            kind = QuestionKind(kind_text)
        except ValueError:
            kinds = ", ".join(k.value for k in QuestionKind)
            problem(fields["type"][1], f"type must be one of: {kinds}")
    options: list[dict[str, str]] = []
    if "options" in fields:
        options_node = fields["options"][1]
        if kind is not QuestionKind.CHOICE:
            problem(options_node, "only choice questions have options")
        elif not isinstance(options_node, yaml.SequenceNode):
            problem(options_node, "options must be a list of texts")
        else:
            options = _options(options_node, named, problem)
    elif kind is QuestionKind.CHOICE:
        problem(node, "a choice question needs options")
    low = _wording(fields, "low", problem, node, f"the low end of {named}")
    high = _wording(fields, "high", problem, node, f"the high end of {named}")
    if len(problem.problems) > before or question_id is None or kind is None or text is None:
        return None
    translations = tuple(
        (
            language,
            QuestionWords(
                text.get(language, ""),
                tuple(option.get(language, "") for option in options),
                (low or {}).get(language, ""),
                (high or {}).get(language, ""),
            ),
        )
        for language in _other_languages(text, low, high, *options)
    )
    return Question(
        question_id,
        kind,
        text[SOURCE_LANGUAGE],
        tuple(option[SOURCE_LANGUAGE] for option in options),
        (low or {}).get(SOURCE_LANGUAGE, ""),
        (high or {}).get(SOURCE_LANGUAGE, ""),
        translations=translations,
    )


def _options(node: yaml.SequenceNode, named: str, problem: Reporter) -> list[dict[str, str]]:
    """A choice's options, each by language; its English text is the value stored."""
    before = len(problem.problems)
    options: list[dict[str, str]] = []
    for item in node.value:
        english = _english_of(item)
        label = f"option {english!r}" if english else "an option"
        texts = _texts(item, "option", problem, f"{label} of {named}")
        if texts is not None:
            options.append(texts)
    if len(problem.problems) > before:
        return []
    if not 2 <= len(options) <= 6:
        problem(node, "a choice needs 2 to 6 options (it is shown as buttons)")
    for language in languages():
        shown = [option[language] for option in options if language in option]
        if len(set(shown)) != len(shown):
            problem(node, "options must be different from each other")
            break
    if any(len(text) > MAX_OPTION for option in options for text in option.values()):
        problem(node, f"keep each option under {MAX_OPTION} characters (it is a button)")
    return options
