"""Each reader's own block: their actions at a glance, assembled at send time and frozen.

Real parts: an organisation on disk, its state in SQLite, the build through the CLI,
and the send through tests/smtp_relay.py (killed with SIGKILL mid-message, then resumed).
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from smtp_relay import Behaviour, Relay

from digest import pipeline
from digest.cli import cli
from digest.manifest import read_manifest
from digest.models import Action, Decision, MeetingOutcomes
from digest.period import Period
from digest.store import Store
from tests.support import Post, entry, utc, write_org
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
OCT = Period.parse("2026-10", "monthly")
READERS = ("email,name,communities,aliases\n"
           "ida.brennan@example.org,Ida Brennan,data,@ibrennan\n"
           "ida.kowalczyk@example.org,Ida Kowalczyk,data,\n"  # shares only a first name
           "tw@example.org,Tomasz Wolny,data;design,TW\n"
           "olu@example.org,Olu Adebayo,design,\n")
REPORT = Action("Send the access-request figures to the board", owner="Ida Brennan",
                due=date(2026, 11, 20))
GLOSSARY = Action("Draft a glossary of dataset terms", owner="TW")
FIRST_NAME = Action("Book the room for the show and tell", owner="Ida")


def organisation(root: Path, *, web: bool = True):
    org = write_org(root, {"data": [Post("Data post", utc(2026, 10, 5),
                                         link="https://data.example.org/1")],
                           "design": [Post("Design post", utc(2026, 10, 7),
                                           link="https://design.example.org/1")]},
                    recipients=READERS)
    if not web:
        org.config_path.write_text(org.config_path.read_text().replace(
            'web_url = "https://intranet.example.org/cop-digest/"\n', ""))
    config = org.config()
    with Store(config.state_path) as store:
        notes = replace(entry("data", "steering", utc(2026, 10, 14, 10), kind="meeting",
                              title="Catalogue steering group"),
                        outcomes=MeetingOutcomes(
                            decisions=(Decision("Deputy owners are now required"),),
                            actions=(REPORT, GLOSSARY, FIRST_NAME),
                            held_on=date(2026, 10, 14)))
        store.upsert_entries([notes], utc(2026, 10, 14, 12))
    return org


def add_data_clinic(org, *properties: str) -> None:
    """A Data clinic on Wednesday 18 November, 14:00–15:00 UTC, in data.ics, made the Data
    community's calendar; `properties` are its further lines ("LOCATION:…", "URL:…")."""
    calendar = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
                "UID:clinic-1\r\nDTSTAMP:20261001T000000Z\r\nDTSTART:20261118T140000Z\r\n"
                "DTEND:20261118T150000Z\r\nSUMMARY:Data clinic\r\n"
                + "".join(f"{line}\r\n" for line in properties)
                + "END:VEVENT\r\nEND:VCALENDAR\r\n")
    (org.root / "feeds" / "data.ics").write_text(calendar)
    communities = org.root / "feeds" / "communities.toml"
    communities.write_text(communities.read_text().replace(
        'posts = ["data.xml"]', 'posts = ["data.xml"]\ncalendar = "data.ics"'))


BUILT = utc(2026, 11, 1, 7)  # the job runs on the 1st: November's sessions are all to come


def build(org):
    """Collect and build October as the job would on 1 November."""
    config = org.config()
    with Store(config.state_path) as store:
        pipeline.collect(config, store, now=BUILT)
        return pipeline.build(config, store, OCT, now=BUILT)


def send(org):
    config = org.config()
    with Store(config.state_path) as store:
        return pipeline.send(config, store, OCT)


def digest(org, *args: str):
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), *args],
                                catch_exceptions=False)
    return result


def parts(data: bytes) -> tuple[str, str, email.message.EmailMessage]:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    return (msg.get_body(("plain",)).get_content().replace("\r\n", "\n"),
            msg.get_body(("html",)).get_content(), msg)


def outbox(org) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in (org.root / "out" / "outbox" / "2026-10").glob("*.eml")}


def your_actions(text: str) -> str:
    """The "Your actions" lines of a text part ('' when it has none)."""
    if "Your actions:" not in text:
        return ""
    return text.split("Your actions:", 1)[1].split("\n\n", 1)[0]


