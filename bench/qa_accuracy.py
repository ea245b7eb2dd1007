"""Question-answering accuracy and latency: our Retriever against plain BM25, in one run.

    python bench/qa_accuracy.py [--kb DIR --questions TSV]

With no arguments it measures these question sets, each against its own knowledge base:

- dev: the shared evaluation questions (`../shared/eval/questions-dev.tsv`) on the Riverbend
  knowledge base (`../shared/eval/kb`);
- harbor: the questions of a second hospital's knowledge base written in another house style
  (`../shared/eval/kb-harbor`), which nothing in the project is tuned or fitted on;
- blind: the project's own questions for Riverbend written without running search and never
  fitted on (`tests/data/eval_kb_blind.tsv`): with harbor, the measure of unseen questions;
- held-out, paraphrases: the project's other question sets for Riverbend
  (`tests/data/eval_kb_heldout.tsv`, written blind, and `eval_kb_paraphrases.tsv`);
- sample KB, near misses, short: the project's questions for the bundled Lakeside sample
  knowledge base (`tests/data/sample_kb_*.tsv` on `skills/knowledge/sample_kb`): everyday
  questions, near misses that share a word with an article but are not answered by it, and
  two-word questions;
- Spanish dev: Spanish questions for Riverbend written as Spanish-speaking staff type them
  (`tests/data/eval_kb_es_dev.tsv`), which the Spanish vocabulary (`spanish.yaml`) was
  written beside; Riverbend's articles are all English, so this measures a Spanish question
  finding an English-only article;
- Spanish blind, Harbor Spanish blind: Spanish questions written by someone else, without
  running search, for Riverbend (`tests/data/eval_kb_es_blind.tsv`) and for Harbor
  (`tests/data/harbor_es_blind.tsv`), both knowledge bases with English-only articles: the
  measure of unseen Spanish questions.

The confidence weights are fitted on dev, held-out, paraphrases, the three sample sets and
Spanish dev (`bench/fit_confidence.py`). Never tuned or fitted on: harbor, blind, Spanish blind
and Harbor Spanish blind (neither the vocabularies nor the weights).

A set whose files are missing (the shared folder is not beside the checkout) is skipped. With
`--kb` and `--questions`, only that set is measured.

Then the crisis check (`skills.safety.detector`: the cues, then the learned reader) on the
examples the cues were written with and the reader is trained on (`skills/safety/examples.tsv`,
`text<TAB>kind`, `none` for a near-miss: hyperbole, work talk, a policy question): recall per
kind and overall (found, and as the right kind), the share of near-misses flagged, the share of
the knowledge questions above flagged, and the check's median and p95 latency per message. The
same, apart, on two sets the check was never fitted to: `tests/data/crisis_heldout.tsv`,
written after the cues last changed, and `tests/data/crisis_blind.tsv`, written without
reading the cues or the examples.

A questions file has one `question<TAB>expected article id` per line, `none` for a question
the bot should hand to HR. Reported, for each system:

- top-1, top-3: share of in-scope questions whose expected article is first / in the first three,
  on ranking alone (whether or not the system would answer);
- answered correctly: in-scope, answered, and the first hit is right (what staff experience:
  small talk and crisis messages get no article, so they count as not answered);
- false abstention: share of in-scope questions not answered;
- out-of-scope declined: share of `none` questions not answered;
- median and p95 latency per question, in milliseconds: for ours, the whole decision (the
  crisis check, small talk, the search and the excerpt), for the baseline its ranking alone.

The baseline is plain BM25 (Lucene IDF, k1 1.5, b 0.75): lowercase word tokens minus English stop
words, one document per article made of title, questions, tags and body, no stemming, synonyms or
typo handling. Its score cut-off is the one that maximises its own accuracy on this very question
set (in-scope answered right, or out-of-scope declined), which flatters the baseline: ours uses
its fixed, documented `DEFAULT_CUTOFF`.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from skills.knowledge.articles import Article, load
from skills.knowledge.excerpt import excerpt
from skills.knowledge.search import Retriever
from skills.knowledge.smalltalk import small_talk
from skills.knowledge.text import STOP_WORDS
from skills.safety.detector import Kind, detect

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval"
DATA = ROOT / "tests" / "data"
SAMPLE_KB = ROOT / "skills" / "knowledge" / "sample_kb"
CRISIS_SET = ROOT / "skills" / "safety" / "examples.tsv"
CRISIS_HELD_OUT = DATA / "crisis_heldout.tsv"
CRISIS_BLIND = DATA / "crisis_blind.tsv"
SETS = (
    ("dev", EVAL / "kb", EVAL / "questions-dev.tsv"),
    ("harbor", EVAL / "kb-harbor", EVAL / "kb-harbor" / "questions.tsv"),
    ("blind", EVAL / "kb", DATA / "eval_kb_blind.tsv"),
    ("held-out", EVAL / "kb", DATA / "eval_kb_heldout.tsv"),
    ("paraphrases", EVAL / "kb", DATA / "eval_kb_paraphrases.tsv"),
    ("sample KB", SAMPLE_KB, DATA / "sample_kb_questions.tsv"),
    ("near misses", SAMPLE_KB, DATA / "sample_kb_near_misses.tsv"),
    ("short", SAMPLE_KB, DATA / "sample_kb_short_questions.tsv"),
    ("Spanish dev", EVAL / "kb", DATA / "eval_kb_es_dev.tsv"),
    ("Spanish blind", EVAL / "kb", DATA / "eval_kb_es_blind.tsv"),
    ("Harbor Spanish blind", EVAL / "kb-harbor", DATA / "harbor_es_blind.tsv"),
)
_WORD = re.compile(r"\w+")


class PlainBM25:
    """The baseline: textbook BM25 over one bag of words per article."""

    def __init__(self, articles: Sequence[Article], k1: float = 1.5, b: float = 0.75) -> None:
        self.articles = tuple(articles)
        docs = [_words(" ".join((a.title, *a.questions, *a.tags, a.body))) for a in self.articles]
        self.counts = [Counter(d) for d in docs]
        self.lengths = [len(d) for d in docs]
        self.average = sum(self.lengths) / len(docs)
        df = Counter(t for d in self.counts for t in d)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.k1, self.b = k1, b

    def rank(self, question: str) -> list[tuple[str, float]]:
        terms = [t for t in set(_words(question)) if t in self.idf]
        scored = []
        for i, counts in enumerate(self.counts):
            norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / self.average)
            score = sum(
                self.idf[t] * counts[t] * (self.k1 + 1) / (counts[t] + norm)
                for t in terms
                if t in counts
            )
            if score > 0:
                scored.append((self.articles[i].id, score))
        scored.sort(key=lambda item: -item[1])
        return scored


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


@dataclass(frozen=True)
class Outcome:
    expected: str
    ranked: tuple[str, ...]
    answered: bool
    millis: float


@dataclass(frozen=True)
class Report:
    top1: float
    top3: float
    answered_correctly: float
    false_abstention: float
    out_of_scope_declined: float
    median_ms: float
    p95_ms: float


def report(outcomes: Sequence[Outcome]) -> Report:
    inside = [o for o in outcomes if o.expected != "none"]
    outside = [o for o in outcomes if o.expected == "none"]
    millis = sorted(o.millis for o in outcomes)
    return Report(
        top1=_share(inside, lambda o: o.ranked[:1] == (o.expected,)),
        top3=_share(inside, lambda o: o.expected in o.ranked[:3]),
        answered_correctly=_share(inside, lambda o: o.answered and o.ranked[:1] == (o.expected,)),
        false_abstention=_share(inside, lambda o: not o.answered),
        out_of_scope_declined=_share(outside, lambda o: not o.answered),
        median_ms=statistics.median(millis),
        p95_ms=millis[min(len(millis) - 1, math.ceil(0.95 * len(millis)) - 1)],
    )


def _share(outcomes: Sequence[Outcome], test: Callable[[Outcome], bool]) -> float:
    return sum(1 for o in outcomes if test(o)) / len(outcomes) if outcomes else 0.0


def run_ours(retriever: Retriever, questions: Sequence[tuple[str, str]]) -> list[Outcome]:
    outcomes = []
    for question, expected in questions:
        # The whole decision a question meets, so its latency is what a person waits for:
        # the crisis check, small talk, the search, and the excerpt shown.
        start = time.perf_counter()
        crisis = detect(question)
        chat = small_talk(question)
        answer = retriever.answer(question, k=3)
        if answer.best is not None:
            excerpt(answer.best.article, question, section=answer.best.section)
        millis = (time.perf_counter() - start) * 1000
        ranked = tuple(hit.article.id for hit in answer.hits)
        searched = crisis is None and chat is None
        outcomes.append(Outcome(expected, ranked, answer.answered and searched, millis))
    return outcomes


def run_baseline(bm25: PlainBM25, questions: Sequence[tuple[str, str]]) -> list[Outcome]:
    timed = []
    for question, expected in questions:
        start = time.perf_counter()
        ranked = bm25.rank(question)[:3]
        timed.append((expected, ranked, (time.perf_counter() - start) * 1000))
    cutoff = _best_cutoff([(e, r) for e, r, _ in timed])
    return [
        Outcome(e, tuple(i for i, _ in r), bool(r) and r[0][1] >= cutoff, ms) for e, r, ms in timed
    ]


def _best_cutoff(results: Sequence[tuple[str, list[tuple[str, float]]]]) -> float:
    """The score cut-off that maximises the baseline's accuracy on this question set."""

    def accuracy(cutoff: float) -> int:
        right = 0
        for expected, ranked in results:
            answered = bool(ranked) and ranked[0][1] >= cutoff
            if expected == "none":
                right += not answered
            else:
                right += answered and ranked[0][0] == expected
        return right

    candidates = sorted({r[0][1] for _, r in results if r} | {0.0})
    return max(candidates, key=lambda c: (accuracy(c), -c))


