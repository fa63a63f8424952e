#!/usr/bin/env python3
"""Render benchmark: milliseconds an edition at 1,000 editions, old renderer beside new.

An organisation of 12 and of 48 communities with three short posts each, read by readers of
1,000 distinct sets of communities (bench/preview_bench.py's organisation, the one issue 14
measured); then a month of posts, meetings (with decisions and actions, every action open
and owned) and coming sessions, read by sets of every size; each edition rendered
as the build renders it: its readers' largest own block at a glance counted against the
size budget. A busier organisation (tests/large_org.py: 20 posts and 4 meetings of 5
decisions and 5 actions a community), whose editions sit at the 90 KB budget's edge, is
rendered too, with fewer editions.

"old" is the renderer of OLD_COMMIT (this branch's base: Jinja -> MJML -> premailer once
per detail level until one fits), extracted from git into bench/out/render/; "new" is this
checkout's. Each runs in a process of its own (so its peak memory is its own), in the same
run, on the same machine. Printed for each: ms an edition, peak memory, premailer calls an
edition, the detail levels chosen, and whether the new renderer wrote the same bytes as
rendering every level with premailer afresh (the same code's reference; the old commit's
bytes differ wherever templates changed since).

Usage: python bench/render_bench.py [--scale 1.0]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from _common import code_at

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "out" / "render"
OLD_COMMIT = "ddc94d90eddd82837afc81c9a8930d48eb875080"  # before issue 14's speed-ups
TARGET_MS = 5.0
TARGET_MB = 250
# (shape, communities, editions): "posts" is three short posts a community, read by the
# smallest sets (bench/preview_bench.py's organisation, which the issue measured); "month"
# adds meetings and sessions; "busy" sits at the size budget's edge
CASES = (("posts", 12, 1000), ("posts", 48, 1000), ("month", 12, 200), ("month", 48, 100),
         ("busy", 12, 60))
SHAPES: dict[str, dict[str, int]] = {
    "posts": dict(posts=3, meetings=0, outcomes=0, sessions=0),
    "month": dict(posts=6, meetings=2, outcomes=4, sessions=2),
    "busy": {},  # tests/large_org.py's defaults
}
BUSY_EDITIONS = 20  # editions whose readers include 90 owners of actions (own blocks)


def old_source() -> Path | str:
    """digest/ and templates/ of OLD_COMMIT, or why they are not available."""
    return code_at(OLD_COMMIT, WORK / f"old-{OLD_COMMIT[:12]}")


def audiences(ids: list[str], count: int, shape: str, seed: int = 14) -> list[frozenset[str]]:
    """`count` distinct sets of communities: for "posts" the smallest first (as
    bench/preview_bench.py makes them), else of every size from one to all but one."""
    if shape == "posts":
        sets = (frozenset(s) for n in range(1, len(ids)) for s in itertools.combinations(ids, n))
        return list(itertools.islice(sets, count))
    rng = random.Random(seed)
    found: dict[frozenset[str], None] = {}
    while len(found) < count:
        size = rng.randint(1, len(ids) - 1)
        found.setdefault(frozenset(rng.sample(ids, size)), None)
    return list(found)


def worker(shape: str, communities: int, editions: int) -> dict:
    """Render one organisation's editions with whichever `digest` is first on sys.path."""
    import digest.render as render
    from digest.models import Recipient
    from digest.render import Renderer
    from digest.render.personal import PersonalBlocks
    from tests.large_org import large_config, large_issue, large_readers

    calls = 0
    inline = render.inline_css

    def counted(html: str, css: str) -> str:
        nonlocal calls
        calls += 1
        return inline(html, css)

    if os.environ.get("RENDER_BENCH_EVERY_LEVEL"):  # the reference: every level, premailer afresh
        from tests.test_render_fit import premailer_afresh

        inline = premailer_afresh  # type: ignore[assignment]
    render.inline_css = counted  # type: ignore[assignment]  # the renderer looks it up per call
    with tempfile.TemporaryDirectory() as tmp:
        config = large_config(Path(tmp), communities)
        issue = large_issue(config, **SHAPES[shape])
        ids = [c.id for c in config.communities]
        if shape == "posts":  # short posts, as bench/preview_bench.py's feeds give them
            issue = replace(issue, sections=[replace(s, posts=[
                replace(p, title=f"{s.community_id} post {i}: notes from the month",
                        excerpt="A short body with bold text.", image=None)
                for i, p in enumerate(s.posts)]) for s in issue.sections])
        sets = audiences(ids, editions - 1, shape)
        # a busy owner of actions under each name in the first editions, one reader in the rest
        readers = large_readers([None, *sets[:BUSY_EDITIONS]])
        readers += [Recipient(f"reader{i}@example.org", f"Reader {i}", s)
                    for i, s in enumerate(sets[BUSY_EDITIONS:])]
        started = time.perf_counter()
        renderer = Renderer(config)
        renderer._skip_over = not os.environ.get("RENDER_BENCH_EVERY_LEVEL")
        personal = PersonalBlocks(renderer, issue, set(ids))
        personal.assign(readers)
        blocks = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        rendered = renderer.render_editions(issue, (r.communities for r in readers),
                                            extra_bytes=personal.largest)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
    digest = hashlib.sha256()
    for e in rendered:
        digest.update(f"{e.key}\x00{e.detail_level}\x00{e.html}\x00{e.text}\x00".encode())
    return {"editions": len(rendered), "seconds": took, "cpu_seconds": cpu,
            "blocks_seconds": blocks,
            "premailer": calls, "levels": dict(sorted(Counter(e.detail_level
                                                               for e in rendered).items())),
            "largest": max(e.html_bytes for e in rendered), "sha256": digest.hexdigest(),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run(source: Path, shape: str, communities: int, editions: int,
        every_level: bool = False) -> dict:
    """`worker` in a process of its own, with `source`'s digest package; with `every_level`,
    the reference the fast path must equal: every level inlined by premailer afresh."""
    env = {**os.environ, "PYTHONPATH": f"{source}{os.pathsep}{ROOT}"}
    if every_level:
        env["RENDER_BENCH_EVERY_LEVEL"] = "1"
    done = subprocess.run([sys.executable, __file__, "--worker", shape, str(communities),
                           str(editions)], env=env, capture_output=True, text=True)
    if done.returncode:
        return {"error": done.stderr.strip()[-600:]}
    result: dict = json.loads(done.stdout)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every case's editions (0.1 for a quick look)")
    ap.add_argument("--worker", nargs=3, metavar=("SHAPE", "COMMUNITIES", "EDITIONS"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        shape, communities, editions = args.worker
        print(json.dumps(worker(shape, int(communities), int(editions))))
        return 0
    old = old_source()
    print("render: CPU ms an edition (render_editions as the build calls it, from a new "
          f"Renderer), wall ms beside it; load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'organisation':<22} {'editions':>8} | {'old ms':>7} {'wall':>7} {'MB':>4} "
          f"{'inliner':>7} | {'new ms':>7} {'wall':>7} {'MB':>4} {'inliner':>7} | "
          f"{'same bytes':<10} | target | levels chosen (level:editions)")
    ok = True
    for shape, communities, wanted in CASES:
        editions = max(2, round(wanted * args.scale))
        results = {which: ({"error": source} if isinstance(source, str)
                           else run(source, shape, communities, editions))
                   for which, source in (("old", old), ("new", ROOT))}
        cells = []
        for which, r in results.items():
            if "error" in r:
                print(f"{which} renderer failed on {shape} of {communities}: {r['error']}")
                cells.append(f"{'n/a':>7} {'':>7} {'':>4} {'':>7}")
                continue
            n = r["editions"]
            cells.append(f"{r['cpu_seconds'] / n * 1e3:>7.2f} {r['seconds'] / n * 1e3:>7.2f} "
                         f"{r['peak_mb']:>4.0f} {r['premailer'] / n:>7.2f}")
        new = results["new"]
        reference = run(ROOT, shape, communities, editions, every_level=True)
        same = ("n/a" if "error" in new or "error" in reference
                else "yes" if new["sha256"] == reference["sha256"] else "NO")
        verdict = "-"
        if "error" not in new and shape == "posts":
            met = new["cpu_seconds"] / new["editions"] * 1e3 <= TARGET_MS \
                and new["peak_mb"] < TARGET_MB
            verdict = "met" if met else "MISSED"
            ok = ok and met
        ok = ok and same != "NO" and "error" not in new
        levels = " ".join(f"{k}:{v}" for k, v in new.get("levels", {}).items())
        print(f"{f'{shape}, {communities} communities':<22} {editions:>8} | {cells[0]} | "
              f"{cells[1]} | {same:<10} | {verdict:<6} | {levels}", flush=True)
    print(f"target: at most {TARGET_MS:g} ms an edition and under {TARGET_MB} MB at 1,000 "
          f"editions; load average after: {os.getloadavg()[0]:.2f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
