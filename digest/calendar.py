"""Coming sessions from a community's iCalendar feed: the rota made visible.

Calendars come from Outlook/Exchange (Windows zone names with their own
VTIMEZONE), Google (X-WR-TIMEZONE, UTC times), and hand-made files (floating
times). `recurring_ical_events` expands RRULE/RDATE/EXDATE and applies
RECURRENCE-ID overrides (and X-WR-TIMEZONE); what it does not do we do here:
it returns occurrences overridden as STATUS:CANCELLED, and one broken VEVENT
makes its whole query raise, so each series is expanded on its own.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo
from time import monotonic as time_monotonic
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events

from .models import Session
from .text import clean_text, plural, terminal_text

if TYPE_CHECKING:
    from .config import Config
    from .store import Store

log = logging.getLogger(__name__)

# Margin around the window when asking the library, so floating times and
# all-day dates (which it compares in its own way) are never cut off; the
# exact [start, end) filter is applied after conversion to the organisation's zone.
_MARGIN = timedelta(days=2)

# Exchange "availability only" publishing turns every event into one of these.
_FREE_BUSY_SUMMARIES = {"", "busy", "free", "tentative", "away", "out of office",
                        "working elsewhere", "oof"}

_URL_RE = re.compile(r"https://[^\s<>\"'()\[\]]+", re.IGNORECASE)
_JOIN_HOSTS = re.compile(
    r"^https://([a-z0-9-]+\.)*(teams\.microsoft\.com|teams\.live\.com|zoom\.us|zoomgov\.com"
    r"|meet\.google\.com|webex\.com|gotomeeting\.com|meet\.goto\.com|whereby\.com"
    r"|meet\.jit\.si)(/|$)",
    re.IGNORECASE,
)
# The label of a description's facilitator line, in the languages communities write
# invitations in; each is a whole word before the separator ("Moderationsregeln:" is not).
_FACILITATOR_LABELS = (
    # English
    "facilitator", "facilitated by", "facilitation", "host", "hosted by", "chair",
    # French
    "animateur", "animatrice", "animation", "animé par", "animée par", "facilitateur",
    "facilitatrice", "modérateur", "modératrice", "hôte",
    # German
    "moderation", "moderator", "moderatorin", "moderiert von", "leitung", "geleitet von",
    "gastgeber", "gastgeberin",
    # Spanish
    "facilitador", "facilitadora", "facilitado por", "moderador", "moderadora",
    "moderado por", "conduce", "anfitrión", "anfitriona",
    # Italian
    "facilitatore", "facilitatrice", "facilitato da", "moderatore", "moderatrice",
    "moderato da", "conduttore", "conduttrice", "condotto da",
    # Dutch
    "gespreksleider", "gespreksleiding", "begeleider", "begeleiding", "begeleid door",
    "voorzitter", "gastheer", "gastvrouw",
    # Portuguese
    "anfitrião", "anfitriã", "mediação", "mediador", "mediadora", "moderação",
)
_FACILITATOR_RE = re.compile(
    r"^\s*(?:" + "|".join(re.escape(label) for label in _FACILITATOR_LABELS) + r")"
    r"\s*[:\-–—]\s*(.+?)\s*$",  # \s: French puts a (narrow) no-break space before ':'
    re.IGNORECASE | re.MULTILINE,
)


# Caps against recurrence bombs (RRULE:FREQ=SECONDLY without an end, COUNT=1000000000,
# thousands of events): a calendar over them is named in the build's warnings and
# shows what fits; the rest of the issue is built.
MAX_RULE_STEPS = 100_000  # steps dateutil would take from DTSTART to the window's end
MAX_CALENDAR_STEPS = 400_000  # the same, summed over a calendar's series (cheapest kept)
MAX_PER_SERIES = 100  # occurrences of one series in a month of the window
MAX_PER_CALENDAR = 1_000  # occurrences of one calendar in a month of the window
MAX_SESSIONS_SHOWN = 30  # sessions one community shows in an issue
EXPAND_SECONDS = 10.0  # time one calendar may spend expanding
_MONTH = timedelta(days=31)
_SHORTEST_QUERY = timedelta(hours=1)
_FREQ_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400,
                 "WEEKLY": 7 * 86400, "MONTHLY": 28 * 86400, "YEARLY": 365 * 86400}
_DAYS_PER_PERIOD = {"WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}  # days dateutil looks at
# Exchange writes `BYDAY=MO, TU`; the library raises on the space. A rule's value
# holds no meaningful white space, so it goes (folded continuation lines included).
_RULE_LINE = re.compile(rb"^((?:RRULE|EXRULE)[;:])((?:[^\r\n]|\r?\n[ \t])*)", re.I | re.M)
_RULE_SPACE = re.compile(rb"\r?\n[ \t]|[ \t]")


class CalendarError(ValueError):
    """The calendar as a whole cannot be read; the message says what is wrong."""


class _Budget:
    """What one calendar may still spend expanding, and what it had to leave out."""

    def __init__(self, start: datetime, end: datetime) -> None:
        self.deadline = time_monotonic() + EXPAND_SECONDS
        self.problems: list[str] = []
        # the occurrence caps are per month: the report expands a whole year
        months = max(1, -(-(end - start) // _MONTH))
        self.per_series = MAX_PER_SERIES * months
        self.per_calendar = MAX_PER_CALENDAR * months
        self.rate = 0.0  # occurrences per second the kept series may make, at most

    def note(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)


def sessions(
    ics: bytes, community: str, start: datetime, end: datetime, tz: ZoneInfo,
    warnings: list[str] | None = None, *, shown: int | None = MAX_SESSIONS_SHOWN,
    not_over_at: datetime | None = None,
) -> list[Session]:
    """The occurrences of `ics` that start in [start, end), in zone `tz`, sorted by start.

    At most `shown` sessions (what an issue shows; None for every one, as the
    organisers' report counts them), counted among those not over at `not_over_at` when
    given (a session that ended this morning takes no place); the caps per series and
    per calendar are per month of the window, so the report's year may hold a year's
    occurrences.

    Cancelled events and occurrences, and free/busy-only blocks, are left out.
    A VEVENT that cannot be read is skipped (and logged); a file that is not a
    calendar at all raises CalendarError. What the caps left out (a series
    repeating too often, too many occurrences, too slow to expand) is appended
    to `warnings`, and the sessions that fit are returned.
    """
    cal = _parse(ics)
    window_start = _aware(start, tz)
    window_end = _aware(end, tz)
    budget = _Budget(window_start, window_end)

    timezones = [c for c in cal.subcomponents if c.name == "VTIMEZONE"]
    # The library reads floating times in a valid X-WR-TIMEZONE but chokes on an
    # unknown one: that is left out, and floating times are then read in `tz`.
    keep_wr = not cal.get("X-WR-TIMEZONE") or _calendar_zone(cal) is not None

    found: list[Session] = []
    events = _affordable(cal.walk("VEVENT"), window_start, window_end, tz, budget)
    try:  # fast path: the whole calendar in one query
        everything = _expand(cal, timezones, events, window_start, window_end, keep_wr, tz,
                             budget)
    except Exception:  # something in it is broken: find out which series, skip only those
        series: dict[str, list[icalendar.cal.Component]] = {}
        for component in events:
            series.setdefault(_uid_of(component), []).append(component)
        for uid, own in series.items():
            try:
                occurrences = _expand(cal, timezones, own, window_start, window_end, keep_wr,
                                      tz, budget)
            except Exception as exc:  # one broken series must not sink the calendar
                # the library's own record of the bad line says more than its exception
                said = [f"{name or 'a line'}: {message}" for event in own
                        for name, message in getattr(event, "errors", None) or []]
                log.warning("calendar of %s: skipped event %s: %s", community, uid,
                            terminal_text("; ".join(said) or str(exc)))
                continue
            found += _sessions_in(occurrences, community, tz, window_start, window_end, uid)
    else:
        found = _sessions_in(everything, community, tz, window_start, window_end)
    found.sort(key=lambda s: (s.start, s.title, s.uid))
    found = _unique(found)
    if not_over_at is not None:
        found = [s for s in found if not s.over_by(not_over_at)]
    if shown is not None and len(found) > shown:
        budget.note(f"{len(found)} sessions in the period; the first {shown} are shown")
        found = found[:shown]
    if warnings is not None:
        warnings.extend(budget.problems)
    for problem in budget.problems:
        log.warning("calendar of %s: %s", community, problem)
    return found


def _affordable(events: Iterable[icalendar.cal.Component], window_start: datetime,
                window_end: datetime, tz: ZoneInfo, budget: _Budget
                ) -> list[icalendar.cal.Component]:
    """The events whose expansion fits: each series under MAX_RULE_STEPS, and together,
    cheapest first, under MAX_CALENDAR_STEPS (two hundred hourly series since 2016 are each
    under the first and together minutes of work). Sets `budget.rate` for the queries."""
    costed = [(_steps(e, window_end, tz, budget), n, e) for n, e in enumerate(events)]
    kept, spent, left_out = [], 0.0, []
    for steps, n, event in sorted((c for c in costed if c[0] is not None),
                                  key=lambda c: (c[0], c[1])):
        assert steps is not None
        if spent + steps > MAX_CALENDAR_STEPS:
            left_out.append(event)
            continue
        spent += steps
        kept.append((n, event))
    if left_out:
        budget.note(f"{plural(len(left_out), 'repeating series', 'repeating series')} left "
                    f"out: together they repeat too often to expand (the first is "
                    f"{_uid_of(left_out[0])!r})")
    span = max(1.0, (window_end - window_start).total_seconds())
    budget.rate = sum(_in_window(e, window_start, window_end, tz) for _, e in kept) / span
    return [event for _, event in sorted(kept, key=lambda k: k[0])]


def _in_window(event: icalendar.cal.Component, start: datetime, end: datetime,
               tz: ZoneInfo) -> float:
    """How many occurrences a repeating event may have in [start, end), at most (0 for a
    single event). RDATEs count one each: 100,000 of them in one month would otherwise be
    built in one query (300 MB)."""
    return _steps(event, end, tz, None, since=start) or 0.0


def _listed(event: icalendar.cal.Component) -> int:
    """How many RDATE values `event` lists."""
    rdates = event.get("RDATE")
    return sum(len(getattr(r, "dts", ()) or ()) for r in
               (rdates if isinstance(rdates, list) else [rdates] if rdates else []))


def _steps(event: icalendar.cal.Component, window_end: datetime, tz: ZoneInfo,
           budget: _Budget | None, since: datetime | None = None) -> float | None:
    """The steps expanding `event`'s rules up to the window takes; None when too many.

    dateutil walks every occurrence from DTSTART, one at a time and out of our
    reach, before it yields the first one in the window: an endless SECONDLY rule
    that began a year ago is 31 million steps. So the cost is estimated from the
    rule (periods from DTSTART to the window's end, times what its BY parts expand
    each period into) and a series over MAX_RULE_STEPS is left out.
    """
    try:
        listed = _listed(event)
        if listed > MAX_RULE_STEPS and budget is not None:
            budget.note(f"series {_uid_of(event)!r} lists {listed} dates (RDATE): too many to "
                        "expand, left out")
            return None
        rules = event.get("RRULE")
        if rules is None:
            return float(listed)  # a single event (0), or its listed dates
        first = _local(event.decoded("DTSTART"), tz)
        rules = [dict(rule) for rule in (rules if isinstance(rules, list) else [rules])]
    except Exception:
        return 0.0  # the series is broken anyway: the expansion skips it
    if since is not None:
        first = max(first, since - _MARGIN)
    span = max(0.0, (window_end + _MARGIN - first).total_seconds())
    total = float(listed)
    for rule in rules:
        freq = str((rule.get("FREQ") or [""])[0]).upper()
        if freq not in _FREQ_SECONDS:
            continue
        interval = max(1, _int((rule.get("INTERVAL") or [1])[0]))
        steps = span / (_FREQ_SECONDS[freq] * interval) + 1
        steps *= _DAYS_PER_PERIOD.get(freq, 1)
        for part, finer_than in (("BYHOUR", "HOURLY"), ("BYMINUTE", "MINUTELY"),
                                 ("BYSECOND", "SECONDLY")):
            if _FREQ_SECONDS[freq] > _FREQ_SECONDS[finer_than]:
                steps *= max(1, len(rule.get(part) or []))
        if steps > MAX_RULE_STEPS and budget is not None:
            budget.note(f"series {_uid_of(event)!r} ({_text(event.get('SUMMARY')) or 'untitled'}"
                        f") repeats {freq.lower()} since {first:%Y-%m-%d}: too many occurrences "
                        "to expand, left out")
            return None
        total += steps
    return total


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 1


def validate(ics: bytes) -> list[str]:
    """Raise CalendarError unless `ics` is a calendar `sessions` can read; else the lines
    of it the build cannot read (`line_problems`).

    Collect calls this before storing a calendar, so feed health says what is
    wrong with it on the day it is fetched, not when an issue is built.
    """
    return line_problems(ics, _parse(ics))


def _sessions_in(
    occurrences: Iterable[icalendar.cal.Component],
    community: str,
    tz: ZoneInfo,
    window_start: datetime,
    window_end: datetime,
    uid: str | None = None,
) -> list[Session]:
    """The sessions of expanded occurrences that start in the window.

    An occurrence that cannot be read is skipped (and logged), not its series.
    `uid` is the series' UID when known; otherwise each occurrence's own.
    """
    found: list[Session] = []
    for occurrence in occurrences:
        own_uid = uid or _uid_of(occurrence)
        try:
            session = _session(occurrence, own_uid, community, tz)
        except Exception as exc:
            log.warning("calendar of %s: skipped an occurrence of %s: %s", community, own_uid,
                        terminal_text(exc))
            continue
        if session is not None and window_start <= session.start < window_end:
            found.append(session)
    return found


def _parse(ics: bytes) -> icalendar.Calendar:
    if isinstance(ics, str):
        ics = ics.encode("utf-8")
    ics = _RULE_LINE.sub(lambda m: m.group(1) + _RULE_SPACE.sub(b"", m.group(2)), ics)
    head = ics.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].upper()
    if not head.startswith(b"BEGIN:VCALENDAR"):
        shown = ics.lstrip()[:40].decode("utf-8", "replace") or "(empty)"
        raise CalendarError(
            f"not an iCalendar file: it should start with BEGIN:VCALENDAR but starts with "
            f"{shown!r} (is the calendar URL a login or HTML page?)"
        )
    try:
        cal = icalendar.Calendar.from_ical(ics)
    except Exception as exc:
        cal = _parse_by_component(ics, exc)
    if isinstance(cal, list) or cal.name != "VCALENDAR":
        raise CalendarError("the file holds no single VCALENDAR")
    return cal


def _parse_by_component(ics: bytes, first_error: Exception) -> icalendar.Calendar:
    """Parse a well-formed calendar one component at a time, skipping those that fail.

    icalendar refuses a whole file for one malformed line, but one bad VEVENT
    must not hide a community's other sessions. A file whose BEGIN/END lines
    do not balance (truncated, or not a calendar) is still an error.
    """
    text = ics.decode("utf-8", "replace").lstrip("\ufeff")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    stack: list[str] = []
    for number, line in enumerate(lines, start=1):
        marker = re.match(r"(BEGIN|END):([A-Za-z0-9-]+)\s*$", line)
        depth = len(stack)  # 1: inside VCALENDAR, 2+: inside one of its components
        if marker and marker.group(1).upper() == "BEGIN":
            stack.append(marker.group(2).upper())
            if depth == 1:
                blocks.append((stack[-1], [line]))
            elif depth >= 2:
                blocks[-1][1].append(line)
            continue
        if marker:
            name = marker.group(2).upper()
            if not stack or stack[-1] != name:
                open_now = stack[-1] if stack else "nothing"
                raise CalendarError(
                    f"the calendar cannot be parsed: line {number} ends {name} where "
                    f"{open_now} is open ({first_error})"
                )
            stack.pop()
            if depth >= 2:
                blocks[-1][1].append(line)
            if not stack:
                break
            continue
        if depth >= 2:
            blocks[-1][1].append(line)
        elif depth == 1:
            header.append(line)
    if stack:
        raise CalendarError(
            f"the calendar cannot be parsed: it ends before END:{stack[-1]} (a truncated "
            f"download?): {first_error}"
        )

    def attempt(body: list[str]) -> icalendar.Calendar | None:
        source = "\r\n".join(["BEGIN:VCALENDAR", *body, "END:VCALENDAR", ""])
        try:
            return icalendar.Calendar.from_ical(source.encode("utf-8"))
        except Exception:
            return None

    good_header = [line for line in header if line.strip() and attempt([line])]
    kept: list[str] = list(good_header)
    skipped = 0
    for _name, block in blocks:
        if attempt([*good_header, *block]) is not None:
            kept.extend(block)
        else:
            skipped += 1
    cal = attempt(kept)
    if cal is None:
        raise CalendarError(f"the calendar cannot be parsed: {first_error}")
    log.warning("calendar: skipped %s that could not be parsed (%s)",
                plural(skipped, "component"), terminal_text(first_error))
    return cal


# properties without which an event has no time: one unreadable leaves the event out
_TIMING = {"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID"}
_PROPERTY_LINE = re.compile(r"^([A-Za-z0-9-]+)[;:]")


def line_problems(ics: bytes, cal: icalendar.Calendar) -> list[str]:
    """One line per event line the digest cannot read: its line number, what it does with
    the event (left out, or the line ignored) and what to fix.

    The library keeps such events with their `errors` and the build then skips them
    silently or with a Python error; an organiser needs the calendar's line to show its
    owner. `cal` is `ics` as `_parse` read it (`validate` says why a calendar cannot be
    read at all).
    """
    raw = ics.decode("utf-8", "replace").lstrip("\ufeff")
    lines = raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[tuple[int, int]] = []  # (first, last) line index of each VEVENT
    for n, line in enumerate(lines):
        if line.strip().upper() == "BEGIN:VEVENT":
            blocks.append((n, n))
        elif line.strip().upper() == "END:VEVENT" and blocks:
            blocks[-1] = (blocks[-1][0], n)
    events = list(cal.walk("VEVENT"))
    out = []
    for number, event in enumerate(events):
        errors = getattr(event, "errors", None) or []
        first, last = blocks[number] if len(blocks) == len(events) else (0, len(lines) - 1)
        title = _text(event.get("SUMMARY")) or _uid_of(event)
        for name, message in errors:
            where = _bad_line(lines, first, last, name)
            at = f"line {where + 1}: " if where is not None else ""
            shown = terminal_text(lines[where].strip())[:80] if where is not None else ""
            if name and name.upper() in _TIMING:
                out.append(f"{at}{name} cannot be read ({terminal_text(message)}), so "
                           f"{title!r} is left out of the digest: fix {name} in the calendar "
                           "(a time is written like 20261209T140000)")
            else:
                what = f"{shown!r}" if shown else f"{name or 'a line'}"
                out.append(f"{at}{what} in {title!r} is not an iCalendar line (NAME:value) "
                           "and is ignored: fix or remove it in the calendar")
    return out


def _bad_line(lines: list[str], first: int, last: int, name: str | None) -> int | None:
    """The index of the line in lines[first..last] an `errors` entry is about: the
    property's own line, or (no name) the first that is not `NAME:` or `NAME;`."""
    for n in range(first + 1, last):
        line = lines[n]
        if not line.strip() or line[:1] in " \t":  # blank, or a folded continuation
            continue
        match = _PROPERTY_LINE.match(line)
        if name is None and match is None:
            return n
        if name is not None and match is not None and match.group(1).upper() == name.upper():
            return n
    return None


def _calendar_zone(cal: icalendar.Calendar) -> tzinfo | None:
    name = str(cal.get("X-WR-TIMEZONE") or "").strip()
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("calendar names unknown X-WR-TIMEZONE %r; ignoring it", name)
        return None


def _aware(value: datetime, tz: tzinfo) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _uid_of(component: icalendar.cal.Component) -> str:
    # cleaned: a UID is printed in warnings and written into the archive's .ics files
    return clean_text(str(component.get("UID") or "")).strip() or _anonymous_uid(component)


def _anonymous_uid(component: icalendar.cal.Component) -> str:
    try:
        dtstart = component.get("DTSTART")
        when = dtstart.to_ical() if dtstart is not None else ""
    except Exception:  # a broken DTSTART: the series will be skipped anyway
        when = ""
    raw = f"{component.get('SUMMARY')}|{when}"
    return "nouid-" + hashlib.sha1(raw.encode("utf-8", "replace")).hexdigest()[:16]


def _expand(
    cal: icalendar.Calendar,
    timezones: list[icalendar.cal.Component],
    events: list[icalendar.cal.Component],
    start: datetime,
    end: datetime,
    keep_wr: bool,
    tz: ZoneInfo,
    budget: _Budget,
) -> list[icalendar.cal.Component]:
    """Expand events (one series, or the whole calendar) inside their own small calendar.

    In start order, one query after another over the window, within the caps. The
    library's `after()` asks for windows as short as 15 minutes, and each query walks
    every series from its DTSTART: a daily stand-up over the report's year was 2,300
    queries and 10 s. Here each query spans what the kept series can fill with about
    MAX_PER_CALENDAR occurrences (`budget.rate`), from an hour to a month.
    """
    own = icalendar.Calendar()
    for key, value in cal.items():  # VERSION, PRODID, X-WR-TIMEZONE
        if key.upper() != "X-WR-TIMEZONE" or keep_wr:  # the library chokes on unknown zones
            own[key] = value
    for component in timezones:
        own.add_component(component)
    for event in events:
        if "DTSTART" not in event:
            raise ValueError("it has no DTSTART")
        event.decoded("DTSTART")  # raises on a value that is not a date or time
        own.add_component(event)
    found: list[icalendar.cal.Component] = []
    per_series: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()  # an occurrence across two queries is listed by both
    query = recurring_ical_events.of(own)
    step = _MONTH if budget.rate <= 0 else min(_MONTH, max(
        _SHORTEST_QUERY, timedelta(seconds=MAX_PER_CALENDAR / budget.rate)))
    cursor, stop = start - _MARGIN, end + _MARGIN
    while cursor < stop:
        upto = min(stop, cursor + step)
        batch = [(_local(o.decoded("DTSTART"), tz), o) for o in query.between(cursor, upto)]
        cursor = upto
        for when, occurrence in sorted(batch, key=lambda b: b[0]):
            uid = _uid_of(occurrence)
            if (uid, when.isoformat()) in seen or not start - _MARGIN <= when < stop:
                continue
            seen.add((uid, when.isoformat()))
            per_series[uid] = per_series.get(uid, 0) + 1
            if per_series[uid] > budget.per_series:
                budget.note(f"series {uid!r} has more than {budget.per_series} occurrences "
                            "in the period; the rest are left out")
                continue
            found.append(occurrence)
            if len(found) >= budget.per_calendar:
                budget.note(f"more than {budget.per_calendar} occurrences in the period; the "
                            "rest are left out")
                return found
        if time_monotonic() > budget.deadline:
            budget.note(f"expanding took over {EXPAND_SECONDS:g} s; later occurrences are "
                        "left out")
            break
    return found


def _session(
    event: icalendar.cal.Component, uid: str, community: str, tz: ZoneInfo
) -> Session | None:
    if str(event.get("STATUS", "")).strip().upper() == "CANCELLED":
        return None
    title = _text(event.get("SUMMARY"))
    description, links = _plain(_text(event.get("DESCRIPTION"), lines=True))
    if _free_busy_only(event, title, description):
        return None
    if _exchange_marker(event, description):
        return None

    raw_start = event.decoded("DTSTART")
    all_day = not isinstance(raw_start, datetime)
    begin = _local(raw_start, tz)
    finish: datetime | None = None
    if "DTEND" in event:
        finish = _local(event.decoded("DTEND"), tz)
    elif "DURATION" in event:
        duration = event.decoded("DURATION")
        finish = _local(raw_start + duration, tz) if duration else None
    elif all_day:
        finish = _local(raw_start + timedelta(days=1), tz)
    if finish is not None and finish < begin:
        finish = None

    location = _text(event.get("LOCATION")) or None
    join_url = _join_url(event, location, description, links)
    if location and _URL_RE.fullmatch(location):
        location = None  # a bare link is the join link, not a place
    stamp = raw_start.isoformat() if all_day else begin.astimezone(ZoneInfo("UTC")).isoformat()
    return Session(
        community=community,
        uid=f"{uid}/{stamp}",
        title=title or "(untitled session)",
        start=begin,
        end=finish,
        all_day=all_day,
        location=location,
        join_url=join_url,
        facilitator=_facilitator(event, description),
    )


def _local(value: date | datetime, tz: ZoneInfo) -> datetime:
    """A DTSTART/DTEND value as an aware datetime in `tz`.

    Dates become local midnight of that date in `tz`. Floating times still
    floating here had no valid X-WR-TIMEZONE (the library applies one): they
    are read in `tz`.
    """
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=tz)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(tz)


