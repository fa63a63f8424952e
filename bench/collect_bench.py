#!/usr/bin/env python3
"""Collect benchmark: `digest collect` with the old defaults and the new, and rss2email.

1. Builds (once, deterministically) a corpus of realistic feeds under
   bench/corpus/: WordPress, Ghost, Hugo, Jekyll, Blogger, Confluence and
   home-grown generators, from a few KB to several MB, ~45 MB in all.
2. Serves it from a separate process on 200 hosts (127.0.0.1 to 127.0.0.200),
   each with a listen backlog of 128, 100 ms of latency per request, gzip
   when asked, and ETag/Last-Modified so an unchanged run can get 304s; the server's
   own CPU time is printed beside each run's, as it shares the machine's cores.
3. Runs `digest collect` (the command cron runs) twice, first then unchanged, with three
   versions of the code side by side: the code when issue 14 was opened (ISSUE_COMMIT, its
   default `[collect] concurrency = 32`), the code before this round of work on it
   (BEFORE_COMMIT: concurrency sized from the hosts), and the working tree; the two older
   ones are extracted from git into bench/out/collect/code-<commit>/. Then two unchanged
   collects of 2,000 feeds by each (each corpus feed listed ten times, under ten
   addresses, its validators already in the state): on the same 20 hosts (100 feeds a
   host, so the per-host limit sets a floor, printed beside it) and on 200 hosts (ten
   feeds a host, as the 200-feed run has), and `r2e run --no-send` twice on the same
   200 feeds. It measures wall time, CPU time (user+sys of the process and its children)
   and peak memory (the largest sum of RSS over the process tree, sampled every 20 ms), and
   prints each figure of the working tree beside the ones it replaces, measured in this
   run. `--repeat N` runs every unchanged collect N times, `--repeat-first N` every first
   collect (on a fresh set-up), and it prints the best and the median (the machine is
   shared: one run says little).

Usage: python bench/collect_bench.py [--feeds 200] [--repeat 3] [--repeat-first 3]
                                    [--skip-r2e] [--skip-2000]
Exit 1 when our collect failed (crash, timeout, a failed feed) or missed a target.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from _common import ROOT, code_at, serve_until_stdin_closes

CORPUS = ROOT / "bench" / "corpus"
WORK = ROOT / "bench" / "out" / "collect"
HOSTS = 20  # the corpus's feeds are spread over these
SPREAD_HOSTS = 200  # the 2,000-feed run spread as thinly as the 200 feeds: ten a host
LATENCY = 0.100
BACKLOG = 128
SEED = 20261124
CORPUS_VERSION = 5
# thousands: 2,000 feeds on 20 hosts, whose per-host limit sets a floor: "bound by the
# network" is at most FLOOR_MARGIN over it beyond what a run pays whatever its feeds (its
# start-up and finish, measured in the same bench as the 200-feed unchanged run's time over
# that run's own floor); spread: 2,000 feeds on 200 hosts, "about a second"
TARGETS = {"first_wall": 10.0, "second_wall": 0.5, "peak_mb": 300.0, "spread_wall": 1.2}
FLOOR_MARGIN = 0.25
PER_HOST = 8  # digest's default [collect] per_host
CEILING = 256  # digest's AUTO_CONCURRENCY_CEILING, feeds at once in each fetching process
TWO_PROCESSES_FROM = 400  # digest.collect.fetch_process.MIN_FEEDS: a second one from here
OLD_CONCURRENCY = 32  # the default before it was sized from the work
ISSUE_COMMIT = "b39111a"  # the code when issue 14 was opened (concurrency 32, httpx's client)
BEFORE_COMMIT = "cf4bed1"  # concurrency sized from the hosts, leaner start-up; httpx's client
# (label, commit or None for the working tree, [collect] concurrency or None for the default)
VARIANTS = (("issue", ISSUE_COMMIT, OLD_CONCURRENCY), ("before", BEFORE_COMMIT, None),
            ("now", None, None))
COPIES = 10  # the 2,000-feed runs list each corpus feed this many times
# 2,000-feed layouts: (label, stage key, hosts the copies spread over)
LAYOUTS = (("x10", "thousands", HOSTS), ("x10-spread", "spread", SPREAD_HOSTS))

# -- corpus ----------------------------------------------------------------------

_WORDS = ("community practice meeting notes decision action owner team platform data "
         "design review release security cloud migration api service customer research "
         "workshop retrospective roadmap library pattern testing deploy pipeline metrics "
         "observability incident learning mentoring onboarding accessibility documentation "
         "architecture kubernetes python javascript frontend backend mobile analytics model "
         "governance standard guideline proposal budget quarter sprint goal outcome impact "
         "the a of to and in for on with as by from at is are was were be has have will can "
         "we our this that these those new next first last more most very also just only "
         "about after before during between into over under again further then once here "
         "there when where why how all any both each few other some such no nor not own same "
         "so than too always often sometimes usually because while although however")
WORDS = _WORDS.split()
GENERATORS = ("wordpress", "ghost", "hugo", "jekyll", "blogger", "confluence", "homegrown")


def _sentences(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
        words[0] = words[0].capitalize()
        out.append(" ".join(words) + rng.choice(".....?!"))
    return out


def _html_body(rng: random.Random, sentences: list[str], size: int, host: str) -> str:
    parts: list[str] = []
    total = 0
    while total < size:
        roll = rng.random()
        if roll < 0.6:
            para = " ".join(rng.sample(sentences, rng.randint(2, 6)))
            if rng.random() < 0.3:
                word = rng.choice(WORDS)
                para += f' See <a href="https://{host}/{word}/">{word}</a>.'
            chunk = f"<p>{escape(para, quote=False)}</p>\n"
        elif roll < 0.7:
            items = "".join(f"<li>{rng.choice(sentences)}</li>" for _ in range(rng.randint(3, 7)))
            chunk = f"<ul>{items}</ul>\n"
        elif roll < 0.78:
            n = rng.randint(1, 9999)
            chunk = (f'<figure><img src="/wp-content/uploads/2026/10/photo-{n}.jpg" '
                     f'alt="Photo {n}" width="800" height="450" '
                     f'srcset="/img/{n}-400.jpg 400w, /img/{n}-800.jpg 800w" loading="lazy">'
                     f"<figcaption>{rng.choice(sentences)}</figcaption></figure>\n")
        elif roll < 0.86:
            code = "\n".join(f"    {rng.choice(WORDS)} = {rng.choice(WORDS)}({rng.randint(0, 99)})"
                             for _ in range(rng.randint(3, 12)))
            chunk = f"<pre><code>{escape(code)}</code></pre>\n"
        elif roll < 0.92:
            chunk = f"<h2>{rng.choice(sentences)[:60]}</h2>\n"
        elif roll < 0.96:
            chunk = (f'<blockquote><p>{rng.choice(sentences)}</p></blockquote>\n'
                     f'<script>track("{rng.randint(0, 1 << 30)}")</script>\n')
        else:
            rows = "".join(f"<tr><td>{rng.choice(WORDS)}</td><td>{rng.randint(0, 999)}</td></tr>"
                           for _ in range(rng.randint(2, 8)))
            chunk = f'<table style="width:100%">{rows}</table>\n'
        parts.append(chunk)
        total += len(chunk)
    return "".join(parts)


def _feed(rng: random.Random, sentences: list[str], gen: str, index: int, size: int,
          host: str, now: datetime) -> str:
    entries = {"wordpress": 10, "ghost": 15, "hugo": rng.randint(20, 120), "jekyll": 10,
               "blogger": rng.randint(25, 300), "confluence": rng.randint(10, 40),
               "homegrown": rng.randint(5, 60)}[gen]
    per_entry = max(300, size // entries)
    site = f"https://{host}/blog{index}"
    title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} blog {index}"
    items = []
    when = now - timedelta(hours=rng.randint(1, 72))
    for n in range(entries):
        when -= timedelta(hours=rng.randint(6, 24 * 20))
        slug = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{index}-{n}"
        body = _html_body(rng, sentences, rng.randint(per_entry // 2, per_entry * 3 // 2), host)
        head = escape(rng.choice(sentences)[:90])
        if gen == "wordpress":
            items.append(
                f"<item><title>{head}</title><link>{site}/{slug}/</link>"
                f"<dc:creator><![CDATA[{rng.choice(WORDS)} {rng.choice(WORDS)}]]></dc:creator>"
                f"<pubDate>{format_datetime(when)}</pubDate>"
                f"<category><![CDATA[{rng.choice(WORDS)}]]></category>"
                f'<guid isPermaLink="false">{site}/?p={1000 + n}</guid>'
                f"<description><![CDATA[{rng.choice(sentences)} [&#8230;]]]></description>"
                f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")
        elif gen == "ghost":
            items.append(
                f"<item><title><![CDATA[{head}]]></title><description><![CDATA["
                f"{rng.choice(sentences)}]]></description><link>{site}/{slug}/</link>"
                f'<guid isPermaLink="false">{hashlib.md5(slug.encode()).hexdigest()[:24]}</guid>'
                f"<dc:creator><![CDATA[{rng.choice(WORDS)}]]></dc:creator>"
                f"<pubDate>{format_datetime(when)}</pubDate>"
                f'<media:content url="https://{host}/content/images/{slug}.png" medium="image"/>'
                f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")
        elif gen == "hugo":
            items.append(
                f"<item><title>{head}</title><link>{site}/posts/{slug}/</link>"
                f"<pubDate>{format_datetime(when)}</pubDate><guid>{site}/posts/{slug}/</guid>"
                f"<description>{escape(body)}</description></item>")
        elif gen == "jekyll":
            items.append(
                f'<entry><title type="html">{head}</title>'
                f'<link href="/blog{index}/{slug}.html" rel="alternate" type="text/html"/>'
                f"<published>{when.isoformat()}</published>"
                f"<updated>{when.isoformat()}</updated><id>{site}/{slug}</id>"
                f'<content type="html" xml:base="{site}/{slug}.html">{escape(body)}</content>'
                f"<author><name>{rng.choice(WORDS)}</name></author>"
                f'<summary type="html">{escape(rng.choice(sentences))}</summary></entry>')
        elif gen == "blogger":
            stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000-07:00")
            items.append(
                f"<entry><id>tag:blogger.com,1999:blog-{index}.post-{10 ** 17 + n}</id>"
                f"<published>{stamp}</published><updated>{stamp}</updated>"
                f"<title type='text'>{head}</title><content type='html'>{escape(body)}</content>"
                f"<link rel='alternate' type='text/html' href='{site}/{when:%Y/%m}/{slug}.html'/>"
                f"<author><name>{rng.choice(WORDS)}</name></author>"
                f"<media:thumbnail url='https://blogger.googleusercontent.com/{slug}/s72-c/a.jpg'"
                f" height='72' width='72'/></entry>")
        elif gen == "confluence":
            page = rng.randint(10 ** 6, 10 ** 7)
            chrome = (f'<div class="feed"><p>Page <b>added</b> by {rng.choice(WORDS)}</p>{body}'
                      f'<div style="padding: 10px 0;"><a href="https://{host}/wiki">'
                      "View Online</a></div></div>")
            items.append(
                f"<item><title>{head}</title>"
                f"<link>https://{host}/wiki/spaces/CoP/pages/{page}</link>"
                f"<description>{escape(chrome)}"
                f"</description><guid>https://{host}/wiki/spaces/CoP/pages/{page}"
                f"-v{rng.randint(1, 9)}</guid>"
                f"<pubDate>{format_datetime(when)}</pubDate>"
                f"<dc:creator>{rng.choice(WORDS)}</dc:creator></item>")
        else:  # home-grown: RSS 0.92-ish, sometimes no guid, sometimes text only
            text = " ".join(rng.sample(sentences, min(len(sentences), max(2, per_entry // 120))))
            guid = f"<guid>{site}/{n}</guid>" if rng.random() < 0.5 else ""
            items.append(f"<item><title>{head}</title><link>{site}/news.php?id={n}</link>{guid}"
                         f"<description>{escape(text)}</description>"
                         f"<pubDate>{format_datetime(when)}</pubDate></item>")
    if gen in ("jekyll", "blogger"):
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                '<feed xmlns="http://www.w3.org/2005/Atom" '
                'xmlns:media="http://search.yahoo.com/mrss/">'
                f"<title>{title}</title><id>{site}/</id><updated>{now.isoformat()}</updated>"
                f'<link href="{site}/" rel="alternate"/><generator>{gen}</generator>'
                + "".join(items) + "</feed>\n")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:media="http://search.yahoo.com/mrss/"><channel>'
            f"<title>{title}</title><link>{site}/</link><description>{title}</description>"
            f"<generator>{gen}</generator><lastBuildDate>{format_datetime(now)}</lastBuildDate>"
            + "".join(items) + "</channel></rss>\n")


def build_corpus(count: int) -> dict:
    manifest_path = CORPUS / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("version") == CORPUS_VERSION and len(manifest["feeds"]) == count:
            return manifest
    print(f"building a corpus of {count} feeds in {CORPUS} ...", flush=True)
    shutil.rmtree(CORPUS, ignore_errors=True)
    (CORPUS / "feeds").mkdir(parents=True)
    rng = random.Random(SEED)
    sentences = _sentences(rng, 3000)
    now = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    feeds = []
    total = 0
    for i in range(count):
        roll = rng.random()
        if roll < 0.75:
            size = rng.randint(24_000, 155_000)
        elif roll < 0.96:
            size = rng.randint(202_000, 546_000)
        else:
            size = rng.randint(784_000, 1_544_000)
        gen = GENERATORS[i % len(GENERATORS)] if rng.random() < 0.8 else rng.choice(GENERATORS)
        host = f"127.0.0.{i % HOSTS + 1}"
        text = _feed(rng, sentences, gen, i, size, host, now).encode()
        name = f"f{i:03d}.xml"
        (CORPUS / "feeds" / name).write_bytes(text)
        (CORPUS / "feeds" / (name + ".gz")).write_bytes(gzip.compress(text, 6, mtime=0))
        total += len(text)
        feeds.append({"name": name, "host": i % HOSTS + 1, "generator": gen, "bytes": len(text),
                      "role": "meetings" if gen == "confluence" else "posts"})
    manifest = {"version": CORPUS_VERSION, "feeds": feeds, "bytes": total}
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


# -- server ----------------------------------------------------------------------


def serve(port: int) -> None:
    """Serve the corpus on 127.0.0.1..200:port until stdin closes (every file on every
    host)."""
    from http.server import BaseHTTPRequestHandler

    files: dict[str, tuple[bytes, bytes, str]] = {}
    mtime = format_datetime(datetime(2026, 11, 1, 6, 0, tzinfo=UTC), usegmt=True)
    for path in sorted((CORPUS / "feeds").glob("*.xml")):
        raw = path.read_bytes()
        files["/" + path.name] = (raw, (path.parent / (path.name + ".gz")).read_bytes(),
                                  '"' + hashlib.sha1(raw).hexdigest()[:20] + '"')

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            time.sleep(LATENCY)
            entry = files.get(self.path.split("?")[0])
            if entry is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            raw, gz, etag = entry
            if self.headers.get("If-None-Match") == etag or \
                    self.headers.get("If-Modified-Since") == mtime:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", mtime)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            use_gz = "gzip" in (self.headers.get("Accept-Encoding") or "")
            body = gz if use_gz else raw
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", mtime)
            if use_gz:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    serve_until_stdin_closes(Handler, port, SPREAD_HOSTS, BACKLOG)


def _free_port() -> int:
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        ok = True
        for i in range(2, SPREAD_HOSTS + 1):
            with socket.socket() as t:
                try:
                    t.bind((f"127.0.0.{i}", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return port
    raise RuntimeError(f"no port free on all {SPREAD_HOSTS} loopback addresses")


# -- measuring -------------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Sum of RSS (bytes) of `root` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        rss[pid] = int(fields[21]) * page
    total, stack = 0, [root]
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


SERVER_PID: int | None = None  # the feed server's, for its CPU time beside each run's


def _cpu_of(pid: int | None) -> float:
    """User+system CPU seconds of process `pid` so far (Linux's /proc); nan elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def measure(cmd: list[str], env: dict[str, str], timeout: float, cwd: Path = ROOT) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = _cpu_of(SERVER_PID)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=cwd)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    wall = time.monotonic() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "server_cpu": _cpu_of(SERVER_PID) - server_before,
            "peak_mb": peak / 2**20,
            "maxrss_mb": after.ru_maxrss / 1024, "rc": proc.returncode, "timed_out": timed_out,
            "stdout": out.decode(errors="replace"), "stderr": err.decode(errors="replace")}


