"""Coming sessions from real-looking calendars: Exchange, Google, hand-made."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from digest.calendar import CalendarError, sessions

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def ics(text: str) -> bytes:
    """Calendars travel with CRLF line ends; write them as the servers do."""
    return text.strip().replace("\n", "\r\n").encode("utf-8") + b"\r\n"


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


EXCHANGE = ics("""
BEGIN:VCALENDAR
METHOD:PUBLISH
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
X-WR-CALNAME:Data CoP
BEGIN:VTIMEZONE
TZID:GMT Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T010000
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
DESCRIPTION:Weekly data clinic. Bring a question.\\n\\n___________________
 _____________________________________________________________\\nMicrosoft
 Teams meeting\\nJoin on your computer\\, mobile app or room device\\nClick
 here to join the meeting<https://teams.microsoft.com/l/meetup-join/19%3ame
 eting_NzQ1YjM2%40thread.v2/0?context=%7b%22Tid%22%3a%2272f988bf%22%7d>\\nM
 eeting ID: 348 221 553 812\\nPasscode: kH7s9x\\n
RRULE:FREQ=WEEKLY;COUNT=4;INTERVAL=1;BYDAY=TU;WKST=MO
UID:040000008200E00074C5B7101A82E00800000000B0C3A1F4D53DDB01000000000000000
 010000000D7E4A8A3F2F1B74C8B0E7A1D2C3B4A59
SUMMARY;LANGUAGE=en-GB:Data clinic
DTSTART;TZID=GMT Standard Time:20261013T100000
DTEND;TZID=GMT Standard Time:20261013T110000
CLASS:PUBLIC
PRIORITY:5
DTSTAMP:20261001T083012Z
TRANSP:OPAQUE
STATUS:CONFIRMED
SEQUENCE:0
LOCATION;LANGUAGE=en-GB:Microsoft Teams Meeting
ORGANIZER;CN="Okafor, Chidi":mailto:chidi.okafor@example.org
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
X-MICROSOFT-CDO-IMPORTANCE:1
END:VEVENT
BEGIN:VEVENT
UID:040000008200E00074C5B7101A82E008000000005F0D2E1AC93DDB01000000000000000
 0100000004B1E2F3A4C5D6E7F8091A2B3C4D5E6F7
SUMMARY:Busy
DTSTART;TZID=GMT Standard Time:20261014T120000
DTEND;TZID=GMT Standard Time:20261014T130000
TRANSP:OPAQUE
X-MICROSOFT-CDO-BUSYSTATUS:BUSY
END:VEVENT
BEGIN:VEVENT
UID:ny-joint-session-2026@example.org
SUMMARY:Joint session with the Boston chapter
DTSTART;TZID=America/New_York:20261029T120000
DTEND;TZID=America/New_York:20261029T130000
LOCATION:https://us02web.zoom.us/j/81234567890?pwd=QWxhZGRpbjpvcGVu
DESCRIPTION:Facilitator: Maria Gonzalez\\nAgenda: https://wiki.example.org/
 display/DATA/Joint+session
