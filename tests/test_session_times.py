"""How a session's time reads: one without a length, one that runs over midnight."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from digest.models import Session
from digest.render.view import session_local

CHICAGO = ZoneInfo("America/Chicago")


def session(start: datetime, end: datetime | None) -> Session:
    return Session(community="c", uid="u", title="Drop-in", start=start, end=end)


def test_a_session_whose_end_is_its_start_shows_its_start_alone():
    # RFC 5545: a DTSTART with neither DTEND nor DURATION ends when it starts
    at = datetime(2026, 12, 11, 13, 0, tzinfo=CHICAGO)
    assert session_local(session(at, at)) == "Fri 11 Dec, 13:00 CST"
    assert session_local(session(at, None)) == "Fri 11 Dec, 13:00 CST"


def test_a_session_that_ends_on_another_day_says_the_day():
    start = datetime(2026, 12, 11, 18, 0, tzinfo=CHICAGO)
    end = datetime(2026, 12, 12, 2, 0, tzinfo=CHICAGO)
    assert session_local(session(start, end)) == "Fri 11 Dec, 18:00–Sat 12 Dec 02:00 CST"
    same_day = datetime(2026, 12, 11, 19, 30, tzinfo=CHICAGO)
    assert session_local(session(start, same_day)) == "Fri 11 Dec, 18:00–19:30 CST"
