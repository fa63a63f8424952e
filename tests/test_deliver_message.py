"""The message a reader receives, the outbox transport, the ledger and the run lock."""

from __future__ import annotations

import email
import os
import subprocess
import sys
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from deliver_support import FAST_RETRY, audience, edition, readers, write_config

from digest.addresses import InvalidAddress, clean_address
from digest.deliver import build_message, ledger_status, message_id_for, run_lock, send_period
from digest.deliver.message import MessageFactory
from digest.deliver.transports import outbox_name
from digest.errors import TemporaryFailure
from digest.models import Recipient
from digest.store import Store

PERIOD = "2026-10"


@pytest.fixture
def config(tmp_path):
    return write_config(tmp_path, method="outbox")


def _message(config, recipient, ed=None):
    mid = message_id_for(PERIOD, recipient.email, config.delivery.sender)
    return build_message(config, PERIOD, ed or edition(), recipient, mid,
                         date=datetime(2026, 11, 1, 9, 0, tzinfo=UTC))


def test_message_carries_every_header_of_a_well_behaved_bulk_digest(config):
    msg = _message(config, Recipient("ana@example.org", "Ana", None))
    assert msg["From"].addresses[0].addr_spec == "digest@example.org"
    assert msg["To"].addresses[0].addr_spec == "ana@example.org"
    assert msg["Subject"] == "CoP Digest — October 2026"
    assert msg["Date"].datetime == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert msg["Message-ID"] == message_id_for(PERIOD, "ana@example.org", "digest@example.org")
    assert msg["List-Id"] == "CoP Digest <cop-digest.example.org>"
    assert msg["List-Unsubscribe"] == ("<mailto:leave@example.org?subject=unsubscribe>, "
                                       "<https://example.org/unsubscribe>")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Precedence"] == "bulk"
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert "communauté" in parts[1].get_content()
    assert msg.as_bytes().isascii(), "7-bit on the wire: no relay needs 8BITMIME"


def test_no_one_click_header_without_an_https_url(tmp_path):
    cfg = write_config(tmp_path, method="outbox")
    text = (tmp_path / "digest.toml").read_text()
    (tmp_path / "digest.toml").write_text(
        text.replace('unsubscribe_url = "https://example.org/unsubscribe"\n', ""))
    from digest.config import load_config
    cfg = load_config(tmp_path / "digest.toml")
    msg = _message(cfg, Recipient("ana@example.org", "Ana", None))
    assert msg["List-Unsubscribe"] == "<mailto:leave@example.org?subject=unsubscribe>"
    assert msg["List-Unsubscribe-Post"] is None


def test_message_id_is_stable_per_period_and_reader_and_differs_otherwise():
    a = message_id_for("2026-10", "Ana@Example.org", "Digest <digest@example.org>")
    assert a == message_id_for("2026-10", "ana@example.org ", "digest@example.org")
    assert a != message_id_for("2026-11", "ana@example.org", "digest@example.org")
    assert a != message_id_for("2026-10", "bob@example.org", "digest@example.org")
    assert a.startswith("<") and a.endswith("@example.org>")


def test_values_from_csv_and_feeds_cannot_inject_headers(config):
    evil = edition()
    evil = type(evil)(key="all", communities=None, subject="News\r\nBcc: victim@evil.example",
                      preheader="", html=evil.html, text=evil.text)
    msg = _message(config, Recipient("ana@example.org", "Ana\r\nBcc: spy@evil.example", None),
                   evil)
    raw = msg.as_bytes()
    assert b"\r\nBcc:" not in raw and b"\nBcc:" not in raw
    assert msg["Bcc"] is None
    assert msg["Subject"] == "News Bcc: victim@evil.example"  # folded into one harmless line
    with pytest.raises(InvalidAddress):
        clean_address("ana@example.org\r\nBcc: spy@evil.example")
    with pytest.raises(InvalidAddress):
        clean_address("not an address")


def test_names_with_commas_and_non_ascii_are_encoded(config):
    msg = _message(config, Recipient("zoe@exämple.org", "Zoë, Müller", None))
    raw = msg.as_bytes()
    assert raw.isascii()
    to = msg["To"].addresses[0]
    assert to.display_name == "Zoë, Müller"  # one address, not two split at the comma
    assert len(msg["To"].addresses) == 1
    assert to.domain == "xn--exmple-cua.org"


def test_factory_bytes_equal_a_fresh_build_for_each_reader(config):
    ed = edition(70)
    factory = MessageFactory(config, PERIOD)
    when = datetime(2026, 11, 1, tzinfo=UTC)
    for r in readers(3):
        mid = message_id_for(PERIOD, r.email, config.delivery.sender)
        fast = factory.message_bytes(ed, r, mid, when)
        fresh = MessageFactory(config, PERIOD).message_bytes(ed, r, mid, when)
        assert email.message_from_bytes(fast, policy=policy.default)["To"] == \
            f"{r.name} <{r.email}>"
        assert fast.split(b"\r\n\r\n", 1)[0].count(b"Message-ID") == 1
        assert _without_boundary(fast) == _without_boundary(fresh)


def _without_boundary(raw: bytes) -> bytes:
    msg = email.message_from_bytes(raw, policy=policy.default)
    boundary = msg.get_boundary().encode()
    return raw.replace(boundary, b"B")


