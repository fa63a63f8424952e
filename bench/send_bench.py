"""Send benchmark: the ledgered sender against a bare smtplib loop, same relay, same run.

- A loopback aiosmtpd relay runs in its own process and counts what it stores.
- Ceiling: one smtplib connection sending the same ~70 KB digest, no bookkeeping.
- Ledger: `send_period` over N readers (SQLite ledger on disk, two commits per
  message, per-reader headers, reconnect every max_per_connection).
- The two are interleaved in rounds (bare slice, then one period of N/rounds
  readers through the ledger, ten times) and compared on their totals: on a
  shared 2-core machine the relay's speed drifts with other load, and a
  comparison of two long back-to-back phases measures the drift, not the ledger.
- Rate: a configured `rate` measured at the relay.
- Peak memory of this process (it holds the audience and runs the sender).

Targets: ledger >= 60% of the bare loop, rate within 5%, peak RSS < 150 MB.
Usage: python bench/send_bench.py [--readers 10000] [--bare 2000] [--rate 40] [--rate-messages 320]
Missed targets print FAIL; with --strict they also make the exit status 1.
Results also go to bench/out/send_bench.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import shutil
import smtplib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.config import load_config  # noqa: E402
from digest.deliver import message_id_for, send_period  # noqa: E402
from digest.deliver.message import MessageFactory  # noqa: E402
from digest.models import Edition, Recipient  # noqa: E402
from digest.store import Store  # noqa: E402

OUT = ROOT / "bench" / "out"


# -- the relay, in its own process ---------------------------------------------

def _relay_main(port: int, ready, stop, count, first, last) -> None:
    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            now = time.monotonic()  # CLOCK_MONOTONIC: comparable across processes
            with count.get_lock():
                count.value += 1
                if count.value == 1:
                    first.value = now
                last.value = now
            return "250 2.0.0 queued"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port,
                            data_size_limit=10 * 1024 * 1024)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class RelayProcess:
    def __init__(self, port: int) -> None:
        ctx = mp.get_context("spawn")
        self.ready, self.stop_event = ctx.Event(), ctx.Event()
        self.count = ctx.Value("q", 0)
        self.first, self.last = ctx.Value("d", 0.0), ctx.Value("d", 0.0)
        self.proc = ctx.Process(target=_relay_main, args=(port, self.ready, self.stop_event,
                                                          self.count, self.first, self.last),
                                daemon=True)

    def __enter__(self) -> RelayProcess:
        self.proc.start()
        if not self.ready.wait(20):
            raise RuntimeError("relay did not start")
        return self

    def reset(self) -> None:
        with self.count.get_lock():
            self.count.value = 0
            self.first.value = self.last.value = 0.0

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.proc.join(10)


# -- the digest ----------------------------------------------------------------

def realistic_edition(html_kb: int = 70) -> Edition:
    """An edition the size of the real digest: ~70 KB of table-heavy HTML plus text."""
    card = (
        '<tr><td style="padding:16px 24px;font-family:Segoe UI,Helvetica,Arial,sans-serif;'
        'font-size:15px;line-height:1.5;color:#1f2933"><h3 style="margin:0 0 6px;font-size:17px">'
        '<a href="https://cop.example.org/data/posts/{i}" style="color:#0b5cad">Lessons from '
        'migrating our pipelines, part {i}</a></h3><p style="margin:0 0 8px">A summary of what '
        'the community learnt this month: schema drift, backfills and the cost of retries. '
        'Décisions prises, actions à suivre.</p><p style="margin:0;color:#52606d;font-size:13px">'
        'Posted by Ana Müller · 12 October 2026</p></td></tr>\n')
    body, i = [], 0
    while sum(map(len, body)) < html_kb * 1024:
        body.append(card.format(i=i))
        i += 1
    html = ('<!doctype html><html lang="en"><body><table role="presentation" width="100%">'
            + "".join(body) + "</table></body></html>")
    text = "".join(f"* Lessons from migrating our pipelines, part {n}\n  "
                   f"https://cop.example.org/data/posts/{n}\n" for n in range(i))
    return Edition(key="all", communities=None, subject="CoP Digest — October 2026",
                   preheader="What happened in our communities", html=html, text=text)


def write_config(folder: Path, port: int, rate: float) -> Path:
    (folder / "feeds").mkdir(parents=True, exist_ok=True)
    (folder / "feeds" / "communities.toml").write_text(
        '[[community]]\nid = "data"\nname = "Data CoP"\nposts = ["https://example.org/f"]\n')
    (folder / "digest.toml").write_text(f"""
