"""Readers added to (or changed in) recipients.csv after `digest build` and before the send.

The build renders each reader's own block (their actions at a glance); a reader it did not
see would get their edition's default block, without their own actions. Before the send
starts, `digest send` names them and stops (exit 64) unless `--force`; once it has started,
the ledger is the audience and a resume carries on.

Real parts: the organisation on disk, its state in SQLite, the CLI through CliRunner, the
outbox, and tests/smtp_relay.py for the resume (the sending process killed mid-message).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from smtp_relay import Behaviour, Relay

from digest.cli import cli
from digest.deliver.ledger import Ledger
from digest.errors import EXIT_USAGE
from digest.store import Store
from tests.test_personal import FIRST_NAME, REPORT, organisation, parts, your_actions
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
# a reader the notes call "Ida": the room booking is hers
NEWCOMER = "ida.nowak@example.org,Ida Nowak,data,Ida\n"


def digest(org, *args: str):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), *args],
                              catch_exceptions=False)


def built(org):
    for command in (["collect"], ["build", "--period", "2026-10"]):
        result = digest(org, *command)
        assert result.exit_code == 0, result.output
    return org


def recipients_csv(org) -> Path:
    return org.config().delivery.recipients


def outbox(org) -> dict[str, bytes]:
    folder = org.root / "out" / "outbox" / "2026-10"
    return {p.stem: p.read_bytes() for p in folder.glob("*.eml")}


def sent_to(org, address: str) -> str:
    """The text part of the message in the outbox for `address`."""
    (data,) = [d for name, d in outbox(org).items() if name.startswith(address)]
    return parts(data)[0]


def frozen(org) -> bool:
    with Store(org.config().state_path) as store:
        return Ledger(store, create=False).frozen("2026-10")


def test_a_reader_added_after_the_build_stops_the_send_until_it_is_built_again(tmp_path):
    org = built(organisation(tmp_path))
    csv = recipients_csv(org)
    csv.write_text(csv.read_text() + NEWCOMER)

    refused = digest(org, "send", "--period", "2026-10")
    assert refused.exit_code == EXIT_USAGE, refused.output
    (line,) = refused.output.strip().splitlines()
    assert line.startswith("error: 2026-10: recipients.csv has 1 reader the build did not see")
    assert "ida.nowak@example.org" in line and "ida.brennan" not in line
    assert "digest build --period 2026-10" in line and "--force" in line
    assert not outbox(org) and not frozen(org)  # nothing sent, nothing frozen

    rebuilt = digest(org, "build", "--period", "2026-10")
    assert rebuilt.exit_code == 0, rebuilt.output
    sent = digest(org, "send", "--period", "2026-10")
    assert sent.exit_code == 0, sent.output
    assert FIRST_NAME.text in your_actions(sent_to(org, "ida.nowak@example.org"))
    assert REPORT.text in your_actions(sent_to(org, "ida.brennan@example.org"))
    assert len(outbox(org)) == 5


def test_force_sends_the_build_as_it_is(tmp_path):
    org = built(organisation(tmp_path))
    csv = recipients_csv(org)
    csv.write_text(csv.read_text() + NEWCOMER)
    sent = digest(org, "send", "--period", "2026-10", "--force")
    assert sent.exit_code == 0, sent.output
    assert len(outbox(org)) == 5
    # what --help says it does: the reader gets the edition without their own actions
    assert your_actions(sent_to(org, "ida.nowak@example.org")) == ""
    assert REPORT.text in your_actions(sent_to(org, "ida.brennan@example.org"))


def test_a_row_changed_after_the_build_stops_the_send_and_a_moved_one_does_not(tmp_path):
    org = built(organisation(tmp_path))
    csv = recipients_csv(org)
    header, *rows = csv.read_text().splitlines(keepends=True)
    # the same rows in another order: the build saw every one of them
    csv.write_text(header + "".join(reversed(rows)))
    dry = digest(org, "send", "--period", "2026-10", "--dry-run")
    assert dry.exit_code == 0 and "did not see" not in dry.output, dry.output
    # Ida Kowalczyk gains the alias the notes call her by: the room booking becomes hers
    csv.write_text(csv.read_text().replace("ida.kowalczyk@example.org,Ida Kowalczyk,data,",
                                           "ida.kowalczyk@example.org,Ida Kowalczyk,data,Ida"))
    dry = digest(org, "send", "--period", "2026-10", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert ("note: a send now would stop: 2026-10: recipients.csv has 1 reader the build did "
            "not see (added or changed since): ida.kowalczyk@example.org;") in dry.output
    refused = digest(org, "send", "--period", "2026-10")
    assert refused.exit_code == EXIT_USAGE
    assert "ida.kowalczyk@example.org" in refused.output
    assert not outbox(org) and not frozen(org)


def test_a_build_by_an_earlier_release_is_sent_as_before(tmp_path):
    """An issue.json without the readers the build saw cannot tell: it is sent as it was."""
    org = built(organisation(tmp_path))
    manifest = org.root / "out" / "2026-10" / "issue.json"
    data = json.loads(manifest.read_text())
    assert len(data.pop("built_for")) == 4
    manifest.write_text(json.dumps(data))
    csv = recipients_csv(org)
    csv.write_text(csv.read_text() + NEWCOMER)
    sent = digest(org, "send", "--period", "2026-10")
    assert sent.exit_code == 0, sent.output
    assert len(outbox(org)) == 5


def test_once_the_send_has_started_a_resume_carries_on_without_the_new_reader(tmp_path):
    """The first message is stored by the relay, which holds its reply; the sender is killed.
    A reader added then is not in this period's ledger: the resume sends the others."""
    relay = Relay(Behaviour(slow_after_store=frozenset({1}), slow=60)).start()
    try:
        org = built(organisation(tmp_path))
        config = org.config_path.read_text().replace('method = "outbox"', 'method = "smtp"')
        config += (f'[smtp]\nhost = "127.0.0.1"\nport = {relay.port}\nsecurity = "none"\n'
                   "rate = 0\ntimeout = 60\nbreaker = 5\n")
        org.config_path.write_text(config)
        proc = subprocess.Popen([sys.executable, "-m", "digest", "--config",
                                 str(org.config_path), "send", "--period", "2026-10"],
                                env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: relay.stored or proc.poll() is not None,
                   message="the sender never reached the relay")
        assert relay.stored, "the sender exited before the relay received a message"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert frozen(org)

        csv = recipients_csv(org)
        csv.write_text(csv.read_text() + NEWCOMER)
        resumed = digest(org, "send", "--period", "2026-10")
        assert resumed.exit_code == 0, resumed.output
        assert "did not see" not in resumed.output
        assert {s.rcpt for s in relay.stored} == {
            "ida.brennan@example.org", "ida.kowalczyk@example.org", "tw@example.org",
            "olu@example.org"}
    finally:
        relay.stop()
