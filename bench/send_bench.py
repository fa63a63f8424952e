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
- Parallel: a second relay process that waits 50 ms before answering each
  message, as real relays do; `send_period` with `[smtp] connections` = 1, then
  4, over the same readers, interleaved in rounds; the speed-up of 4 over 1, and a
  `rate` the slow relay can only meet over several connections, measured there.
  The other figures above are for one connection (the bare loop has one).

Targets: ledger >= 60% of the bare loop, rate within 5%, peak RSS < 150 MB,
4 connections >= 3.2x as fast as 1 against the 50 ms relay.
Usage: python bench/send_bench.py [--readers 10000] [--bare 2000] [--rate 40] [--rate-messages 320]
       [--slow-readers 120] [--slow-rounds 3] [--slow-ms 50]
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

def _relay_main(port: int, ready, stop, count, first, last, delay: float = 0.0) -> None:
    import asyncio

    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            now = time.monotonic()  # CLOCK_MONOTONIC: comparable across processes
            with count.get_lock():
                count.value += 1
                if count.value == 1:
                    first.value = now
                last.value = now
            if delay:  # a real relay: queued to disk, checked, then answered
                await asyncio.sleep(delay)
            return "250 2.0.0 queued"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port,
                            data_size_limit=10 * 1024 * 1024)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class RelayProcess:
    def __init__(self, port: int, delay: float = 0.0) -> None:
        ctx = mp.get_context("spawn")
        self.ready, self.stop_event = ctx.Event(), ctx.Event()
        self.count = ctx.Value("q", 0)
        self.first, self.last = ctx.Value("d", 0.0), ctx.Value("d", 0.0)
        self.proc = ctx.Process(target=_relay_main, args=(port, self.ready, self.stop_event,
                                                          self.count, self.first, self.last,
                                                          delay),
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


def write_config(folder: Path, port: int, rate: float, connections: int = 1) -> Path:
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
connections = {connections}
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
               period: str, connections: int = 1) -> tuple[float, float, int]:
    config = load_config(write_config(folder, port, rate, connections))
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


def parallel(work: Path, edition: Edition, readers: int, rounds: int, delay: float,
             rate: float, rate_messages: int) -> dict[str, float]:
    """1 vs 4 connections against a relay that waits `delay` s per message; then `rate`
    over 4 connections measured at that relay. Rounds interleave the two so that drift
    in the machine's load falls on both."""
    port = free_port()
    elapsed = {1: 0.0, 4: 0.0}
    sent = {1: 0, 4: 0}
    with RelayProcess(port, delay) as relay:
        for r in range(rounds):
            speeds = []
            for connections in (1, 4):
                speed, seconds, n = ledger_run(work / f"slow-{connections}", port, edition,
                                               readers, 0, f"2025-{r + 1:02d}", connections)
                elapsed[connections] += seconds
                sent[connections] += n
                speeds.append(speed)
            print(f"  round {r + 1}: 1 connection {speeds[0]:6.1f} msg/s, "
                  f"4 connections {speeds[1]:6.1f} msg/s")
        one, four = sent[1] / elapsed[1], sent[4] / elapsed[4]
        print(f"relay waiting {delay * 1000:.0f} ms per message, 1 connection:  {one:6.1f} msg/s "
              f"(at most {1 / delay:.0f})")
        print(f"relay waiting {delay * 1000:.0f} ms per message, 4 connections: {four:6.1f} msg/s "
              f"= {four / one:.2f}x one connection (target >= 3.2x)")
        relay.reset()
        ledger_run(work / "slow-rate", port, edition, rate_messages, rate, "2025-12", 4)
        measured = (relay.count.value - 1) / (relay.last.value - relay.first.value)
        print(f"configured rate {rate:g} msg/s over 4 connections: {measured:6.1f} msg/s at the "
              f"slow relay ({measured / rate - 1:+.1%}; one connection could do {one:.0f})")
    return {"slow_relay_ms": delay * 1000, "slow_readers": sent[1],
            "one_connection_msg_s": round(one, 1), "four_connections_msg_s": round(four, 1),
            "speedup": round(four / one, 2), "parallel_rate_configured": rate,
            "parallel_rate_measured": round(measured, 2)}


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--readers", type=int, default=10_000)
    ap.add_argument("--bare", type=int, default=2_000, help="messages for the bare loop")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--rate", type=float, default=40.0,
                    help="configured rate to check; keep it well under the relay's ceiling")
    ap.add_argument("--rate-messages", type=int, default=320)
    ap.add_argument("--slow-readers", type=int, default=120,
                    help="readers per round and per connection count against the slow relay")
    ap.add_argument("--slow-rounds", type=int, default=3)
    ap.add_argument("--slow-ms", type=float, default=50.0,
                    help="the slow relay's wait before answering each message")
    ap.add_argument("--parallel-rate-messages", type=int, default=200)
    ap.add_argument("--only-parallel", action="store_true",
                    help="run only the 1 vs 4 connections comparison")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()

    port = free_port()
    work = OUT / "send"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    edition = realistic_edition()
    config = load_config(write_config(work / "probe", port, 0))
    sample = MessageFactory(config, "2026-10").message_bytes(
        edition, Recipient("reader00000@example.org", "Reader 0", None),
        message_id_for("2026-10", "reader00000@example.org", config.delivery.sender))
    print(f"message: {len(sample) / 1024:.1f} KB on the wire (HTML {len(edition.html) // 1024} "
          f"KB, text {len(edition.text) // 1024} KB)")

    if args.only_parallel:
        figures = parallel(work, edition, args.slow_readers, args.slow_rounds,
                           args.slow_ms / 1000, args.rate, args.parallel_rate_messages)
        ok = figures["speedup"] >= 3.2
        print(f"  {'PASS' if ok else 'FAIL'}  4 connections >= 3.2x one")
        return 1 if args.strict and not ok else 0
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
    figures = parallel(work, edition, args.slow_readers, args.slow_rounds, args.slow_ms / 1000,
                       args.rate, args.parallel_rate_messages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"peak memory of the sending process:  {peak_mb:7.1f} MB")
    checks = {
        "ledger >= 60% of bare": led >= 0.6 * bare,
        "rate within 5%": abs(measured / args.rate - 1) <= 0.05,
        "peak memory < 150 MB": peak_mb < 150,
        "4 connections >= 3.2x one (slow relay)": figures["speedup"] >= 3.2,
        "rate within 5% over 4 connections": abs(
            figures["parallel_rate_measured"] / args.rate - 1) <= 0.05,
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
        "peak_rss_mb": round(peak_mb, 1), **figures, "checks": checks}, indent=2) + "\n")
    return 1 if args.strict and not all(checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
