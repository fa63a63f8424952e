"""The sample organisation shipped with CoP Digest is sound.

`make run` builds the October 2026 issue from these hand-written files, offline,
so a typo in a feed or a calendar breaks the first thing a newcomer tries. These
checks read every file with the libraries the pipeline itself uses, and check
that the sample still shows the situations it exists to show: a quiet community,
a returning one, moved and cancelled sessions, meeting notes in the shapes real
tools produce.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
import recurring_ical_events

from digest.calendar import sessions
from digest.config import Config, load_config
from digest.models import Session

ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")
OCTOBER = (datetime(2026, 10, 1, tzinfo=LONDON), datetime(2026, 11, 1, tzinfo=LONDON))
NOVEMBER = (datetime(2026, 11, 1, tzinfo=LONDON), datetime(2026, 12, 1, tzinfo=LONDON))
ACTIVE = ("product", "design", "data", "engineering", "research")
QUIET = "content"

# A heading, or a bold lead-in, that opens the outcomes of a meeting in the
# shapes real tools render: Confluence and Markdown headings, Google Docs
# bold spans, "Agreed:" / "Outcomes" paragraphs.
OUTCOME_HEADING = re.compile(
    r"<(h[1-6]|strong|b|span)\b[^>]*>\s*"
    r"(Decisions?|Decided|Action items|Actions|(?:Suggested )?Next steps|Follow-up tasks|Outcomes"
    r"|Agreed)\s*:?\s*</\1>",
    re.IGNORECASE,
)

CONFIG = load_config(ROOT / "digest.toml")


def _feeds(role: str) -> list[tuple[str, str]]:
    out = []
    for c in CONFIG.communities:
        out += [(c.id, path) for path in (c.posts if role == "posts" else c.meetings)]
    return out


def _parse(path: str) -> feedparser.FeedParserDict:
    return feedparser.parse(Path(path).read_bytes())


def _dated(entry: feedparser.FeedParserDict) -> datetime:
    """When the entry happened, in London: published, else updated (as the pipeline does)."""
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    assert parsed is not None, f"entry {entry.get('title')!r} has no usable date"
    return datetime(*parsed[:6], tzinfo=UTC).astimezone(LONDON)


def _html(entry: feedparser.FeedParserDict) -> str:
    if entry.get("content"):
        return entry.content[0].value
    return entry.get("summary", "")


def _entries(community: str) -> list[feedparser.FeedParserDict]:
    c = CONFIG.community(community)
    return [e for path in (*c.posts, *c.meetings) for e in _parse(path).entries]


def _calendar(community: str) -> icalendar.Calendar:
    path = CONFIG.community(community).calendar
    assert path is not None, f"{community} has no calendar"
    return icalendar.Calendar.from_ical(Path(path).read_bytes())


def _sessions(community: str, start: datetime, end: datetime) -> list[Session]:
    """The sessions the digest would show for [start, end): the product's own reading."""
    path = CONFIG.community(community).calendar
    assert path is not None, f"{community} has no calendar"
    return sessions(Path(path).read_bytes(), community, start, end, CONFIG.timezone)


def test_the_sample_config_and_community_list_load() -> None:
    config: Config = load_config(ROOT / "digest.toml")
    assert config.organisation == "Example Housing Trust"
    assert config.timezone == LONDON
    assert [c.id for c in config.communities] == [*ACTIVE[:4], "research", QUIET]
    assert config.community("research").name == "User research"
    assert config.delivery.recipients.is_file()
    for c in config.communities:
        assert c.description.strip(), f"{c.id} has no description"
        assert c.posts and c.meetings and c.calendar
        for _role, location in c.sources():
            assert Path(location).is_file(), f"{c.id}: {location} is missing"


@pytest.mark.parametrize(("community", "path"), _feeds("posts") + _feeds("meetings"),
                         ids=lambda v: Path(v).relative_to(ROOT / "feeds").as_posix()
                         if "/" in v else v)
def test_every_feed_parses_cleanly(community: str, path: str) -> None:
    feed = _parse(path)
    assert feed.bozo == 0, f"{path}: {feed.get('bozo_exception')}"
    assert feed.entries, f"{path} has no entries"
    for entry in feed.entries:
        assert entry.get("title"), f"{path}: an entry has no title"
        assert entry.get("link"), f"{path}: {entry.title!r} has no link"
        assert _html(entry).strip(), f"{path}: {entry.title!r} has no body"
        _dated(entry)