def _text(value: object, *, lines: bool = False) -> str:
    """A text property as a string: whitespace collapsed, or kept line by line."""
    if value is None:
        return ""
    if isinstance(value, list):  # a property given twice
        value = value[0] if value else ""
    text = clean_text(str(value))  # a control character must not stop the build
    if lines:
        return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()
    return " ".join(text.split())


def _free_busy_only(event: icalendar.cal.Component, title: str, description: str) -> bool:
    """Blocks published as availability only: no content, or "Busy"/"Free" and nothing else."""
    if title.strip().lower() not in _FREE_BUSY_SUMMARIES:
        return False
    return not description.strip() and not event.get("LOCATION")


def _exchange_status(event: icalendar.cal.Component) -> str | None:
    """How Outlook/Exchange shows the event's time (FREE, TENTATIVE, BUSY, OOF), or None
    for an event Exchange did not write.

    Exchange writes X-MICROSOFT-CDO-BUSYSTATUS (the organiser's copy also
    INTENDEDSTATUS); an older export writes only X-MICROSOFT-CDO-ALLDAYEVENT and
    TRANSP, TRANSPARENT being "Free".
    """
    for key in ("X-MICROSOFT-CDO-INTENDEDSTATUS", "X-MICROSOFT-CDO-BUSYSTATUS"):
        value = _text(event.get(key)).upper()
        if value:
            return value
    if not any(str(key).upper().startswith("X-MICROSOFT-CDO-") for key in event):
        return None
    transparent = str(event.get("TRANSP", "")).strip().upper() == "TRANSPARENT"
    return "FREE" if transparent else "BUSY"