def copy_host(host: int, copy: int, hosts: int) -> int:
    """The host serving copy `copy` of a feed the corpus puts on `host`: copies spread
    over `hosts` hosts (HOSTS: every copy on the original's host)."""
    return (host - 1 + copy * HOSTS) % hosts + 1


def setup_ours(manifest: dict, port: int, name: str, concurrency: int | None,
               copies: int = 1, hosts: int = HOSTS) -> Path:
    """A set-up of its own under WORK/name: `concurrency` None leaves the key out (the new
    default); `copies` > 1 lists every feed that many times under distinct addresses,
    spread over `hosts` hosts."""
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    (work / "feeds").mkdir(parents=True)
    (work / "recipients.csv").write_text("email,name,communities\n")
    (work / "digest.toml").write_text(
        '[digest]\norganisation = "Bench Org"\nfeeds = "feeds/communities.toml"\n'
        'state = "var/digest.db"\n\n[delivery]\nmethod = "outbox"\n'
        'from = "Digest <digest@example.org>"\nrecipients = "recipients.csv"\n'
        + (f"\n[collect]\nconcurrency = {concurrency}\n" if concurrency else ""))
    feeds = manifest["feeds"]
    lines = []
    for copy in range(copies):
        query = f"?copy={copy}" if copy else ""  # the server ignores it: the same file
        for c in range(0, len(feeds), 5):
            group = feeds[c:c + 5]
            urls = {role: [f'"http://127.0.0.{copy_host(f["host"], copy, hosts)}:{port}/'
                           f'{f["name"]}{query}"'
                           for f in group if f["role"] == role] for role in ("posts", "meetings")}
            ident = copy * len(feeds) // 5 + c // 5
            lines.append(f'[[community]]\nid = "c{ident:03d}"\nname = "Community {ident}"\n'
                         f'posts = [{", ".join(urls["posts"])}]\n'
                         f'meetings = [{", ".join(urls["meetings"])}]\n')
    (work / "feeds" / "communities.toml").write_text("\n".join(lines))
    return work / "digest.toml"