def read_questions(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            question, _, expected = line.rpartition("\t")
            pairs.append((question.strip(), expected.strip()))
    return pairs


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, help="knowledge base folder (with --questions)")
    parser.add_argument("--questions", type=Path, help="questions file (with --kb)")
    args = parser.parse_args(argv)
    if (args.kb is None) != (args.questions is None):
        parser.error("--kb and --questions go together")
    sets = SETS if args.kb is None else (("custom", args.kb, args.questions),)
    for number, (name, kb, questions_file) in enumerate(sets):
        if number:
            print()
        if not kb.is_dir() or not questions_file.is_file():
            print(f"[{name}] skipped: {kb} or {questions_file} is missing")
            continue
        measure(name, kb, questions_file)
    if args.kb is None:
        print()
        knowledge = [q for _, _, f in SETS if f.is_file() for q, _ in read_questions(f)]
        measure_crisis(CRISIS_SET, knowledge)
        print()
        measure_crisis(CRISIS_HELD_OUT, [])
        print()
        measure_crisis(CRISIS_BLIND, [])


def measure(name: str, kb: Path, questions_file: Path) -> None:
    loaded = load(kb)
    articles = loaded.articles
    questions = read_questions(questions_file)
    start = time.perf_counter()
    retriever = Retriever(articles, versions=loaded.versions)
    build_ms = (time.perf_counter() - start) * 1000
    ours = report(run_ours(retriever, questions))
    base = report(run_baseline(PlainBM25(articles), questions))
    inside = sum(1 for _, e in questions if e != "none")
    print(
        f"[{name}] {questions_file.name} on {kb.name}: {len(articles)} articles, "
        f"{len(loaded.versions)} Spanish versions, "
        f"{len(questions)} questions ({inside} in scope, {len(questions) - inside} out of scope); "
        f"index built in {build_ms:.0f} ms"
    )
    print(f"{'metric':<24}{'ours':>10}{'baseline':>10}{'ratio':>8}")
    for label, metric, unit in (
        ("top-1", "top1", ""),
        ("top-3", "top3", ""),
        ("answered correctly", "answered_correctly", ""),
        ("false abstention", "false_abstention", ""),
        ("out-of-scope declined", "out_of_scope_declined", ""),
        ("median latency", "median_ms", " ms"),
        ("p95 latency", "p95_ms", " ms"),
    ):
        a, b = getattr(ours, metric), getattr(base, metric)
        ratio = f"{a / b:.2f}" if b else "-"
        print(f"{label:<24}{a:>10.3f}{b:>10.3f}{ratio:>8}{unit}")