def _exchange_marker(event: icalendar.cal.Component, description: str) -> bool:
    """An Outlook/Exchange entry that marks a closure or an absence, not a session.

    "Out of office" says the time is nobody's to meet in. An all-day entry shown
    as Free is how Outlook writes a holiday or "depot closed" (Outlook also makes
    a new all-day event Free by default, so one with a place, a meeting link or
    invited people stays: that is a real day's session). Google marks every
    all-day event TRANSPARENT and writes no Exchange status, so its all-day
    sessions are never judged here.
    """
    status = _exchange_status(event)
    if status is None:
        return False
    if status == "OOF":
        return True
    if status != "FREE" or isinstance(event.decoded("DTSTART"), datetime):
        return False
    if _text(event.get("LOCATION")) or event.get("ATTENDEE") or event.get("URL"):
        return False
    return not any(_JOIN_HOSTS.match(url.rstrip(".,;:!?"))
                   for url in _URL_RE.findall(description))


def _join_url(
    event: icalendar.cal.Component, location: str | None, description: str, links: list[str]
) -> str | None:
    """The meeting link: a URL/CONFERENCE property, else a known meeting host's link
    in the location, the description's <a href>s or its text."""
    for key in ("CONFERENCE", "X-GOOGLE-CONFERENCE", "URL"):
        value = event.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        if not value or not str(value).lower().startswith("https://"):
            continue
        url = clean_text(str(value)).strip()
        # an event service's page (Meetup's RSVP page, Eventbrite's listing) is a way in
        # only for an event with no place to go to, not "Join" for one at a library
        if key != "URL" or not _EVENT_PAGE_HOSTS.match(url) or not _a_place(location):
            return url
    found = [*_URL_RE.findall(location or ""), *links, *_URL_RE.findall(description)]
    for url in found:
        url = url.strip().rstrip(".,;:!?")
        if _JOIN_HOSTS.match(url):
            return url
    return None