def test_each_reader_sees_their_own_actions_and_nobody_elses(tmp_path):
    org = organisation(tmp_path)
    build(org)
    assert send(org).exit_code == 0
    sent = {name: parts(data) for name, data in outbox(org).items()}
    texts = {name: text for name, (text, _, _) in sent.items()}
    brennan = next(t for n, t in texts.items() if n.startswith("ida.brennan"))
    kowalczyk = next(t for n, t in texts.items() if n.startswith("ida.kowalczyk"))
    tomasz = next(t for n, t in texts.items() if n.startswith("tw"))
    olu = next(t for n, t in texts.items() if n.startswith("olu"))

    assert REPORT.text in your_actions(brennan)
    assert GLOSSARY.text in your_actions(tomasz)  # through the alias "TW"
    # "Ida" alone is a first name: neither Ida gets that action as theirs
    for text in (brennan, kowalczyk):
        assert FIRST_NAME.text not in your_actions(text)
    assert your_actions(kowalczyk) == ""
    assert FIRST_NAME.text in kowalczyk.split("Open actions:", 1)[1]
    # Olu reads Design only: no Data actions at all
    assert "Open actions:" not in olu and your_actions(olu) == ""
    # the HTML says the same as the text
    html = next(h for n, (_, h, _) in sent.items() if n.startswith("ida.brennan"))
    mine = html.split("Your actions", 1)[1].split("Open actions", 1)[0]
    assert REPORT.text in mine and GLOSSARY.text not in mine

    # one block per distinct content, not per reader; readers owning nothing use the default
    manifest = read_manifest(org.root / "out" / "2026-10")
    assert set(manifest.readers) == {"ida.brennan@example.org", "tw@example.org"}
    # the defaults of the full edition (its decisions name their community), of data and of
    # design, then Ida's and Tomasz's
    assert len(manifest.blocks) == 5


def test_subjects_lead_with_each_editions_own_news_and_fit_78_characters(tmp_path):
    org = organisation(tmp_path)
    build(org)
    manifest = read_manifest(org.root / "out" / "2026-10")
    subjects = {e.key: e.subject for e in manifest.editions}
    assert subjects["data"] == "Data: Deputy owners are now required · 1 post, 1 meeting"
    assert subjects["design"] == "October at a glance: 1 post"
    assert len(set(subjects.values())) == len(subjects)
    assert all(len(s) <= 78 for s in subjects.values())
    result = digest(org, "send", "--period", "2026-10", "--to", "me@example.org",
                    "--edition", "data")
    assert result.exit_code == 0
    (test_copy,) = (org.root / "out" / "outbox" / "test").glob("*.eml")
    _, _, msg = parts(test_copy.read_bytes())
    assert msg["Subject"] == f"[TEST] {subjects['data']}"


def test_without_a_web_archive_sessions_travel_as_a_calendar_attachment(tmp_path):
    org = organisation(tmp_path, web=False)
    add_data_clinic(org, "LOCATION:Room 2")
    build(org)
    assert send(org).exit_code == 0
    for name, data in outbox(org).items():
        text, html, msg = parts(data)
        invites = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
        if name.startswith("olu"):  # Design has no sessions
            assert invites == []
            continue
        (invite,) = invites
        body = invite.get_content()
        assert "SUMMARY:Data clinic" in body and "DTSTART:20261118T140000Z" in body
        assert "Data clinic" in text and "Wed 18 Nov, 14:00–15:00 GMT" in text
        assert "open the invitation attached to this email" in html


def test_with_a_web_archive_each_session_has_its_own_ics(tmp_path):
    org = organisation(tmp_path)
    add_data_clinic(org, "URL:https://meet.example.org/data")
    build(org)
    html = (org.root / "out" / "2026-10" / "editions" / "data.html").read_text()
    link = html.split('>Add Data clinic to your calendar')[0].rsplit('href="', 1)[1].split('"')[0]
    prefix = "https://intranet.example.org/cop-digest/2026-10/"
    assert link.startswith(prefix + "calendar/") and link.endswith(".ics")
    ics = (org.root / "out" / "site" / link.removeprefix("https://intranet.example.org/"
                                                           "cop-digest/")).read_text()
    assert "SUMMARY:Data clinic" in ics


def _through_relay(org, relay: Relay) -> None:
    config = org.config_path.read_text().replace('method = "outbox"', 'method = "smtp"')
    config += (f'[smtp]\nhost = "127.0.0.1"\nport = {relay.port}\nsecurity = "none"\n'
               "rate = 0\ntimeout = 60\nbreaker = 5\n")
    org.config_path.write_text(config)


