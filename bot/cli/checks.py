"""`breakroom redact` and `survey validate`: what people write, checked offline before it is
used, that is text screened for PHI and a pulse survey definition."""

from __future__ import annotations

import argparse
import sys

from bot.plural import counted
from bot.settings import Settings


def redact(args: argparse.Namespace, settings: Settings) -> int:
    from skills import phi
    from skills.phi.jsonl import redact_stream

    if args.json:
        # Every line is answered, bad ones with {"error": ...}; the status tells a script that
        # reads only the status that some were not screened.
        errors = redact_stream(sys.stdin, sys.stdout)
        if errors:
            print(f"breakroom: {errors} line(s) could not be screened", file=sys.stderr)
        return 1 if errors else 0
    for line in sys.stdin:
        print(phi.redact(line.rstrip("\n")).text, flush=True)
    return 0


def survey_validate(args: argparse.Namespace, settings: Settings) -> int:
    from skills.pulse.definition_files import check_file

    checked = check_file(args.file)
    for problem in checked.problems:
        print(problem)
    # Warnings (a text missing in a language, read in English there) leave it valid.
    for warning in checked.warnings:
        print(f"{warning} (warning)")
    if checked.definition is None:
        return 1
    count = len(checked.definition.questions)
    print(f"{args.file}: {checked.definition.title!r} is valid ({counted(count, 'question')})")
    return 0
