"""The knowledge base in use, reloaded when its folder changes so HR can edit articles without
restarting the bot."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from skills.knowledge.articles import Article, Problem, load
from skills.knowledge.search import Retriever

log = logging.getLogger(__name__)

Fingerprint = tuple[tuple[str, int, int], ...]


def bundled_kb() -> Path:
    """The sample knowledge base shipped with the package, used on the embedded default."""
    return Path(str(files("skills.knowledge") / "sample_kb"))


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
        self._fingerprint: Fingerprint = ()
        self._articles: dict[str, Article] = {}
        self._retriever = Retriever([])
        self.problems: list[Problem] = []
        self.refresh()

    def retriever(self) -> Retriever:
        self.refresh()
        return self._retriever

    @property
    def article_count(self) -> int:
        return len(self._articles)

    def article(self, article_id: str) -> Article | None:
        self.refresh()
        return self._articles.get(article_id)

    def refresh(self) -> bool:
        """Reload if any file changed since the last look (checked at most every few seconds).

        A reload that finds no valid article keeps the previous set: a folder caught halfway
        through a copy should not leave staff with no answers at all.
        """
        now = self._clock()
        if now - self._checked_at < self._check_every:
            return False
        self._checked_at = now
        fingerprint = self._scan()
        if fingerprint == self._fingerprint:
            return False
        loaded = load(self.source)
        self._fingerprint = fingerprint
        self.problems = loaded.problems
        for problem in loaded.problems:
            log.warning("knowledge base: %s", problem)
        if not loaded.articles and self._articles:
            log.error("knowledge base reload found no valid article; keeping the previous set")
            return False
        self._articles = {article.id: article for article in loaded.articles}
        self._retriever = Retriever(loaded.articles)
        log.info("knowledge base loaded: %d articles from %s", len(loaded.articles), self.source)
        return True

    def _scan(self) -> Fingerprint:
        if self.source.is_file():
            paths = [self.source]
        elif self.source.is_dir():
            paths = sorted(p for p in self.source.rglob("*") if p.suffix.lower() in (".md", ".csv"))
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
