"""`breakroom ask` and `kb check`: a knowledge base tried from the terminal, with no database
and no chat platform: its answers to questions read one per line, and every problem in it."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.cli.command import CommandFailed
from bot.plural import counted
from bot.settings import Settings


def ask(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from bot.i18n import translator
    from skills.knowledge.library import KnowledgeLibrary, bundled_kb
    from skills.knowledge.smalltalk import small_talk
    from skills.safety.detector import detect

    source = args.kb or settings.kb_dir or bundled_kb()
    library = KnowledgeLibrary(source, cache_dir=settings.kb_cache_dir)
    retriever = asyncio.run(library.retriever())
    if not library.article_count:
        raise CommandFailed(f"no usable articles in {source} (try `breakroom kb check {source}`)")
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        # What a person in the chat gets: crisis resources or a friendly word are never searched.
        crisis = detect(question)
        chat = None if crisis is not None else small_talk(question)
        if not args.json and crisis is not None:
            print(f"crisis ({crisis.kind.value.replace('_', ' ')})", flush=True)
            continue
        if not args.json and chat is not None:
            print(
                f"small talk ({chat.kind.value}): {chat.answer(translator(settings.language))}",
                flush=True,
            )
            continue
        searched = crisis is None and chat is None
        answer = retriever.answer(question) if searched else None
        best = answer.best if answer is not None else None
        if args.json:
            record: dict[str, object] = {
                "question": question,
                "answered": answer is not None and answer.answered,
                "article_id": best.article.id if best else None,
                "title": best.article.title if best else None,
                "section": best.section.heading if best else None,
                "score": round(answer.confidence, 4) if answer is not None else 0.0,
                "alternatives": [hit.article.id for hit in answer.hits[1:]] if answer else [],
                "small_talk": chat.kind.value if chat is not None else None,
                "crisis": crisis is not None,
            }
            print(json.dumps(record, ensure_ascii=False), flush=True)
        elif answer is not None:
            verdict = "answer" if answer.answered else "not sure"
            title = best.article.title if best else "-"
            print(f"{verdict} ({answer.confidence:.2f}): {title}", flush=True)
    return 0


def kb_check(args: argparse.Namespace, settings: Settings) -> int:
    from skills.knowledge.articles import load

    loaded = load(args.source)
    for problem in loaded.problems:
        print(problem)
    count = len(loaded.problems)
    summary = f"{counted(len(loaded.articles), 'article')} loaded"
    if loaded.versions:
        summary += f" ({len(loaded.versions)} also in Spanish)"
    summary += f", {counted(count, 'problem')}"
    print(summary, file=sys.stderr if count else sys.stdout)
    return 1 if count else 0