def seed_copies(source_db: Path, config: Path, hosts: int) -> None:
    """Give the copies of a `copies` > 1 set-up the validators their original earned in
    `source_db` (after a first collect), so its collect is an unchanged one."""
    target = config.parent / "var" / "digest.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source_db, target)
    with sqlite3.connect(target) as db:
        rows = db.execute("SELECT * FROM feeds").fetchall()
        columns = [d[0] for d in db.execute("SELECT * FROM feeds").description]
        url_at = columns.index("url")
        copies = []
        for row in rows:
            for copy in range(1, COPIES):
                new = list(row)
                host = re.match(r"http://127\.0\.0\.(\d+):", row[url_at])
                assert host, row[url_at]
                moved = f"127.0.0.{copy_host(int(host[1]), copy, hosts)}:"
                new[url_at] = row[url_at].replace(f"127.0.0.{host[1]}:", moved, 1) \
                    + f"?copy={copy}"
                copies.append(new)
        marks = ", ".join("?" for _ in columns)
        db.executemany(f"INSERT OR REPLACE INTO feeds ({', '.join(columns)}) VALUES ({marks})",
                       copies)


_SUMMARY = re.compile(r"^(\d+) feeds?, (\d+) failed, (\d+) new items?, (\d+) updated$", re.M)


