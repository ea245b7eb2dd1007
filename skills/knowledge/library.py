"""The knowledge base in use: read and indexed in the background, and reloaded when its folder
changes so HR can edit articles without restarting the bot.

Nothing here runs long on the event loop, which also answers Slack within its 3 seconds and
keeps the scheduler's lease. At most every few seconds (and only when someone asks), a worker
thread lists the folder and compares each file's size, modification time and inode with the
last reading: no file is read unless one changed. A change starts a new edition beside the old
one, which keeps answering until the new one is swapped in:

- a small knowledge base (under `PROCESS_FROM_FILES` files) is read and indexed in a worker
  thread: a fraction of a second, less than starting a process would take;
- a large one is indexed by `skills.knowledge.indexer` in a process of its own, which saves the
  index under the name of the folder's content (see `shelf`); the server then reads it back a
  frame at a time. A restart, or another replica, on unchanged content finds the index saved
  and skips the build.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path

from skills.knowledge import shelf
from skills.knowledge.articles import Article, Problem, by_id, load
from skills.knowledge.search import Retriever
from skills.textkit.spelling import load_english

log = logging.getLogger(__name__)

PROCESS_FROM_FILES = 100
"""From this many files on, the index is built in a process of its own: a thread would hold the
interpreter lock for seconds and stall the server (600 articles: 3 s of indexing, with pauses of
over 100 ms between requests)."""

Fingerprint = tuple[tuple[str, int, int, int], ...]
"""Path, modification time, size and inode of every file a load would read."""


def bundled_kb() -> Path:
    """The sample knowledge base shipped with the package, used on the embedded default."""
    return Path(str(files("skills.knowledge") / "sample_kb"))


def default_cache_dir() -> Path:
    """Where saved indexes go unless BREAKROOM_KB_CACHE_DIR says otherwise: the user's cache
    folder, as the XDG base directories define it."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "breakroom" / "knowledge"


