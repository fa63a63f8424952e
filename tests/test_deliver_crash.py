"""Kill the sending process with SIGKILL at random points of a campaign; resuming must lose nobody.

Kills happen on events, not after sleeps, so the test holds on any speed of
machine: each run of the sender is killed when the relay sees its n-th message
of that run (n random), at one of three moments:

- `mail`: the relay has the MAIL command and has not answered: the reader's
  row is committed `sending`, nothing is stored;
- `stored`: the relay has stored the message and has not answered: the one
  message in flight, which the resumed run must send again under the same
  Message-ID;
- `after`: the test process kills it as soon as it sees the n-th message
  stored, wherever the sender is by then (committing, rendering, talking).

The only duplicates allowed are the messages in flight at each kill (one per
relay connection), and they must carry the same Message-ID as the copy that got
through. Every test runs with one connection and with four (`[smtp] connections`).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from deliver_support import write_config
from smtp_relay import Behaviour, Relay
from waiting import wait_until

from digest.deliver import ledger_status
from digest.store import Store

HERE = Path(__file__).resolve().parent
READERS = 2000
KILLS = 8
MOST_PER_RUN = 150  # KILLS runs of at most this many leave 800 readers: no run can finish
PHASES = ("mail", "stored", "after")
# a busy machine is slow, never stuck: the deadlines only catch a sender that hangs
DEADLINE = 120


def _start(config, n: int = READERS) -> subprocess.Popen:
    """The sender in its own process, as cron runs it."""
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    return subprocess.Popen([sys.executable, str(HERE / "send_runner.py"), str(config.path),
                             "2026-10", str(n)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


class Killer:
    """Kills the sender from inside the relay's thread when the chosen event happens."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.phase = ""
        self.at = 0  # the event's number, counted from `base`
        self.base = 0
        self.fired = False  # the event came before `attach` (it cannot, but say what happens)
        self.in_flight: list[str] = []  # the reader stored, unanswered, at each `stored` kill

    def arm(self, phase: str, at: int, base: int) -> None:
        with self.lock:
            self.proc, self.phase, self.at, self.base, self.fired = None, phase, at, base, False

    def attach(self, proc: subprocess.Popen) -> None:
        with self.lock:
            self.proc = proc
            if self.fired:
                self._kill()

    def _kill(self) -> None:
        self.fired, self.phase = True, ""
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)

    def on_mail(self, count: int) -> None:
        with self.lock:
            if self.phase == "mail" and count == self.base + self.at:
                self._kill()

    def on_store(self, count: int) -> None:
        with self.lock:
            if self.phase == "stored" and count == self.base + self.at:
                self.in_flight.append(self.relay.stored[count - 1].rcpt)
                self._kill()