def ours_facts(run: dict, config: Path) -> dict | None:
    """What `digest collect` printed (its summary line and its rows), or None without one."""
    found = _SUMMARY.search(run["stdout"])
    if not found:
        return None
    rows = [line for line in run["stdout"].splitlines() if "  community=" in line]
    failed = [line for line in rows if not line.startswith(("ok", "unchanged"))]
    with sqlite3.connect(config.parent / "var" / "digest.db") as db:
        items = db.execute("SELECT count(*) FROM items").fetchone()[0]
    return {"feeds": int(found[1]), "failed": failed, "new": int(found[3]),
            "updated": int(found[4]), "unchanged": sum(r.startswith("unchanged") for r in rows),
            "items": items}


def setup_r2e(manifest: dict, port: int) -> dict[str, str] | str:
    r2e = Path(sys.executable).with_name("r2e")
    if not r2e.exists():
        return "rss2email is not installed (pip install rss2email into the venv)"
    work = WORK / "r2e"
    shutil.rmtree(work, ignore_errors=True)
    env = {**os.environ, "XDG_CONFIG_HOME": str(work / "config"),
           "XDG_DATA_HOME": str(work / "data")}
    made = subprocess.run([str(r2e), "new", "bench@example.org"], env=env,
                          capture_output=True, text=True)
    if made.returncode:
        return f"r2e new failed: {made.stderr.strip()[-300:]}"
    cfg = work / "config" / "rss2email.cfg"
    data = work / "data" / "rss2email.json"
    sections = []
    feeds = []
    for f in manifest["feeds"]:
        name = f["name"].removesuffix(".xml")
        sections.append(f"\n[feed.{name}]\nurl = http://127.0.0.{f['host']}:{port}/{f['name']}\n")
        feeds.append({"name": name, "etag": None, "modified": None, "seen": {}})
    with cfg.open("a") as out:
        out.write("".join(sections))
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text(json.dumps({"version": 2, "feeds": feeds}))
    return {**env, "R2E": str(r2e)}