def test_the_sample_mixes_rss_and_atom() -> None:
    posts = [_parse(p).version for _c, p in _feeds("posts")]
    meetings = [_parse(p).version for _c, p in _feeds("meetings")]
    assert sum(v.startswith("rss") for v in posts) >= 2
    assert sum(v.startswith("atom") for v in posts) >= 2
    assert {v[:3] for v in meetings} == {"rss", "ato"}


@pytest.mark.parametrize("community", ACTIVE)
def test_active_communities_posted_in_october_and_have_history(community: str) -> None:
    for path in CONFIG.community(community).posts:
        dates = [_dated(e) for e in _parse(path).entries]
        in_october = [d for d in dates if OCTOBER[0] <= d < OCTOBER[1]]
        older = [d for d in dates if d < OCTOBER[0]]
        assert 2 <= len(in_october) <= 5, f"{path}: {len(in_october)} October posts"
        assert 2 <= len(older) <= 4, f"{path}: {len(older)} older posts"
        assert all(d >= datetime(2026, 6, 1, tzinfo=LONDON) for d in older)
        assert all(d < OCTOBER[1] for d in dates), f"{path} has a post after October"


@pytest.mark.parametrize("community", ACTIVE)
def test_october_meetings_carry_outcome_sections(community: str) -> None:
    october = [
        e for path in CONFIG.community(community).meetings for e in _parse(path).entries
        if OCTOBER[0] <= _dated(e) < OCTOBER[1]
    ]
    assert 1 <= len(october) <= 3, f"{community}: {len(october)} October meetings"
    for entry in october:
        html = _html(entry)
        assert OUTCOME_HEADING.search(html), f"{entry.title!r} has no outcome section"
        # Outcomes follow ordinary discussion text, as real notes do.
        first = OUTCOME_HEADING.search(html).start()
        assert len(re.sub(r"<[^>]+>", "", html[:first]).strip()) > 80, entry.title


def test_meeting_notes_come_in_the_shapes_real_tools_produce() -> None:
    bodies = " ".join(_html(e) for _c, p in _feeds("meetings") for e in _parse(p).entries)
    # feedparser's sanitiser keeps class and <time datetime> but drops data-* attributes,
    # so the Confluence decision state is only in the raw feed.
    raw = " ".join(Path(p).read_text(encoding="utf-8") for _c, p in _feeds("meetings"))
    assert 'data-decision-state="DECIDED"' in raw and "data-inline-task-id" in raw
    assert 'class="inline-task-list"' in bodies and 'class="decision-list"' in bodies
    assert 'class="date-past"' in bodies and 'datetime="2026-10-31"' in bodies
    assert re.search(r'<input[^>]*type="checkbox"', bodies)  # Markdown task lists
    assert re.search(r"font-weight: ?700", bodies) and "<b>Next steps</b>" in bodies  # Docs
    assert "<strong>Agreed:</strong>" in bodies and "<strong>Outcomes</strong>" in bodies
    assert re.search(r"<th[^>]*>.*Action.*Owner.*Due", bodies) or re.search(
        r">Action<.*?>Owner<.*?>Due<", bodies, re.DOTALL)
    ids = [e.id for _c, p in _feeds("meetings") for e in _parse(p).entries if "id" in e]
    assert any(re.search(r"pageId=\d+&version=\d+", i) for i in ids), "no Confluence version id"


def test_meeting_notes_come_in_the_shapes_of_2026_tools() -> None:
    """Gemini, Zoom AI Companion, Teams/Copilot and GitHub task lists, read with owners,
    dues against the meeting's date and done state, as the email shows them."""
    from digest.outcomes.sources import read_source

    notes = {n.title: n for c in CONFIG.communities for path in c.meetings
             for n in read_source(str(CONFIG.path.parent / path))}
    gemini = notes["Design CoP drop-in – notes by Gemini"]
    assert gemini.held_on is not None and gemini.held_on.isoformat() == "2026-10-07"
    assert [(a.owner, a.due and a.due.isoformat()) for a in gemini.outcomes.actions] == [
        ("Tomasz Wójcik", "2026-10-14"), ("Lola Brennan", None)]
    zoom = notes["Data quality working session (Zoom AI Companion summary)"]
    assert [(a.owner, a.due and a.due.isoformat()) for a in zoom.outcomes.actions] == [
        ("Callum McBride", "2026-10-16"), ("Priya Lal", None)]
    teams = notes["Recap: Product CoP roadmap clinic"]
    assert [a.owner for a in teams.outcomes.actions] == ["Hannah Okoye", "Aoife Byrne"]
    assert len(teams.outcomes.decisions) == 1
    github = notes["Platform sync notes (from the guild repository)"]
    assert [(a.owner, a.done) for a in github.outcomes.actions] == [
        ("dev.malhotra", True), ("ola.nowak", False), ("Jonas", False)]


