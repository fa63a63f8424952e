#!/usr/bin/env python3
"""Preview benchmark: time from `digest preview` to its first index answer, old and new.

For an organisation of 12 communities with 10 editions and with 1,000 editions (one reader
per distinct set of communities), it starts `digest preview --no-open` in a process of its
own, reads the address it prints, asks for the index, and measures the time from launch to
the index's last byte, and the index's size. "old" is the preview of commit OLD_COMMIT (it
built every edition before it answered), extracted from git into bench/out/preview/;
"new" is this checkout's. Both run in the same run, on copies of the same collected state.

Usage: python bench/preview_bench.py [--editions 10 1000]
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _common import code_at  # noqa: E402

from tests.support import Post, utc, write_org  # noqa: E402

WORK = ROOT / "bench" / "out" / "preview"
OLD_COMMIT = "4ad7b5a5b0e82a81acdd3e9bba7b1c3649c08821"  # before the lazy preview
COMMUNITIES = 12
TARGET_SECONDS = 1.0
_URL = re.compile(r"at (http://127\.0\.0\.1:\d+/)")


def organisation(folder: Path, editions: int) -> Path:
    """12 communities with a few posts each, and one reader per edition beyond the full one."""
    ids = [f"cop{i:02d}" for i in range(COMMUNITIES)]
    org = write_org(folder, {
        c: [Post(f"{c} post {n}: notes from the month", utc(2026, 10, 2 + n * 5 + i % 4, 9),
                 link=f"https://{c}.example.org/{n}", guid=f"{c}-{n}") for n in range(3)]
        for i, c in enumerate(ids)})
    sets = (s for n in range(1, COMMUNITIES) for s in itertools.combinations(ids, n))
    rows = ["email,name,communities", "everyone@example.org,Eve Everyone,"]
    rows += [f"r{i}@example.org,Reader {i},{';'.join(s)}"
             for i, s in enumerate(itertools.islice(sets, editions - 1))]
    (folder / "recipients.csv").write_text("\n".join(rows) + "\n")
    return org.config_path


def old_source() -> Path | str:
    """digest/ and templates/ of OLD_COMMIT, or why they are not available."""
    return code_at(OLD_COMMIT, WORK / f"old-{OLD_COMMIT[:12]}")


def first_index(config: Path, source: Path, timeout: float = 600) -> dict:
    """Launch the preview of `source`, wait for its address, fetch the index once."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "digest", "--config", str(config), "preview",
                             "--period", "2026-10", "--port", "8600", "--no-open"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=config.parent)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once the preview serves
        found = _URL.search(line)
        if not found:
            proc.kill()
            return {"error": (line + proc.stderr.read() if proc.stderr else line)[-400:]}
        with urllib.request.urlopen(found[1], timeout=timeout) as r:
            body = r.read()
        seconds = time.monotonic() - started
        if b'class="error"' in body or b"Built issues" not in body:  # a failed build's page
            text = re.sub(r"<[^>]+>", " ", body.decode(errors="replace"))
            return {"error": " ".join(text.split())[-400:]}
        return {"seconds": seconds, "bytes": len(body)}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--editions", type=int, nargs="+", default=[10, 1000])
    args = ap.parse_args()
    old = old_source()
    print(f"{COMMUNITIES} communities; load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'editions':>9} | {'old: s to index':>16} {'index KB':>9} | "
          f"{'new: s to index':>16} {'index KB':>9} | target")
    ok = True
    for editions in args.editions:
        base = WORK / f"org-{editions}"
        shutil.rmtree(base, ignore_errors=True)
        organisation(base / "seed", editions)
        cells = []
        for which, source in (("old", old), ("new", ROOT)):
            if isinstance(source, str):
                cells.append(f"{'n/a':>16} {'':>9}")
                continue
            copy = base / which
            shutil.copytree(base / "seed", copy)
            # each version collects into its own state: an older one cannot read a newer
            # one's schema
            subprocess.run([sys.executable, "-m", "digest", "--config",
                            str(copy / "digest.toml"), "--quiet", "collect"], check=True,
                           env={**os.environ, "PYTHONPATH": str(source)}, cwd=copy)
            result = first_index(copy / "digest.toml", source)
            if "error" in result:
                print(f"{which} preview of {editions} editions failed: {result['error']}")
                ok = ok and which == "old"
                cells.append(f"{'failed':>16} {'':>9}")
                continue
            cells.append(f"{result['seconds']:>16.2f} {result['bytes'] / 1024:>9.0f}")
            if which == "new":
                met = result["seconds"] <= TARGET_SECONDS
                ok = ok and met
                verdict = f"<= {TARGET_SECONDS:g} s {'met' if met else 'MISSED'}"
        print(f"{editions:>9} | {cells[0]} | {cells[1]} | {verdict}", flush=True)
    if isinstance(old, str):
        print(f"old preview: {old}")
    print(f"load average after: {os.getloadavg()[0]:.2f} (wall times assume the cores are ours)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
