"""What a started send gives its readers is frozen in the ledger, not read back from out/.

Attacks on the promise "a resumed send gives the same bytes under the same Message-ID":
the build's files change (or vanish) between a send that stopped and its resume, and a
build planned before the send started finishes after it.
"""

from __future__ import annotations

import fcntl
import os
import shutil

import pytest
from smtp_relay import Behaviour, Relay
from test_resume import READERS, digest, html_part, resume_until_done, through_relay

from digest import pipeline
from digest.deliver.lock import lock_path
from digest.errors import DigestError
from digest.period import Period
from digest.store import Store
from tests.support import Post, utc, write_org

OCT = Period.parse("2026-10", "monthly")


def _org(tmp_path, relay):
    posts = [Post("October post", utc(2026, 10, 5), link="https://d.example.org/1")]
    org = write_org(tmp_path, {"data": posts}, recipients=READERS)
    through_relay(org, relay)
    return org


def _stopped_half_way(tmp_path):
    """An organisation whose send of October stored 2 of 4 messages, then lost the relay."""
    relay = Relay(Behaviour(stop_after=2)).start()
    org = _org(tmp_path, relay)
    first = digest(org, "run", "--period", "2026-10")
    assert first.exit_code == 75, first.output
    assert len(relay.stored) == 2
    relay.stop()
    return org, relay


@pytest.mark.parametrize("change", ["edited", "deleted"])
def test_a_resume_sends_the_frozen_editions_whatever_became_of_out(tmp_path, change):
    org, relay = _stopped_half_way(tmp_path)
    first = relay.stored[0].data
    folder = org.root / "out" / "2026-10"
    if change == "edited":  # an editor, a restored backup, a preview writing late
        for path in [folder / "digest.html", *folder.glob("editions/*.html")]:
            path.write_text(path.read_text().replace("October post", "Rewritten post"))
    else:
        shutil.rmtree(folder)
    relay = Relay(port=relay.port).start()
    try:
        result = resume_until_done(org)
        assert result.exit_code == 0, result.output
        later = relay.stored
        assert len(later) == 2
        for stored in later:
            assert "Rewritten post" not in html_part(stored.data)
            assert html_part(stored.data) == html_part(first)
    finally:
        relay.stop()


def test_a_build_planned_before_the_send_started_writes_nothing_after_it(tmp_path):
    """A build (or the preview's) that passed its guard before the send froze the period
    must not rewrite the editions once it has: they are what the first readers got."""
    relay = Relay(Behaviour(stop_after=2)).start()
    try:
        org = _org(tmp_path, relay)
        assert digest(org, "collect").exit_code == 0
        assert digest(org, "build", "--period", "2026-10").exit_code == 0
        config = org.config()
        with Store(config.state_path) as store:
            plan = pipeline.plan_build(config, store, OCT, now=utc(2026, 11, 1, 7))
        sent = digest(org, "send", "--period", "2026-10")
        assert sent.exit_code == 75, sent.output
        before = {p: p.read_bytes() for p in (org.root / "out" / "2026-10").rglob("*")
                  if p.is_file()}
        editions = [plan.render(key) for key in plan.wanted]
        with Store(config.state_path) as store, pytest.raises(DigestError, match="started"):
            pipeline.finish_build(plan, store, editions)
        after = {p: p.read_bytes() for p in (org.root / "out" / "2026-10").rglob("*")
                 if p.is_file()}
        assert after == before
    finally:
        relay.stop()


def test_a_dry_run_answers_while_another_process_holds_the_run_lock(tmp_path):
    """Sending and building hold the run lock while they read and write out/; a dry run
    writes nothing and must still answer while they run."""
    posts = [Post("October post", utc(2026, 10, 5), link="https://d.example.org/1")]
    org = write_org(tmp_path, {"data": posts}, recipients=READERS)
    assert digest(org, "collect").exit_code == 0
    assert digest(org, "build", "--period", "2026-10").exit_code == 0
    config = org.config()
    fd = os.open(lock_path(config.state_path), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a send in another process does
        dry = digest(org, "send", "--period", "2026-10", "--dry-run")
        assert dry.exit_code == 0, dry.output
        assert "would send 4 of 4" in dry.output
        real = digest(org, "send", "--period", "2026-10")
        assert real.exit_code == 75 and "already running" in real.output
    finally:
        os.close(fd)
