"""Survey definitions in YAML, checked with line-precise errors.

```yaml
id: weekly-pulse
title: Weekly pulse
intro: Three quick questions about your week. Your answers are anonymous.
questions:
  - id: workload
    type: rating          # 1-5
    text: My workload this week was manageable.
    low: Strongly disagree
    high: Strongly agree
  - id: recommend
    type: enps            # 0-10
    text: How likely are you to recommend working here to a friend?
  - id: breaks
    type: choice
    text: Did you get your breaks this week?
    options: [Always, Mostly, Rarely, Never]
comment: Anything else you'd like to tell us?   # optional free-text comment
```
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

MAX_QUESTIONS = 10
_ID = re.compile(r"[a-z][a-z0-9_-]{0,40}")


class QuestionKind(StrEnum):
    RATING = "rating"
    ENPS = "enps"
    CHOICE = "choice"


@dataclass(frozen=True)
class Question:
    id: str
    kind: QuestionKind
    text: str
    options: tuple[str, ...] = ()
    low: str = ""
    high: str = ""

    @property
    def values(self) -> tuple[str, ...]:
        """The answers a person can give, as stored."""
        if self.kind is QuestionKind.RATING:
            return tuple(str(n) for n in range(1, 6))
        if self.kind is QuestionKind.ENPS:
            return tuple(str(n) for n in range(11))
        return self.options


@dataclass(frozen=True)
class SurveyDefinition:
    id: str
    title: str
    questions: tuple[Question, ...]
    intro: str = ""
    comment: str | None = None

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "intro": self.intro,
            "comment": self.comment,
            "questions": [
                {
                    "id": q.id,
                    "type": q.kind.value,
                    "text": q.text,
                    "options": list(q.options),
                    "low": q.low,
                    "high": q.high,
                }
                for q in self.questions
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SurveyDefinition:
        return cls(
            id=data["id"],
            title=data["title"],
            intro=data.get("intro", ""),
            comment=data.get("comment"),
            questions=tuple(
                Question(
                    id=q["id"],
                    kind=QuestionKind(q["type"]),
                    text=q["text"],
                    options=tuple(q.get("options", ())),
                    low=q.get("low", ""),
                    high=q.get("high", ""),
                )
                for q in data["questions"]
            ),
        )


@dataclass(frozen=True, order=True)
class DefinitionProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Checked:
    definition: SurveyDefinition | None
    problems: list[DefinitionProblem] = field(default_factory=list)


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
    """Parse and check a definition; every problem is reported with its line."""
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
    title = _scalar(top, "title", problem, root, required=True)
    intro = _scalar(top, "intro", problem, root) or ""
    comment = _scalar(top, "comment", problem, root)
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
        return Checked(None, sorted(problem.problems))
    assert survey_id is not None
    assert title is not None
    return Checked(SurveyDefinition(survey_id, title, tuple(questions), intro, comment))


class Reporter:
    """Collects problems with the line of the YAML node they are about."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[DefinitionProblem] = []

    def __call__(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        self.problems.append(DefinitionProblem(self.name, line, message))


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
    text = _scalar(fields, "text", problem, node, required=True)
    kind = None
    if kind_text is not None:
        try:
            kind = QuestionKind(kind_text)
        except ValueError:
            kinds = ", ".join(k.value for k in QuestionKind)
            problem(fields["type"][1], f"type must be one of: {kinds}")
    options: tuple[str, ...] = ()
    if "options" in fields:
        options_node = fields["options"][1]
        if kind is not QuestionKind.CHOICE:
            problem(options_node, "only choice questions have options")
        elif not isinstance(options_node, yaml.SequenceNode) or not all(
            isinstance(o, yaml.ScalarNode) and str(o.value).strip() for o in options_node.value
        ):
            problem(options_node, "options must be a list of texts")
        else:
            options = tuple(str(o.value).strip() for o in options_node.value)
            if not 2 <= len(options) <= 6:
                problem(options_node, "a choice needs 2 to 6 options (it is shown as buttons)")
            if len(set(options)) != len(options):
                problem(options_node, "options must be different from each other")
            if any(len(o) > 40 for o in options):
                problem(options_node, "keep each option under 40 characters (it is a button)")
    elif kind is QuestionKind.CHOICE:
        problem(node, "a choice question needs options")
    low = _scalar(fields, "low", problem, node) or ""
    high = _scalar(fields, "high", problem, node) or ""
    if len(problem.problems) > before or question_id is None or kind is None or text is None:
        return None
    return Question(question_id, kind, text, options, low, high)
