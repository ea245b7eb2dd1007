"""Knowledge-base articles: Markdown files with YAML front matter, or rows of an HR spreadsheet.

An article may have a Spanish version: a Markdown file whose front matter says `lang: es` and
`translation_of: <the English article's id>`, with its own title, questions, tags and text
(`id`, `audience`, `link` and `updated` are the English article's unless it gives its own).

Loading never stops at the first bad file: every problem is collected with its file and line,
so `breakroom kb check` can list them all and the bot can serve the articles that are fine.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from bot.i18n import languages

REQUIRED_FIELDS = ("id", "title", "questions", "tags", "audience", "link", "updated")
VERSION_REQUIRED_FIELDS = ("title", "translation_of")
"""A version says what it translates; what it leaves out is its English article's."""
_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    body: str
    questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    audience: str = ""
    link: str = ""
    updated: str = ""
    source: str = ""
    lang: str = "en"
    translation_of: str = ""
    """For a version in another language: the id of the English article it translates."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in the knowledge base, where it is."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class Loaded:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    versions: list[Article] = field(default_factory=list)
    """Versions of articles in another language (`Article.translation_of`)."""


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's own loader, except that a date which does not exist (`updated: 2026-13-45`) is
    a marked error on its line, like any other bad front matter, not a bare ValueError."""


def _checked_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)  # type: ignore[arg-type]
    except ValueError:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"{node.value!r} is not a real date; write it as YYYY-MM-DD",
            node.start_mark,
        ) from None


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _checked_timestamp)


def load(source: Path) -> Loaded:
    """Load a folder of Markdown files (and any CSV files in it), or a single CSV file."""
    if source.is_file():
        loaded = Loaded()
        _load_csv(source, loaded)
        return _check_duplicates(loaded)
    loaded = Loaded()
    if not source.is_dir():
        loaded.problems.append(Problem(str(source), 0, "no such folder or file"))
        return loaded
    for path in knowledge_files(source):
        if path.name.lower() == "readme.md":
            continue
        if path.suffix.lower() == ".csv":
            _load_csv(path, loaded)
        else:
            _load_markdown(path, loaded)
    _check_links(loaded)
    return _check_versions(_check_duplicates(loaded))


def knowledge_files(source: Path) -> list[Path]:
    """The files a load of `source` reads, in the order it reads them."""
    if source.is_file():
        return [source]
    if not source.is_dir():
        return []
    return sorted(p for p in source.rglob("*") if p.suffix.lower() in (".md", ".csv"))


