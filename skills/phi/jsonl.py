"""`breakroom redact --json`: JSON Lines in, JSON Lines out, one output line per input line."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from skills.phi.redactor import redact


def redact_stream(lines: Iterable[str], out: TextIO) -> int:
    """Redact `{"text": ...}` objects; a bad line gets `{"error": ...}` and the stream goes on.

    Blank lines are skipped. Returns the number of error lines written.
    """
    errors = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            record: dict[str, object] = {"error": f"line {number}: not JSON ({exc.msg})"}
        else:
            text = row.get("text") if isinstance(row, dict) else None
            if isinstance(text, str):
                result = redact(text)
                record = {
                    "text": result.text,
                    "entities": [
                        {"type": e.type, "start": e.start, "end": e.end} for e in result.entities
                    ],
                }
            else:
                record = {"error": f'line {number}: no "text" string'}
        errors += "error" in record
        out.write(json.dumps(record) + "\n")
    return errors
