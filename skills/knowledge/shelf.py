"""Built indexes saved on disk, named by what they were built from, so a restart (or another
replica on the same folder) reads the index instead of building it again.

A file is named by a digest of everything that shapes the index: the bytes of every file of the
knowledge base and their paths, and the code and vocabulary that build it. An edited article or
a new release gives a new name, so a stale index is never read, and no version has to be bumped
by hand. Files are written to a temporary name and renamed, so a reader (of this replica or
another one sharing the folder) never sees half a file.

The contents are plain data in `marshal` format (text, numbers, tuples, lists, sets, dicts): a
file cannot run code when read, as a pickle could. It is cut into frames of a few thousand
entries, so the server can read it back a frame at a time between other work on its event loop
instead of stopping for the whole index at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import marshal
import os
import struct
import sys
import tempfile
from collections.abc import Iterator, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from skills.knowledge.articles import Problem, knowledge_files
from skills.knowledge.search import Retriever
from skills.textkit.spelling import load_english

FORMAT = 1
"""Bumped when the layout of the frames changes; a file of another format is not read."""
MAGIC = b"breakroom knowledge index\n"
SUFFIX = ".index"
FRAME_ENTRIES = 8_000
"""About how many entries (a posting, a word) one frame holds: a few milliseconds to decode."""
CHARACTERS_PER_ENTRY = 64
KEEP_FILES = 4
"""Indexes kept in the folder: the one in service and a few recent ones (other replicas may be a
step behind), the rest are removed after each build."""
_LENGTH = struct.Struct("<Q")


class UnusableIndex(Exception):
    """A saved index that cannot be used: damaged, cut short, or of another format."""


def index_key(source: Path) -> str:
    """The digest naming the index of `source` as it is now (see the module's docstring)."""
    digest = hashlib.sha256(_code_digest())
    digest.update(str(source.resolve()).encode())
    for path in knowledge_files(source):
        try:
            content = path.read_bytes()
        except OSError:
            continue  # gone since the listing: the loader will say so in its problems
        name = str(path.relative_to(source)) if path != source else path.name
        digest.update(f"\0{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()[:32]


def _code_digest() -> bytes:
    """What builds an index: this format, the Python that reads it, and the code and vocabulary
    of the packages that analyze text."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{marshal.version}".encode())
    for package in ("skills.knowledge", "skills.textkit"):
        folder = files(package)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".py", ".yaml")):
                digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.digest()


def path_for(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{key}{SUFFIX}"


def write(path: Path, key: str, retriever: Retriever, problems: Sequence[Problem]) -> None:
    """Save an index, atomically: it appears under its name complete or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = retriever.state()
    state["problems"] = [(p.path, p.line, p.message) for p in problems]
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed below, not closed by a with
        dir=path.parent, prefix=f".{key}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(MAGIC)
            _write_frame(handle, {"format": FORMAT, "key": key})
            for frame in _frames(state):
                _write_frame(handle, frame)
            _write_frame(handle, ("end", "value", None))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)  # readable by replicas running as other users
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def prune(cache_dir: Path, keep: int = KEEP_FILES) -> None:
    """Remove all but the `keep` most recently used indexes."""
    found = []
    for path in cache_dir.glob(f"*{SUFFIX}"):
        with contextlib.suppress(OSError):
            found.append((path.stat().st_mtime_ns, path))
    found.sort(reverse=True)
    for _, path in found[keep:]:
        with contextlib.suppress(OSError):
            path.unlink()


async def read(path: Path, key: str) -> tuple[Retriever, list[Problem]]:
    """Read an index back, yielding to the event loop between frames. UnusableIndex when the
    file is damaged, cut short, or not this format of the index named `key`."""
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as exc:
        raise UnusableIndex(f"cannot be read ({exc.strerror})") from None
    if not data.startswith(MAGIC):
        raise UnusableIndex("is not a knowledge index")
    frames = _read_frames(memoryview(data)[len(MAGIC) :])
    try:
        header = next(frames, None)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise UnusableIndex("is of another format")
        if header.get("key") != key:
            raise UnusableIndex("belongs to another knowledge base")
        state: dict[str, Any] = {}
        for name, kind, chunk in frames:
            if name == "end":
                break
            _merge(state, name, kind, chunk)
            await asyncio.sleep(0)
        else:
            raise UnusableIndex("is cut short")
        problems = [Problem(*fields) for fields in state.pop("problems")]
        for name, value in state.items():
            if isinstance(value, set):
                state[name] = frozenset(value)
        await asyncio.to_thread(load_english)  # once per process, and not a frame's worth
        return Retriever.from_state(state), problems
    except UnusableIndex:
        raise
    except (ValueError, EOFError, TypeError, KeyError, struct.error) as exc:
        raise UnusableIndex(f"is damaged ({type(exc).__name__})") from None


def _frames(state: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    for name, value in state.items():
        if isinstance(value, dict):
            for chunk in _chunks(list(value.items())):
                yield name, "dict", dict(chunk)
        elif isinstance(value, list | set | frozenset):
            for chunk in _chunks(list(value)):
                yield name, "list" if isinstance(value, list) else "set", chunk
        else:
            yield name, "value", value


def _chunks(entries: list[Any]) -> Iterator[list[Any]]:
    """Runs of about FRAME_ENTRIES entries, each entry counted by what it holds."""
    chunk: list[Any] = []
    size = 0
    for entry in entries:
        chunk.append(entry)
        size += _weight(entry)
        if size >= FRAME_ENTRIES:
            yield chunk
            chunk, size = [], 0
    if chunk or not entries:
        yield chunk


def _weight(value: Any) -> int:
    """About how long a value takes to decode, in entries: a container counts what it holds,
    and text a unit per CHARACTERS_PER_ENTRY characters (an article's body is thousands)."""
    if isinstance(value, str):
        return 1 + len(value) // CHARACTERS_PER_ENTRY
    if isinstance(value, tuple):
        return 1 + sum(_weight(item) for item in value)
    if isinstance(value, dict | list | set | frozenset):
        return 1 + len(value)
    return 1


def _merge(state: dict[str, Any], name: str, kind: str, chunk: Any) -> None:
    if kind == "value":
        state[name] = chunk
    elif kind == "dict":
        state.setdefault(name, {}).update(chunk)
    elif kind == "list":
        state.setdefault(name, []).extend(chunk)
    elif kind == "set":
        state.setdefault(name, set()).update(chunk)
    else:
        raise UnusableIndex(f"has a frame of an unknown kind {kind!r}")


def _write_frame(handle: Any, frame: Any) -> None:
    data = marshal.dumps(frame)
    handle.write(_LENGTH.pack(len(data)))
    handle.write(data)


def _read_frames(data: memoryview) -> Iterator[Any]:
    offset = 0
    while offset < len(data):
        (length,) = _LENGTH.unpack_from(data, offset)
        offset += _LENGTH.size
        if offset + length > len(data):
            raise UnusableIndex("is cut short")
        yield marshal.loads(data[offset : offset + length])
        offset += length