def code_of(commit: str | None) -> Path | str:
    """A folder holding digest/ at `commit` (the working tree for None), or why not."""
    if commit is None:
        return ROOT
    return code_at(commit, WORK / f"code-{commit}")


def run_collect(config: Path, code: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    # Run from the set-up's folder: `python -m` puts its folder first on sys.path, and
    # from ROOT that would be the working tree's digest/ whatever PYTHONPATH says.
    run = measure([sys.executable, "-m", "digest", "--config", str(config), "collect"],
                  env, 120, cwd=config.parent)
    run["facts"] = ours_facts(run, config)
    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each unchanged collect (best and median printed)")
    ap.add_argument("--repeat-first", type=int, default=3,
                    help="first collects of each version, each on a fresh set-up")
    ap.add_argument("--skip-r2e", action="store_true")
    ap.add_argument("--skip-2000", action="store_true",
                    help="leave out the unchanged collect of ten times the feeds")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve)
        return 0

    manifest = build_corpus(args.feeds)
    print(f"corpus: {len(manifest['feeds'])} feeds, {manifest['bytes'] / 1e6:.1f} MB, "
          f"{HOSTS} hosts, {LATENCY * 1000:.0f} ms latency per request, "
          f"{os.cpu_count()} cores; load average before: {_load()}", flush=True)
    codes: dict[str, Path] = {}
    for name, commit, _ in VARIANTS:
        code = code_of(commit)
        if isinstance(code, str):
            print(f"{name}: {code}; left out")
            continue
        codes[name] = code
    port = _free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    global SERVER_PID
    SERVER_PID = server.pid
    try:
        if server.stdout.readline().strip() != "ready":
            print("the feed server did not start", file=sys.stderr)
            return 1
        variants = [(n, cc) for n, _, cc in VARIANTS if n in codes]
        configs: dict[str, Path] = {}
        runs: dict[str, dict[str, list[dict]]] = {n: {"first": []} for n, _ in variants}
        for _ in range(max(1, args.repeat_first)):  # each on a fresh set-up, interleaved
            for n, cc in variants:
                configs[n] = setup_ours(manifest, port, n, cc)
                runs[n]["first"].append(run_collect(configs[n], codes[n]))
        big: dict[tuple[str, str], Path] = {}
        if not args.skip_2000:
            for n, cc in variants:  # each version's own state: an older one cannot read ours
                for label, stage, hosts in LAYOUTS:
                    big[n, stage] = setup_ours(manifest, port, f"{n}-{label}", cc, COPIES,
                                               hosts)
                    seed_copies(configs[n].parent / "var" / "digest.db", big[n, stage], hosts)
        for _ in range(max(1, args.repeat)):  # interleaved: each version sees the same load
            for n, _cc in variants:
                runs[n].setdefault("unchanged", []).append(run_collect(configs[n], codes[n]))
                for (name, stage), config in big.items():
                    if name == n:
                        runs[n].setdefault(stage, []).append(run_collect(config, codes[n]))
        r2e: list[dict] = []
        r2e_note = ""
        if args.skip_r2e:
            r2e_note = "rss2email skipped (--skip-r2e)"
        else:
            r2e_env = setup_r2e(manifest, port)
            if isinstance(r2e_env, str):
                r2e_note = r2e_env
            else:
                cmd = [r2e_env.pop("R2E"), "run", "--no-send"]
                r2e = [measure(cmd, r2e_env, 150) for _ in range(2)]
        passed = report(runs, r2e, r2e_note, len(manifest["feeds"]))
    finally:
        server.stdin.close()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    return 0 if passed else 1


