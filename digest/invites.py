"""Calendar files for "Add to calendar": one `.ics` per session in the web archive, or one
`text/calendar` attachment per message when there is no web archive to link to.

Each event keeps the session's own UID and start, so a reader who adds the same
session twice (from two issues) updates it rather than duplicating it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

import icalendar

from .models import Session

CALENDAR_FOLDER = "calendar"  # under out/site/<period>/


def session_slug(session: Session) -> str:
    """A file name for one occurrence: stable for the same session (uid and start)."""
    ident = f"{session.community}\x1f{session.uid}\x1f{session.start.isoformat()}"
    return hashlib.sha256(ident.encode()).hexdigest()[:16]


def ics(sessions: Iterable[Session], *, product: str, stamp: datetime) -> bytes:
    """An iCalendar (RFC 5545) document with one VEVENT per session.

    `stamp` (DTSTAMP) is the issue's build time, not now, so rebuilding a frozen
    issue writes the same bytes.
    """
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{product}//CoP Digest//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    for s in sessions:
        event = icalendar.Event()
        occurrence = f"{s.uid}-{s.start.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        event.add("uid", occurrence)
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("summary", s.title)
        if s.all_day:
            event.add("dtstart", s.start.date())
            if s.end is not None and s.end.date() > s.start.date():
                event.add("dtend", s.end.date())
        else:
            event.add("dtstart", s.start.astimezone(UTC))
            if s.end is not None:
                event.add("dtend", s.end.astimezone(UTC))
        if s.location:
            event.add("location", s.location)
        if s.join_url:
            event.add("url", s.join_url)
        details = [f"Facilitated by {s.facilitator}"] if s.facilitator else []
        if s.join_url:
            details.append(f"Join: {s.join_url}")
        if details:
            event.add("description", "\n".join(details))
        cal.add_component(event)
    return cal.to_ical()