def _load_markdown(path: Path, loaded: Loaded) -> None:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        loaded.problems.append(Problem(name, 0, f"cannot read the file: {exc}"))
        return
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        loaded.problems.append(Problem(name, 1, "no front matter: the file must start with ---"))
        return
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        loaded.problems.append(Problem(name, 1, "front matter is not closed with ---"))
        return
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=_FrontMatterLoader) or {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 2 if mark is not None else 1
        loaded.problems.append(Problem(name, line, f"bad front matter: {exc.problem}"))
        return
    if not isinstance(meta, dict):
        loaded.problems.append(Problem(name, 2, "front matter must be a mapping of fields"))
        return
    body = "\n".join(lines[end + 1 :]).strip()
    if meta.get("lang", "en") != "en" or "translation_of" in meta:
        version = _version(meta, body, name, lines, loaded.problems)
        if version is not None:
            loaded.versions.append(version)
        return
    article = _article(meta, body, name, lines, loaded.problems)
    if article is not None:
        loaded.articles.append(article)


def _field_line(lines: list[str], key: str) -> int:
    for number, line in enumerate(lines, start=1):
        if line.startswith(f"{key}:"):
            return number
    return 1


def _article(
    meta: dict[str, Any], body: str, name: str, lines: list[str], problems: list[Problem]
) -> Article | None:
    found = len(problems)
    for key in REQUIRED_FIELDS:
        if meta.get(key) in (None, "", []):
            problems.append(Problem(name, 1, f"missing field: {key}"))
    article_id = str(meta.get("id") or "")
    if article_id and not _ID.fullmatch(article_id):
        problems.append(
            Problem(name, _field_line(lines, "id"), f"id {article_id!r}: use lowercase-with-dashes")
        )
    questions, tags = _lists_and_body(meta, body, name, lines, problems)
    if len(problems) > found:
        return None
    return Article(
        id=article_id,
        title=str(meta["title"]),
        body=body,
        questions=tuple(str(q) for q in questions),
        tags=tuple(str(t) for t in tags),
        audience=str(meta.get("audience", "")),
        link=str(meta.get("link", "")),
        updated=str(meta.get("updated", "")),
        source=name,
    )


def _lists_and_body(
    meta: dict[str, Any], body: str, name: str, lines: list[str], problems: list[Problem]
) -> tuple[list[Any], list[Any]]:
    """An article's questions and tags, each checked to be a list of text, and a problem when
    it has no text: the same for an article and for its version in another language."""
    questions = meta.get("questions") or []
    tags = meta.get("tags") or []
    for key, value in (("questions", questions), ("tags", tags)):
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            problems.append(Problem(name, _field_line(lines, key), f"{key} must be a list of text"))
    if not body:
        problems.append(Problem(name, len(lines), "the article has no text after the front matter"))
    return questions, tags


def _version(
    meta: dict[str, Any], body: str, name: str, lines: list[str], problems: list[Problem]
) -> Article | None:
    """A version of an article in another language, still to be joined to its article."""
    found = len(problems)
    lang = str(meta.get("lang") or "")
    if lang not in languages()[1:]:
        problems.append(
            Problem(
                name,
                _field_line(lines, "lang"),
                f"lang {lang!r}: a version of an article says its language, one of "
                + ", ".join(languages()[1:]),
            )
        )
    for key in VERSION_REQUIRED_FIELDS:
        if meta.get(key) in (None, "", []):
            problems.append(Problem(name, 1, f"missing field: {key}"))
    questions, tags = _lists_and_body(meta, body, name, lines, problems)
    if len(problems) > found:
        return None
    original = str(meta["translation_of"])
    return Article(
        id=str(meta.get("id") or original),
        title=str(meta["title"]),
        body=body,
        questions=tuple(str(q) for q in questions),
        tags=tuple(str(t) for t in tags),
        audience=str(meta.get("audience") or ""),
        link=str(meta.get("link") or ""),
        updated=str(meta.get("updated") or ""),
        source=name,
        lang=lang,
        translation_of=original,
    )


def _load_csv(path: Path, loaded: Loaded) -> None:
    """A spreadsheet FAQ: columns question, answer, link (and optionally id, title, tags)."""
    name = str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = {c.strip().lower() for c in reader.fieldnames or ()}
            missing = [c for c in ("question", "answer", "link") if c not in columns]
            if missing:
                loaded.problems.append(Problem(name, 1, f"missing column(s): {', '.join(missing)}"))
                return
            for row in reader:
                line = reader.line_num
                values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
                if not values.get("question") or not values.get("answer"):
                    loaded.problems.append(
                        Problem(name, line, "a row needs a question and an answer")
                    )
                    continue
                question = values["question"]
                loaded.articles.append(
                    Article(
                        id=values.get("id") or _slug(question),
                        title=values.get("title") or question,
                        body=values["answer"],
                        questions=(question,),
                        tags=tuple(
                            t.strip() for t in values.get("tags", "").split(",") if t.strip()
                        ),
                        link=values["link"],
                        source=f"{name}:{line}",
                    )
                )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        loaded.problems.append(Problem(name, 0, f"cannot read the file: {exc}"))


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:60] or "faq"


def _check_duplicates(loaded: Loaded) -> Loaded:
    seen: dict[str, Article] = {}
    kept: list[Article] = []
    for article in loaded.articles:
        first = seen.get(article.id)
        if first is None:
            seen[article.id] = article
            kept.append(article)
        else:
            path, _, line = article.source.partition(":")
            loaded.problems.append(
                Problem(
                    path,
                    int(line) if line.isdigit() else 1,
                    f"duplicate id {article.id!r} (first in {first.source})",
                )
            )
    loaded.articles = kept
    loaded.problems.sort()
    return loaded


def _check_versions(loaded: Loaded) -> Loaded:
    """Each version must translate an article that was loaded, once per language; what it
    leaves out (audience, link, date) is its article's."""
    articles = by_id(loaded.articles)
    seen: dict[tuple[str, str], Article] = {}
    kept: list[Article] = []
    for version in loaded.versions:
        lines = Path(version.source).read_text(encoding="utf-8").splitlines()
        line = _field_line(lines, "translation_of")
        original = articles.get(version.translation_of)
        first = seen.get((version.translation_of, version.lang))
        if original is None:
            message = f"translation_of {version.translation_of!r}: no article has that id"
        elif first is not None:
            message = (
                f"a second {version.lang!r} version of {version.translation_of!r} "
                f"(first in {first.source})"
            )
        else:
            seen[(version.translation_of, version.lang)] = version
            kept.append(
                replace(
                    version,
                    id=original.id,
                    audience=version.audience or original.audience,
                    link=version.link or original.link,
                    updated=version.updated or original.updated,
                )
            )
            continue
        loaded.problems.append(Problem(version.source, line, message))
    loaded.versions = kept
    loaded.problems.sort()
    return loaded


def _check_links(loaded: Loaded) -> None:
    """Relative links between articles must point at files that exist in the folder."""
    for article in [*loaded.articles, *loaded.versions]:
        if not article.source.endswith(".md"):
            continue
        path = Path(article.source)
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            for target in _MD_LINK.findall(line):
                if _is_external(target):
                    continue
                file_part = target.split("#", 1)[0]
                if file_part and not (path.parent / file_part).resolve().is_file():
                    loaded.problems.append(
                        Problem(article.source, number, f"broken link to {target}")
                    )


def _is_external(target: str) -> bool:
    return bool(re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)) or target.startswith("#")


def by_id(articles: Iterable[Article]) -> dict[str, Article]:
    return {article.id: article for article in articles}
