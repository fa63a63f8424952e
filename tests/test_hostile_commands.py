"""The commands that came after issue 9 print what feeds and recipients rows say as text.

A reason phrase, a redirect target or a recipients cell is not ours to send to the
organiser's terminal: escape sequences (an OSC 8 hyperlink, a screen clear) must
not come out of `digest check` or `digest send`. The real command in a real
process, against a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from feedserver import FeedServer, reason
from support import Post, utc, write_org

OSC_LINK = "\x1b]8;;https://evil.example/\x1b\\"
UNSAFE = ("\x1b", "\x07", "\x9b")


@pytest.fixture
def server():
    with FeedServer() as s:
        yield s


def run(org, *args):
    return subprocess.run([sys.executable, "-m", "digest", "--config", str(org.config_path),
                           *args], capture_output=True, timeout=120)


def design_org(root, recipients: str | None = None):
    """One community, Design, with one October post."""
    return write_org(root, {"design": [Post("Kick-off", utc(2026, 10, 6), guid="k1",
                                            link="https://design.example.org/1")]},
                     recipients=recipients)


def built_design_org(root, recipients: str | None = None):
    """`design_org` with October collected and built through the real command."""
    org = design_org(root, recipients)
    assert run(org, "collect").returncode == 0
    assert run(org, "build", "--period", "2026-10").returncode == 0
    return org


# click strips CSI sequences (ESC [ ... m) when not on a terminal, but not OSC ones
HOSTILE_ROW = f"bo@example.org,Bo Ek,nosuch{OSC_LINK}\x1b[2J;design\n"


def test_digest_check_prints_reason_phrases_and_rows_as_text(tmp_path, server):
    server.routes["/esc"] = reason(500, f"Bad {OSC_LINK}here [red]x[/red]")
    org = write_org(tmp_path, {"design": []},
                    recipients="email,name,communities\nann@example.org,Ann,\n" + HOSTILE_ROW)
    listing = tmp_path / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace('posts = ["design.xml"]',
                                                   f'posts = ["{server.url("/esc")}"]'))
    checked = run(org, "check")
    assert checked.returncode == 1, checked.stderr
    printed = (checked.stdout + checked.stderr).decode("utf-8")
    assert "Bad here [red]x[/red]" in printed and "nosuch" in printed
    assert not any(ch in printed for ch in UNSAFE), printed


def test_digest_send_dry_run_prints_skipped_rows_as_text(tmp_path):
    org = built_design_org(
        tmp_path, recipients="email,name,communities\nann@example.org,Ann,\n" + HOSTILE_ROW)
    sent = run(org, "send", "--period", "2026-10", "--dry-run")  # lists the skipped rows
    assert sent.returncode == 0, sent.stderr
    printed = (sent.stdout + sent.stderr).decode("utf-8")
    assert "line 3" in printed and "nosuch" in printed
    assert not any(ch in printed for ch in UNSAFE), printed


def test_discard_refuses_a_symlinked_issue_folder_before_changing_anything(tmp_path):
    org = built_design_org(tmp_path)
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "precious.txt").write_text("not the digest's\n")
    page = org.root / "out" / "site" / "2026-10"
    for child in page.iterdir():
        child.unlink()
    page.rmdir()
    page.symlink_to(kept, target_is_directory=True)
    discarded = run(org, "discard", "--period", "2026-10")
    assert discarded.returncode == 78, discarded.stderr
    assert b"Traceback" not in discarded.stderr and b"symbolic link" in discarded.stderr
    assert (kept / "precious.txt").read_text() == "not the digest's\n"
    status = run(org, "status")
    assert b"2026-10:" in status.stdout  # the issue is still built: nothing was half done


def test_calendar_warnings_print_the_calendars_uids_and_errors_as_text(tmp_path):
    org = design_org(tmp_path)
    (tmp_path / "feeds" / "design.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        f"BEGIN:VEVENT\r\nUID:broken{OSC_LINK}x\r\nDTSTART:20261105T100000Z\r\n"
        f"RRULE:FREQ=WEEKLY;BYDAY=X{OSC_LINK}\r\nSUMMARY:Broken\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:fine\r\nDTSTART:20261105T100000Z\r\nSUMMARY:Fine\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n", encoding="utf-8")
    listing = tmp_path / "feeds" / "communities.toml"
    listing.write_text(listing.read_text() + 'calendar = "design.ics"\n')
    printed = b""
    for args in (("collect",), ("build", "--period", "2026-10"), ("report", "--period", "2026-10")):
        done = run(org, *args)
        assert done.returncode == 0, done.stderr
        printed += done.stdout + done.stderr
    text = printed.decode("utf-8")
    assert "skipped event brokenx" in text, text
    assert not any(ch in text for ch in UNSAFE), text


def test_collect_reextract_stores_clean_outcomes(tmp_path):
    """Meeting notes keep their HTML for --reextract; a character reference in it (`&#27;`)
    is an ESC once read again, and must be cleaned as at collect time."""
    from support import rss

    from digest.store import Store

    org = write_org(tmp_path, {"design": []})
    body = ("<h2>Decisions</h2><ul><li>We adopt &#27;]8;;https://evil.example/&#27;\\ the "
            "&#1;rota</li></ul><h2>Actions</h2><ul><li>@Bo Ek: send &#27;[2Jthe notes by "
            "2026-10-30</li></ul>")
    (tmp_path / "feeds" / "meetings.xml").write_text(rss([Post(
        "Design sync", utc(2026, 10, 14), link="https://wiki.example.org/sync", guid="m1",
        body=body)]), encoding="utf-8")
    listing = tmp_path / "feeds" / "communities.toml"
    listing.write_text(listing.read_text() + 'meetings = ["meetings.xml"]\n')
    assert run(org, "collect").returncode == 0
    again = run(org, "collect", "--reextract")
    assert again.returncode == 0, again.stderr
    with Store(org.config().state_path) as store:
        [meeting] = store.items("kind = 'meeting'")
    texts = [d.text for d in meeting.outcomes.decisions] + \
        [a.text for a in meeting.outcomes.actions]
    assert any("rota" in t for t in texts) and any("notes" in t for t in texts), texts
    assert not any(ch in t for t in texts for ch in ("\x1b", "\x01")), texts