def test_the_october_email_shows_owners_dues_and_the_meetings_own_dates(tmp_path: Path) -> None:
    """The sample run as cron would: the 2026 tools' notes reach the email as read."""
    import shutil

    from click.testing import CliRunner

    from digest.cli import cli

    shutil.copytree(ROOT / "feeds", tmp_path / "feeds")
    shutil.copy(ROOT / "digest.toml", tmp_path / "digest.toml")
    config = ["--config", str(tmp_path / "digest.toml")]
    for command in (["collect"], ["build", "--period", "2026-10"]):
        result = CliRunner().invoke(cli, [*config, *command])
        assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "2026-10" / "digest.txt").read_text(encoding="utf-8")
    flat = " ".join(text.split())
    # Gemini notes published on 9 October about a drop-in held on the 7th
    assert "Design CoP drop-in – notes by Gemini" in flat and "7 Oct 2026" in flat
    assert "Redraw the bin and spanner icons (Tomasz Wójcik, by Wed 14 Oct)" in flat
    assert "Add a duplicate check to the lettings form (Callum McBride, by Fri 16 Oct)" in flat
    assert "Shorten log retention to 30 days (ola.nowak, by Sat 31 Oct)" in flat
    assert "(Owner: Hannah Okoye)" not in flat and "(Hannah Okoye, by Fri 23 Oct)" in flat


@pytest.mark.parametrize("community", ACTIVE)
def test_active_calendars_have_sessions_in_november(community: str) -> None:
    found = _sessions(community, *NOVEMBER)
    assert 1 <= len(found) <= 3, [(s.title, s.start) for s in found]
    for s in found:
        assert s.location, f"{community}: {s.title} has no location"


def test_calendars_exercise_the_cases_real_calendars_have() -> None:
    raw = {c: Path(CONFIG.community(c).calendar).read_bytes().decode() for c in (*ACTIVE, QUIET)}
    everything = "".join(raw.values())
    assert "BEGIN:VTIMEZONE" in everything and "TZID:Europe/London" in everything
    floating = [c for c, text in raw.items() if "X-WR-TIMEZONE:Europe/London" in text
                and re.search(r"^DTSTART:\d{8}T\d{6}\r?$", text, re.MULTILINE)]
    assert floating, "no calendar with floating local times and X-WR-TIMEZONE"
    assert "RDATE" in everything and "BYSETPOS" in everything
    assert "ORGANIZER;CN=" in everything and "Facilitator: " in everything

    moved_in_november = exdate_in_november = all_day_in_november = cancelled = False
    for community in (*ACTIVE, QUIET):
        for event in _calendar(community).walk("VEVENT"):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                cancelled = True
            rid = event.get("RECURRENCE-ID")
            when = event.decoded("DTSTART")  # a date or a datetime: both have year and month
            if rid is not None and when != rid.dt:
                moved_in_november |= (when.year, when.month) == (2026, 11)
            exdates = event.get("EXDATE", [])
            for ex in exdates if isinstance(exdates, list) else [exdates]:
                exdate_in_november |= any((d.dt.year, d.dt.month) == (2026, 11) for d in ex.dts)
            if not isinstance(when, datetime):
                all_day_in_november |= when.month == 11
    assert moved_in_november and exdate_in_november and all_day_in_november and cancelled


def test_a_recurrence_crosses_the_october_clock_change() -> None:
    """Same wall-clock time either side of 25 Oct 2026, one hour apart in UTC."""
    crossing = []
    for community in ACTIVE:
        around = _sessions(community, datetime(2026, 10, 18, tzinfo=LONDON),
                           datetime(2026, 11, 8, tzinfo=LONDON))
        by_series: dict[str, list[datetime]] = {}
        for s in around:
            if not s.all_day:  # a session's uid is "<series uid>/<its start>"
                by_series.setdefault(s.uid.rsplit("/", 1)[0], []).append(s.start)
        for starts in by_series.values():
            before = [d for d in starts if d < datetime(2026, 10, 25, 2, tzinfo=LONDON)]
            after = [d for d in starts if d > datetime(2026, 10, 25, 2, tzinfo=LONDON)]
            if before and after and before[0].time() == after[0].time():
                assert before[0].utcoffset() != after[0].utcoffset()
                crossing.append(community)
    assert crossing


