"""PHI redaction on each evaluation set, our redactor beside a handful of plain regular expressions.

    python bench/phi_redaction.py [--sets LABEL ...] [--data PATH ...] [--errors]

The sets, side by side in one table (a set whose file is missing is left out):

- `en dev`: ../shared/eval/phi-dev.jsonl, English, shared with the project; tuned on.
- `es dev`: tests/data/phi_es_dev.jsonl, Spanish, written with the Spanish rules; tuned on.
- `es dev 2`: tests/data/phi_es_dev2.jsonl, Spanish, written after `es dev` was nearly
  saturated: harder clean texts (units, titles without a name, weekdays and months, shift
  times, rooms and floors, Spanish words that are also names) and addresses in the habits of
  Latin America and of Spanish speakers in the US; tuned on. An address's colonia and postal
  code, when written with it, are part of its span, and a postal code alone is an ADDRESS.
- `es blind`: tests/data/phi_es_blind.jsonl, Spanish, written apart from the rules and NEVER
  tuned on: read its figures, never its texts, so they stay a fair guess of the unseen.

Per entity type and set: recall (a gold span counts as found when a predicted span of the same
type overlaps it), exact-span recall, precision, and the plain-regex baseline's recall from the
same run. Then the share of clean texts (no gold entities) that were changed, by both redactors,
and the time per text. `--errors` lists misses, span errors and false positives per set; pair it
with `--sets` (say `--sets "es dev" "es dev 2"`) to list them for the tuned-on sets only.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from skills.phi import redact

_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS = (
    ("en dev", _ROOT.parent / "shared" / "eval" / "phi-dev.jsonl"),
    ("es dev", _ROOT / "tests" / "data" / "phi_es_dev.jsonl"),
    ("es dev 2", _ROOT / "tests" / "data" / "phi_es_dev2.jsonl"),
    ("es blind", _ROOT / "tests" / "data" / "phi_es_blind.jsonl"),
)
TYPES = ("NAME", "DATE", "MRN", "PHONE", "ID", "EMAIL", "SSN", "ADDRESS")

Span = tuple[str, int, int]
Redactor = Callable[[str], list[Span]]

_BASELINE = [
    ("EMAIL", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("SSN", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("PHONE", re.compile(r"(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b")),
    ("DATE", re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{4}-\d{2}-\d{2}\b")),
    ("MRN", re.compile(r"\b\d{7,10}\b")),
]


def baseline(text: str) -> list[Span]:
    """The plain-regex redactor: first pattern to claim a stretch of text keeps it."""
    spans: list[Span] = []
    for kind, pattern in _BASELINE:
        for m in pattern.finditer(text):
            if all(m.end() <= s or e <= m.start() for _, s, e in spans):
                spans.append((kind, m.start(), m.end()))
    return sorted(spans, key=lambda s: s[1])


def ours(text: str) -> list[Span]:
    return [(e.type, e.start, e.end) for e in redact(text).entities]


@dataclass
class Row:
    text: str
    gold: list[Span]


@dataclass
class Score:
    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)  # a same-type prediction overlaps
    exact: Counter[str] = field(default_factory=Counter)  # a same-type prediction matches
    hidden: Counter[str] = field(default_factory=Counter)  # any prediction overlaps
    predicted: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    clean: int = 0
    clean_changed: int = 0
    seconds: float = 0.0
    texts: int = 0
    errors: list[str] = field(default_factory=list)


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def _overlaps(a: Span, b: Span) -> bool:
    return a[1] < b[2] and b[1] < a[2]


def load(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            gold = [(str(g["type"]), int(g["start"]), int(g["end"])) for g in raw["entities"]]
            rows.append(Row(str(raw["text"]), gold))
    return rows


def evaluate(rows: Sequence[Row], redactor: Redactor, min_seconds: float) -> Score:
    score = Score()
    for row in rows:
        text, gold = row.text, row.gold
        pred = redactor(text)
        if not gold:
            score.clean += 1
            score.clean_changed += bool(pred)
            score.errors += [f"FP {p[0]:7} {text[p[1] : p[2]]!r} in {text!r}" for p in pred]
        for g in gold:
            score.gold[g[0]] += 1
            same = [p for p in pred if p[0] == g[0] and _overlaps(p, g)]
            score.found[g[0]] += bool(same)
            score.exact[g[0]] += any(p[1:] == g[1:] for p in same)
            score.hidden[g[0]] += any(_overlaps(p, g) for p in pred)
            if not same:
                score.errors.append(f"MISS {g[0]:7} {text[g[1] : g[2]]!r} in {text!r}")
            elif not any(p[1:] == g[1:] for p in same):
                got = [text[p[1] : p[2]] for p in same]
                score.errors.append(f"SPAN {g[0]:7} {text[g[1] : g[2]]!r} got {got} in {text!r}")
        for p in pred:
            score.predicted[p[0]] += 1
            hit = any(g[0] == p[0] and _overlaps(p, g) for g in gold)
            score.correct[p[0]] += hit
            if gold and not hit:
                score.errors.append(f"FP {p[0]:7} {text[p[1] : p[2]]!r} in {text!r}")
    score.seconds, score.texts = _throughput([r.text for r in rows], redactor, min_seconds)
    return score


def _throughput(texts: list[str], redactor: Redactor, min_seconds: float) -> tuple[float, int]:
    done, start = 0, time.perf_counter()
    while True:
        for text in texts:
            redactor(text)
        done += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed, done


def _fmt(x: float) -> str:
    return "  -  " if x != x else f"{x:5.3f}"


def _times(a: float, b: float) -> str:
    if a != a or b != b:
        return "-"
    return "inf" if b == 0 else f"{a / b:.2f}x"


def _figures(s: Score, kind: str) -> tuple[int, float, float, float, float]:
    """gold count, recall, exact-span recall, precision, type-agnostic recall."""
    if kind == "ALL":
        g, f, x, h = (sum(c.values()) for c in (s.gold, s.found, s.exact, s.hidden))
        p, c = sum(s.predicted.values()), sum(s.correct.values())
    else:
        g, f, x, h = s.gold[kind], s.found[kind], s.exact[kind], s.hidden[kind]
        p, c = s.predicted[kind], s.correct[kind]
    return g, _ratio(f, g), _ratio(x, g), _ratio(c, p), _ratio(h, g)


@dataclass
class Measured:
    label: str
    path: Path
    texts: int
    ours: Score
    base: Score


def measure(label: str, path: Path, seconds: float) -> Measured:
    rows = load(path)
    return Measured(
        label, path, len(rows), evaluate(rows, ours, seconds), evaluate(rows, baseline, seconds)
    )


_GROUP = f"{'gold':>4} {'recall':>6} {'exact':>5} {'prec':>5} {'base':>5}"
_LABEL = 13


def _row(label: str, cells: Sequence[str]) -> str:
    return f"{label:{_LABEL}} " + " | ".join(f"{c:>{len(_GROUP)}}" for c in cells)


def report(sets: Sequence[Measured]) -> None:
    """One row per type, one column group per set: gold, recall, exact recall, precision, and
    the baseline's recall; then clean texts changed ("clean") and microseconds per text, ours and
    the baseline's."""
    for m in sets:
        print(f"{m.label}: {m.path} — {m.texts} texts, {m.ours.clean} without PHI")
    print()
    print(_row("", [f"{m.label:^{len(_GROUP)}}" for m in sets]))
    print(_row("type", [_GROUP for _ in sets]))
    for kind in (*TYPES, "ALL"):
        cells = []
        for m in sets:
            g, r, x, p, _ = _figures(m.ours, kind)
            br = _figures(m.base, kind)[1]
            cells.append(f"{g:4d} {_fmt(r):>6} {_fmt(x)} {_fmt(p)} {_fmt(br)}")
        print(_row(kind, cells))
    print()
    scores = {"ours": [m.ours for m in sets], "base": [m.base for m in sets]}
    for name, per_set in scores.items():
        changed = [
            f"{s.clean_changed}/{s.clean} = {_fmt(_ratio(s.clean_changed, s.clean))}"
            for s in per_set
        ]
        print(_row(f"clean {name}", changed))
    for name, per_set in scores.items():
        print(_row(f"µs/text {name}", [f"{1e6 * s.seconds / s.texts:,.0f}" for s in per_set]))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="PHI redaction on each evaluation set, beside plain regexes"
    )
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        help="a JSON Lines set (repeatable); default: the English dev, the two Spanish dev and "
        "the Spanish blind sets that exist",
    )
    parser.add_argument(
        "--sets",
        nargs="+",
        choices=[label for label, _ in DEFAULT_SETS],
        metavar="LABEL",
        help="only these default sets, by label: "
        + ", ".join(repr(label) for label, _ in DEFAULT_SETS),
    )
    parser.add_argument("--errors", action="store_true", help="list misses and false positives")
    parser.add_argument("--seconds", type=float, default=1.0, help="minimum timing per redactor")
    args = parser.parse_args(argv)
    if args.sets or args.data:
        chosen = [(label, path) for label, path in DEFAULT_SETS if label in (args.sets or ())]
        chosen += [(p.stem, p) for p in args.data or ()]
    else:
        chosen = list(DEFAULT_SETS)
    present = [(label, path) for label, path in chosen if path.exists()]
    if not present:
        parser.error("no evaluation set found")
    redact("warm up: load the name lists before timing")
    sets = [measure(label, path, args.seconds) for label, path in present]
    report(sets)
    if args.errors:
        for m in sets:
            print(f"\n{m.label}:\n" + "\n".join(m.ours.errors))


if __name__ == "__main__":
    main()
