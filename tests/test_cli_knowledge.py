"""`breakroom ask --json` and `breakroom kb check` as real subprocesses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import run
from tests.conftest import SHARED_EVAL
from tests.kb_fixture import write_kb, write_sectioned_article
from tests.test_knowledge_reload import write_uniform_article

CONTRACT_KEYS = {
    "question",
    "answered",
    "article_id",
    "title",
    "section",
    "score",
    "alternatives",
    "small_talk",
    "crisis",
}


def test_ask_json_follows_the_contract(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    result = run(
        ["ask", "--kb", str(kb), "--json"],
        cwd=tmp_path,
        stdin=(
            "how many vacation days do i get\n\nwhat's the weather tomorrow\n"
            "how's your night going\n"
            "i was assaulted by a patient\n"
        ),
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4, "blank lines are skipped"
    for record in lines:
        assert set(record) == CONTRACT_KEYS
        assert isinstance(record["answered"], bool)
        assert isinstance(record["score"], float | int)
        assert isinstance(record["alternatives"], list)
    assert lines[0]["answered"] is True
    assert lines[0]["article_id"] == "pto-basics"
    assert lines[0]["section"] is None, "an article without ## headings is one section"
    assert lines[1]["answered"] is False
    assert lines[0]["small_talk"] is None
    assert lines[2] == {
        "question": "how's your night going",
        "answered": False,
        "article_id": None,
        "title": None,
        "section": None,
        "score": 0.0,
        "alternatives": [],
        "small_talk": "greeting",
        "crisis": False,
    }, "small talk gets what a person in the chat gets: a friendly word, not an article"
    assert [line["crisis"] for line in lines] == [False, False, False, True]
    # A crisis is answered with resources, never with an article.
    assert (lines[3]["answered"], lines[3]["article_id"]) == (False, None)


def test_ask_json_names_the_section_that_answers(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    write_sectioned_article(kb)
    result = run(
        ["ask", "--kb", str(kb), "--json"],
        cwd=tmp_path,
        stdin="how often does the parking shuttle run\n",
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["article_id"], record["section"]) == ("parking", "Shuttle")


@pytest.mark.skipif(
    not (SHARED_EVAL / "kb").is_dir(), reason="../shared/eval is not beside the repo"
)
def test_ask_json_on_the_evaluation_kb(tmp_path: Path) -> None:
    result = run(
        ["ask", "--kb", str(SHARED_EVAL / "kb"), "--json"],
        cwd=tmp_path,
        stdin="does the dental plan cover braces\n",
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["article_id"] == "dental-plans"


def test_kb_check_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    (kb / "bad-yaml.md").write_text("---\nid: bad-yaml\ntitle: [unclosed\n---\nbody\n")
    (kb / "no-fields.md").write_text("---\nid: no-fields\n---\nbody\n")
    (kb / "dupe.md").write_text((kb / "pto-basics.md").read_text())
    (kb / "linked.md").write_text(
        (kb / "eap-counseling.md").read_text().replace("eap-counseling", "linked")
        + "\nSee [the missing page](missing.md) and [PTO](pto-basics.md).\n"
    )
    result = run(["kb", "check", str(kb)], cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout
    assert f"{kb / 'bad-yaml.md'}:3: bad front matter" in out
    assert f"{kb / 'no-fields.md'}:1: missing field: title" in out
    assert "duplicate id 'pto-basics'" in out
    assert "broken link to missing.md" in out
    assert "broken link to pto-basics.md" not in out


def test_kb_check_reports_a_date_that_does_not_exist_and_loads_the_rest(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    bad = write_uniform_article(kb)
    bad.write_text(bad.read_text().replace("updated: 2026-01-01", "updated: 2026-13-45"))
    result = run(["kb", "check", str(kb)], cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    line = bad.read_text().splitlines().index("updated: 2026-13-45") + 1
    assert f"{bad}:{line}: bad front matter: '2026-13-45' is not a real date" in result.stdout
    assert "4 articles loaded, 1 problem" in result.stderr


def test_kb_check_passes_a_clean_folder(tmp_path: Path) -> None:
    result = run(["kb", "check", str(write_kb(tmp_path / "kb"))], cwd=tmp_path)
    assert result.returncode == 0
    assert "4 articles loaded, 0 problems" in result.stdout


def test_kb_check_counts_spanish_versions_and_names_a_bad_one(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb")
    (kb / "pto-es.md").write_text(
        "---\nlang: es\ntranslation_of: pto-basics\ntitle: Tiempo libre pagado\n---\nTexto.\n"
    )
    (kb / "lost-es.md").write_text(
        "---\nlang: es\ntranslation_of: nowhere\ntitle: Perdido\n---\nTexto.\n"
    )
    result = run(["kb", "check", str(kb)], cwd=tmp_path)
    assert result.returncode == 1
    assert f"{kb / 'lost-es.md'}:3: translation_of 'nowhere': no article has that id" in (
        result.stdout
    )
    assert "4 articles loaded (1 also in Spanish), 1 problem" in result.stderr


def test_kb_check_reads_a_spreadsheet_faq(tmp_path: Path) -> None:
    faq = tmp_path / "faq.csv"
    faq.write_text(
        'question,answer,link\n"Where is lost and found?","Security desk, lobby.",https://x\n'
        ',"no question",https://x\n'
    )
    result = run(["kb", "check", str(faq)], cwd=tmp_path)
    assert result.returncode == 1
    assert f"{faq}:3: a row needs a question and an answer" in result.stdout