[digest]
title = "CoP Digest"
organisation = "Example Org"
[delivery]
method = "smtp"
from = "CoP Digest <digest@example.org>"
recipients = "recipients.csv"
unsubscribe_mailto = "leave@example.org"
unsubscribe_url = "https://example.org/unsubscribe"
[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
rate = {rate}
""")
    return folder / "digest.toml"


def audience(n: int, edition: Edition) -> list[tuple[Recipient, Edition]]:
    return [(Recipient(f"reader{i:05d}@example.org", f"Reader {i}", None), edition)
            for i in range(n)]


# -- the measurements ----------------------------------------------------------

def bare_loop(port: int, raw: bytes, n: int) -> float:
    """Messages per second over one smtplib connection, no bookkeeping at all."""
    conn = smtplib.SMTP("127.0.0.1", port, local_hostname="bench.local")
    started = time.perf_counter()
    for i in range(n):
        conn.sendmail("digest@example.org", [f"reader{i:05d}@example.org"], raw)
    elapsed = time.perf_counter() - started
    conn.quit()
    return n / elapsed


def ledger_run(folder: Path, port: int, edition: Edition, n: int, rate: float,
               period: str) -> tuple[float, float, int]:
    config = load_config(write_config(folder, port, rate))
    with Store(config.state_path) as store:
        started = time.perf_counter()
        report = send_period(config, store, period, audience(n, edition))
        elapsed = time.perf_counter() - started
    if report.sent_now != n:
        raise SystemExit(f"ledger run sent {report.sent_now} of {n}: {report.summary_line()}")
    return n / elapsed, elapsed, report.sent_now


def ledger_alone(folder: Path, n: int) -> float:
    """Microseconds per message of the ledger's bookkeeping alone: `sending`, then `sent`,
    each its own commit, on a file DB like the real one."""
    from digest.deliver.ledger import Ledger, Planned
    from digest.store import utcnow

    now = utcnow()
    with Store(folder / "alone.db") as store:
        ledger = Ledger(store)
        ledger.freeze("p", [Planned(f"r{i}@example.org", "", "all", f"<{i}@x>")
                            for i in range(n)], now)
        rows = list(ledger.due("p", now))
        started = time.perf_counter()
        for row in rows:
            ledger.mark_sending("p", row.email_key, now)
            ledger.record("p", row.email_key, "sent", now, 250, "2.0.0 queued")
        return (time.perf_counter() - started) / n * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--readers", type=int, default=10_000)
    ap.add_argument("--bare", type=int, default=2_000, help="messages for the bare loop")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--rate", type=float, default=40.0,
                    help="configured rate to check; keep it well under the relay's ceiling")
    ap.add_argument("--rate-messages", type=int, default=320)
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()

    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    work = OUT / "send"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    edition = realistic_edition()
    config = load_config(write_config(work / "probe", port, 0))
    sample = MessageFactory(config, "2026-10").message_bytes(
        edition, Recipient("reader00000@example.org", "Reader 0", None),
        message_id_for("2026-10", "reader00000@example.org", config.delivery.sender))
    print(f"message: {len(sample) / 1024:.1f} KB on the wire (HTML {len(edition.html) // 1024} "
          f"KB, text {len(edition.text) // 1024} KB); {args.readers} readers")

    alone = ledger_alone(work, args.readers)
    print(f"ledger bookkeeping alone:            {alone:7.0f} µs per message (two commits)")
    with RelayProcess(port) as relay:
        bare_time = ledger_time = bare_cpu = ledger_cpu = 0.0
        bare_sent = ledger_sent = 0
        for r in range(args.rounds):
            n_bare = args.bare // args.rounds
            cpu = time.process_time()
            bare_r = bare_loop(port, sample, n_bare)
            bare_cpu += time.process_time() - cpu
            bare_time += n_bare / bare_r
            bare_sent += n_bare
            n_led = args.readers // args.rounds
            cpu = time.process_time()
            rate_r, elapsed, sent = ledger_run(work / "ledger", port, edition, n_led, 0,
                                               f"2026-{r + 1:02d}")
            ledger_cpu += time.process_time() - cpu
            ledger_time += elapsed
            ledger_sent += sent
            print(f"  round {r + 1}: bare {bare_r:6.1f} msg/s, "
                  f"ledger {rate_r:6.1f} msg/s")
        bare, led = bare_sent / bare_time, ledger_sent / ledger_time
        print(f"bare smtplib loop, one connection:   {bare:7.1f} msg/s ({bare_sent} messages)")
        print(f"send_period with the SQLite ledger:  {led:7.1f} msg/s ({ledger_sent} readers, "
              f"{ledger_time:.1f} s, {led / bare:.0%} of bare)")
        # the sender's own CPU per message does not drift with the relay's load
        cpu_bare, cpu_led = bare_cpu / bare_sent * 1000, ledger_cpu / ledger_sent * 1000
        print(f"sender CPU per message:              bare {cpu_bare:.2f} ms, "
              f"ledger {cpu_led:.2f} ms")
        relay.reset()
        ledger_run(work / "rate", port, edition, args.rate_messages, args.rate, "2026-12")
        measured = (relay.count.value - 1) / (relay.last.value - relay.first.value)
        print(f"configured rate {args.rate:g} msg/s:        {measured:7.1f} msg/s at the relay "
              f"({measured / args.rate - 1:+.1%})")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"peak memory of the sending process:  {peak_mb:7.1f} MB")
    checks = {
        "ledger >= 60% of bare": led >= 0.6 * bare,
        "rate within 5%": abs(measured / args.rate - 1) <= 0.05,
        "peak memory < 150 MB": peak_mb < 150,
    }
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    (OUT / "send_bench.json").write_text(json.dumps({
        "readers": ledger_sent, "bare_messages": bare_sent, "message_bytes": len(sample),
        "bare_msg_s": round(bare, 1),
        "ledger_msg_s": round(led, 1), "cpu_ms_bare": round(cpu_bare, 3),
        "cpu_ms_ledger": round(cpu_led, 3), "ledger_alone_us": round(alone),
        "ledger_share": round(led / bare, 3),
        "rate_configured": args.rate, "rate_measured": round(measured, 2),
        "peak_rss_mb": round(peak_mb, 1), "checks": checks}, indent=2) + "\n")
    return 1 if args.strict and not all(checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