class IndexerFailed(RuntimeError):
    """The indexing process did not produce an index."""


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
        cache_dir: Path | None = None,
        check_every: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        process_from_files: int = PROCESS_FROM_FILES,
    ) -> None:
        self.source = source
        self.cache_dir = cache_dir or default_cache_dir()
        self._check_every = check_every
        self._clock = clock
        self._process_from_files = process_from_files
        self._checked_at = float("-inf")
        self._edition: _Edition | None = None
        self._reload: asyncio.Task[None] | None = None
        self._freeze_editions = False

    def start(self, *, freeze_editions: bool = False) -> None:
        """Begin the first reading now, in the background, so the first question does not wait
        for it (the server calls this as it starts). With `freeze_editions`, each edition put
        in service is left out of the garbage collector's full passes (see
        `_keep_out_of_collections`): for a process that is only the server.

        The English word list that spelling help needs is read here, at once: it is one call
        that holds the interpreter for over 100 ms wherever it runs, harmless while the server
        is starting and takes no requests yet, a stall of every request later."""
        load_english()
        self._freeze_editions = freeze_editions
        if self._edition is None:
            self._start_reload(due_only=False)

    async def close(self) -> None:
        """Stop a reading under way, and the indexing process with it."""
        if self._reload is not None and not self._reload.done():
            self._reload.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reload

    async def retriever(self) -> Retriever:
        return (await self._in_service()).retriever

    async def article(self, article_id: str) -> Article | None:
        return (await self._in_service()).articles.get(article_id)

    async def articles(self) -> list[Article]:
        """Every article in service."""
        return list((await self._in_service()).articles.values())

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
        self._reload.add_done_callback(_retrieve_failure)
        return self._reload

    async def _reload_now(self) -> None:
        previous = self._edition
        try:
            edition = await self._read(previous)
        except Exception:
            if previous is None:
                raise  # whoever waits for the first reading hears of it, and the next call retries
            log.exception("knowledge base reload failed; still serving the previous one")
            return
        if edition is not None:
            self._edition = edition
            if self._freeze_editions:
                _keep_out_of_collections()

    async def _read(self, previous: _Edition | None) -> _Edition | None:
        """A new edition when the folder changed since `previous`, else None.

        A reading that finds no valid article keeps the previous articles: a folder caught
        halfway through a copy should not leave staff with no answers at all.
        """
        fingerprint = await asyncio.to_thread(_scan, self.source)
        if previous is not None and fingerprint == previous.fingerprint:
            return None
        if len(fingerprint) < self._process_from_files:
            edition = await asyncio.to_thread(_read_here, self.source, fingerprint)
        else:
            edition = await self._read_built_elsewhere(fingerprint)
        for problem in edition.problems:
            log.warning("knowledge base: %s", problem)
        if not edition.articles and previous is not None and previous.articles:
            log.error("knowledge base reload found no valid article; keeping the previous set")
            return replace(previous, fingerprint=fingerprint, problems=edition.problems)
        return edition

    async def _read_built_elsewhere(self, fingerprint: Fingerprint) -> _Edition:
        """The edition indexed by the indexing process (or saved before), read back in frames.
        A saved index that cannot be used is built again and replaces it, once: a second
        failure is the reading's failure."""
        log.info(
            "knowledge base: %d files to read; indexing them in a process of its own, unless "
            "their index is saved",
            len(fingerprint),
        )
        indexed = await self._run_indexer()
        try:
            retriever, problems, read_seconds = await _read_saved(indexed)
        except shelf.UnusableIndex as exc:
            log.warning(
                "knowledge base: the saved index %s %s; building it again", indexed.path, exc
            )
            indexed = await self._run_indexer(rebuild=True)
            retriever, problems, read_seconds = await _read_saved(indexed)
        log.info(
            "knowledge base loaded: %d articles from %s (%s, read back in %.1f s)",
            len(retriever.articles),
            self.source,
            f"indexed in {indexed.seconds:.1f} s" if indexed.built else "saved index",
            read_seconds,
        )
        return _Edition(fingerprint, by_id(retriever.articles), retriever, problems)

    async def _run_indexer(self, *, rebuild: bool = False) -> _Indexed:
        """Run `skills.knowledge.indexer`, which is killed if this is cancelled."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "skills.knowledge.indexer",
            str(self.source),
            str(self.cache_dir),
            *(["--rebuild"] if rebuild else []),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await process.communicate()
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        if process.returncode != 0:
            last = (err.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
            raise IndexerFailed(f"the indexing process exited with {process.returncode}: {last}")
        result = json.loads(out.decode().strip().splitlines()[-1])
        indexed = _Indexed(
            Path(result["path"]), bool(result["built"]), float(result["seconds"]), result["unsaved"]
        )
        if indexed.unsaved is not None:
            log.warning(
                "knowledge base: cannot save its index in %s (%s): a restart indexes it again; "
                "set BREAKROOM_KB_CACHE_DIR to a folder the bot can write to",
                self.cache_dir,
                indexed.unsaved,
            )
        return indexed


@dataclass(frozen=True)
class _Indexed:
    """What the indexing process reported (see `skills.knowledge.indexer`)."""

    path: Path
    built: bool
    seconds: float
    unsaved: str | None


async def _read_saved(indexed: _Indexed) -> tuple[Retriever, list[Problem], float]:
    """An index read back, and the seconds that took. One the cache folder could not take is
    in a temporary folder of its own, removed once read."""
    started = time.monotonic()
    try:
        retriever, problems = await shelf.read(indexed.path, key=indexed.path.stem)
    finally:
        if indexed.unsaved is not None:
            await asyncio.to_thread(shutil.rmtree, indexed.path.parent, ignore_errors=True)
    return retriever, problems, time.monotonic() - started


def _keep_out_of_collections() -> None:
    """Leave the edition just put in service out of the garbage collector's full passes.

    A large index is hundreds of thousands of objects that live until the next reload. A full
    pass scans every object the process keeps (well over 100 ms in the server), and loading an
    index is just the kind of allocation that sets one off. So once an edition is in service,
    recent garbage is collected (a short pass over young objects only) and whatever is alive
    is frozen (`gc.freeze`): later full passes look only at what came after. The edition this
    one replaced is still freed, by reference counting, as nothing in it refers back to itself.
    """
    gc.collect(1)
    gc.freeze()


def _retrieve_failure(task: asyncio.Task[None]) -> None:
    """Mark a failed first reading as seen: a reading started by `start` may have no caller
    waiting for it yet, and the next call retries it anyway."""
    if not task.cancelled() and task.exception() is not None:
        log.error("knowledge base could not be read: %s", task.exception())


def _read_here(source: Path, fingerprint: Fingerprint) -> _Edition:
    """Read and index in this process. Runs in a worker thread: it touches only the folder."""
    if not fingerprint:
        return _Edition(fingerprint, {}, Retriever([]))  # nothing there to read
    loaded = load(source)
    edition = _Edition(
        fingerprint,
        by_id(loaded.articles),
        Retriever(loaded.articles, versions=loaded.versions),
        loaded.problems,
    )
    log.info("knowledge base loaded: %d articles from %s", len(loaded.articles), source)
    return edition


def _scan(source: Path) -> Fingerprint:
    """Size, modification time and inode of every file a load would read: only a listing of
    the folder and a `stat` per file, no file's content."""
    if source.is_file():
        stat = source.stat()
        return ((source.name, stat.st_mtime_ns, stat.st_size, stat.st_ino),)
    stamps: list[tuple[str, int, int, int]] = []
    folders = [str(source)]
    while folders:
        try:
            entries = list(os.scandir(folders.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    folders.append(entry.path)
                elif entry.name.lower().endswith((".md", ".csv")):
                    stat = entry.stat()
                    stamps.append((entry.path, stat.st_mtime_ns, stat.st_size, stat.st_ino))
            except OSError:
                continue  # removed since the listing
    return tuple(sorted(stamps))
