"""Builds the index of a knowledge base in a process of its own, and saves it for the server.

    python -m skills.knowledge.indexer SOURCE CACHE_DIR

Reading thousands of articles and indexing them is seconds of pure-Python work. In a thread of
the server it would hold the interpreter lock for most of that time, and every request would
wait; in this process it does not touch the server at all. It writes the index under the name of
the knowledge base's content (see `shelf`), or finds it there already, and prints one JSON line:
`{"path": ..., "built": bool, "seconds": float}`. It runs at a lower CPU priority than the server.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from skills.knowledge import shelf
from skills.knowledge.articles import load
from skills.knowledge.search import Retriever

NICENESS = 10
"""Serving answers comes before indexing the next edition."""
ATTEMPTS = 3
"""Readings of a folder that keeps changing under the reader before giving up."""


def build(source: Path, cache_dir: Path) -> tuple[Path, bool]:
    """The saved index of `source` as it is now, and whether it had to be built."""
    for _ in range(ATTEMPTS):
        key = shelf.index_key(source)
        path = shelf.path_for(cache_dir, key)
        if path.is_file():
            os.utime(path)  # recently used: kept by `prune`
            return path, False
        loaded = load(source)
        if shelf.index_key(source) != key:
            continue  # changed while being read: what was read may mix two editions
        shelf.write(path, key, Retriever(loaded.articles), loaded.problems)
        shelf.prune(cache_dir)
        return path, True
    raise RuntimeError(f"the knowledge base kept changing during {ATTEMPTS} readings")


def main(argv: Sequence[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m skills.knowledge.indexer SOURCE CACHE_DIR", file=sys.stderr)
        return 2
    os.nice(NICENESS)
    started = time.monotonic()
    path, built = build(Path(argv[0]), Path(argv[1]))
    result = {"path": str(path), "built": built, "seconds": round(time.monotonic() - started, 3)}
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
