"""Builds the index of a knowledge base in a process of its own, and saves it for the server.

    python -m skills.knowledge.indexer SOURCE CACHE_DIR [--rebuild]

Reading thousands of articles and indexing them is seconds of pure-Python work. In a thread of
the server it would hold the interpreter lock for most of that time, and every request would
wait; in this process it does not touch the server at all. It writes the index under the name of
the knowledge base's content (see `shelf`), or finds it there already (unless `--rebuild`: the
one there could not be read), and prints one JSON line:
`{"path": ..., "built": bool, "unsaved": reason|null, "seconds": float}`.
It runs at a lower CPU priority than the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from skills.knowledge import shelf
from skills.knowledge.articles import load
from skills.knowledge.search import Retriever

NICENESS = 10
"""Serving answers comes before indexing the next edition."""
ATTEMPTS = 3
"""Readings of a folder that keeps changing under the reader before giving up."""


@dataclass(frozen=True)
class Built:
    path: Path
    built: bool
    """False when the index was found saved."""
    unsaved: str | None = None
    """Why the index could not be saved in the cache folder, if it could not: it is then in a
    temporary folder of its own, which the reader removes."""


def build(source: Path, cache_dir: Path, *, rebuild: bool = False) -> Built:
    """The saved index of `source` as it is now; built again, even if found, with `rebuild`."""
    for _ in range(ATTEMPTS):
        key = shelf.index_key(source)
        path = shelf.path_for(cache_dir, key)
        if path.is_file() and not rebuild:
            with contextlib.suppress(OSError):  # another replica's file, say
                os.utime(path)  # recently used: kept by `prune`
            return Built(path, built=False)
        loaded = load(source)
        if shelf.index_key(source) != key:
            continue  # changed while being read: what was read may mix two editions
        retriever = Retriever(loaded.articles, versions=loaded.versions)
        try:
            shelf.write(path, key, retriever, loaded.problems)
        except OSError as exc:
            # A read-only or missing home folder must not leave staff without answers.
            elsewhere = shelf.path_for(Path(tempfile.mkdtemp(prefix="breakroom-index-")), key)
            shelf.write(elsewhere, key, retriever, loaded.problems)
            return Built(elsewhere, built=True, unsaved=exc.strerror or type(exc).__name__)
        shelf.prune(cache_dir)
        return Built(path, built=True)
    raise RuntimeError(f"the knowledge base kept changing during {ATTEMPTS} readings")


def main(argv: Sequence[str]) -> int:
    rebuild = "--rebuild" in argv
    arguments = [a for a in argv if a != "--rebuild"]
    if len(arguments) != 2:
        print(
            "usage: python -m skills.knowledge.indexer SOURCE CACHE_DIR [--rebuild]",
            file=sys.stderr,
        )
        return 2
    os.nice(NICENESS)
    started = time.monotonic()
    built = build(Path(arguments[0]), Path(arguments[1]), rebuild=rebuild)
    result = {
        "path": str(built.path),
        "built": built.built,
        "unsaved": built.unsaved,
        "seconds": round(time.monotonic() - started, 3),
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
