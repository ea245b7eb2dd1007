"""`breakroom chat` driven as a real subprocess through standard input and output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli import BREAKROOM, chatting, clean_env, run
from tests.spanish import english_words


def test_chat_answers_help_on_the_embedded_default(tmp_path: Path) -> None:
    result = run(["chat"], cwd=tmp_path, stdin="help\nquit\n")
    assert result.returncode == 0, result.stderr
    assert "What you can type" in result.stdout
    assert "Bye!" in result.stdout
    assert (tmp_path / "breakroom.db").exists(), "the embedded default is a SQLite file here"
    assert "Traceback" not in result.stderr


def test_chat_role_changes_what_help_offers(tmp_path: Path) -> None:
    employee = run(["chat", "--user", "sam"], cwd=tmp_path, stdin="help\n")
    hr = run(["chat", "--user", "hana", "--role", "hr"], cwd=tmp_path, stdin="help\n")
    assert employee.returncode == hr.returncode == 0
    assert "HR rights" in hr.stdout
    assert "HR rights" not in employee.stdout


def test_chat_ends_cleanly_at_end_of_input(tmp_path: Path) -> None:
    result = run(["chat"], cwd=tmp_path, stdin="")
    assert result.returncode == 0
    assert "Bye!" in result.stdout


def test_chat_with_a_bad_database_url_gives_one_line(tmp_path: Path) -> None:
    result = run(["chat"], cwd=tmp_path, stdin="help\n", DATABASE_URL="oracle://x/y")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_chat_answers_a_question_without_the_postgres_extra(tmp_path: Path) -> None:
    """The embedded default installs without asyncpg (it comes with the `postgres` extra): the
    chat answers a knowledge question, the path that has SQL of its own per backend."""
    without_asyncpg = (
        "import sys; sys.modules['asyncpg'] = None; sys.argv = ['breakroom', 'chat'];"
        "from bot.cli import main; raise SystemExit(main())"
    )
    result = subprocess.run(
        [sys.executable, "-c", without_asyncpg],
        input="How much PTO do I get?\nquit\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "(Source: " in result.stdout


# Nobody is in quiet hours, whatever the time the tests run at.
AWAKE = {"BREAKROOM_QUIET_HOURS": "00:00-00:00"}


async def test_two_terminals_on_one_database_each_show_only_their_own_persons_messages(
    tmp_path: Path,
) -> None:
    """An employee's anonymous idea moves along in a leader's terminal: the leader never sees
    who sent it; the employee hears in their own chat, at once, or when they next open it."""
    async with chatting(tmp_path, "sam") as sam:
        await sam.type("idea Put a water cooler in the waiting room")
        await sam.wait_for("Submit anonymously")
        await sam.type("2")
        await sam.wait_for("Your idea #1 is in")
        async with chatting(tmp_path, "lee", "--role", "leader") as lee:
            await lee.type("ideas status 1 under_review")
            await lee.wait_for("let the submitter know")
            await sam.wait_for("it is now Under review")
    async with chatting(tmp_path, "lee", "--role", "leader") as lee_again:
        await lee_again.type("ideas status 1 accepted")
        await lee_again.wait_for("let the submitter know")
    async with chatting(tmp_path, "sam") as sam_back:
        shown = await sam_back.wait_for("it is now Accepted")
    for leader in (lee, lee_again):
        assert "sam" not in leader.seen.lower()
        assert "Update on your idea" not in leader.seen
    assert "While you were away" in shown
    assert sam.seen.count("it is now Under review") == 1
    assert "Under review" not in sam_back.seen, "a message is shown once"


async def test_a_survey_is_answered_in_the_terminal_by_number(tmp_path: Path) -> None:
    async with chatting(tmp_path, "sam", **AWAKE) as sam:
        async with chatting(tmp_path, "hana", "--role", "hr", **AWAKE) as hana:
            await hana.type("pulse create weekly-pulse now")
            await hana.wait_for("Invitations go out")
            await hana.wait_for("Three quick questions")
        await sam.wait_for("Three quick questions")
        await sam.type("1")
        await sam.wait_for("1 of 3 answered")
        await sam.type("14")
        await sam.wait_for("2 of 3 answered")
    assert hana.seen.count("Three quick questions") == 1, "hana's own invitation, not sam's"
    assert "sam" not in hana.seen.lower()


def test_a_role_lasts_as_long_as_its_chat(tmp_path: Path) -> None:
    as_hr = run(["chat", "--user", "hana", "--role", "hr"], cwd=tmp_path, stdin="help\n")
    as_employee = run(
        ["chat", "--user", "hana", "--role", "employee"], cwd=tmp_path, stdin="help\n"
    )
    plain = run(["chat", "--user", "hana"], cwd=tmp_path, stdin="pulse list\n")
    assert "HR rights" in as_hr.stdout
    assert "HR rights" not in as_employee.stdout
    assert "Only HR can do that." in plain.stdout


def test_a_line_that_is_not_utf8_is_asked_again(tmp_path: Path) -> None:
    result = subprocess.run(
        [BREAKROOM, "chat"],
        input=b"caf\xe9 \xff\xfe\nhelp\n",
        capture_output=True,
        cwd=tmp_path,
        env=clean_env(),
        timeout=60,
        check=False,
    )
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    assert "not readable text" in out
    assert "What you can type" in out


def test_a_line_that_is_not_utf8_is_asked_again_in_the_persons_language(tmp_path: Path) -> None:
    result = subprocess.run(
        [BREAKROOM, "chat"],
        input=b"caf\xe9\nsalir\n",
        capture_output=True,
        cwd=tmp_path,
        env=clean_env(BREAKROOM_LANGUAGE="es"),
        timeout=60,
        check=False,
    )
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr
    assert "No pude leer esa línea" in out
    assert "not readable" not in out


def test_log_lines_stay_out_of_the_chat_one_line_each(tmp_path: Path) -> None:
    """A warning (here a broken knowledge article) goes to standard error as one line the
    person reads as the program's note, like its errors, not as a line of the chat."""
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "broken.md").write_text("no front matter here\n")
    (kb / "pto.md").write_text(
        "---\nid: pto\ntitle: Paid time off\n---\nFull-time staff get 20 days of PTO a year.\n"
    )
    result = run(["chat"], cwd=tmp_path, stdin="How much PTO do I get?\n", BREAKROOM_KB_DIR=str(kb))
    assert result.returncode == 0, result.stderr
    assert "broken.md" not in result.stdout
    lines = result.stderr.splitlines()
    assert any("broken.md" in line for line in lines)
    assert all(line.startswith("breakroom: warning: ") for line in lines), result.stderr


