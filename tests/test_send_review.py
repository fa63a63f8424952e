"""A hostile review of `digest send`/`run` as cron and a careless organiser use them:
readers the build did not see, --force, and Ctrl-C at moments other than mid-send.

Real parts: the organisation on disk, its state in SQLite, the CLI through CliRunner or
a real `python -m digest` process, the outbox.
"""

from __future__ import annotations

from digest.errors import EXIT_USAGE
from tests.test_send_unseen_readers import (
    built,
    digest,
    frozen,
    organisation,
    outbox,
    recipients_csv,
)


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
