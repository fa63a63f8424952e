"""Quiet and returning communities, and each reader's own communities first."""

from __future__ import annotations

import email
import email.policy

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.compose import compose
from digest.deliver.transports import outbox_name
from digest.period import Period
from digest.store import Store
from tests.support import Post, entry, utc, write_org

MONTHS = {m: Period.parse(f"2026-{m:02d}", "monthly") for m in range(1, 13)}


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {"data": [], "design": [], "content": []}).config()


def statuses(config, store, month):
    issue = compose(config, store, MONTHS[month], now=MONTHS[month].end(config.timezone)).issue
    out = {s.community_id: s.status for s in issue.sections}
    out.update({s.community_id: "quiet" for s in issue.quiet})
    return out, issue


def test_a_community_goes_quiet_after_two_silent_periods_and_comes_back(org, tmp_path):
    with Store(tmp_path / "s.db") as store:
        for month in (6, 7, 8, 9, 10, 11):
            store.upsert_entries([entry("data", f"data-{month}", utc(2026, month, 5))],
                                 seen_at=utc(2026, month, 5))
        store.upsert_entries([entry("content", "content-jun", utc(2026, 6, 10)),
                              entry("content", "content-jul", utc(2026, 7, 10))],
                             seen_at=utc(2026, 7, 10))
        store.upsert_entries([entry("content", "content-oct", utc(2026, 10, 12))],
                             seen_at=utc(2026, 10, 12))

        got, _ = statuses(org, store, 7)
        assert got["content"] == "active"
        got, _ = statuses(org, store, 8)  # one silent month: not quiet yet
        assert got.get("content") != "quiet"
        got, issue = statuses(org, store, 9)  # August and September silent: quiet
        assert got["content"] == "quiet"
        quiet = {s.community_id: s for s in issue.quiet}["content"]
        assert quiet.last_activity == utc(2026, 7, 10)
        assert "Meets monthly" in quiet.description  # how to get involved
        got, issue = statuses(org, store, 10)  # posts again in October: back
        assert got["content"] == "back"
        assert "content" not in {s.community_id for s in issue.quiet}
        got, _ = statuses(org, store, 11)  # back is news once; then simply active again
        assert got.get("content") != "back"


def test_a_community_that_never_posted_is_listed_as_quiet_with_no_last_activity(org, tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.upsert_entries([entry("data", "d", utc(2026, 10, 5))], seen_at=utc(2026, 10, 5))
        _, issue = statuses(org, store, 10)
    quiet = {s.community_id: s for s in issue.quiet}
    assert set(quiet) == {"design", "content"}
    assert quiet["design"].last_activity is None


def test_quiet_after_is_configurable(tmp_path):
    config = write_org(tmp_path, {"data": [], "content": []},
                       digest_extra="quiet_after = 3").config()
    with Store(tmp_path / "s.db") as store:
        store.upsert_entries([entry("content", "c", utc(2026, 7, 10)),
                              entry("data", "d", utc(2026, 9, 5))], seen_at=utc(2026, 9, 5))
        got, _ = statuses(config, store, 9)
        assert got.get("content") != "quiet"  # two silent months of three
        got, _ = statuses(config, store, 10)
        assert got["content"] == "quiet"


def test_a_quiet_community_shows_in_the_email_with_its_last_activity(tmp_path):
    org = write_org(tmp_path, {
        "data": [Post("October post", utc(2026, 10, 5), link="https://d.example.org/1")],
        "content": [Post("A July post", utc(2026, 7, 2), link="https://c.example.org/1")],
    })
    CliRunner().invoke(cli, ["--config", str(org.config_path), "collect"])
    with Store(org.root / "var" / "digest.db") as store:  # July went out in its own issue
        store.claim("2026-07", "monthly", [], utc(2026, 8, 1))
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), "build",
                                      "--period", "2026-10"])
    assert result.exit_code == 0, result.output
    html = (org.root / "out" / "2026-10" / "digest.html").read_text()
    text = (org.root / "out" / "2026-10" / "digest.txt").read_text()
    assert "Gone quiet" in html and "Last active July 2026" in html
    assert "GONE QUIET" in text and "last active July 2026" in text


READERS = ("email,name,communities\n"
           "all@example.org,Everyone Reader,\n"
           "data@example.org,Data Reader,data\n"
           "pair@example.org,Pair Reader,design;content\n"
           "pair2@example.org,Pair Again,content;design\n")