# services whose event URL is the event's listing (RSVP, tickets), not a meeting room
_EVENT_PAGE_HOSTS = re.compile(
    r"^https://([a-z0-9-]+\.)*(meetup\.com|eventbrite\.[a-z.]+|lu\.ma|luma\.com|ti\.to"
    r"|tito\.io|facebook\.com|humanitix\.com|tickettailor\.com|splashthat\.com)(/|$)",
    re.IGNORECASE)
_ONLINE_PLACE = re.compile(r"\b(online|virtual|remote|web ?(inar|ex)|teams|zoom|google meet"
                           r"|link visible)\b", re.IGNORECASE)


def _a_place(location: str | None) -> bool:
    """Whether LOCATION names somewhere to go ("Civic Library"), not "Online event", a
    meeting service or a bare link."""
    if not location or not location.strip():
        return False
    return not _URL_RE.fullmatch(location.strip()) and not _ONLINE_PLACE.search(location)


def _facilitator(event: icalendar.cal.Component, description: str) -> str | None:
    for match in _FACILITATOR_RE.finditer(description):
        if _names_a_person(match.group(1)):
            return match.group(1)[:120]
    organizer = event.get("ORGANIZER")
    if isinstance(organizer, list):
        organizer = organizer[0] if organizer else None
    if organizer is not None:
        name = clean_text(str(organizer.params.get("CN", ""))).strip().strip('"').strip()
        if name:
            return _given_name_first(name)
    return None


