"""`breakroom chat` driven as a real subprocess through standard input and output."""

from __future__ import annotations

from pathlib import Path

from tests.cli import run


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