def test_each_reader_gets_their_communities_first_then_the_rest_as_headlines(tmp_path):
    org = write_org(tmp_path, {
        "data": [Post("Data catalogue launch", utc(2026, 10, 5), link="https://d.example.org/1")],
        "design": [Post("Design crit notes", utc(2026, 10, 6), link="https://g.example.org/1")],
        "content": [Post("Plain English guide", utc(2026, 10, 7), link="https://c.example.org/1")],
    }, recipients=READERS)
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), "run",
                                      "--period", "2026-10"])
    assert result.exit_code == 0, result.output
    # one rendering per distinct set of communities, not per reader
    assert "3 editions" in result.output

    def parts(address):
        path = org.root / "out" / "outbox" / "2026-10" / outbox_name(address)
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text, html = msg.get_payload()
        return text.get_content(), html.get_content()

    text, html = parts("data@example.org")
    across = html.index(">Across the organisation</h2>")
    assert html.index("Data catalogue launch") < across
    assert html.index("Design crit notes") > across and html.index("Plain English guide") > across
    assert text.index("DATA") < text.index("ACROSS THE ORGANISATION")

    for reader in ("pair@example.org", "pair2@example.org"):
        text, html = parts(reader)
        across = html.index(">Across the organisation</h2>")
        assert html.index("Design crit notes") < across
        assert html.index("Plain English guide") < across
        assert html.index("Data catalogue launch") > across

    text, html = parts("all@example.org")
    assert "Across the organisation" not in html
    assert all(t in html for t in ("Data catalogue launch", "Design crit notes",
                                   "Plain English guide"))


def test_a_community_whose_feeds_all_failed_is_named_in_the_build(tmp_path):
    org = write_org(tmp_path, {
        "data": [Post("Data post", utc(2026, 10, 5), link="https://d.example.org/1")],
        "design": [Post("Design post", utc(2026, 10, 6), link="https://g.example.org/1")],
    })
    runner = CliRunner()
    runner.invoke(cli, ["--config", str(org.config_path), "collect"])
    (org.root / "feeds" / "design.xml").unlink()  # the design blog disappears
    runner.invoke(cli, ["--config", str(org.config_path), "collect"])
    result = runner.invoke(cli, ["--config", str(org.config_path), "build",
                                 "--period", "2026-10"])
    assert result.exit_code == 0, result.output
    assert "every feed of Design failed" in result.output
    assert "Data failed" not in result.output
    html = (org.root / "out" / "2026-10" / "digest.html").read_text()
    assert "could not reach this community" in html


ICS = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
       b"UID:s1@example.org\r\nDTSTAMP:20261001T000000Z\r\nDTSTART:20261110T100000Z\r\n"
       b"DTEND:20261110T110000Z\r\nSUMMARY:Data show and tell\r\nEND:VEVENT\r\n"
       b"END:VCALENDAR\r\n")


CALENDAR_URL = "https://calendar.example.org/data.ics"


def calendar_org(tmp_path, store: Store, ics: bytes):
    """The Data community with a calendar at CALENDAR_URL whose last collected body is
    `ics`; its configuration."""
    org = write_org(tmp_path, {"data": []})
    communities = org.root / "feeds" / "communities.toml"
    communities.write_text(communities.read_text() + f'calendar = "{CALENDAR_URL}"\n')
    store.save_calendar(CALENDAR_URL, "data", ics, utc(2026, 10, 1))
    return org.config()


def test_a_calendar_that_is_gone_no_longer_lists_sessions(tmp_path):
    from digest.collect.state import FeedState, save_states

    with Store(tmp_path / "s.db") as store:
        config = calendar_org(tmp_path, store, ICS)
        october = MONTHS[10]
        issue = compose(config, store, october, now=october.end(config.timezone)).issue
        assert [x.title for s in issue.quiet + issue.sections for x in s.sessions] == [
            "Data show and tell"]
        save_states(store, [FeedState(CALENDAR_URL, "data", "calendar", status="gone")])
        issue = compose(config, store, october, now=october.end(config.timezone)).issue
        assert not [x for s in issue.quiet + issue.sections for x in s.sessions]


def test_an_issue_built_late_shows_the_sessions_still_to_come_and_none_that_is_over(tmp_path):
    # October's issue built on 15 November: the session of the 10th is over, the one of
    # the 20th is still coming, and one of 10 December is within a month of the build
    def event(uid: str, day: str, title: str) -> bytes:
        return (f"BEGIN:VEVENT\r\nUID:{uid}@example.org\r\nDTSTAMP:20261001T000000Z\r\n"
                f"DTSTART:{day}T100000Z\r\nDTEND:{day}T110000Z\r\nSUMMARY:{title}\r\n"
                "END:VEVENT\r\n").encode()

    later = ICS.replace(b"END:VCALENDAR\r\n", event("s2", "20261120", "Data clinic")
                        + event("s3", "20261210", "Data retro") + b"END:VCALENDAR\r\n")
    with Store(tmp_path / "s.db") as store:
        config = calendar_org(tmp_path, store, later)
        october = MONTHS[10]
        on_time = compose(config, store, october, now=october.end(config.timezone)).issue
        late = compose(config, store, october, now=utc(2026, 11, 15)).issue
    titles = [[x.title for s in issue.quiet + issue.sections for x in s.sessions]
              for issue in (on_time, late)]
    assert titles == [["Data show and tell", "Data clinic"], ["Data clinic", "Data retro"]]
