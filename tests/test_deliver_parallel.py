"""Sending over several relay connections at once (`[smtp] connections`).

The relay (aiosmtpd on 127.0.0.1) counts the connections and messages it has
open at the same moment, so "N at once" is what the relay saw, not what the
sender meant. Each test also checks the promise of one connection: every
reader stored once under their own Message-ID, the ledger saying what the
relay did. (With the default of 3 connections, test_deliver_smtp shows that a
refused login, a refused sender, a throttling relay and an unreachable one are
each met by one connection, not three.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from deliver_support import FAST_RETRY, audience, relays, write_config
from smtp_relay import Behaviour, Relay
from test_deliver_smtp import PERIOD, assert_sound, resume_until_done, send
from waiting import wait_until

import digest.deliver
from digest.config import load_config
from digest.deliver import ledger_status
from digest.errors import ConfigError
from digest.store import Store


@pytest.fixture
def relay():
    with relays() as make:
        yield make


def test_connections_defaults_to_3(tmp_path):
    config = write_config(tmp_path)
    assert config.delivery.smtp is not None and config.delivery.smtp.connections == 3


@pytest.mark.parametrize("value", ["0", "-1", "21", "2.5", "true", '"4"'])
def test_connections_outside_1_to_20_is_refused_naming_the_key(tmp_path, value):
    config = write_config(tmp_path)
    text = config.path.read_text().replace("[smtp]\n", f"[smtp]\nconnections = {value}\n")
    config.path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(config.path)
    assert info.value.exit_code == 78
    assert "smtp.connections" in str(info.value) and "digest.toml" in str(info.value)


@pytest.mark.parametrize("connections", [2, 4])
def test_n_connections_are_open_and_busy_at_once_and_each_reader_is_sent_once(
        tmp_path, relay, connections):
    r = relay(Behaviour(delay=0.2))  # a slow relay: messages overlap only if connections do
    config = write_config(tmp_path, port=r.port, connections=connections)
    with Store(config.state_path) as store:
        report = send(config, store, 24)
        assert (report.sent, report.sent_now, report.exit_code) == (24, 24, 0)
        assert_sound(store, r, 24, allow_deferred=False)
    assert r.handler.peak_connections == connections
    assert r.handler.peak_in_flight == connections
    assert r.handler.connections() == connections  # distinct client ports that delivered
    assert r.handler.duplicates() == 0 and len(r.stored) == 24
    assert {s.rcpt for s in r.stored} == {f"reader{i:05d}@example.org" for i in range(24)}


def test_four_connections_send_a_slow_relay_nearly_four_times_as_fast(tmp_path, relay):
    """The relay answers each message after 100 ms: one connection can do no better than
    10 a second; four finish 40 messages in well under half the time one needs."""
    r = relay(Behaviour(delay=0.1))
    elapsed = {}
    for connections in (1, 4):
        config = write_config(tmp_path / str(connections), port=r.port,
                              connections=connections)
        with Store(config.state_path) as store:
            started = time.monotonic()
            assert send(config, store, 40).sent_now == 40
            elapsed[connections] = time.monotonic() - started
    assert elapsed[1] >= 4.0  # 40 replies, one after the other
    assert elapsed[4] < elapsed[1] / 2, elapsed


def test_rate_is_a_limit_for_the_whole_run_not_per_connection(tmp_path, relay):
    times: list[float] = []
    # each reply takes 100 ms, so 20 messages a second need two or more connections busy;
    # a limiter per connection would let four connections send 80 a second
    r = relay(Behaviour(delay=0.1, on_store=lambda n: times.append(time.monotonic())))
    config = write_config(tmp_path, port=r.port, rate=20, connections=4)
    with Store(config.state_path) as store:
        assert send(config, store, 41).exit_code == 0
        assert_sound(store, r, 41, allow_deferred=False)
    span = times[-1] - times[0]
    measured = (len(times) - 1) / span
    # the limit over the whole run is Pace's promise below (a stall of the machine may be
    # caught up by at most half a second's worth), not 20 exactly; under it, a stall longer
    # than that catch-up loses time for good, so the floor is loose
    assert 20 * 0.5 <= measured <= 20 * (1 + 0.5 / span) + 1 / span, measured
    # and in every window of W seconds, at most 20 * (W + 0.5) + 1 messages (Pace's promise)
    for i, start in enumerate(times):
        for j in range(i + 1, len(times)):
            assert j - i + 1 <= 20 * (times[j] - start + 0.5) + 1, (i, j, times[j] - start)
    assert r.handler.peak_in_flight >= 2, "the connections never overlapped"


def test_a_relay_refusing_a_fourth_connection_gets_everything_over_the_three_it_accepts(
        tmp_path, relay):
    r = relay(Behaviour(delay=0.05, max_connections=3))
    config = write_config(tmp_path, port=r.port, connections=4)
    with Store(config.state_path) as store:
        report = send(config, store, 30)
        assert (report.sent, report.exit_code, report.stopped) == (30, 0, None)
        assert_sound(store, r, 30, allow_deferred=False)
        attempts = {row[0] for row in store.db.execute("SELECT attempts FROM send_ledger")}
        assert attempts == {1}, "a reader was tried on the refused connection"
    assert r.handler.refused_connections >= 1
    assert r.handler.peak_connections == 3
    assert r.handler.duplicates() == 0
    [note] = [n for n in report.notes if "turned away" in n]
    assert "1 connection of 4" in note and "421" in note and "connections" in note


def test_a_relay_allowing_one_connection_still_gets_everything(tmp_path, relay):
    r = relay(Behaviour(delay=0.02, max_connections=1))
    config = write_config(tmp_path, port=r.port, connections=4)
    with Store(config.state_path) as store:
        report = send(config, store, 12)
        assert (report.sent, report.exit_code) == (12, 0)
        assert_sound(store, r, 12, allow_deferred=False)
    assert r.handler.peak_connections == 1 and r.handler.refused_connections == 3
    assert any("turned away 3 connections of 4" in n for n in report.notes)


def test_421_mid_run_on_several_connections_reconnects_and_carries_on(tmp_path, relay):
    r = relay(Behaviour(close_at=frozenset({5, 12, 13, 20}), delay=0.01))
    config = write_config(tmp_path, port=r.port, connections=3)
    with Store(config.state_path) as store:
        report = send(config, store, 30)
        assert (report.sent, report.exit_code) == (30, 0)
        assert_sound(store, r, 30, allow_deferred=False)
    assert r.handler.duplicates() == 0
    assert r.handler.connections() >= 3 + 1  # the closed ones were replaced


def test_max_per_connection_holds_on_every_connection(tmp_path, relay):
    r = relay(Behaviour(delay=0.01))
    config = write_config(tmp_path, port=r.port, connections=3, max_per_connection=4)
    with Store(config.state_path) as store:
        assert send(config, store, 30).exit_code == 0
        assert_sound(store, r, 30, allow_deferred=False)
    per_connection = Counter(s.peer for s in r.stored)
    assert max(per_connection.values()) <= 4, per_connection
    assert len(per_connection) >= 30 // 4
    assert r.handler.peak_connections >= 2


def test_451s_on_several_connections_are_retried_and_nobody_is_lost(tmp_path, relay):
    r = relay(Behaviour(tempfail_every=3, delay=0.01))
    config = write_config(tmp_path, port=r.port, connections=4)
    with Store(config.state_path) as store:
        first = send(config, store, 40)
        assert first.sent + first.deferred == 40 and first.sent >= 30
        resume_until_done(config, store, 40)
        assert_sound(store, r, 40, allow_deferred=False)
    assert r.handler.duplicates() == 0


def _switch_after(r: Relay, stored: int, then: Behaviour, keep: Behaviour) -> None:
    """From the `stored`-th message on, the relay behaves as `then`."""
    def on_store(n: int) -> None:
        if n == stored:
            r.handler.behaviour = then
    keep.on_store = on_store
    r.handler.behaviour = keep


def test_the_circuit_breaker_counts_every_connection_and_stops_them_all(tmp_path, relay):
    r = relay()
    _switch_after(r, 8, Behaviour(always="451 4.7.1 throttled, slow down"), Behaviour())
    # 10 a second to a fast relay: each answer is in before the next message leaves, so
    # "in a row" has one order, whichever connection each 451 came on
    config = write_config(tmp_path, port=r.port, breaker=5, connections=3, rate=10)
    with Store(config.state_path) as store:
        report = send(config, store, 60)
        assert report.exit_code == 75 and "circuit breaker" in (report.stopped or "")
        assert report.sent == 8
        throttled = r.handler.data_count - len(r.stored)
        # five in a row stop every connection (a breaker per connection would allow 15);
        # a message another connection already had on the wire is answered and recorded
        assert 5 <= throttled <= 5 + 2, throttled
        # a deferred reader may have had its in-run retry among them
        assert 1 <= report.deferred <= throttled and report.planned == 60 - 8 - report.deferred
    assert r.handler.peak_connections == 3
    assert r.handler.duplicates() == 0


def test_a_5xx_at_mail_from_mid_run_stops_every_connection_and_fails_nobody(tmp_path, relay):
    r = relay()
    _switch_after(r, 10, Behaviour(mail_reply="550 5.7.1 sender no longer allowed"),
                  Behaviour(delay=0.02))
    config = write_config(tmp_path, port=r.port, connections=4)
    with Store(config.state_path) as store:
        report = send(config, store, 50)
        assert report.exit_code == 75 and "refuses our sender" in (report.stopped or "")
        assert report.failed == 0
        refused = r.handler.mail_count - r.handler.data_count
        assert 1 <= refused <= 4  # at most one refused MAIL per connection
        assert report.deferred == refused
        assert report.sent == len(r.stored) and report.planned == 50 - report.sent - refused


def test_progress_advances_once_per_reader_over_several_connections(tmp_path, relay,
                                                                     monkeypatch):
    advanced: list[int] = []

    @contextmanager
    def bar(enabled, total, period):
        assert enabled and total == 25
        yield advanced.append

    monkeypatch.setattr(digest.deliver, "_progress_bar", bar)
    r = relay(Behaviour(tempfail_every=4, delay=0.01))  # retried readers count once
    config = write_config(tmp_path, port=r.port, connections=3)
    with Store(config.state_path) as store:
        report = digest.deliver.send_period(config, store, PERIOD, audience(25), retry=FAST_RETRY,
                                     progress=True)
    assert sum(advanced) == 25
    assert f"planned 25, sent {report.sent}" in report.summary_line()


def interrupted_send(config, r: Relay, signum: int) -> tuple[int, str, str]:
    """tests/send_runner.py sending 40 readers over four connections, sent `signum` once all
    four have a message stored and waiting for its answer: its exit code, stdout, stderr."""
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": str(here.parent)}
    proc = subprocess.Popen([sys.executable, str(here / "send_runner.py"), str(config.path),
                             PERIOD, "40"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        wait_until(lambda: r.handler.in_flight == 4 or proc.poll() is not None, timeout=60,
                   message="four messages were never in flight at once")
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    return proc.returncode, out, err


def assert_in_flight_recorded_then_resumed(config, r: Relay) -> None:
    """After a stop: what each connection had on the wire is recorded (nothing left `sending`
    or ambiguous, so nothing is resent as a duplicate), and the next run sends the rest."""
    stored_when_stopped = len(r.stored)
    with Store(config.state_path) as store:
        counts = ledger_status(store, PERIOD).counts
        assert counts["sending"] == 0 and counts["ambiguous"] == 0, counts
        assert counts["sent"] == stored_when_stopped < 40  # the four in flight were recorded
        report = send(config, store, 40)
        assert (report.sent, report.exit_code) == (40, 0)
        assert_sound(store, r, 40, allow_deferred=False)
    assert r.handler.duplicates() == 0


def test_ctrl_c_lets_every_connection_finish_its_message_then_stops(tmp_path, relay):
    """An interrupted run records what each connection had on the wire: nothing is left
    `sending` (so nothing is resent as ambiguous), and the next run sends the rest."""
    r = relay(Behaviour(delay=0.3))
    config = write_config(tmp_path, port=r.port, connections=4)
    returncode, _, err = interrupted_send(config, r, signal.SIGINT)
    assert "KeyboardInterrupt" in err and returncode != 0
    assert_in_flight_recorded_then_resumed(config, r)


def test_a_relay_slower_than_the_timeout_is_not_sent_copy_after_copy(tmp_path, relay):
    """Every message is stored, but its reply comes after [smtp] timeout: each is ambiguous,
    and each resend is another copy in a reader's inbox. The run stops once every
    connection has gone unanswered, naming the timeout, instead of resending until the
    breaker (20 by default) trips; and the next run resends each such reader once."""
    r = relay(Behaviour(delay=4))
    config = write_config(tmp_path, port=r.port, timeout=1, connections=3, breaker=20)
    with Store(config.state_path) as store:
        report = send(config, store, 30)
        assert report.exit_code == 75
        assert "timeout" in (report.stopped or ""), report.stopped
        copies = Counter(s.rcpt for s in r.stored)
        assert len(r.stored) <= 3 + 1, copies  # one per connection, and one more at most
        assert max(copies.values()) == 1, copies
        assert report.ambiguous == len(copies) and report.sent == 0
        again = send(config, store, 30)
        assert again.exit_code == 75
        copies = Counter(s.rcpt for s in r.stored)
        assert max(copies.values()) <= 2, copies


def test_sigterm_lets_every_connection_finish_its_message_and_says_so(tmp_path, relay):
    """systemd stopping the unit, `kill`, a shutdown: SIGTERM is the polite stop. Like
    Ctrl-C, each connection finishes and records what it had on the wire (before, the
    process died at once and its in-flight readers were resent as ambiguous: duplicates);
    the run reports where it stopped and exits 75 for the next run to resume."""
    r = relay(Behaviour(delay=0.3))
    config = write_config(tmp_path, port=r.port, connections=4)
    returncode, out, err = interrupted_send(config, r, signal.SIGTERM)
    assert returncode == 75, (out, err)
    assert "SIGTERM" in out, out
    assert_in_flight_recorded_then_resumed(config, r)