@pytest.mark.parametrize("unsubscribe_url", [None, "https://intranet.example.org/leave?u={email}"])
def test_a_send_killed_mid_message_resumes_with_the_same_bytes_and_message_id(tmp_path,
                                                                             unsubscribe_url):
    """Ida Brennan's message (with her own block) is stored by the relay, which then holds
    its reply; the sending process is killed. The resumed send gives her the same bytes, her
    own unsubscribe address in the footers included when the URL asks for it."""
    relay = Relay(Behaviour(slow_after_store=frozenset({1}), slow=60)).start()
    try:
        org = organisation(tmp_path)
        if unsubscribe_url:
            mailto = 'unsubscribe_mailto = "leave@example.org"\n'
            org.config_path.write_text(org.config_path.read_text().replace(
                mailto, f'{mailto}unsubscribe_url = "{unsubscribe_url}"\n'))
        _through_relay(org, relay)
        build(org)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "digest", "--config",
                                 str(org.config_path), "send", "--period", "2026-10"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_until(lambda: relay.stored or proc.poll() is not None,
                   message="the sender never reached the relay")
        assert relay.stored, "the sender exited before the relay received a message"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        (first,) = relay.stored
        assert first.rcpt == "ida.brennan@example.org"

        resumed = digest(org, "send", "--period", "2026-10")
        assert resumed.exit_code == 0, resumed.output
        again = [s for s in relay.stored[1:] if s.rcpt == first.rcpt]
        assert len(again) == 1
        assert again[0].message_id == first.message_id
        assert again[0].data == first.data
        text, html, _ = parts(first.data)
        assert REPORT.text in your_actions(text)
        if unsubscribe_url:
            own = unsubscribe_url.replace("{email}", "ida.brennan%40example.org")
            assert own in text and own.replace("&", "&amp;") in html
            assert "{email}" not in text and "{email}" not in html
        assert {s.rcpt for s in relay.stored} == {"ida.brennan@example.org",
                                                  "ida.kowalczyk@example.org", "tw@example.org",
                                                  "olu@example.org"}
    finally:
        relay.stop()


def test_the_web_page_lists_every_open_action_the_email_leaves_out(tmp_path):
    org = organisation(tmp_path)
    config = org.config()
    many = tuple(Action(f"Follow-up task number {n}", owner="Someone Else") for n in range(12))
    with Store(config.state_path) as store:
        notes = replace(entry("data", "more", utc(2026, 10, 20, 10), kind="meeting",
                              title="Data working session"),
                        outcomes=MeetingOutcomes(actions=many))
        store.upsert_entries([notes], utc(2026, 10, 20, 12))
    build(org)
    email_text = (org.root / "out" / "2026-10" / "editions" / "data.txt").read_text()
    assert "more open actions" in email_text
    page = (org.root / "out" / "site" / "2026-10" / "index.html").read_text()
    assert all(a.text in page for a in many)


def test_a_subject_never_names_a_session_that_is_over_or_doubles_a_space():
    from datetime import UTC, datetime

    from digest.models import Decision, Issue, Item, MeetingOutcomes, Section, Session
    from digest.period import Period
    from digest.render.view import subject_line

    meeting = Item(key="m", community="data", kind="meeting", feed_url="f", title="October",
                   link=None, author=None, published=None, updated=None,
                   first_seen=datetime(2026, 10, 20, tzinfo=UTC), excerpt="",
                   outcomes=MeetingOutcomes(decisions=(Decision("Deputy  owners\nrequired"),)))
    past = Session(community="data", uid="p", title="Clinic",
                   start=datetime(2026, 11, 4, 14, tzinfo=UTC),
                   end=datetime(2026, 11, 4, 15, tzinfo=UTC))
    later = Session(community="data", uid="l", title="Show and tell",
                    start=datetime(2026, 11, 18, 14, tzinfo=UTC),
                    end=datetime(2026, 11, 18, 15, tzinfo=UTC))
    issue = Issue(period=Period.parse("2026-10", "monthly"), title="CoP Digest",
                  organisation="Example", quiet=[],
                  sections=[Section("data", "Data", "", meetings=[meeting],
                                    sessions=[past, later])],
                  built_at=datetime(2026, 11, 10, tzinfo=UTC))
    subject = subject_line(issue)
    assert subject.startswith("Data: Deputy owners required · Show and tell")
    assert "Clinic" not in subject
