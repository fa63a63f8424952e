#!/usr/bin/env python3
"""Soak benchmark: one monthly job over ~200 feeds, a seventh of them hostile.

Realistic feeds come from collect_bench's corpus (built there once, reused
here); hostile ones are made here: a slow drip, bodies over the cap (declared
and not), a gzip bomb, an entity bomb, bodies that name local files, control
characters, internal images, a JSON Feed, 404/500/410, a redirect loop, pages
that are not feeds, and calendar bombs. All are served from a separate process
on 127.0.0.1..20; `collect` then `build` run in a subprocess, and the bench
prints time, CPU, peak memory (RSS of the process tree, sampled, and
getrusage's ru_maxrss of the children) and every bad feed with its reason.

Usage: python bench/soak_bench.py [--realistic 177]
Exit 1 when the job crashed or timed out, or a hostile feed got in unnamed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import serve_until_stdin_closes  # noqa: E402
from collect_bench import (  # noqa: E402
    BACKLOG,
    CORPUS,
    HOSTS,
    ROOT,
    _free_port,
    _load,
    build_corpus,
    measure,
)

WORK = ROOT / "bench" / "out" / "soak"
TIMEOUT = 10.0  # the job's per-feed budget: the slow drip is cut here
MIB = 1024 * 1024
CAP = 10 * MIB
ITEM = ("<item><title>{title}</title><link>https://blog.example.org/{n}</link><guid>{guid}</guid>"
        "<pubDate>Mon, 12 Oct 2026 10:00:00 +0000</pubDate>{extra}"
        "<description>A post from a feed that misbehaves.</description></item>")


def _rss(items: str, prolog: str = "") -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>' + prolog
            + '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
            "<title>Hostile</title><link>https://blog.example.org/</link>"
            + items + "</channel></rss>").encode()


def _ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e}\r\nEND:VEVENT\r\n" for e in events)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//soak//EN\r\n" + body
            + "END:VCALENDAR\r\n").encode()


# Where each hostile source must be named: in feed health (it failed) or in the build's
# warnings (a calendar over the caps). The others must simply be read.
NAMED_IN_HEALTH = frozenset({
    "/h/slow.xml", "/h/huge-declared.xml", "/h/huge-chunked.xml", "/h/gzip-bomb.xml",
    "/h/entities.xml", "/h/dev-zero", "/h/secret", "/h/missing.xml", "/h/oops.xml",
    "/h/gone.xml", "/h/loop.xml", "/h/page.html", "/h/config.json", "/h/empty.xml",
    "/h/login.ics"})
NAMED_IN_BUILD = frozenset({"/h/secondly.ics", "/h/count.ics", "/h/many.ics", "/h/series.ics"})
WEEKLY = "UID:w\r\nDTSTART:20260902T100000Z\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Weekly clinic"


def hostile() -> dict[str, dict]:
    """path -> {why, body | route, ctype, code, reason, calendar} for each hostile source."""
    control = "".join(ITEM.format(title=f"Ctrl{ch}title {n}", n=n, guid=f"ctl-{n}", extra="")
                      for n, ch in enumerate(["\x1b", "\x01", "\ufffe", "\u202e"]))
    images = "".join(ITEM.format(title=f"Image {n}", n=n, guid=f"img-{n}",
                                 extra=f'<media:content url="{u}" medium="image"/>')
                     for n, u in enumerate(["http://127.0.0.1:8080/admin/a.png",
                                            "http://169.254.169.254/latest/meta-data/x.png",
                                            "http://[::1]/b.png", "http://intranet/c.png"]))
    json_feed = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "JSON",
                            "items": [{"id": f"j{n}", "url": f"https://json.example.org/{n}",
                                       "title": f"JSON item {n}", "content_text": "Plain text.",
                                       "date_published": f"2026-10-0{n + 1}T09:00:00Z"}
                                      for n in range(5)]}).encode()
    entity = _rss(ITEM.format(title="&big;" * 20, n=0, guid="e", extra=""),
                  '<!DOCTYPE rss [<!ENTITY big "' + "x" * 10_000 + '">]>')
    return {
        "/h/slow.xml": {"why": "drips a byte a second", "route": "slow"},
        "/h/huge-declared.xml": {"why": "12 MB, declared", "route": "huge", "declared": True},
        "/h/huge-chunked.xml": {"why": "12 MB, undeclared", "route": "huge", "declared": False},
        "/h/gzip-bomb.xml": {"why": "1 GB of zeros in 1 MB of gzip", "route": "bomb"},
        "/h/entities.xml": {"why": "declares an entity used 20 times", "body": entity},
        "/h/dev-zero": {"why": "body is the path /dev/zero", "body": b"/dev/zero",
                        "ctype": "application/xml"},
        "/h/secret": {"why": "body is the path of a local feed",
                      "body": str(WORK / "secret.xml").encode(), "ctype": "application/xml"},
        "/h/control.xml": {"why": "ESC, U+0001, U+FFFE and a bidi override in titles",
                           "body": _rss(control + ITEM.format(title="Surrogate &#xD800;", n=9,
                                                              guid="sur", extra=""))},
        "/h/images.xml": {"why": "lead images on internal hosts", "body": _rss(images)},
        "/h/feed.json": {"why": "a JSON Feed 1.1 (good)", "body": json_feed,
                         "ctype": "application/feed+json"},
        "/h/missing.xml": {"why": "404", "code": 404},
        "/h/oops.xml": {"why": "500 with markup in its reason", "code": 500,
                        "reason": "Oops [/bogus] [link=https://evil.example/]x[/link]"},
        "/h/gone.xml": {"why": "410", "code": 410},
        "/h/loop.xml": {"why": "redirects to itself", "route": "loop"},
        "/h/page.html": {"why": "an HTML page, not a feed", "ctype": "text/html",
                         "body": b"<!doctype html><html><body><p>Sign in</p></body></html>"},
        "/h/config.json": {"why": "JSON that is not a JSON Feed", "ctype": "application/json",
                           "body": b'{"enabled": true}'},
        "/h/empty.xml": {"why": "an empty body", "body": b""},
        "/h/secondly.ics": {"why": "RRULE:FREQ=SECONDLY without an end", "calendar": True,
                            "body": _ics("UID:bomb\r\nDTSTART:20251101T000000Z\r\n"
                                         "RRULE:FREQ=SECONDLY\r\nSUMMARY:Tick", WEEKLY)},
        "/h/count.ics": {"why": "RRULE:FREQ=HOURLY;COUNT=1000000000", "calendar": True,
                         "body": _ics("UID:hourly\r\nDTSTART:20261101T000000Z\r\n"
                                      "RRULE:FREQ=HOURLY;COUNT=1000000000\r\nSUMMARY:Hourly",
                                      WEEKLY)},
        "/h/exchange.ics": {"why": "Exchange's BYDAY=MO, TU", "calendar": True,
                            "body": _ics("UID:ex\r\nDTSTART:20261102T090000Z\r\n"
                                         "RRULE:FREQ=WEEKLY;BYDAY=MO, TU\r\nSUMMARY:Stand-up")},
        "/h/many.ics": {"why": "3,000 events in one month", "calendar": True,
                        "body": _ics(*(f"UID:m{n}\r\nDTSTART:202611{1 + n % 28:02d}T"
                                       f"{n % 24:02d}{n % 60:02d}00Z\r\nSUMMARY:Drop-in {n}"
                                       for n in range(3000)))},
        "/h/series.ics": {"why": "200 hourly series since 2016, each under the per-series cap",
                          "calendar": True,
                          "body": _ics(*(f"UID:tick-{n}\r\nDTSTART:20161001T000000Z\r\n"
                                         f"RRULE:FREQ=HOURLY\r\nSUMMARY:Tick {n}"
                                         for n in range(200)), WEEKLY)},
        "/h/login.ics": {"why": "a login page for a calendar", "calendar": True,
                         "ctype": "text/html", "body": b"<html><body>Sign in</body></html>"},
    }


def _gzip_zeros(size: int) -> bytes:
    """`size` zero bytes gzipped, compressed a mebibyte at a time (never all in memory)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(MIB)
    return b"".join([*(z.compress(block) for _ in range(size // MIB)), z.flush()])


def serve(port: int) -> None:
    """Serve the realistic corpus and the hostile routes on 127.0.0.1..20 until stdin closes."""
    from http.server import BaseHTTPRequestHandler

    files = {"/" + p.name: p.read_bytes() for p in (CORPUS / "feeds").glob("*.xml")}
    routes = hostile()
    zeros = _gzip_zeros(1024 * MIB)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def reply(self, code: int, body: bytes, ctype: str, reason: str | None = None,
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(code, reason)
            self.send_header("Content-Type", ctype)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if "Content-Length" not in (headers or {}):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            time.sleep(0.05)
            if self.path in files:
                return self.reply(200, files[self.path], "application/rss+xml")
            spec = routes.get(self.path)
            if spec is None:
                return self.reply(404, b"", "text/plain")
            route = spec.get("route")
            if route == "slow":
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(int(TIMEOUT * 3)):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            elif route == "huge":
                chunk = b"<!-- " + b"x" * (MIB - 10) + b" -->"
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                if spec["declared"]:
                    self.send_header("Content-Length", str(12 * MIB))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                for _ in range(12):
                    self.wfile.write(chunk)
            elif route == "bomb":
                self.reply(200, zeros, "application/rss+xml",
                           headers={"Content-Encoding": "gzip"})
            elif route == "loop":
                self.reply(302, b"", "text/plain", headers={"Location": self.path})
            else:
                self.reply(spec.get("code", 200), spec.get("body", b""),
                           spec.get("ctype", "application/rss+xml"), spec.get("reason"))
            return None

        def log_message(self, *args: object) -> None:
            pass

    serve_until_stdin_closes(Handler, port, HOSTS, BACKLOG)


JOB = """
import json, sys, time
from datetime import UTC, datetime
from digest import pipeline
from digest.config import load_config
from digest.period import Period
from digest.store import Store
config = load_config(sys.argv[1])
now = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
with Store(config.state_path) as store:
    started = time.monotonic()
    report = pipeline.collect(config, store)
    collected = time.monotonic()
    result = pipeline.build(config, store, Period.parse("2026-10", "monthly"), now=now)
    built = time.monotonic()
    html = result.html_path.read_text(encoding="utf-8")
    print(json.dumps({
        "feeds": len(report.feeds), "new": report.new_items, "items": store.item_count(),
        "rows": [(r.url, r.role, r.status, r.error_kind, r.error_message) for r in report.feeds],
        "warnings": result.warnings, "collect_s": collected - started, "build_s": built - collected,
        "editions": len(result.editions), "html_kb": len(html.encode()) / 1024,
        "leaks": [s for s in ("169.254.169.254", "127.0.0.1:8080", "\\x1b", "Payroll")
                  if s in html]}))
"""


def setup(manifest: dict, port: int, realistic: int) -> Path:
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "feeds").mkdir(parents=True)
    (WORK / "secret.xml").write_bytes(_rss(ITEM.format(title="Payroll", n=0, guid="p", extra="")))
    (WORK / "recipients.csv").write_text("email,name,communities\nann@example.org,Ann,\n")
    (WORK / "digest.toml").write_text(
        '[digest]\norganisation = "Soak Org"\nfeeds = "feeds/communities.toml"\n'
        'state = "var/digest.db"\ntimezone = "Europe/London"\n\n[delivery]\n'
        'method = "outbox"\nfrom = "Digest <digest@example.org>"\n'
        'recipients = "recipients.csv"\n\n'
        f"[collect]\nconcurrency = 160\ntimeout = {TIMEOUT}\n")
    sources = [(f'http://127.0.0.{f["host"]}:{port}/{f["name"]}', f["role"])
               for f in manifest["feeds"][:realistic]]
    calendars = []
    for n, (path, spec) in enumerate(hostile().items()):
        url = f"http://127.0.0.{n % HOSTS + 1}:{port}{path}"
        if spec.get("calendar"):
            calendars.append(url)
        else:
            sources.append((url, "posts"))
    blocks = []
    for c in range(0, len(sources), 5):
        group = sources[c:c + 5]
        posts = ", ".join(f'"{u}"' for u, role in group if role == "posts")
        meetings = ", ".join(f'"{u}"' for u, role in group if role == "meetings")
        calendar = f'calendar = "{calendars[c // 5]}"\n' if c // 5 < len(calendars) else ""
        blocks.append(f'[[community]]\nid = "c{c // 5:02d}"\nname = "Community {c // 5}"\n'
                      f"posts = [{posts}]\nmeetings = [{meetings}]\n{calendar}")
    (WORK / "feeds" / "communities.toml").write_text("\n".join(blocks))
    return WORK / "digest.toml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realistic", type=int, default=177)  # + 23 hostile = 200
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    manifest = build_corpus(200)  # collect_bench's corpus, shared
    port = _free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == b"ready"
        config = setup(manifest, port, args.realistic)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        run = measure([sys.executable, "-c", JOB, str(config)], env, timeout=600)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(10)
    return report(run, port)


def report(run: dict, port: int) -> int:
    print(f"soak: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {_load()}")
    if run["rc"] != 0 or run["timed_out"]:
        print(f"  the job failed (rc {run['rc']}, timed out: {run['timed_out']})")
        print(run["stderr"][-3000:])
        return 1
    out = json.loads(run["stdout"].strip().splitlines()[-1])
    print(f"  {out['feeds']} sources, {out['items']} items stored, {out['editions']} editions, "
          f"full edition {out['html_kb']:.0f} KB")
    print(f"  wall {run['wall']:.1f} s (collect {out['collect_s']:.1f} s, build "
          f"{out['build_s']:.1f} s), CPU {run['cpu']:.1f} s")
    print(f"  peak memory: {run['peak_mb']:.0f} MB (process tree RSS, sampled), "
          f"ru_maxrss of the largest child {run['maxrss_mb']:.0f} MB")
    specs = hostile()
    print("  bad sources and their reasons:")
    failed = set()
    for url, _role, status, kind, message in out["rows"]:
        path = url.split(str(port), 1)[-1]
        if status in ("ok", "unchanged") and not kind:
            continue
        if status not in ("ok", "unchanged"):
            failed.add(path)
        what = f" [{specs[path]['why']}]" if path in specs else ""
        print(f"    {status:8} {kind or '':14} {path}{what}: {message}")
    for warning in out["warnings"]:
        print(f"  build warning: {warning}")
    warned = " ".join(out["warnings"])
    unnamed = sorted((NAMED_IN_HEALTH - failed) | {p for p in NAMED_IN_BUILD if p not in warned})
    if out["leaks"]:
        print(f"  LEAKED into the email: {out['leaks']}")
    if unnamed:
        print(f"  hostile sources that got in unnamed: {unnamed}")
    return 1 if out["leaks"] or unnamed else 0


if __name__ == "__main__":
    sys.exit(main())
