"""Kill the sending process with SIGKILL at random moments; resuming must lose nobody.

The only duplicates allowed are the message in flight at each kill, and they
must carry the same Message-ID as the copy that got through.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from deliver_support import write_config
from smtp_relay import Relay

from digest.deliver import ledger_status
from digest.store import Store

HERE = Path(__file__).resolve().parent
READERS = 2000
KILLS = 8


def _start(config, n: int = READERS) -> subprocess.Popen:
    """The sender in its own process, as cron runs it."""
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    return subprocess.Popen([sys.executable, str(HERE / "send_runner.py"), str(config.path),
                             "2026-10", str(n)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_sigkill_at_random_moments_loses_nobody_and_duplicates_only_in_flight(tmp_path):
    rng = random.Random(20261024)
    relay = Relay().start()
    try:
        config = write_config(tmp_path, port=relay.port, max_per_connection=100)
        kills = 0
        for _ in range(KILLS):
            before = len(relay.stored)
            proc = _start(config)
            deadline = time.monotonic() + 15
            while len(relay.stored) == before and proc.poll() is None:
                assert time.monotonic() < deadline, "the sender never started"
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.6))  # somewhere in the middle of the campaign
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()
        assert kills >= KILLS - 1, "the campaign ended before the kills: make it longer"
        sent_before_resume = len(relay.stored)
        assert 0 < sent_before_resume < READERS

        for _ in range(5):
            proc = _start(config)
            out, err = proc.communicate(timeout=60)
            if proc.returncode == 0:
                break
            assert proc.returncode == 75, err
        assert proc.returncode == 0, err
        assert "planned 2000, sent 2000" in out

        with Store(config.state_path) as store:
            status = ledger_status(store, "2026-10")
            assert status.counts["sent"] == READERS, status.counts
            ledger_ids = dict(store.db.execute(
                "SELECT email, message_id FROM send_ledger WHERE period = '2026-10'"))
        by_rcpt = relay.handler.ids_by_rcpt()
        assert set(by_rcpt) == set(ledger_ids), "somebody is missing"
        for rcpt, ids in by_rcpt.items():
            assert ids == {ledger_ids[rcpt]}, f"{rcpt} got a second Message-ID"
        duplicates = relay.handler.duplicates()
        assert duplicates <= kills, (duplicates, kills)
        assert len(relay.stored) == READERS + duplicates
    finally:
        relay.stop()


def test_a_sender_killed_while_the_relay_holds_its_message_resends_it_with_the_same_id(
        tmp_path):
    """The row committed `sending` before the relay was asked is what makes this safe."""
    from smtp_relay import Behaviour

    relay = Relay(Behaviour(slow_after_store=frozenset({3}), slow=30)).start()
    try:
        config = write_config(tmp_path, port=relay.port)
        proc = _start(config, 10)
        deadline = time.monotonic() + 15
        while len(relay.stored) < 3:
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.01)
        time.sleep(0.1)  # the sender now waits for the reply to message 3
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        with Store(config.state_path) as store:
            counts = ledger_status(store, "2026-10").counts
            assert (counts["sent"], counts["sending"], counts["planned"]) == (2, 1, 7)

        relay.handler.behaviour = Behaviour()
        proc = _start(config, 10)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "sent 10" in out
        by_rcpt = relay.handler.ids_by_rcpt()
        assert len(by_rcpt) == 10 and all(len(ids) == 1 for ids in by_rcpt.values())
        assert relay.handler.duplicates() == 1  # reader 3, twice, under one Message-ID
    finally:
        relay.stop()