def _names_a_person(value: str) -> bool:
    """Whether a facilitator line's value names people: it opens with a capital ("Léon
    Marchetti", "@nadia") and holds no digit or link. The labels are ordinary words too:
    "Leitung: 3 Stühle", "Animation: musique live", "Host: zoom.example.org/j/1" name nobody."""
    value = value.strip()
    if "@" in value[1:] and " " not in value:  # an address: "Host: ana@example.org"
        return True
    first = value.lstrip("@")[:1]
    return (first.isalpha() and not first.islower()  # a capital, or a script without case
            and not any(c.isdigit() for c in value) and "/" not in value
            and "www." not in value.lower() and len(value.split()) <= 8)


# "Surname, Given" as Exchange and Active Directory write a person's CN
_SURNAME_FIRST = re.compile(r"^([^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*){0,2}), "
                            r"([^\W\d_][\w'’.-]*(?: [^\W\d_][\w'’.-]*){0,2})$")
# what may follow a comma in a name written given-name first
_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "msc", "ma", "bsc", "esq",
                  "obe", "mbe", "cbe", "dr", "prof"}


def _given_name_first(name: str) -> str:
    """"Lindqvist, Dorota" as the digest speaks of a person: "Dorota Lindqvist".

    Exchange fills ORGANIZER's CN from the directory, which many organisations
    keep surname first. Only a plain "Words, Words" is turned round: "Ana Lima,
    PhD", "Reid, Tom, Jr" and "Ops, North & West" stay as written.
    """
    match = _SURNAME_FIRST.match(name)
    if match is None:
        return name
    surname, given = match.groups()
    if given.lower().strip(".") in _NAME_SUFFIXES:
        return name
    return f"{given} {surname}"