def test_outbox_writes_one_eml_per_reader_and_a_resend_writes_nothing_new(config, tmp_path):
    with Store(config.state_path) as store:
        store.claim(PERIOD, "monthly", [], datetime(2026, 11, 1, tzinfo=UTC))
        report = send_period(config, store, PERIOD, audience(5), retry=FAST_RETRY)
        assert (report.sent, report.exit_code) == (5, 0)
        folder = config.out_path / "outbox" / PERIOD
        files = sorted(folder.glob("*.eml"))
        assert [f.name for f in files] == sorted(outbox_name(r.email) for r in readers(5))
        for f in files:  # a stamp in the past: a rewrite shows whatever the clock's resolution
            os.utime(f, ns=(1_000_000_000, 1_000_000_000))
        stamps = {f: f.stat().st_mtime_ns for f in files}
        parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
        assert parsed["Message-ID"] and parsed.get_content_type() == "multipart/alternative"
        assert store.issue(PERIOD).sent_at is not None
        again = send_period(config, store, PERIOD, audience(5), retry=FAST_RETRY)
        assert (again.sent_now, again.exit_code) == (0, 0)
        assert {f: f.stat().st_mtime_ns for f in folder.glob("*.eml")} == stamps


def test_outbox_file_names_are_safe_and_distinct():
    addresses = ["a/b@x.org", "a_b@x.org", "../../etc@x.org", "a@x.org", "A@X.org"]
    names = {outbox_name(a) for a in addresses}
    assert len(names) == 4  # a/b and a_b stay apart; a@ and A@ are one mailbox, one file
    assert all("/" not in n and not n.startswith(".") for n in names)


def test_dry_run_reports_and_writes_nothing_not_even_the_ledger(config):
    with Store(config.state_path) as store:
        report = send_period(config, store, PERIOD, audience(7), dry_run=True)
        assert (report.planned, report.total, report.exit_code) == (7, 7, 0)
        assert "would send 7" in report.summary_line()
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
        assert "send_ledger" not in tables
    assert not (config.out_path / "outbox").exists()


def test_the_audience_is_frozen_when_the_send_of_a_period_starts(config):
    with Store(config.state_path) as store:
        send_period(config, store, PERIOD, audience(3), retry=FAST_RETRY)
        later = send_period(config, store, PERIOD, audience(5), retry=FAST_RETRY)
        assert (later.total, later.sent, later.sent_now) == (3, 3, 0)
        assert ledger_status(store, PERIOD).total == 3
        # the next period takes the new readers
        assert send_period(config, store, "2026-11", audience(5), retry=FAST_RETRY).sent == 5


def test_a_reader_listed_twice_gets_one_message(config):
    with Store(config.state_path) as store:
        ed = edition()
        twice = [(Recipient("ana@example.org", "Ana", None), ed),
                 (Recipient("ANA@example.org", "Ana again", None), ed)]
        assert send_period(config, store, PERIOD, twice, retry=FAST_RETRY).sent == 1


def test_an_unusable_address_is_failed_not_lost(config):
    with Store(config.state_path) as store:
        ed = edition()
        aud = [(Recipient("ana@example.org", "Ana", None), ed),
               (Recipient("bob@example.org\r\nBcc: x@evil.example", "Bob", None), ed)]
        report = send_period(config, store, PERIOD, aud, retry=FAST_RETRY)
        assert (report.sent, report.failed, report.exit_code) == (1, 1, 0)
        assert "not a usable email address" in report.status.failed[0].reply


def test_the_support_config_has_a_recipients_file_the_loader_accepts(config):
    from digest.recipients import load_recipients

    loaded = load_recipients(config.delivery.recipients, {c.id for c in config.communities})
    assert (loaded.recipients, loaded.skipped) == ([], [])


def test_status_of_a_period_never_sent_creates_nothing(config):
    with Store(config.state_path) as store:
        status = ledger_status(store, PERIOD)
        assert not status.started and "not sent yet" in status.lines()[0]


def test_lock_is_reentrant_in_a_process_and_exclusive_across_processes(config):
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(config.state_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(TemporaryFailure) as info, run_lock(config.state_path):
            pass
        assert info.value.exit_code == 75 and f"pid {holder.pid}" in str(info.value)
    finally:
        holder.kill()  # SIGKILL: the kernel must release the flock
        holder.wait()
    with run_lock(config.state_path), run_lock(config.state_path):
        pass


_HOLD_LOCK = f"""
import sys
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})
from digest.deliver.lock import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()  # held until the test kills us (or, if it died, closes our stdin)
"""


def test_an_empty_audience_does_not_freeze_the_period(config):
    with Store(config.state_path) as store:
        empty = send_period(config, store, PERIOD, [], retry=FAST_RETRY)
        assert (empty.total, empty.exit_code) == (0, 0)
        assert send_period(config, store, PERIOD, audience(2), retry=FAST_RETRY).sent == 2


class _FakeClock:
    """A clock that only moves when the code under test sleeps or we say so."""

    def __init__(self) -> None:
        self.now = 100.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_pace_makes_up_a_short_lag_but_never_bursts_after_a_long_stall():
    from digest.deliver.sender import Pace

    clock = _FakeClock()
    pace = Pace(10, catch_up=0.5, clock=lambda: clock.now, sleep=clock.sleep)
    times = []
    for i in range(30):
        pace.wait()
        times.append(clock.now)
        if i == 9:
            clock.now += 0.3  # one slow reply: made up within the catch-up allowance
        if i == 19:
            clock.now += 5.0  # a long stall: the schedule restarts, no burst of 50
    assert times[9] - times[0] == pytest.approx(0.9)
    assert times[19] - times[0] == pytest.approx(1.9)  # rate held despite the slow reply
    after_stall = times[20:]
    gaps = [b - a for a, b in zip(after_stall, after_stall[1:], strict=False)]
    assert all(g == pytest.approx(0.1) for g in gaps)
