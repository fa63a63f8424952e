"""A hostile review of `digest send`/`run` as cron and a careless organiser use them:
readers the build did not see, --force, and Ctrl-C at moments other than mid-send.

Real parts: the organisation on disk, its state in SQLite, the CLI through CliRunner or
a real `python -m digest` process, the outbox.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from feedserver import FeedServer, send

from digest.errors import EXIT_USAGE
from tests.support import Post, rss, utc, write_org
from tests.test_send_unseen_readers import (
    built,
    digest,
    frozen,
    organisation,
    outbox,
    recipients_csv,
)
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent


def test_an_unseen_reader_with_no_edition_is_not_told_to_use_force(tmp_path):
    """--force sends the build as it is, and the build has no edition for a community set
    nobody read when it ran: offering --force sends the organiser round in a circle
    (--force then fails, exit 1, with 'run build again')."""
    org = organisation(tmp_path)
    csv = recipients_csv(org)
    csv.write_text("".join(line for line in csv.read_text().splitlines(True)
                           if "design" not in line))  # the build makes no design edition
    built(org)
    csv.write_text(csv.read_text() + "nia@example.org,Nia Okafor,design,\n")

    refused = digest(org, "send", "--period", "2026-10")
    assert refused.exit_code == EXIT_USAGE, refused.output
    (line,) = refused.output.strip().splitlines()
    assert "nia@example.org" in line and "send --period 2026-10 --force" not in line, line
    assert "digest build --period 2026-10" in line and "no edition" in line, line
    forced = digest(org, "send", "--period", "2026-10", "--force")
    assert forced.exit_code == EXIT_USAGE, forced.output
    assert "nia@example.org" in forced.output and "digest build --period 2026-10" in forced.output
    assert not outbox(org) and not frozen(org)


def test_ctrl_c_during_the_collect_of_run_exits_130_and_the_next_run_sends(tmp_path):
    """Ctrl-C in `digest run` before its send (here while a feed is being fetched) is an
    interruption like one mid-send: exit 130 and what to run, not click's 'Aborted!' and
    exit 1, which cron reads as a crash; the next run collects, builds and sends."""
    org = write_org(tmp_path, {"wards": [Post("Bedside scanning", utc(2026, 10, 6, 9),
                                              guid="w1")]})
    asked, release = threading.Event(), threading.Event()

    def hold(handler) -> None:
        asked.set()
        release.wait(60)
        send(handler, 200, rss([Post("Bedside scanning", utc(2026, 10, 6, 9), guid="w1")],
                               "wards blog").encode())

    with FeedServer() as server:
        server.routes["/wards.xml"] = hold
        communities = tmp_path / "feeds" / "communities.toml"
        communities.write_text(communities.read_text().replace(
            'posts = ["wards.xml"]', f'posts = ["{server.url("/wards.xml")}"]'))
        proc = subprocess.Popen(
            [sys.executable, "-m", "digest", "--config", str(org.config_path), "run",
             "--period", "2026-10"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        try:
            wait_until(lambda: asked.is_set() or proc.poll() is not None, timeout=60,
                       message="the run never fetched the feed")
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        finally:
            release.set()
            if proc.poll() is None:
                proc.kill()
        said = out + err
        assert proc.returncode == 130, said
        assert "Aborted!" not in said
        assert "interrupted before the send started" in said, said
        assert "digest run --period 2026-10" in said, said
        assert not outbox(org)
        again = digest(org, "run", "--period", "2026-10")
        assert again.exit_code == 0, again.output
        assert len(outbox(org)) == 1


def interrupted_at(monkeypatch, module, name: str) -> None:
    """Ctrl-C reaches Python as KeyboardInterrupt wherever the process is: here, as `name`
    of `module` starts (before the ledger is frozen), the rest of the command real."""
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(module, name, interrupt)


def test_ctrl_c_before_a_send_froze_its_readers_says_nobody_was_sent_to(tmp_path, monkeypatch):
    from digest.deliver import ledger

    org = built(organisation(tmp_path))
    interrupted_at(monkeypatch, ledger.Ledger, "freeze")
    result = digest(org, "send", "--period", "2026-10")
    assert result.exit_code == 130, result.output
    assert "interrupted before the send started: nobody was sent to" in result.output
    assert "0 of 0" not in result.output
    monkeypatch.undo()
    again = digest(org, "send", "--period", "2026-10")
    assert again.exit_code == 0, again.output
    assert len(outbox(org)) == 4


def test_ctrl_c_during_a_dry_run_does_not_say_to_send_the_rest(tmp_path, monkeypatch):
    from digest import deliver

    org = built(organisation(tmp_path))
    interrupted_at(monkeypatch, deliver, "send_period")
    result = digest(org, "send", "--period", "2026-10", "--dry-run")
    assert result.exit_code == 130, result.output
    assert "dry run" in result.output and "nothing was sent" in result.output, result.output
    assert "to send the rest" not in result.output
    assert not outbox(org) and not frozen(org)


def test_ctrl_c_during_the_organisers_report_of_run_says_the_digest_went(tmp_path,
                                                                         monkeypatch):
    from digest import report

    org = organisation(tmp_path)
    interrupted_at(monkeypatch, report, "send_report")
    result = digest(org, "run", "--period", "2026-10")
    assert result.exit_code == 130, result.output
    assert "the digest was sent; interrupted while sending the organisers' report" \
        in result.output, result.output
    assert "Aborted!" not in result.output
    assert len(outbox(org)) == 4
    monkeypatch.undo()
    again = digest(org, "run", "--period", "2026-10")
    assert again.exit_code == 0, again.output
    assert len(outbox(org)) == 4  # nobody sent to twice