ORGANIZER;CN=Boston Data Chapter:mailto:data-boston@example.org
END:VEVENT
BEGIN:VEVENT
UID:ny-joint-session-2026-b@example.org
SUMMARY:Joint session (second half)
DTSTART;TZID=America/New_York:20261105T120000
DTEND;TZID=America/New_York:20261105T130000
URL:https://example.webex.com/meet/data.cop
DESCRIPTION:Recording will be at https://teams.microsoft.com/l/ignored
END:VEVENT
END:VCALENDAR
""")


def test_exchange_weekly_session_keeps_local_time_across_autumn_clock_change() -> None:
    found = sessions(EXCHANGE, "data", at(2026, 10, 1), at(2026, 11, 1), LONDON)
    clinic = [s for s in found if s.title == "Data clinic"]
    assert [s.start for s in clinic] == [at(2026, 10, 13, 10), at(2026, 10, 20, 10),
                                         at(2026, 10, 27, 10)]
    # 10:00 BST is 09:00 UTC, 10:00 GMT is 10:00 UTC: the wall clock stays put.
    assert [s.start.utcoffset() for s in clinic] == [timedelta(hours=1)] * 2 + [timedelta(0)]
    assert all(s.end - s.start == timedelta(hours=1) for s in clinic)
    first = clinic[0]
    assert first.location == "Microsoft Teams Meeting"
    assert first.join_url.startswith("https://teams.microsoft.com/l/meetup-join/19%3ameeting_")
    assert first.join_url.endswith("%7d")
    assert first.facilitator == "Chidi Okafor"  # Exchange's CN, given name first
    assert first.community == "data"
    assert len({s.uid for s in clinic}) == 3


def test_free_busy_blocks_are_not_sessions() -> None:
    found = sessions(EXCHANGE, "data", at(2026, 10, 1), at(2026, 11, 1), LONDON)
    assert "Busy" not in {s.title for s in found}


def test_other_zone_is_shown_in_the_organisation_zone() -> None:
    found = sessions(EXCHANGE, "data", at(2026, 10, 28), at(2026, 11, 30), LONDON)
    joint = {s.title: s for s in found}
    # 29 Oct: New York still on EDT (UTC-4), London already on GMT: noon there is 16:00 here.
    first = joint["Joint session with the Boston chapter"]
    assert first.start == at(2026, 10, 29, 16) and first.start.tzinfo == LONDON
    # 5 Nov: both on standard time: 17:00.
    assert joint["Joint session (second half)"].start == at(2026, 11, 5, 17)


def test_join_link_from_location_url_property_and_facilitator_line() -> None:
    found = {s.title: s for s in sessions(EXCHANGE, "data", at(2026, 10, 28), at(2026, 12, 1),
                                          LONDON)}
    first = found["Joint session with the Boston chapter"]
    assert first.join_url == "https://us02web.zoom.us/j/81234567890?pwd=QWxhZGRpbjpvcGVu"
    assert first.location is None  # a bare link is not a place
    assert first.facilitator == "Maria Gonzalez"  # the description wins over ORGANIZER
    second = found["Joint session (second half)"]
    assert second.join_url == "https://example.webex.com/meet/data.cop"  # URL property first
    assert second.facilitator is None


GOOGLE = ics("""
BEGIN:VCALENDAR
PRODID:-//Google Inc//Google Calendar 70.9054//EN
VERSION:2.0
CALSCALE:GREGORIAN
METHOD:PUBLISH
X-WR-CALNAME:Design CoP
X-WR-TIMEZONE:Europe/London
X-WR-CALDESC:Sessions of the design community
BEGIN:VTIMEZONE
TZID:Europe/London
X-LIC-LOCATION:Europe/London
BEGIN:DAYLIGHT
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
TZNAME:BST
DTSTART:19700329T010000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0100
TZOFFSETTO:+0000
TZNAME:GMT
DTSTART:19701025T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
DTSTART;TZID=Europe/London:20260908T140000
DTEND;TZID=Europe/London:20260908T150000
RRULE:FREQ=MONTHLY;BYDAY=2TU
EXDATE;TZID=Europe/London:20261208T140000
RDATE;TZID=Europe/London:20261216T140000
DTSTAMP:20261101T101500Z
ORGANIZER;CN=Design CoP:mailto:c_8f1e2d3c4b5a@group.calendar.google.com
UID:5u3kq1c9e8d7f6g5h4j3k2l1m0@google.com
CREATED:20260801T090000Z
DESCRIPTION:<b>Show and tell</b><br>Facilitator: Priya Shah<br><br>Join wi
 th Google Meet: <a href="https://meet.google.com/abc-defg-hij">https://meet
 .google.com/abc-defg-hij</a>
