"""The new organiser's trial (TRIAL.md), items 9-15: what a real export did wrong."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from digest.calendar import sessions

CHICAGO = ZoneInfo("America/Chicago")


def chicago(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)  # type: ignore[misc]


def calendar(prodid: str, *events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{prodid}\r\n{body}"
            "END:VCALENDAR\r\n").encode()


def titles(ics: bytes) -> list[str]:
    found = sessions(ics, "leak", chicago(2026, 12, 1), chicago(2027, 1, 1), CHICAGO)
    return [s.title for s in found]


EXCHANGE = "Microsoft Exchange Server 2010"
GOOGLE = "-//Google Inc//Google Calendar 70.9054//EN"


def all_day(uid: str, title: str, *lines: str) -> str:
    return "\r\n".join([f"UID:{uid}", f"SUMMARY:{title}", "DTSTART;VALUE=DATE:20261218",
                        "DTEND;VALUE=DATE:20261219", "DTSTAMP:20261130T160000Z", *lines])


TIMED = "\r\n".join(["UID:monthly", "SUMMARY:Leak Detection CoP monthly",
                     "DTSTART:20261216T150000Z", "DTEND:20261216T160000Z",
                     "X-MICROSOFT-CDO-BUSYSTATUS:BUSY", "TRANSP:OPAQUE"])


@pytest.mark.parametrize("marks", [
    # the trial's export: no busy status, only Exchange's all-day mark and TRANSP
    ("TRANSP:TRANSPARENT", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE"),
    # Exchange 2010 and later: "Show as: Free"
    ("TRANSP:TRANSPARENT", "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
     "X-MICROSOFT-CDO-INTENDEDSTATUS:FREE", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE"),
    # "Show as: Out of office", whether or not it blocks time
    ("TRANSP:OPAQUE", "X-MICROSOFT-CDO-BUSYSTATUS:OOF", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE"),
])
def test_an_exchange_closure_or_absence_is_not_a_session(marks: tuple[str, ...]) -> None:
    cal = calendar(EXCHANGE, TIMED, all_day("closed", "Holiday: depot closed", *marks))
    assert titles(cal) == ["Leak Detection CoP monthly"]


def test_an_exchange_out_of_office_block_is_not_a_session_at_any_length() -> None:
    away = "\r\n".join(["UID:away", "SUMMARY:Dorota at the regional conference",
                        "DTSTART:20261209T150000Z", "DTEND:20261209T220000Z",
                        "X-MICROSOFT-CDO-BUSYSTATUS:OOF", "TRANSP:OPAQUE"])
    assert titles(calendar(EXCHANGE, TIMED, away)) == ["Leak Detection CoP monthly"]


def test_google_all_day_sessions_stay_though_google_marks_them_transparent() -> None:
    google = all_day("gis@google.com", "GIS day: open studio", "TRANSP:TRANSPARENT",
                     "DESCRIPTION:<b>Drop in</b> any time")
    assert titles(calendar(GOOGLE, google)) == ["GIS day: open studio"]


@pytest.mark.parametrize("extra", [
    "LOCATION:Ash Creek pumping station",
    "ATTENDEE;CN=Kwame Mbeki:mailto:kwame@fenwick.test",
    "DESCRIPTION:Join: https://teams.microsoft.com/l/meetup-join/19%3ameeting_x",
])
def test_an_outlook_all_day_session_with_a_place_link_or_guests_stays(extra: str) -> None:
    # Outlook makes a new all-day event Free by default: a real day out keeps it
    day = all_day("field", "Field day: logger calibration", "TRANSP:TRANSPARENT",
                  "X-MICROSOFT-CDO-BUSYSTATUS:FREE", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE", extra)
    assert titles(calendar(EXCHANGE, day)) == ["Field day: logger calibration"]


def test_an_outlook_all_day_session_shown_as_busy_stays() -> None:
    day = all_day("audit", "Audit day", "TRANSP:OPAQUE", "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
                  "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE")
    assert titles(calendar(EXCHANGE, day)) == ["Audit day"]


def organiser(cn: str) -> str | None:
    event = "\r\n".join(["UID:o", "SUMMARY:Leak Detection CoP monthly",
                         "DTSTART:20261216T150000Z", f"ORGANIZER;CN={cn}:mailto:o@fenwick.test"])
    (session,) = sessions(calendar(EXCHANGE, event), "leak", chicago(2026, 12, 1),
                          chicago(2027, 1, 1), CHICAGO)
    return session.facilitator


@pytest.mark.parametrize(("cn", "shown"), [
    ('"Lindqvist, Dorota"', "Dorota Lindqvist"),
    ('"Ó Súilleabháin, Maeve"', "Maeve Ó Súilleabháin"),
    ('"van der Berg, Anna-Lena"', "Anna-Lena van der Berg"),
    ('"Mbeki, Kwame J."', "Kwame J. Mbeki"),
    ("Dorota Lindqvist", "Dorota Lindqvist"),
    ('"Ana Lima, PhD"', "Ana Lima, PhD"),  # a degree after the name, not a surname first
    ('"Reid, Tom, Jr"', "Reid, Tom, Jr"),
    ('"Ops, North & West"', "Ops, North & West"),
    ('"Pump Station 4, East"', "Pump Station 4, East"),
])
def test_an_exchange_organiser_written_surname_first_is_shown_given_name_first(
        cn: str, shown: str) -> None:
    assert organiser(cn) == shown


def test_status_speaks_the_organisation_time_zone(tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from digest.cli import cli
    from digest.store import from_text
    from tests.support import Post, write_org

    org = write_org(tmp_path, {"leak": [Post("Pressure logging", chicago(2026, 11, 3, 10))]})
    toml = tmp_path / "digest.toml"
    toml.write_text(toml.read_text().replace('"Europe/London"', '"America/Chicago"'))
    config = ["--config", str(org.config_path)]
    assert CliRunner().invoke(cli, [*config, "collect"]).exit_code == 0
    built = CliRunner().invoke(cli, [*config, "build", "--period", "2026-11"])
    assert built.exit_code == 0, built.output
    data = json.loads(CliRunner().invoke(cli, [*config, "status", "--json"]).output)
    collected, made = from_text(data["last_collect"]), from_text(data["issues"][0]["built_at"])
    assert collected is not None and made is not None
    shown = CliRunner().invoke(cli, [*config, "status"]).output
    local = collected.astimezone(CHICAGO)
    assert f"last collect: {local:%Y-%m-%d %H:%M} {local:%Z}" in shown
    assert local.strftime("%Z") in ("CST", "CDT")
    assert f"built {made.astimezone(CHICAGO):%Y-%m-%d %H:%M %Z}" in shown
    assert "UTC" not in shown


def test_collect_tells_the_organiser_of_a_json_feed_item_without_a_date(tmp_path) -> None:
    import json

    from click.testing import CliRunner

    from digest.cli import cli
    from tests.support import write_org

    org = write_org(tmp_path, {"energy": []})
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Energy CoP",
            "items": [
                {"id": "1", "title": "Pump curves, revisited", "url": "https://e.test/1",
                 "content_text": "Dated.", "date_published": "2026-11-12T09:00:00-06:00"},
                {"id": "2", "title": "Standby generator test log", "url": "https://e.test/2",
                 "content_text": "No date on this one."}]}
    (tmp_path / "feeds" / "energy.xml").write_text(json.dumps(feed), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), "collect"])
    assert result.exit_code == 0, result.output
    assert ("1 entry has no date (the first: 'Standby generator test log'): each goes in the "
            "issue of the day it was first collected") in result.output


@pytest.mark.parametrize("shape", ["rss", "atom"])
def test_an_rss_or_atom_entry_without_a_date_is_named_too(shape: str) -> None:
    from digest.collect.parse import parse_feed

    if shape == "rss":
        body = ("<rss version='2.0'><channel><title>Platform</title>"
                "<item><title>About this site</title><link>https://p.test/about</link></item>"
                "<item><title>Telemetry</title><link>https://p.test/t</link>"
                "<pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate></item>"
                "</channel></rss>")
    else:
        body = ("<feed xmlns='http://www.w3.org/2005/Atom'><title>Lab</title>"
                "<entry><id>a</id><title>About this site</title></entry>"
                "<entry><id>b</id><title>Telemetry</title></entry></feed>")
    parsed = parse_feed(body.encode(), {}, url="https://p.test/feed", community="platform",
                        kind="post", now=chicago(2026, 12, 1))
    assert ("undated", "2 entries have no date (the first: 'About this site'): each goes in "
            "the issue of the day it was first collected; ask the feed's owner to date them"
            ) in parsed.warnings


def test_a_feed_whose_entries_are_dated_has_no_undated_warning() -> None:
    from digest.collect.parse import parse_feed

    body = (b"<rss version='2.0'><channel><title>P</title><item><title>T</title>"
            b"<link>https://p.test/t</link><pubDate>Tue, 10 Nov 2026 09:00:00 -0600</pubDate>"
            b"</item></channel></rss>")
    parsed = parse_feed(body, {}, url="https://p.test/feed", community="platform",
                        kind="post", now=chicago(2026, 12, 1))
    assert parsed.warnings == []


MEETUP = "-//Meetup//Meetup Events v1.0//EN"
RSVP = "https://www.meetup.com/fenwick-data-circle/events/312345678/"


def meetup_session(*lines: str):
    event = "\r\n".join(["UID:event_312345678@meetup.com", "SUMMARY:Data Circle",
                         "DTSTART:20261203T000000Z", "DTEND:20261203T020000Z",
                         f"URL:{RSVP}", *lines])
    (session,) = sessions(calendar(MEETUP, event), "data", chicago(2026, 12, 1),
                          chicago(2027, 1, 1), CHICAGO)
    return session


def test_a_meetup_page_is_not_a_join_link_for_a_session_at_a_place() -> None:
    session = meetup_session("LOCATION:Civic Library (400 Lake St\\, Fenwick\\, IL)")
    assert session.location == "Civic Library (400 Lake St, Fenwick, IL)"
    assert session.join_url is None


@pytest.mark.parametrize("place", ["", "LOCATION:Online event",
                                   "LOCATION:Link visible for attendees"])
def test_an_online_event_page_is_its_way_in(place: str) -> None:
    assert meetup_session(place).join_url == RSVP


def test_a_meeting_service_url_is_a_join_link_wherever_the_session_is() -> None:
    event = "\r\n".join(["UID:hybrid", "SUMMARY:Hybrid review", "DTSTART:20261203T150000Z",
                         "LOCATION:Ash Creek works\\, room 2",
                         "URL:https://fenwick.zoom.us/j/8123456789"])
    (session,) = sessions(calendar(EXCHANGE, event), "leak", chicago(2026, 12, 1),
                          chicago(2027, 1, 1), CHICAGO)
    assert session.join_url == "https://fenwick.zoom.us/j/8123456789"


MEDIA = "http://search.yahoo.com/mrss/"


def lead_image(entry_xml: str) -> str | None:
    from digest.collect.parse import parse_feed

    body = (f"<feed xmlns='http://www.w3.org/2005/Atom' xmlns:media='{MEDIA}'><title>T</title>"
            f"<entry><id>e</id><title>Release 4.2</title><updated>2026-11-20T10:00:00Z</updated>"
            f"{entry_xml}</entry></feed>")
    (entry,) = parse_feed(body.encode(), {}, url="https://p.test/feed.atom",
                          community="platform", kind="post", now=chicago(2026, 12, 1)).entries
    return entry.image


def test_a_release_author_avatar_is_not_the_post_image() -> None:
    avatar = ('<media:thumbnail height="30" width="30" '
              'url="https://avatars.example.test/u/1?s=60&amp;v=4"/>'
              '<content type="html">&lt;p&gt;Fixes the logger upload.&lt;/p&gt;</content>')
    assert lead_image(avatar) is None


def test_blogger_small_thumbnail_gives_way_to_the_image_in_the_post() -> None:
    blogger = ('<media:thumbnail url="https://img.example.test/s72-c/kids.jpg" height="72" '
               'width="72"/><content type="html">&lt;p&gt;&lt;img '
               'src="https://img.example.test/s320/kids.jpg" width="320" height="240" '
               'alt="Pupils at the weir"&gt;&lt;/p&gt;&lt;p&gt;Open day.&lt;/p&gt;</content>')
    assert lead_image(blogger) == "https://img.example.test/s320/kids.jpg"


@pytest.mark.parametrize("size", ['width="600" height="400"', ""])
def test_a_full_size_or_unsized_media_image_still_leads(size: str) -> None:
    image = f'<media:content url="https://img.example.test/weir.jpg" medium="image" {size}/>'
    assert lead_image(image) == "https://img.example.test/weir.jpg"


def test_a_self_hosted_meeting_url_beside_a_room_is_still_the_join_link() -> None:
    event = "\r\n".join(["UID:clinic", "SUMMARY:Data clinic", "DTSTART:20261203T150000Z",
                         "LOCATION:Room 2.04", "URL:https://meet.fenwick.test/data-clinic"])
    (session,) = sessions(calendar(EXCHANGE, event), "data", chicago(2026, 12, 1),
                          chicago(2027, 1, 1), CHICAGO)
    assert session.join_url == "https://meet.fenwick.test/data-clinic"