def measure_crisis(crisis_file: Path, knowledge_questions: Sequence[str]) -> None:
    lines = crisis_file.read_text(encoding="utf-8").splitlines()
    rows = [
        (text, expected)
        for text, _, expected in (line.partition("\t") for line in lines)
        if text.strip() and not text.startswith("#")
    ]
    detect("")  # the cues are compiled on first use, once per process: not a message's cost
    seen: list[tuple[str, str, float]] = []
    answered_kinds: dict[int, set[str]] = {}
    """Per message, every kind whose resources its reply gives."""
    for number, (text, expected) in enumerate(rows):
        start = time.perf_counter()
        found = detect(text)
        took = (time.perf_counter() - start) * 1000
        seen.append((expected, found.kind.value if found else "none", took))
        if found is not None:
            answered_kinds[number] = {k.value for k in (found.kind, *found.also)}
    crises = [(e, g) for e, g, _ in seen if e != "none"]
    near = [g for e, g, _ in seen if e == "none"]
    right_resources = sum(
        1 for i, (e, _, _) in enumerate(seen) if e != "none" and e in answered_kinds.get(i, ())
    )
    flagged_questions = sum(1 for q in knowledge_questions if detect(q) is not None)
    millis = sorted(ms for _, _, ms in seen)
    print(
        f"[crisis] {crisis_file.name}: {len(rows)} messages ({len(crises)} crises, "
        f"{len(near)} near-misses)"
    )
    print(f"{'kind':<24}{'messages':>10}{'found':>10}{'recall':>8}")
    for kind in Kind:
        mine = [g for e, g in crises if e == kind.value]
        right = sum(1 for g in mine if g == kind.value)
        recall = f"{right / len(mine):.3f}" if mine else "-"
        print(f"{kind.value:<24}{len(mine):>10}{right:>10}{recall:>8}")
    found_any = sum(1 for _, g in crises if g != "none")
    right_kind = sum(1 for e, g in crises if g == e)
    total = len(crises)
    print(f"{'overall (any kind)':<24}{total:>10}{found_any:>10}{found_any / total:>8.3f}")
    print(f"{'overall (right kind)':<24}{total:>10}{right_kind:>10}{right_kind / total:>8.3f}")
    shown = right_resources / total
    print(f"{'right kind among shown':<24}{total:>10}{right_resources:>10}{shown:>8.3f}")
    flagged = sum(1 for g in near if g != "none")
    print(f"near-misses flagged: {flagged}/{len(near)} = {flagged / len(near):.3f}")
    if knowledge_questions:
        print(
            f"knowledge questions flagged: {flagged_questions}/{len(knowledge_questions)} = "
            f"{flagged_questions / len(knowledge_questions):.3f}"
        )
    p95 = millis[min(len(millis) - 1, math.ceil(0.95 * len(millis)) - 1)]
    print(f"check latency: median {statistics.median(millis):.3f} ms, p95 {p95:.3f} ms")


if __name__ == "__main__":
    main()