LAST-MODIFIED:20261101T101500Z
LOCATION:
SEQUENCE:2
STATUS:CONFIRMED
SUMMARY:Design show and tell
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/London:20261015T150000
DTEND;TZID=Europe/London:20261015T160000
DTSTAMP:20261101T101500Z
UID:5u3kq1c9e8d7f6g5h4j3k2l1m0@google.com
RECURRENCE-ID;TZID=Europe/London:20261013T140000
DESCRIPTION:Moved to Thursday this month.\\nFacilitator: Tom Reid
LOCATION:Room 4.12\\, Civic Centre
SEQUENCE:3
STATUS:CONFIRMED
SUMMARY:Design show and tell (moved)
TRANSP:OPAQUE
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/London:20261110T140000
DTEND;TZID=Europe/London:20261110T150000
DTSTAMP:20261101T101500Z
UID:5u3kq1c9e8d7f6g5h4j3k2l1m0@google.com
RECURRENCE-ID;TZID=Europe/London:20261110T140000
SEQUENCE:3
STATUS:CANCELLED
SUMMARY:Design show and tell
END:VEVENT
BEGIN:VEVENT
DTSTART:20261119T130000Z
DTEND:20261119T140000Z
DTSTAMP:20261101T101500Z
UID:0a9b8c7d6e5f@google.com
SUMMARY:Accessibility audit pairing
STATUS:CANCELLED
END:VEVENT
BEGIN:VEVENT
DTSTART;VALUE=DATE:20261118
DTEND;VALUE=DATE:20261119
DTSTAMP:20261101T101500Z
UID:1f2e3d4c5b6a@google.com
SUMMARY:Design away day
LOCATION:The Old Fire Station\\, Oxford
TRANSP:TRANSPARENT
END:VEVENT
BEGIN:VEVENT
DTSTART:20261125T160000Z
DTEND:20261125T170000Z
DTSTAMP:20261101T101500Z
UID:7a6b5c4d3e2f@google.com
SUMMARY:Figma office hours
END:VEVENT
END:VCALENDAR
""")


def test_google_monthly_series_with_exdate_moved_cancelled_and_rdate() -> None:
    found = sessions(GOOGLE, "design", at(2026, 10, 1), at(2027, 1, 1), LONDON)
    show = [(s.start, s.title) for s in found if s.title.startswith("Design show")]
    assert show == [
        (at(2026, 10, 15, 15), "Design show and tell (moved)"),  # moved from 13 Oct
        # 10 Nov cancelled by an override, 8 Dec excluded by EXDATE
        (at(2026, 12, 16, 14), "Design show and tell"),  # added by RDATE
    ]
    moved = found[0]
    assert moved.location == "Room 4.12, Civic Centre"
    assert moved.facilitator == "Tom Reid"
    rdate = [s for s in found if s.start == at(2026, 12, 16, 14)][0]
    assert rdate.facilitator == "Priya Shah"  # from the HTML description
    assert rdate.join_url == "https://meet.google.com/abc-defg-hij"
    assert rdate.location is None


def test_window_is_half_open_and_result_sorted() -> None:
    found = sessions(GOOGLE, "design", at(2026, 11, 1), at(2026, 12, 16, 14), LONDON)
    assert [s.title for s in found] == ["Design away day", "Figma office hours"]
    assert [s.start for s in found] == sorted(s.start for s in found)
    found = sessions(GOOGLE, "design", at(2026, 12, 16, 14), at(2027, 1, 1), LONDON)
    assert [s.start for s in found] == [at(2026, 12, 16, 14)]


def test_cancelled_event_is_left_out_and_all_day_event_is_local_midnight() -> None:
    found = sessions(GOOGLE, "design", at(2026, 11, 1), at(2026, 12, 1), LONDON)
    assert "Accessibility audit pairing" not in {s.title for s in found}
    away = [s for s in found if s.title == "Design away day"][0]
    assert away.all_day is True
    assert away.start == at(2026, 11, 18) and away.end == at(2026, 11, 19)
    assert away.location == "The Old Fire Station, Oxford"
    office = [s for s in found if s.title == "Figma office hours"][0]
    assert office.all_day is False and office.start == at(2026, 11, 25, 16)
    assert office.facilitator is None and office.join_url is None


def test_occurrence_uids_are_unique_and_stable() -> None:
    first = sessions(GOOGLE, "design", at(2026, 9, 1), at(2027, 3, 1), LONDON)
    again = sessions(GOOGLE, "design", at(2026, 9, 1), at(2027, 3, 1), LONDON)
    uids = [s.uid for s in first]
    assert len(set(uids)) == len(uids) == len(first)
    assert uids == [s.uid for s in again]
    assert all(u.startswith("5u3kq1c9e8d7f6g5h4j3k2l1m0@google.com/") for u in uids[:2])


SPRING = ics("""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Nextcloud calendar v4.7.6//EN
BEGIN:VEVENT
UID:spring-standup@example.org
DTSTAMP:20260301T120000Z
DTSTART;TZID=Europe/London:20260317T100000
DTEND;TZID=Europe/London:20260317T103000
RRULE:FREQ=WEEKLY;COUNT=4
SUMMARY:DevOps stand-up
END:VEVENT
END:VCALENDAR
""")


def test_weekly_session_keeps_local_time_across_spring_clock_change() -> None:
    found = sessions(SPRING, "devops", at(2026, 3, 1), at(2026, 5, 1), LONDON)
    assert [s.start for s in found] == [at(2026, 3, 17, 10), at(2026, 3, 24, 10),
                                        at(2026, 3, 31, 10), at(2026, 4, 7, 10)]
    assert [s.start.hour for s in found] == [10] * 4
    assert [s.start.astimezone(ZoneInfo("UTC")).hour for s in found] == [10, 10, 9, 9]


def floating(extra: str = "") -> bytes:
    return ics(f"""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//hand made//EN
{extra}
BEGIN:VEVENT
UID:floating-1
DTSTAMP:20261020T120000Z
DTSTART:20261104T183000
DTEND:20261104T200000
SUMMARY:Evening meetup
LOCATION:The Crown\\, upstairs room
END:VEVENT
END:VCALENDAR
""".replace("\n\n", "\n"))


def test_floating_time_is_read_in_the_organisation_zone() -> None:
    (meetup,) = sessions(floating(), "data", at(2026, 11, 1), at(2026, 12, 1), LONDON)
    assert meetup.start == at(2026, 11, 4, 18, 30) and meetup.end == at(2026, 11, 4, 20)
    assert meetup.location == "The Crown, upstairs room"


def test_floating_time_is_read_in_x_wr_timezone_when_present() -> None:
    cal = floating("X-WR-TIMEZONE:America/New_York")
    (meetup,) = sessions(cal, "data", at(2026, 11, 1), at(2026, 12, 1), LONDON)
    assert meetup.start == datetime(2026, 11, 4, 18, 30, tzinfo=NEW_YORK)
    assert meetup.start == at(2026, 11, 4, 23, 30) and meetup.start.tzinfo == LONDON


def test_one_bad_event_is_skipped_and_the_rest_kept() -> None:
    cal = ics("""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//hand made//EN