@pytest.mark.parametrize("connections", [1, 4])
def test_sigkill_at_random_points_loses_nobody_and_duplicates_only_in_flight(tmp_path,
                                                                            connections):
    seed = int(os.environ.get("CRASH_SEED") or random.randrange(2**32))
    rng = random.Random(seed)
    phases = list(PHASES) + rng.choices(PHASES, k=KILLS - len(PHASES))
    rng.shuffle(phases)
    relay = Relay().start()
    killer = Killer(relay)
    relay.handler.behaviour = Behaviour(on_mail=killer.on_mail, on_store=killer.on_store)
    why = f"CRASH_SEED={seed}, {connections} connections"
    try:
        config = write_config(tmp_path, port=relay.port, max_per_connection=100,
                              connections=connections)
        for phase in phases:
            at = rng.randint(1, MOST_PER_RUN)
            mails, stored = relay.handler.mail_count, len(relay.stored)
            killer.arm(phase, at, mails if phase == "mail" else stored)
            proc = _start(config)
            killer.attach(proc)
            if phase == "after":
                target = stored + at
                wait_until(lambda p=proc, n=target: len(relay.stored) >= n or p.poll() is not None,
                           timeout=DEADLINE, message=f"the sender stalled; {why}")
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
            try:
                out, err = proc.communicate(timeout=DEADLINE)
            finally:
                proc.kill()
            assert proc.returncode == -signal.SIGKILL, \
                f"run ended by itself before the {phase} kill at {at}: {out}{err}; {why}"
            with Store(config.state_path) as store:  # what the killed run left in flight
                sending = {r["email"] for r in store.db.execute(
                    "SELECT email FROM send_ledger WHERE state = 'sending'")}
            assert len(sending) <= connections, (phase, sending, why)
            if phase in ("mail", "stored"):  # the relay had MAIL: that row was committed
                assert sending, (phase, why)
            if phase == "stored":  # committed `sending` before the relay was asked
                assert killer.in_flight[-1] in sending, why
        sent_before_resume = len(relay.stored)
        assert 0 < sent_before_resume < READERS, why
        assert len(killer.in_flight) == phases.count("stored")

        killer.arm("", 0, 0)  # the resumed runs go undisturbed
        for _ in range(5):
            proc = _start(config)
            out, err = proc.communicate(timeout=DEADLINE)
            if proc.returncode == 0:
                break
            assert proc.returncode == 75, err
        assert proc.returncode == 0, err
        assert f"planned {READERS}, sent {READERS}" in out

        with Store(config.state_path) as store:
            status = ledger_status(store, "2026-10")
            assert status.counts["sent"] == READERS, status.counts
            ledger_ids = dict(store.db.execute(
                "SELECT email, message_id FROM send_ledger WHERE period = '2026-10'"))
        by_rcpt = relay.handler.ids_by_rcpt()
        assert set(by_rcpt) == set(ledger_ids), f"somebody is missing; {why}"
        for rcpt, ids in by_rcpt.items():
            assert ids == {ledger_ids[rcpt]}, f"{rcpt} got a second Message-ID; {why}"
        copies: dict[str, int] = {}
        for s in relay.stored:
            copies[s.rcpt] = copies.get(s.rcpt, 0) + 1
        for rcpt in killer.in_flight:  # stored, unanswered, killed: sent again
            assert copies[rcpt] >= 2, f"{rcpt} was in flight and not sent again; {why}"
        duplicates = relay.handler.duplicates()
        # at most one message in flight per connection at each kill
        assert len(set(killer.in_flight)) <= duplicates <= KILLS * connections, (duplicates, why)
        assert len(relay.stored) == READERS + duplicates
        assert relay.handler.peak_connections == connections, why  # really at once
    finally:
        relay.stop()


@pytest.mark.parametrize("connections", [1, 4])
def test_a_sender_killed_while_the_relay_holds_its_message_resends_it_with_the_same_id(
        tmp_path, connections):
    """The row committed `sending` before the relay was asked is what makes this safe."""
    relay = Relay(Behaviour(slow_after_store=frozenset({3}), slow=30)).start()
    try:
        config = write_config(tmp_path, port=relay.port, connections=connections)
        proc = _start(config, 10)
        # message 3 is stored and unanswered for 30 s: one connection waits for its reply;
        # with more than one, the others send everybody else meanwhile
        sent = 2 if connections == 1 else 9
        with Store(config.state_path) as store:
            def settled() -> bool:
                counts = ledger_status(store, "2026-10").counts
                return len(relay.stored) >= sent + 1 and counts["sent"] >= sent

            wait_until(lambda: settled() or proc.poll() is not None, timeout=DEADLINE,
                       message=lambda: f"{len(relay.stored)} stored; {connections} connections")
            assert proc.poll() is None, proc.communicate()
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            counts = ledger_status(store, "2026-10").counts
            assert (counts["sent"], counts["sending"], counts["planned"]) == (sent, 1, 7 - sent + 2)
            [held] = store.db.execute("SELECT email FROM send_ledger WHERE state = 'sending'")
            assert held["email"] == relay.stored[2].rcpt  # committed before the relay had it

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

