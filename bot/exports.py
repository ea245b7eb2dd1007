"""Where files made for a person at a terminal (result charts, idea exports) are saved, under
names that say what they are, and how long they are kept.

Chat platforms take the bytes themselves; a terminal has nowhere to put them but a folder. That
folder is `BREAKROOM_EXPORT_DIR`, else `exports/` next to the SQLite database (the terminal's
embedded default), else `exports/` in the working directory. Exports hold results and ideas, so
they are deleted after `EXPORT_LIFETIME`: only files named the way this module names them, so a
folder shared with other files loses nothing else.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.settings import Settings

EXPORT_LIFETIME = timedelta(days=7)
EXPORTS = "exports"
# "<words>-YYYY-MM-DD.ext", with "-N" when a name was taken that day.
_EXPORT_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*-\d{4}-\d{2}-\d{2}(-\d+)?\.(png|csv)")
_SQLITE_FILE = re.compile(r"^sqlite(\+\w+)?:///(?P<path>[^?]+)")


def export_folder(settings: Settings) -> Path:
    if settings.export_dir is not None:
        return settings.export_dir
    found = _SQLITE_FILE.match(settings.database_url)
    if found and found["path"] != ":memory:":
        return Path(found["path"]).expanduser().parent / EXPORTS
    return Path(EXPORTS)


def export_name(what: str, day: date, suffix: str) -> str:
    """A file name that says what it is and when: `pulse-3-results-2026-12-06.png`."""
    words = re.sub(r"[^a-z0-9]+", "-", what.lower()).strip("-")[:60].strip("-") or "export"
    return f"{words}-{day:%Y-%m-%d}.{suffix}"


def save_export(folder: Path, filename: str, data: bytes) -> Path:
    """Write `data` as `filename` in `folder` (created when missing); an existing file of that
    name is kept, and this one is numbered: `…-2026-12-06-2.png`."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, dot, suffix = filename.rpartition(".")
    if not dot:
        stem, suffix = filename, ""
    path = folder / filename
    number = 2
    while path.exists():
        path = folder / f"{stem}-{number}{dot}{suffix}"
        number += 1
    path.write_bytes(data)
    return path


def prune_exports(folder: Path, now: datetime, lifetime: timedelta = EXPORT_LIFETIME) -> int:
    """Delete exports older than `lifetime`; how many were deleted."""
    if not folder.is_dir():
        return 0
    cutoff = (now - lifetime).timestamp()
    deleted = 0
    for path in folder.iterdir():
        if _EXPORT_NAME.fullmatch(path.name) and path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