BEGIN:VEVENT
UID:bad-date
DTSTART:2026-11-10 at ten
SUMMARY:Typed by hand
END:VEVENT
BEGIN:VEVENT
UID:no-start
SUMMARY:Nobody said when
END:VEVENT
BEGIN:VEVENT
UID:bad-rule
DTSTART:20261111T100000Z
RRULE:FREQ=FORTNIGHTLY
SUMMARY:Bad rule
END:VEVENT
BEGIN:VEVENT
UID:good
DTSTART:20261112T100000Z
DTEND:20261112T110000Z
SUMMARY:Still here
END:VEVENT
END:VCALENDAR
""")
    found = sessions(cal, "data", at(2026, 11, 1), at(2026, 12, 1), LONDON)
    assert [s.title for s in found] == ["Still here"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"<!DOCTYPE html><html><body>Sign in to Outlook</body></html>", "BEGIN:VCALENDAR"),
        (b"", "BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:2026", "cannot be parsed"),
    ],
)
def test_a_calendar_that_does_not_parse_raises_calendar_error(body: bytes, says: str) -> None:
    with pytest.raises(CalendarError, match=says):
        sessions(body, "data", at(2026, 11, 1), at(2026, 12, 1), LONDON)
    assert issubclass(CalendarError, ValueError)


def test_a_component_the_library_rejects_is_skipped_not_the_calendar() -> None:
    cal = ics("""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Apple Inc.//macOS 15.1//EN
X-PASTED-BY-HAND
BEGIN:VEVENT
UID:with-broken-alarm
DTSTART:20261110T100000Z
SUMMARY:Has a broken alarm
BEGIN:VALARM
ACTION:DISPLAY
TRIGGER:-PT15 minutes
END:VALARM
END:VEVENT
BEGIN:VEVENT
UID:fine
DTSTART:20261112T100000Z
DTEND:20261112T110000Z
SUMMARY:Still here
END:VEVENT
END:VCALENDAR
""")
    with pytest.raises(ValueError):  # the library alone refuses the whole file
        icalendar.Calendar.from_ical(cal)
    found = sessions(cal, "data", at(2026, 11, 1), at(2026, 12, 1), LONDON)
    assert [s.title for s in found] == ["Still here"]


def test_a_broken_windows_timezone_block_still_gives_sessions() -> None:
    broken = EXCHANGE.replace(b"TZOFFSETFROM:+0100", b"TZOFFSETFROM:+01", 1)
    with pytest.raises(ValueError):
        icalendar.Calendar.from_ical(broken)
    found = sessions(broken, "data", at(2026, 10, 1), at(2026, 11, 1), LONDON)
    clinic = [s.start for s in found if s.title == "Data clinic"]
    # Without its VTIMEZONE the Windows name still means London time.
    assert clinic == [at(2026, 10, 13, 10), at(2026, 10, 20, 10), at(2026, 10, 27, 10)]


def test_unknown_x_wr_timezone_falls_back_to_the_organisation_zone() -> None:
    cal = floating("X-WR-TIMEZONE:Mars/Olympus_Mons")
    (meetup,) = sessions(cal, "data", at(2026, 11, 1), at(2026, 12, 1), LONDON)
    assert meetup.start == at(2026, 11, 4, 18, 30)


def test_a_truncated_download_is_a_calendar_error() -> None:
    cut = GOOGLE.index(b"BEGIN:VEVENT\r\nDTSTART:20261125")
    truncated = GOOGLE[:cut] + b"BEGIN:VEVENT\r\nDTST"
    with pytest.raises(CalendarError, match="END:VEVENT"):
        sessions(truncated, "design", at(2026, 11, 1), at(2026, 12, 1), LONDON)


def one_event(*lines: str) -> bytes:
    """A hand-made calendar with one VEVENT on 10 November 2026 at 10:00 UTC."""
    body = "\n".join(lines)
    return ics(f"""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:one
