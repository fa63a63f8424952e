#!/usr/bin/env python3
"""Outcome extractor CPU, old code beside new, and proof that both give the same outcomes.

Issue 14: a first `digest collect` must not get slower. The extractor is most of the
parse cost of meeting feeds, so this bench runs `extract_outcomes` over the same inputs
with the code of an earlier commit and with the working tree, each in its own process:

- every note under tests/fixtures/minutes*/ (HTML as it is, Markdown through
  `read_markdown` with its front matter's title and date, as `digest outcomes` reads it);
- every meeting entry of the collect bench's corpus (bench/corpus/, built by
  bench/collect_bench.py when missing), with the title and date `parse_feed` passes.

It prints the extractor's CPU time for each code on each input set, and "identical: N
notes" when every note gives the same decisions, actions and date; otherwise it lists
the notes that differ and exits 1 (a speed-up must never change a result). A fixture added
after the compared commit is left out of that check: it was written for a rule that commit
lacks, and its own tests judge it.

Usage: python bench/extract_speed.py [--against COMMIT] [--repeat N] [--corpus DIR]
  --against  the code to compare with (default: the commit before the speed-up work)
  --repeat   time each code this many times; the best run is printed (default 3)
"""

from __future__ import annotations

import argparse
import json
import pickle
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from _common import code_at  # noqa: E402

# The tip of main before the extractor was made cheaper again (issue 14): the results to keep.
BASELINE = "8cf65b2"
WORK = ROOT / "bench" / "out" / "extract_speed"
NOW = datetime(2026, 11, 2, tzinfo=UTC)  # the corpus's feeds were written for 1 November


def gather_inputs(corpus: Path) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """(name, html, keyword arguments) of every extractor call, by input set."""
    sys.path.insert(0, str(ROOT))
    import digest.collect.parse as parse
    from digest.markdown import read_markdown
    from digest.outcomes.sources import _front_matter_date

    fixtures: list[tuple[str, str, dict[str, Any]]] = []
    for folder in sorted((ROOT / "tests" / "fixtures").glob("minutes*")):
        for source in sorted(folder.rglob("*")):
            name = str(source.relative_to(ROOT))
            if source.name == "README.md":
                continue  # the set's description, no note
            if source.suffix == ".html":
                fixtures.append((name, source.read_text(encoding="utf-8"),
                                 {"title": source.stem}))
            elif source.suffix == ".md":
                document = read_markdown(source.read_text(encoding="utf-8"))
                fixtures.append((name, document.html, {
                    "title": str(document.meta.get("title") or source.stem),
                    "meeting_date": _front_matter_date(document.meta.get("date"))}))

    feeds: list[tuple[str, str, dict[str, Any]]] = []
    manifest = json.loads((corpus / "manifest.json").read_text())
    real = parse.extract_outcomes
    current = ""

    def record(html: str, **kwargs: Any) -> Any:
        feeds.append((f"{current}#{len(feeds)}", html, kwargs))
        return real(html, **kwargs)

    parse.extract_outcomes = record
    try:
        for feed in manifest["feeds"]:
            if feed["role"] != "meetings":
                continue
            current = feed["name"]
            parse.parse_feed((corpus / "feeds" / feed["name"]).read_bytes(),
                             {"content-type": "application/rss+xml"},
                             url=f"http://bench.invalid/{feed['name']}", community="c",
                             kind="meeting", now=NOW)
    finally:
        parse.extract_outcomes = real
    return {"fixtures": fixtures, "corpus": feeds}


def worker(code: Path, inputs: Path, repeat: int) -> None:
    """In a process of its own: `code`'s extractor over `inputs`; prints JSON figures."""
    sys.path.insert(0, str(code))
    from digest.outcomes import extract_outcomes

    sets = pickle.loads(inputs.read_bytes())
    report: dict[str, Any] = {"cpu": {}, "outcomes": {}}
    for set_name, calls in sets.items():
        best = float("inf")
        for _ in range(repeat):
            results = []
            start = time.process_time()
            for _name, html, kwargs in calls:
                results.append(extract_outcomes(html, **kwargs))
            best = min(best, time.process_time() - start)
        report["cpu"][set_name] = best
        report["outcomes"][set_name] = [repr(r) for r in results]
    print(json.dumps(report))


def run_code(code: Path, inputs: Path, repeat: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", str(code), "--inputs", str(inputs),
         "--repeat", str(repeat)], capture_output=True, text=True, cwd=tempfile.gettempdir())
    if done.returncode:
        raise SystemExit(f"the extractor of {code} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default=BASELINE, help="commit to compare with")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each code")
    parser.add_argument("--corpus", type=Path, default=ROOT / "bench" / "corpus",
                        help="the collect bench's corpus (built there when missing)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.inputs, args.repeat)
        return 0

    corpus = args.corpus
    if not (corpus / "manifest.json").exists() and corpus == ROOT / "bench" / "corpus":
        from collect_bench import build_corpus
        build_corpus(200)
    old = code_at(args.against, WORK / f"code-{args.against}")
    if isinstance(old, str):
        print(f"extract_speed: {old}", file=sys.stderr)
        return 1
    WORK.mkdir(parents=True, exist_ok=True)
    inputs = WORK / "inputs.pickle"
    sets = gather_inputs(corpus)
    inputs.write_bytes(pickle.dumps(sets))
    before = run_code(old, inputs, args.repeat)
    after = run_code(ROOT, inputs, args.repeat)
    print(f"Outcome extractor CPU (best of {args.repeat}), {args.against} → working tree")
    differ: list[str] = []
    total = 0
    then = _fixtures_at(args.against)
    for set_name, calls in sets.items():
        b, a = before["cpu"][set_name], after["cpu"][set_name]
        print(f"  {set_name:<9} {len(calls):>4} notes: {b:6.2f} s → {a:6.2f} s "
              f"({(a - b) / b * 100:+.0f}%)")
        old_out, new_out = before["outcomes"][set_name], after["outcomes"][set_name]
        for (name, _, _), o, n in zip(calls, old_out, new_out, strict=True):
            if set_name == "fixtures" and name not in then:
                continue  # written after that commit, for a rule it lacks
            total += 1
            if o != n:
                differ.append(name)
    added = len(sets["fixtures"]) - sum(1 for name, _, _ in sets["fixtures"] if name in then)
    if added:
        print(f"  ({added} fixtures added since {args.against}: judged by their own tests)")
    if differ:
        print(f"DIFFERENT: {len(differ)} of {total} notes")
        for name in differ[:40]:
            print(f"  {name}")
        return 1
    print(f"identical: {total} notes")
    return 0


def _fixtures_at(commit: str) -> set[str]:
    """The note fixtures that `commit` had, by the names gather_inputs gives them."""
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", commit, "tests/fixtures"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return set(listed.splitlines())


if __name__ == "__main__":
    sys.exit(main())
