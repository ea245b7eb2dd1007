"""Reloading the knowledge base without stalling the server: a large one is indexed in a process
of its own and saved under the name of its content; the old index answers until the new one is
in service; a change is found by the files' sizes, times and inodes.

`process_from_files=1` sends these small knowledge bases down the path large ones take."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest

from skills.knowledge import shelf
from skills.knowledge.articles import load
from skills.knowledge.library import PROCESS_FROM_FILES, KnowledgeLibrary
from skills.knowledge.search import Retriever
from tests.cli import BREAKROOM, clean_env, free_port, running_with
from tests.kb_fixture import ARTICLES, write_article, write_kb

UNIFORMS = "Do we get money for scrubs?"
LOGGER = "skills.knowledge.library"


def write_uniform_article(kb: Path) -> Path:
    return write_article(
        kb,
        "uniform-allowance",
        "Uniform allowance",
        ["Do we get money for scrubs?"],
        ["scrubs", "uniform", "allowance"],
        "Each year you get $150 toward scrubs and uniform shoes, loaded on your badge in July.",
    )


def large_path_library(kb: Path, cache: Path, now: list[float]) -> KnowledgeLibrary:
    return KnowledgeLibrary(kb, cache_dir=cache, clock=lambda: now[0], process_from_files=1)


def loaded_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.getMessage().startswith("knowledge base loaded")
    ]


async def test_a_restart_on_unchanged_content_reads_the_saved_index_and_a_change_does_not(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb = write_kb(tmp_path / "kb")
    with caplog.at_level(logging.INFO, logger=LOGGER):
        retriever = await large_path_library(kb, tmp_path / "cache", [0.0]).retriever()
    assert "indexed in" in loaded_lines(caplog)[-1]
    here = Retriever(load(kb).articles)
    for question in ("How much PTO do I get?", "flu shott", "Is there free counselling?"):
        assert retriever.answer(question) == here.answer(question), "the same as built here"
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        restarted = large_path_library(kb, tmp_path / "cache", [0.0])
        await restarted.retriever()
        assert "saved index" in loaded_lines(caplog)[-1]
        write_uniform_article(kb)
        await large_path_library(kb, tmp_path / "cache", [0.0]).retriever()
        assert "indexed in" in loaded_lines(caplog)[-1]
    assert len(list((tmp_path / "cache").glob("*.index"))) == 2


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="cut short"),
        pytest.param(
            lambda data: data.replace(b"format", b"formar", 1), id="another format version"
        ),
    ],
)
async def test_a_damaged_or_foreign_saved_index_is_ignored_then_built_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: object
) -> None:
    kb = write_kb(tmp_path / "kb")
    loaded = load(kb)
    saved = shelf.path_for(tmp_path / "cache", shelf.index_key(kb))
    shelf.write(saved, saved.stem, Retriever(loaded.articles), loaded.problems)
    assert callable(damage)
    saved.write_bytes(damage(saved.read_bytes()))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=LOGGER):
        retriever = await large_path_library(kb, tmp_path / "cache", [0.0]).retriever()
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.getMessage().startswith(f"knowledge base: the saved index {saved} ")
    assert warning.getMessage().endswith("; building it again")
    assert warning.exc_info is None, "one clean line, no traceback"
    assert "indexed in" in loaded_lines(caplog)[-1]
    best = retriever.answer("How much PTO do I get?").best
    assert best is not None
    assert best.article.id == "pto-basics"


async def test_a_cache_folder_that_cannot_be_written_still_gives_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = write_kb(tmp_path / "kb")
    not_a_folder = tmp_path / "cache"
    not_a_folder.write_text("a file where the cache folder should be", encoding="utf-8")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    with caplog.at_level(logging.INFO, logger=LOGGER):
        retriever = await large_path_library(kb, not_a_folder, [0.0]).retriever()
    best = retriever.answer("How much PTO do I get?").best
    assert best is not None
    assert best.article.id == "pto-basics"
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warning.startswith(f"knowledge base: cannot save its index in {not_a_folder} (")
    assert list(temporary.iterdir()) == [], "the index kept nowhere else is removed once read"


async def test_an_article_with_a_date_that_does_not_exist_is_skipped_and_the_rest_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kb = write_kb(tmp_path / "kb")
    bad = write_uniform_article(kb)
    bad.write_text(bad.read_text().replace("updated: 2026-01-01", "updated: 2026-13-45"))
    for library in (
        KnowledgeLibrary(kb, cache_dir=tmp_path / "small"),
        large_path_library(kb, tmp_path / "large", [0.0]),
    ):
        with caplog.at_level(logging.WARNING, logger=LOGGER):
            retriever = await library.retriever()
        best = retriever.answer("How much PTO do I get?").best
        assert best is not None
        assert best.article.id == "pto-basics"
        assert library.article_count == len(ARTICLES)
        [problem] = library.problems
        assert (problem.path, problem.message) == (
            str(bad),
            "bad front matter: '2026-13-45' is not a real date; write it as YYYY-MM-DD",
        )
        await library.close()


async def test_the_old_index_answers_until_the_new_one_is_in_service(tmp_path: Path) -> None:
    now = [0.0]
    kb = write_kb(tmp_path / "kb")
    library = large_path_library(kb, tmp_path / "cache", now)
    first = await library.retriever()
    write_uniform_article(kb)
    now[0] = 5.0
    assert await library.retriever() is first, "a due check starts the reload in the background"
    answered_meanwhile = 0
    while await library.article("uniform-allowance") is None:
        retriever = await library.retriever()
        assert retriever is first
        assert retriever.answer("How much PTO do I get?").answered
        answered_meanwhile += 1
        await asyncio.sleep(0.01)
    assert answered_meanwhile, "the new index took a while, and questions were answered"
    best = (await library.retriever()).answer(UNIFORMS).best
    assert best is not None
    assert best.article.id == "uniform-allowance"


async def test_edited_added_and_removed_articles_are_seen_at_the_next_check(
    tmp_path: Path,
) -> None:
    now = [0.0]
    kb = write_kb(tmp_path / "kb")
    library = KnowledgeLibrary(kb, cache_dir=tmp_path / "cache", clock=lambda: now[0])

    async def after_a_check() -> None:
        now[0] += 10.0
        await library.refresh()

    await library.retriever()
    added = write_uniform_article(kb)
    await after_a_check()
    assert await library.article("uniform-allowance") is not None
    added.write_text(added.read_text("utf-8").replace("Uniform allowance", "Scrubs money"))
    await after_a_check()
    edited = await library.article("uniform-allowance")
    assert edited is not None
    assert edited.title == "Scrubs money"
    added.unlink()
    await after_a_check()
    assert await library.article("uniform-allowance") is None
    assert not (tmp_path / "cache").exists(), "a small knowledge base is not saved"


async def test_closing_the_library_stops_the_indexing_process(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    cache = tmp_path / "cache-being-built"
    library = large_path_library(kb, cache, [0.0])
    library.start()
    async with asyncio.timeout(10):
        # No event to wait for: the indexing process is another program.
        while not await asyncio.to_thread(running_with, str(cache)):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    await library.close()
    assert not await asyncio.to_thread(running_with, str(cache))
    assert library.article_count == 0


async def test_a_saved_index_reads_back_the_same_retriever(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    loaded = load(kb)
    built = Retriever(loaded.articles)
    path = shelf.path_for(tmp_path, "k1")
    shelf.write(path, "k1", built, loaded.problems)
    read, problems = await shelf.read(path, "k1")
    assert read.articles == built.articles
    assert problems == loaded.problems
    assert read.answer("vacation days").hits == built.answer("vacation days").hits
    with pytest.raises(shelf.UnusableIndex, match="another knowledge base"):
        await shelf.read(path, "k2")


async def test_a_replaced_index_is_freed_without_the_garbage_collector(tmp_path: Path) -> None:
    """Editions in service are frozen out of the collector's passes; one that is replaced must
    still go, by reference counting alone, or every reload would keep a whole index."""
    now = [0.0]
    library = KnowledgeLibrary(write_kb(tmp_path / "kb"), clock=lambda: now[0])
    library.start(freeze_editions=True)
    retriever = await library.retriever()
    parts: list[Callable[[], object]] = [
        weakref.ref(retriever),
        weakref.ref(retriever.index.typing.speller),
    ]
    parts += [weakref.ref(article) for article in retriever.articles]
    del retriever
    write_uniform_article(library.source)
    now[0] = 10.0
    gc.disable()
    try:
        await library.refresh()
        assert await library.article("uniform-allowance") is not None
        assert [part for part in parts if part() is not None] == []
    finally:
        gc.enable()


async def test_serve_stops_at_sigterm_while_a_large_knowledge_base_is_indexed(
    tmp_path: Path,
) -> None:
    """`breakroom serve` reads the knowledge base as it starts; a SIGTERM in the middle stops
    the server and the indexing process with it, instead of waiting for the index."""
    kb = tmp_path / "kb"
    kb.mkdir()
    for number in range(PROCESS_FROM_FILES):
        # Made-up words, so that indexing takes long enough to be interrupted.
        body = " ".join(letters(number * 200 + k) for k in range(200))
        write_article(kb, f"note-{number}", f"Note {number}", ["Where?"], ["note"], body)
    cache = tmp_path / "cache-of-serve"
    process = await asyncio.create_subprocess_exec(
        BREAKROOM,
        "serve",
        "--port",
        str(free_port()),
        cwd=tmp_path,
        env=clean_env(BREAKROOM_KB_DIR=str(kb), BREAKROOM_KB_CACHE_DIR=str(cache)),
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    async with asyncio.timeout(30):
        while b"indexing them in a process of its own" not in await process.stderr.readline():
            pass
        while not await asyncio.to_thread(running_with, str(cache)):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    async with asyncio.timeout(10):
        await process.communicate()
    assert process.returncode == 0
    assert not await asyncio.to_thread(running_with, str(cache))
    assert not list(cache.glob("*.index")), "stopped before the index was saved"


def letters(number: int) -> str:
    """A made-up word for a number: 0 -> "aaaa", 1 -> "baaa"."""
    word = ""
    for _ in range(4):
        number, digit = divmod(number, 26)
        word += chr(ord("a") + digit)
    return word
