"""`breakroom redact --json` per the contract: offsets into the input, one object per line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import run


def test_redact_json_follows_the_contract(tmp_path: Path) -> None:
    text = "Pt John Smith, MRN 00482913, asked for a warm blanket in room 412."
    lines = [
        json.dumps({"text": text}),
        "not json",
        json.dumps({"text": "Beds 4 and 5 are clean."}),
    ]
    result = run(["redact", "--json"], cwd=tmp_path, stdin="\n".join(lines) + "\n")
    assert result.returncode == 1, "a line that could not be screened fails the run"
    assert result.stderr == "breakroom: 1 line(s) could not be screened\n"
    first, bad, clean = (json.loads(line) for line in result.stdout.splitlines())
    assert first["text"] == "Pt [NAME], MRN [MRN], asked for a warm blanket in room 412."
    assert [(e["type"], text[e["start"] : e["end"]]) for e in first["entities"]] == [
        ("NAME", "John Smith"),
        ("MRN", "00482913"),
    ]
    assert "error" in bad
    assert clean == {"text": "Beds 4 and 5 are clean.", "entities": []}


def test_redact_json_succeeds_when_every_line_is_screened(tmp_path: Path) -> None:
    result = run(["redact", "--json"], cwd=tmp_path, stdin='{"text": "Bed 4 is clean."}\n\n')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"text": "Bed 4 is clean.", "entities": []}


def test_redact_plain_text_lines(tmp_path: Path) -> None:
    result = run(["redact"], cwd=tmp_path, stdin="Call Mrs. Lee at 555-201-3344\n")
    assert result.stdout.strip() == "Call Mrs. [NAME] at [PHONE]"
