"""What a new organisation trips over on its first day, through the command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from digest.cli import cli
from tests.support import Post, utc, write_org


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def two_communities(tmp_path):
    return write_org(tmp_path, {
        "wards": [Post("Bedside scanning on ward 7", utc(2026, 10, 6, 9), guid="w1")],
        "estates": [Post("Solar canopy figures", utc(2026, 10, 8, 9), guid="e1")],
    })


def test_an_excel_csv_with_a_bom_and_semicolons_is_read(tmp_path):
    """Excel in a comma-decimal locale (most of Europe) saves "CSV UTF-8" with a BOM,
    semicolons between cells, CRLF line ends and a list cell in quotes; it has no
    setting to save commas instead, so the file is read as it is."""
    org = two_communities(tmp_path)
    (org.root / "recipients.csv").write_bytes(
        "\ufeffemail;name;communities;aliases\r\n"
        "bjorn@example.org;Björn Åkesson;\"wards;estates\";@bakesson\r\n"
        "tomasz@example.org;Wróblewski, Tomasz;estates;\r\n"
        "rangi@example.org;Rangi Pōtae;;\r\n".encode("utf-8"))
    checked = invoke("check", "--config", str(org.config_path))
    assert checked.exit_code == 0, checked.output
    assert "3 recipients" in checked.output
    assert invoke("collect", "--config", str(org.config_path)).exit_code == 0
    built = invoke("build", "--config", str(org.config_path), "--period", "2026-10")
    assert built.exit_code == 0, built.output
    assert "3 recipients" in built.output
    dry = invoke("send", "--config", str(org.config_path), "--period", "2026-10", "--dry-run")
    assert "would send 3 of 3" in dry.output and "no rows" in dry.output, dry.output
    sent = invoke("send", "--config", str(org.config_path), "--period", "2026-10")
    assert sent.exit_code == 0, sent.output
    outbox = org.root / "out" / "outbox" / "2026-10"
    to = sorted(p.read_text().split("To: ", 1)[1].split("\n", 1)[0] for p in outbox.glob("*.eml"))
    assert len(to) == 3 and any("bjorn@example.org" in t for t in to)


def test_a_semicolon_file_with_a_bad_row_names_its_line(tmp_path):
    org = two_communities(tmp_path)
    (org.root / "recipients.csv").write_text(
        "email;name;communities\nann@example.org;Ann;wards\nbad@;Bad;\nzed@example.org;Zed;nope\n",
        encoding="utf-8")
    checked = invoke("check", "--config", str(org.config_path))
    assert checked.exit_code == 1
    assert "recipients.csv: line 3: 'bad@'" in checked.output
    assert "recipients.csv: line 4: unknown community id nope" in checked.output


def test_ctrl_c_during_send_says_how_far_it_got_and_send_again_finishes(tmp_path):
    """An organiser who presses Ctrl-C mid-send is told what was sent and what to run;
    the next send sends the rest, nobody twice."""
    from deliver_support import relays
    from smtp_relay import Behaviour, free_port
    from waiting import wait_until

    port = free_port()
    readers = "".join(f"r{i}@example.org,Reader {i},\n" for i in range(6))
    org = write_org(tmp_path, {
        "wards": [Post("Bedside scanning on ward 7", utc(2026, 10, 6, 9), guid="w1")]},
        recipients="email,name,communities\n" + readers,
        delivery_extra=f'method = "smtp"\n[smtp]\nhost = "127.0.0.1"\nport = {port}\n'
                       'security = "none"\nrate = 0\nconnections = 1\n')
    text = org.config_path.read_text().replace('method = "outbox"\n', "", 1)
    org.config_path.write_text(text)
    assert invoke("collect", "--config", str(org.config_path)).exit_code == 0
    assert invoke("build", "--config", str(org.config_path), "--period", "2026-10").exit_code == 0
    procs: list[subprocess.Popen] = []

    def interrupt(stored: int) -> None:
        if stored == 2:
            procs[0].send_signal(signal.SIGINT)

    with relays() as make:
        relay = make(Behaviour(on_store=interrupt, delay=0.2), port=port)
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "digest", "send", "--config", str(org.config_path),
             "--period", "2026-10"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}))
        out, err = procs[0].communicate(timeout=120)
        said = out + err
        assert procs[0].returncode == 130, said
        assert "Aborted!" not in said
        assert "interrupted" in said and "digest send --period 2026-10" in said, said
        confirmed = int(said.split("interrupted: ", 1)[1].split(" of 6 readers")[0])
        assert 1 <= confirmed <= len(relay.stored) <= confirmed + 1, said
        again = invoke("send", "--config", str(org.config_path), "--period", "2026-10")
        assert again.exit_code == 0, again.output
        wait_until(lambda: len(relay.stored) >= 6, timeout=30, message="the rest never arrived")
        assert relay.handler.duplicates() <= 1  # the one in flight, under its Message-ID
        assert sorted(relay.handler.ids_by_rcpt()) == sorted(f"r{i}@example.org" for i in range(6))
        assert all(len(ids) == 1 for ids in relay.handler.ids_by_rcpt().values())


def test_a_ticked_action_reads_as_done_in_its_meeting(tmp_path):
    """The meeting's own list of actions says which are done: a reader must not chase
    a task the notes ticked."""
    from tests.support import notes_org

    org = notes_org(tmp_path, "estates")
    (org.root / "feeds" / "notes" / "estates" / "2026-10-14-meeting.md").write_text(
        "---\ntitle: Estates CoP, 14 October\ndate: 2026-10-14\nkind: meeting\n---\n"
        "## Actions\n- [x] @Ilse Vandenberghe: book the plant room visit\n"
        "- [ ] @Kwame Asante: get three LED quotes by 2026-11-20\n", encoding="utf-8")
    assert invoke("collect", "--config", str(org.config_path)).exit_code == 0
    built = invoke("build", "--config", str(org.config_path), "--period", "2026-10")
    assert built.exit_code == 0, built.output
    text = (org.root / "out" / "2026-10" / "digest.txt").read_text()
    html = (org.root / "out" / "2026-10" / "digest.html").read_text()
    booked = next(line for line in text.splitlines() if "plant room visit" in line)
    quotes = next(line for line in text.splitlines() if "LED quotes" in line)
    assert "done" in booked and "done" not in quotes, text
    fragment = html[html.index("plant room visit"):][:200]
    assert "done" in fragment, fragment
    assert "done" not in html[html.index("LED quotes"):][:120]


def test_sending_a_sent_period_again_says_it_was_already_sent(tmp_path):
    org = two_communities(tmp_path)
    config = str(org.config_path)
    assert invoke("collect", "--config", config).exit_code == 0
    assert invoke("build", "--config", config, "--period", "2026-10").exit_code == 0
    first = invoke("send", "--config", config, "--period", "2026-10")
    assert first.exit_code == 0 and "already sent" not in first.output, first.output
    again = invoke("send", "--config", config, "--period", "2026-10")
    assert again.exit_code == 0, again.output
    assert "2026-10 was already sent on " in again.output
    assert "nobody was sent to again" in again.output
    assert len(list((org.root / "out" / "outbox" / "2026-10").glob("*.eml"))) == 1
    quiet = invoke("--quiet", "send", "--config", config, "--period", "2026-10")
    assert (quiet.exit_code, quiet.output) == (0, "")


def test_a_wrong_relay_password_says_what_to_fix(tmp_path, monkeypatch):
    import trustme
    from deliver_support import relays, server_context, trust

    ca = trustme.CA()
    trust(ca, tmp_path, monkeypatch)
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "not the password")
    with relays() as make:
        relay = make(tls_context=server_context(ca), credentials=("digest", "the password"))
        org = write_org(tmp_path, {
            "wards": [Post("Bedside scanning on ward 7", utc(2026, 10, 6, 9), guid="w1")]})
        text = org.config_path.read_text().replace('method = "outbox"', 'method = "smtp"')
        org.config_path.write_text(text + f'\n[smtp]\nhost = "127.0.0.1"\nport = {relay.port}\n'
                                          'username = "digest"\n')
        config = str(org.config_path)
        checked = invoke("check", "--config", config, "--smtp")
        line = next(x for x in checked.output.splitlines() if "refused the login" in x)
        assert "check [smtp] username and" in line and "$DIGEST_SMTP_PASSWORD" in line, line
        assert invoke("collect", "--config", config).exit_code == 0
        assert invoke("build", "--config", config, "--period", "2026-10").exit_code == 0
        sent = invoke("send", "--config", config, "--period", "2026-10")
        assert sent.exit_code == 69
        assert "$DIGEST_SMTP_PASSWORD" in sent.output and relay.stored == []


OUTLOOK_WITH_A_BAD_LINE = """BEGIN:VCALENDAR\r
PRODID:Microsoft Exchange Server 2010\r
VERSION:2.0\r
BEGIN:VTIMEZONE\r
TZID:W. Europe Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:walk-through-1\r
SUMMARY:EHR screen walk-through\r
DTSTART;TZID=W. Europe Standard Time:20361209T130000\r
DTEND;TZID=W. Europe Standard Time:2036-12-09T14:00\r
LOCATION:Education Centre\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:clinic-2\r
SUMMARY:Forecasting clinic\r
DTSTART:20361202T150000Z\r
DTEND:20361202T160000Z\r
Location Analytics hub\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_calendar_line_the_digest_cannot_read_is_named_with_its_line(tmp_path):
    """An event with a malformed time is left out of the digest: check and collect name
    the calendar, the line, the event and what to fix, instead of losing it silently."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from digest.calendar import sessions

    org = two_communities(tmp_path)
    (org.root / "feeds" / "wards.ics").write_text(OUTLOOK_WITH_A_BAD_LINE, encoding="utf-8")
    listing = org.root / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace(
        'posts = ["wards.xml"]\n', 'posts = ["wards.xml"]\ncalendar = "wards.ics"\n', 1))
    checked = invoke("check", "--config", str(org.config_path))
    assert checked.exit_code == 1, checked.output
    lines = [x for x in checked.output.splitlines() if "wards.ics" in x]
    assert len(lines) == 2, checked.output
    dtend = next(x for x in lines if "line 23" in x)
    assert dtend.startswith("calendar of wards: ") and "DTEND" in dtend
    assert "'EHR screen walk-through' is left out" in dtend and "20361209T140000" not in dtend
    assert "fix" in dtend
    stray = next(x for x in lines if "line 31" in x)
    assert "'Location Analytics hub'" in stray and "ignored" in stray
    collected = invoke("collect", "--config", str(org.config_path))
    assert "line 23" in collected.output, collected.output
    tz = ZoneInfo("Europe/Amsterdam")
    shown = sessions(OUTLOOK_WITH_A_BAD_LINE.encode(), "wards", datetime(2036, 12, 1, tzinfo=tz),
                     datetime(2037, 1, 1, tzinfo=tz), tz)
    assert [s.title for s in shown] == ["Forecasting clinic"]  # what the message says


def test_a_feed_address_that_404s_says_where_to_fix_it(tmp_path):
    from tests.feedserver import FeedServer

    org = two_communities(tmp_path)
    with FeedServer() as server:
        listing = org.root / "feeds" / "communities.toml"
        listing.write_text(listing.read_text().replace(
            '"estates.xml"', f'"{server.url("/blog/feed-typo.xml")}"'))
        checked = invoke("check", "--config", str(org.config_path))
    line = next(x for x in checked.output.splitlines() if "feed-typo.xml" in x)
    assert "404" in line
    assert f"fix the address under posts of community estates in {listing}" in line, line
