"""The knowledge base in use: read and indexed on first use, and reloaded when its folder changes
so HR can edit articles without restarting the bot.

Reading the files and building the index take a noticeable moment of CPU, so both run in a
worker thread, never on the event loop, and only when someone first needs the index. Later, at
most every few seconds, a look at the folder runs in the background; when it finds a change the
new index is built beside the old one, which keeps answering until the new one is swapped in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path

from skills.knowledge.articles import Article, Problem, load
from skills.knowledge.search import Retriever

log = logging.getLogger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]
"""Path, modification time and size of every file a load would read."""


def bundled_kb() -> Path:
    """The sample knowledge base shipped with the package, used on the embedded default."""
    return Path(str(files("skills.knowledge") / "sample_kb"))


@dataclass(frozen=True)
class _Edition:
    """One reading of the folder: the articles, their index, and what was wrong in the files."""

    fingerprint: Fingerprint
    articles: Mapping[str, Article]
    retriever: Retriever
    problems: list[Problem] = field(default_factory=list)


class KnowledgeLibrary:
    def __init__(
        self,
        source: Path,
        *,
        check_every: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self._check_every = check_every
        self._clock = clock
        self._checked_at = float("-inf")
        self._edition: _Edition | None = None
        self._reload: asyncio.Task[None] | None = None

    async def retriever(self) -> Retriever:
        return (await self._in_service()).retriever

    async def article(self, article_id: str) -> Article | None:
        return (await self._in_service()).articles.get(article_id)

    @property
    def article_count(self) -> int:
        """Articles in service; 0 until the first reading."""
        return len(self._edition.articles) if self._edition else 0

    @property
    def problems(self) -> list[Problem]:
        """What was wrong in the files at the last reading."""
        return self._edition.problems if self._edition else []

    async def refresh(self) -> None:
        """Look at the folder now unless it was looked at in the last few seconds, and return
        once any reload this started, or one already under way, is in service."""
        reload = self._start_reload(due_only=True)
        if reload is not None:
            await asyncio.shield(reload)

    async def _in_service(self) -> _Edition:
        """The edition in service. The first call waits for the first reading; later ones start
        a look at the folder in the background when it is due, and do not wait for it."""
        reload = self._start_reload(due_only=self._edition is not None)
        if self._edition is None:
            assert reload is not None
            await asyncio.shield(reload)
        assert self._edition is not None
        return self._edition

    def _start_reload(self, *, due_only: bool) -> asyncio.Task[None] | None:
        """The reload under way, or a new one when the last look is old enough (or whatever
        its age, with `due_only` false); None when there is nothing to wait for."""
        if self._reload is not None and not self._reload.done():
            return self._reload
        now = self._clock()
        if due_only and now - self._checked_at < self._check_every:
            return None
        self._checked_at = now
        self._reload = asyncio.create_task(self._reload_now(), name="knowledge base reload")
        return self._reload

    async def _reload_now(self) -> None:
        previous = self._edition
        try:
            edition = await asyncio.to_thread(_read, self.source, previous)
        except Exception:
            if previous is None:
                raise  # whoever waits for the first reading hears of it, and the next call retries
            log.exception("knowledge base reload failed; still serving the previous one")
            return
        if edition is not None:
            self._edition = edition


def _read(source: Path, previous: _Edition | None) -> _Edition | None:
    """A new edition when the folder changed since `previous`, else None. Runs in a worker
    thread: it touches only the folder and its arguments.

    A reading that finds no valid article keeps the previous articles: a folder caught halfway
    through a copy should not leave staff with no answers at all.
    """
    fingerprint = _scan(source)
    if previous is not None and fingerprint == previous.fingerprint:
        return None
    if previous is None and not fingerprint:
        return _Edition(fingerprint, {}, Retriever([]))  # nothing there to read
    loaded = load(source)
    for problem in loaded.problems:
        log.warning("knowledge base: %s", problem)
    if not loaded.articles and previous is not None and previous.articles:
        log.error("knowledge base reload found no valid article; keeping the previous set")
        return replace(previous, fingerprint=fingerprint, problems=loaded.problems)
    edition = _Edition(
        fingerprint,
        {article.id: article for article in loaded.articles},
        Retriever(loaded.articles),
        loaded.problems,
    )
    log.info("knowledge base loaded: %d articles from %s", len(loaded.articles), source)
    return edition


def _scan(source: Path) -> Fingerprint:
    if source.is_file():
        paths = [source]
    elif source.is_dir():
        paths = sorted(p for p in source.rglob("*") if p.suffix.lower() in (".md", ".csv"))
    else:
        return ()
    stamps = []
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)
