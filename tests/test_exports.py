"""Files made for a terminal user: saved under names that say what they are, in a known folder
the user is told about, and deleted after a week (by the terminal when it saves, and nightly)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from adapters.console.render import render
from bot.events import SYSTEM_ACTOR, SYSTEM_CONVERSATION, ScheduledTrigger
from bot.exports import EXPORT_LIFETIME, export_folder, export_name, prune_exports, save_export
from bot.housekeeping import PRUNE_JOB
from bot.replies import File, Image, Reply, Text
from bot.runtime import start_runtime
from bot.settings import Settings

DAY = timedelta(days=1)


def aged(path: Path, age: timedelta) -> Path:
    path.write_bytes(b"x")
    stamp = (datetime.now(UTC) - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_exports_go_beside_the_database_unless_a_folder_is_set(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    assert export_folder(make_settings()) == tmp_path / "exports"
    chosen = tmp_path / "mine"
    assert export_folder(make_settings(BREAKROOM_EXPORT_DIR=str(chosen))) == chosen
    postgres = make_settings(DATABASE_URL="postgresql+asyncpg://db.example/breakroom")
    assert export_folder(postgres) == Path("exports")


def test_names_say_what_and_when_and_never_overwrite(tmp_path: Path) -> None:
    name = export_name("Pulse 3 results", date(2026, 12, 6), "png")
    assert name == "pulse-3-results-2026-12-06.png"
    first = save_export(tmp_path / "exports", name, b"one")
    second = save_export(tmp_path / "exports", name, b"two")
    assert (first.name, second.name) == (name, "pulse-3-results-2026-12-06-2.png")
    assert first.read_bytes() == b"one"


def test_only_old_exports_are_deleted(tmp_path: Path) -> None:
    old = aged(tmp_path / "pulse-3-results-q1-2026-11-01.png", EXPORT_LIFETIME + DAY)
    recent = aged(tmp_path / "breakroom-ideas-2026-12-05.csv", EXPORT_LIFETIME - DAY)
    theirs = aged(tmp_path / "budget.csv", EXPORT_LIFETIME * 10)
    assert prune_exports(tmp_path, datetime.now(UTC)) == 1
    assert not old.exists()
    assert recent.exists()
    assert theirs.exists()


def test_the_terminal_saves_files_by_name_and_says_where(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    stale = aged(exports / "pulse-1-results-q1-2026-01-01.png", EXPORT_LIFETIME + DAY)
    reply = Reply.of(
        Text("Results"),
        Image("A bar chart", "Q1", png=b"png", filename="pulse-3-results-q1-2026-12-06.png"),
        File("breakroom-ideas-2026-12-06.csv", b"id,title\n", "text/csv", "Ideas"),
    )
    text = render(reply, exports).text
    chart = exports / "pulse-3-results-q1-2026-12-06.png"
    ideas = exports / "breakroom-ideas-2026-12-06.csv"
    assert chart.read_bytes() == b"png"
    assert ideas.read_bytes() == b"id,title\n"
    assert f"saved to {chart.resolve()}" in text
    assert f"saved to {ideas.resolve()}" in text
    assert not stale.exists()


async def test_the_nightly_job_deletes_old_exports(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    old = aged(exports / "breakroom-ideas-2026-01-01.csv", EXPORT_LIFETIME + DAY)
    recent = aged(exports / "breakroom-ideas-2026-12-05.csv", DAY)
    rt = await start_runtime(make_settings())
    try:
        trigger = ScheduledTrigger(
            actor=SYSTEM_ACTOR, conversation=SYSTEM_CONVERSATION, job=PRUNE_JOB
        )
        assert await rt.router.dispatch(trigger) == []
    finally:
        await rt.close()
    assert not old.exists()
    assert recent.exists()