def test_content_fell_asleep_after_july() -> None:
    end_of_july = datetime(2026, 8, 1, tzinfo=LONDON)
    dates = [_dated(e) for e in _entries(QUIET)]
    assert dates and max(dates) < end_of_july
    assert max(dates) >= datetime(2026, 7, 1, tzinfo=LONDON)
    assert recurring_ical_events.of(_calendar(QUIET)).between(end_of_july, date(2027, 1, 1)) == []
    assert _sessions(QUIET, datetime(2026, 7, 1, tzinfo=LONDON), end_of_july)


def test_research_is_back_after_a_quiet_august_and_september() -> None:
    dates = [_dated(e) for e in _entries("research")]
    summer = [d for d in dates if datetime(2026, 8, 1, tzinfo=LONDON) <= d < OCTOBER[0]]
    assert summer == []
    assert any(d < datetime(2026, 8, 1, tzinfo=LONDON) for d in dates)
    c = CONFIG.community("research")
    for path in (*c.posts, *c.meetings):
        assert any(OCTOBER[0] <= _dated(e) < OCTOBER[1] for e in _parse(path).entries), path
    # The calendar says the same: the summer share-backs were cancelled.
    assert _sessions("research", datetime(2026, 8, 1, tzinfo=LONDON), OCTOBER[0]) == []


def test_feeds_carry_the_awkward_details_of_real_feeds() -> None:
    entries = [e for _c, p in _feeds("posts") + _feeds("meetings") for e in _parse(p).entries]
    assert any("id" not in e for e in entries), "no entry without a guid/id"
    atom_updated_only = [
        e for _c, p in _feeds("posts") if _parse(p).version.startswith("atom")
        for e in _parse(p).entries if "published" not in e and "updated" in e
    ]
    assert atom_updated_only, "no Atom entry with only <updated>"
    text = " ".join(e.title + _html(e) for e in entries)
    assert "é" in text and "–" in text and "“" in text
    raw = Path(CONFIG.community("engineering").posts[0]).read_text(encoding="utf-8")
    assert "xml:base=" in raw and 'href="../' in raw
    resolved = " ".join(_html(e) for e in _parse(CONFIG.community("engineering").posts[0]).entries)
    assert 'href="https://engineering.intranet.example.org/guides/' in resolved
    images = [e for e in entries if "<img " in _html(e) or e.get("media_content")]
    assert len(images) >= 6


def test_recipients_are_well_formed() -> None:
    path = CONFIG.delivery.recipients
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["email", "name", "communities", "aliases"]
        rows = list(reader)
    emails = [r["email"].strip().lower() for r in rows]
    assert len(emails) == len(set(emails)), "duplicate addresses"
    assert all(e.endswith("@example.org") for e in emails)
    known = {c.id for c in CONFIG.communities}
    segments = [set(filter(None, r["communities"].split(";"))) for r in rows]
    assert all(s <= known for s in segments), segments
    assert sum(not s for s in segments) >= 3, "few readers get everything"
    assert any(len(s) > 1 for s in segments)
    names = [r["name"] for r in rows]
    assert any("," in n for n in names) and any(not n.isascii() for n in names)
    # aliases let "Your actions" find readers the notes name by handle or first name
    assert sum(bool(r["aliases"]) for r in rows) >= 3


RFC822 = re.compile(r"<(?:pubDate|lastBuildDate)>(\w{3}), (\d{2} \w{3} \d{4}) (\d{2}:\d{2}:\d{2}) "
                    r"([+-]\d{4}|GMT)</")
RFC3339 = re.compile(r"<(?:published|updated)>(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})"
                     r"(Z|[+-]\d{2}:\d{2})</")


@pytest.mark.parametrize("path", [p for _c, p in _feeds("posts") + _feeds("meetings")],
                         ids=lambda p: Path(p).relative_to(ROOT / "feeds").as_posix())
def test_dates_are_ones_a_london_server_would_write(path: str) -> None:
    """Weekday names match the date; offsets are UTC or London's offset at that moment."""
    text = Path(path).read_text(encoding="utf-8")
    stamps = []
    for weekday, day, clock, offset in RFC822.findall(text):
        when = datetime.strptime(f"{day} {clock} {offset.replace('GMT', '+0000')}",
                                 "%d %b %Y %H:%M:%S %z")
        assert when.strftime("%a") == weekday, f"{path}: {weekday}, {day} is a {when:%A}"
        stamps.append(when)
    for local, offset in RFC3339.findall(text):
        stamps.append(datetime.fromisoformat(local + offset.replace("Z", "+00:00")))
    assert stamps, f"{path} has no dates"
    for when in stamps:
        assert when.utcoffset() in (when.astimezone(LONDON).utcoffset(), UTC.utcoffset(None)), (
            f"{path}: {when.isoformat()} has an offset London did not have then")