def _plain(description: str) -> tuple[str, list[str]]:
    """Plain lines and the links of a DESCRIPTION, for the facilitator and join-link search.

    Google puts HTML into DESCRIPTION (sometimes wrapped in `<html-blob>`), and
    others escape entities in plain text: both are read by the notes reader's
    walk (`blocks.read_words`), keeping the description's own line breaks and
    every word its author wrote (no page chrome is dropped); scripts and styles
    are never text. A "<name@example.org>" stays text.
    """
    if "<" not in description and "&" not in description:
        return "\n".join(line for line in description.split("\n") if line.strip()), []
    # imported here: the notes reader loads lxml and the outcome rules, which compose and
    # the report need only for a calendar whose descriptions hold markup
    from .outcomes.blocks import read_words

    words = read_words(description, source_lines=True, furniture=False)
    return words.text, list(words.links)


def _unique(found: list[Session]) -> list[Session]:
    """Drop an occurrence listed twice (a feed that repeats a VEVENT verbatim)."""
    seen: set[str] = set()
    out = []
    for session in found:
        if session.uid not in seen:
            seen.add(session.uid)
            out.append(session)
    return out


def community_calendars(config: Config, store: Store) -> list[tuple[str, str, bytes]]:
    """(community, url, body) for every community whose configured calendar was collected.

    A calendar is stored once per URL; two communities may share one (a joint
    session series), so each community listing it gets its body. A calendar no
    longer in the community list is left out.
    """
    bodies = {url: body for url, _community, body in store.calendars()}
    return [(c.id, c.calendar, bodies[c.calendar]) for c in config.communities
            if c.calendar is not None and c.calendar in bodies]
