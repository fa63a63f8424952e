#!/usr/bin/env python3
"""Outcome extraction scored against the labelled minutes (issue 10).

Runs the extractor through `digest outcomes --json` (in-process, one file per
call, which also times each note) over tests/fixtures/minutes/, the held-out
tests/fixtures/minutes-holdout/ and the review set tests/fixtures/minutes-review/
(18 notes in shapes the corpus lacks, written by the stage's reviewer) and the
second review set tests/fixtures/minutes-review2/ (chat logs, Obsidian Tasks, votes
with their result below, actions in prose, near-misses) and the third review set
tests/fixtures/minutes-review3/ (Logseq, Dataview fields, SIG "AI Name -" lines and
owner sub-bullets, action tables, fr/de/es prose, tally-only votes, vague dues) and
the fourth review set tests/fixtures/minutes-review4/ (near-misses that must yield
nothing, pronoun owners, header junk, dues in words) and the fifth review set
tests/fixtures/minutes-review5/ (worded table headers, date-first owners, arrows,
status marks, checkbox attendance, newsletters) and the sixth review set
tests/fixtures/minutes-review6/ (dues written as weeks; Dutch, Italian and Portuguese
notes), and prints every figure beside
its target for each set. Until the command exists it scores an adapter over today's
extractor (the header says which). It reports; it does not gate: exit 0 unless it
crashed.

Usage: python bench/outcomes_bench.py [--details]
                                      [--set corpus|holdout|review|review2|...|review6]
  --details  list every miss (labels not found, junk, wrong owners/dues)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.outcomes_score import extractor, load_set, report, run_set, score_set  # noqa: E402

SETS = {
    "corpus": ROOT / "tests" / "fixtures" / "minutes",
    "holdout": ROOT / "tests" / "fixtures" / "minutes-holdout",
    "review": ROOT / "tests" / "fixtures" / "minutes-review",
    "review2": ROOT / "tests" / "fixtures" / "minutes-review2",
    "review3": ROOT / "tests" / "fixtures" / "minutes-review3",
    "review4": ROOT / "tests" / "fixtures" / "minutes-review4",
    "review5": ROOT / "tests" / "fixtures" / "minutes-review5",
    "review6": ROOT / "tests" / "fixtures" / "minutes-review6",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--details", action="store_true", help="list every miss")
    parser.add_argument("--set", choices=sorted(SETS), action="append",
                        help="score only this set (default: all)")
    args = parser.parse_args()
    name, extract = extractor()
    print(f"Outcome extraction, scored by tests/outcomes_score.py; extractor: {name}")
    for set_name in args.set or list(SETS):
        notes = load_set(SETS[set_name])
        run = run_set(notes, extract)
        scores = score_set(notes, run)
        print()
        print(report(set_name, scores, shapes=len({n.shape for n in notes})))
        failed = scores.failed_targets(timing=True)
        print(f"  targets missed: {len(failed)}")
        if args.details:
            for line in scores.misses:
                print(f"    {Path(line.split(':', 1)[0]).name}:{line.split(':', 1)[1]}"
                      if line.startswith("/") else f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