def network_floor(feeds: int, hosts: int) -> float:
    """The least time `feeds` unchanged feeds spread evenly over `hosts` hosts can take with
    the working tree's limits: each host's feeds go `PER_HOST` at a time, all hosts' at
    most `at_most(feeds)` at a time, one round trip each."""
    busiest = -(-feeds // hosts)
    at_once = min(at_most(feeds), hosts * min(busiest, PER_HOST))
    return max(-(-busiest // PER_HOST), -(-feeds // at_once)) * LATENCY


def at_most(feeds: int) -> int:
    """Feeds at once in the working tree's run: `CEILING` in each fetching process (two on
    a machine of two cores or more, from `TWO_PROCESSES_FROM` feeds)."""
    two = (os.cpu_count() or 1) >= 2 and feeds >= TWO_PROCESSES_FROM
    return CEILING * (2 if two else 1)


def _collect_failed(run: dict) -> bool:
    """Our collect did not finish cleanly: it crashed, timed out, or a feed failed."""
    return bool(run["rc"] or run["timed_out"] or run["facts"] is None or run["facts"]["failed"])


def _ours_summary(run: dict) -> str:
    data = run["facts"]
    if data is None:
        return f"no summary line (rc={run['rc']}): {run['stderr'].strip()[-300:]}"
    text = (f"{data['feeds']} feeds, {data['new']} new items, {data['unchanged']} unchanged, "
            f"{len(data['failed'])} failed, {data['items']} items stored")
    if data["failed"]:
        text += f"; first failure: {data['failed'][0]}"
    return text


def _load() -> str:
    """The 1-minute load average: other work on the machine inflates wall times."""
    return f"{os.getloadavg()[0]:.2f}"


def _best(runs: list[dict]) -> dict:
    return min(runs, key=lambda r: r["wall"])


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _cell(runs: list[dict]) -> str:
    """wall s as best/median, cpu s (median), the server's cpu s (median), peak MB."""
    flag = "*" if any(r["timed_out"] or r["rc"] for r in runs) else " "
    wall = f"{_best(runs)['wall']:.2f}" + (f"/{_median(runs, 'wall'):.2f}" if len(runs) > 1
                                           else "")
    return (f"{wall:>10}{flag} {_median(runs, 'cpu'):>5.2f} {_median(runs, 'server_cpu'):>4.2f}"
            f" {max(r['peak_mb'] for r in runs):>4.0f}")


LABELS = {"issue": f"issue 14 opened ({ISSUE_COMMIT}, c=32)",
          "before": f"before ({BEFORE_COMMIT}, sized)", "now": "now (working tree)"}


def report(runs: dict[str, dict[str, list[dict]]], r2e: list[dict], note: str,
           feeds: int) -> bool:
    """Print each figure of the working tree beside the ones it replaces; True when our
    collect ran cleanly and met every target."""
    print(f"\nload average after: {_load()} (wall times assume the cores are ours)")
    stages = {"first": f"first collect, {feeds} feeds",
              "unchanged": f"unchanged, {feeds} feeds (all 304)",
              "thousands": f"unchanged, {feeds * COPIES} on {HOSTS} hosts",
              "spread": f"unchanged, {feeds * COPIES} on {SPREAD_HOSTS} hosts"}
    names = list(runs)
    print(f"{'':<34} | " + " | ".join(f"{LABELS[n]:^26}" for n in names))
    print(f"{'run':<34} | " + " | ".join(f"{'wall s':>11} {'cpu':>5} {'srv':>4} {'MB':>4}"
                                          for _ in names))
    print("-" * (37 + 29 * len(names)))
    for stage, label in stages.items():
        if all(stage in runs[n] for n in names):
            print(f"{label:<34} | " + " | ".join(_cell(runs[n][stage]) for n in names))
    if r2e:
        print(f"{'rss2email, first then unchanged':<34} | {_cell(r2e[:1])} | {_cell(r2e[1:])}")
    print("wall s: best/median of the runs; cpu: median s (user+sys, children included); srv: "
          "the feed server's\nmedian s of CPU in the run (it shares the cores); MB: largest "
          "peak RSS sum over the process tree\n(sampled every 20 ms); * = failed or timed out")
    if note:
        print(note)
    passed = True
    for n in names:
        for stage, stage_runs in runs[n].items():
            print(f"cop-digest {n} {stage}: {_ours_summary(stage_runs[-1])}")
            for run in stage_runs:
                passed = passed and not _collect_failed(run)
                if run["rc"]:
                    print(run["stderr"][-2000:])
    now, old = runs["now"], runs.get("issue", runs["now"])
    checks = [("first collect wall (best)", _best(now["first"])["wall"],
               TARGETS["first_wall"], "s"),
              ("first collect no slower than when the issue was opened (median)",
               _median(now["first"], "wall"), _median(old["first"], "wall") * 1.10, "s"),
              ("first collect peak memory no larger than when the issue was opened",
               max(r["peak_mb"] for r in now["first"]),
               max(r["peak_mb"] for r in old["first"]) * 1.10, "MB"),
              ("unchanged collect wall (best)", _best(now["unchanged"])["wall"],
               TARGETS["second_wall"], "s"),
              ("peak memory", max(r["peak_mb"] for rs in now.values() for r in rs),
               TARGETS["peak_mb"], "MB")]
    for stage, hosts in (("thousands", HOSTS), ("spread", SPREAD_HOSTS)):
        if stage not in now:
            continue
        floor = network_floor(feeds * COPIES, hosts)
        print(f"network floor of {feeds * COPIES} unchanged feeds on {hosts} hosts: "
              f"{floor:.2f} s ({floor / LATENCY:.0f} round trips of {LATENCY * 1000:.0f} ms "
              f"at per_host = {PER_HOST}, at most {at_most(feeds * COPIES)} at once)")
        if stage == "thousands":
            fixed = max(0.0, _best(now["unchanged"])["wall"] - network_floor(feeds, HOSTS))
            print(f"start-up and finish of a run, whatever its feeds: {fixed:.2f} s (the "
                  f"{feeds}-feed unchanged run's wall time over its floor)")
            target = floor + fixed + FLOOR_MARGIN
        else:
            target = TARGETS["spread_wall"]
        checks.append((f"unchanged collect of {feeds * COPIES} feeds on {hosts} hosts wall "
                       "(best)", _best(now[stage])["wall"], target, "s"))
    for name, value, target, unit in checks:
        verdict = "met" if value <= target else "MISSED"
        passed = passed and value <= target
        print(f"target {name}: {value:.2f} {unit} (target {target:.2f} {unit}) {verdict}")
    for label, r in zip(("first", "unchanged"), r2e, strict=False):
        lines = r["stderr"].strip().splitlines()
        errors = sum("[ERROR]" in line for line in lines)
        state = "timed out" if r["timed_out"] else f"rc={r['rc']}"
        print(f"rss2email {label}: {state}, {errors} error lines")
    return passed


if __name__ == "__main__":
    sys.exit(main())