WITHOUT_ASYNCPG = (
    "import sys; sys.modules['asyncpg'] = None; sys.argv = ['breakroom', *sys.argv[1:]];"
    "from bot.cli import main; raise SystemExit(main())"
)


def test_postgres_without_its_extra_says_what_to_install(tmp_path: Path) -> None:
    for command in (["chat"], ["db", "upgrade"], ["pulse", "list"], ["serve"]):
        result = subprocess.run(
            [sys.executable, "-c", WITHOUT_ASYNCPG, *command],
            input="help\n",
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=clean_env(DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/breakroom"),
            timeout=60,
            check=False,
        )
        assert result.returncode == 2, (command, result.stderr)
        assert result.stderr.count("\n") == 1, (command, result.stderr)
        assert "pip install 'breakroom[postgres]'" in result.stderr


def test_a_hospital_in_spanish_chats_in_spanish(tmp_path: Path) -> None:
    """With BREAKROOM_LANGUAGE=es the terminal speaks Spanish from its first line to its last,
    its own words too; `language english` switches it at once."""
    spanish = run(["chat"], cwd=tmp_path, stdin="help\nidioma\nquit\n", BREAKROOM_LANGUAGE="es")
    assert spanish.returncode == 0, spanish.stderr
    assert "Chat de Breakroom en la terminal" in spanish.stdout
    assert "Lo que puede escribir" in spanish.stdout
    assert "(escriba un número para elegir)" in spanish.stdout
    assert spanish.stdout.rstrip().endswith("¡Hasta pronto!")
    assert "usted> " in spanish.stdout
    assert not english_words(spanish.stdout), spanish.stdout

    switched = run(["chat"], cwd=tmp_path, stdin="language english\nquit\n")
    assert "Done: from now on I write to you in English" in switched.stdout
    assert switched.stdout.rstrip().endswith("Bye!")