DTSTART:20261110T100000Z
SUMMARY:Clinic
{body}
END:VEVENT
END:VCALENDAR
""")


def only_session(cal: bytes):
    (session,) = sessions(cal, "data", at(2026, 11, 1), at(2026, 12, 1), LONDON)
    return session


def test_a_linked_facilitator_is_their_name_not_the_mailto() -> None:
    session = only_session(one_event(
        'DESCRIPTION:Facilitator: <a href="mailto:ana@example.org">Ana Lima</a>'))
    assert session.facilitator == "Ana Lima"


def test_entities_in_a_plain_description_are_decoded() -> None:
    session = only_session(one_event("DESCRIPTION:Facilitator: Tom &amp; Ana"))
    assert session.facilitator == "Tom & Ana"


def test_google_html_blob_description_gives_the_facilitator() -> None:
    session = only_session(one_event(
        "DESCRIPTION:<html-blob>Facilitator: Tom</html-blob>"))
    assert session.facilitator == "Tom"


def test_join_link_from_an_anchor_in_the_description() -> None:
    session = only_session(one_event(
        'DESCRIPTION:Agenda to follow.<br><a href="https://meet.google.com/abc-defg-hij">Join</a>'))
    assert session.join_url == "https://meet.google.com/abc-defg-hij"
    assert session.facilitator is None


def test_an_address_in_angle_brackets_is_text_not_a_tag() -> None:
    session = only_session(one_event("DESCRIPTION:Host: Tom <tom@example.org>"))
    assert session.facilitator == "Tom <tom@example.org>"


def test_duration_without_dtend_gives_the_end() -> None:
    session = only_session(one_event("DURATION:PT1H30M"))
    assert session.start == at(2026, 11, 10, 10)
    assert session.end == at(2026, 11, 10, 11, 30)


@pytest.mark.parametrize(
    "line",
    ["CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Join:https://meet.example.org/cop-data",
     "X-GOOGLE-CONFERENCE:https://meet.example.org/cop-data"],
)
def test_join_link_from_a_conference_property(line: str) -> None:
    assert only_session(one_event(line)).join_url == "https://meet.example.org/cop-data"


def test_a_vevent_repeated_verbatim_is_one_session() -> None:
    # with a UID the library merges the copies itself; without one only _unique does
    event = "BEGIN:VEVENT\nDTSTART:20261110T100000Z\nSUMMARY:Clinic\nEND:VEVENT\n"
    cal = ics(f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n{event}{event}END:VCALENDAR")
    found = sessions(cal, "data", at(2026, 11, 1), at(2026, 12, 1), LONDON)
    assert [(s.title, s.start) for s in found] == [("Clinic", at(2026, 11, 10, 10))]


def test_a_calendar_shared_by_two_communities_gives_both_their_sessions(tmp_path):
    """One joint session series listed by two communities: collected (and stored) once,
    both communities' issue sections and report months have its sessions."""
    from click.testing import CliRunner

    from digest.cli import cli
    from digest.compose import compose
    from digest.config import load_config
    from digest.period import Period
    from digest.store import Store
    from tests.support import write_org

    org = write_org(tmp_path, {"maps": [], "trails": []})
    (tmp_path / "feeds" / "joint.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:joint-1\r\nDTSTAMP:20261001T000000Z\r\nDTSTART:20261104T140000Z\r\n"
        "DTEND:20261104T150000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Joint map walk\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    listing = tmp_path / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace(
        'posts = ["maps.xml"]\n', 'posts = ["maps.xml"]\ncalendar = "joint.ics"\n').replace(
        'posts = ["trails.xml"]\n', 'posts = ["trails.xml"]\ncalendar = "joint.ics"\n'))
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), "collect"])
    assert result.exit_code == 0, result.output
    config = load_config(org.config_path)
    with Store(config.state_path) as store:
        assert len(store.calendars()) == 1
        october = Period.parse("2026-10", "monthly")
        issue = compose(config, store, october, now=october.end(config.timezone),
                        claim=False).issue
    sessions = {s.community_id: len(s.sessions) for s in issue.sections + issue.quiet}
    assert sessions == {"maps": 3, "trails": 3}
