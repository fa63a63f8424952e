"""Where the report's figures come from: grouped queries on the store and the stored calendars.

Posts, notes and distinct authors are counted per community and month in one
grouped query on the `items_activity` index (community, dated, kind, author);
decisions and actions are read from the meetings of the window only (an action is
done as the follow-up across issues decides: `digest.followup.DoneReports`); sessions
held are the past occurrences of each community's stored calendar in the window
(cancelled ones left out by `digest.calendar`). Nothing walks a community's
whole history.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from ..calendar import CalendarError, community_calendars
from ..calendar import sessions as calendar_sessions
from ..collect.state import FAILED_STATUSES, load_states
from ..compose import activity_status, status_boundaries
from ..config import Config
from ..followup import DoneReports, meeting_order
from ..models import Session
from ..period import Period
from ..store import Store, outcomes_from_text, required_time, to_text, utcnow
from .model import (
    SLIP_MONTHS,
    CommunityHealth,
    FeedHealth,
    MonthFigures,
    OrganisationReport,
    assess,
    slipping,
)

DEFAULT_MONTHS = 12


def window(period: Period, months: int) -> list[Period]:
    """The `months` months ending with `period`, oldest first."""
    return [period.shift(-n) for n in range(months - 1, -1, -1)]


def build_report(config: Config, store: Store, period: Period, months: int = DEFAULT_MONTHS, *,
                 now: datetime | None = None) -> OrganisationReport:
    """Every community's health over the `months` months ending with `period` (a month).

    Slipping compares six months, so at least six are counted even when fewer are shown.
    """
    if period.cadence != "monthly":
        raise ValueError("the report counts months")
    tz = config.timezone
    now = now or utcnow()
    counted = window(period, max(months, 2 * SLIP_MONTHS))
    cuts = [p.start(tz) for p in counted] + [period.end(tz)]
    as_of = min(now, cuts[-1])
    ids = [c.id for c in config.communities]
    figures = {c: [MonthFigures(p.label) for p in counted] for c in ids}
    warnings: list[str] = []

    _count_items(store, ids, cuts, figures)
    _count_outcomes(store, ids, cuts, figures, as_of, tz)
    held = held_sessions(config, store, cuts[0], as_of, warnings)
    for c, found in held.items():
        by_month: dict[int, list[Session]] = defaultdict(list)
        for s in found:
            by_month[bisect_right(cuts, s.start) - 1].append(s)
        for index, in_month in by_month.items():
            figures[c][index].sessions = len(in_month)
            figures[c][index].facilitators = len({_person(s.facilitator) for s in in_month
                                                  if s.facilitator})

    status_period = Period.last_complete(cuts[-1], tz, config.cadence)
    marks = store.activity_marks(ids, status_boundaries(status_period, config.quiet_after, tz))
    feeds = _feed_health(config, store)
    shown = len(counted) - months
    out = []
    for community in config.communities:
        c = community.id
        dates = marks.get(c, [])
        sessions = [s for s in held.get(c, []) if s.start >= cuts[shown]]
        last_session = held[c][-1].start if held.get(c) else None
        last_news = dates[-1] if dates else None
        last = max((d for d in (last_news, last_session) if d is not None), default=None)
        health = CommunityHealth(
            id=c, name=community.name, months=figures[c][shown:],
            last_activity=last, last_news=last_news,
            days_since_activity=int((as_of - last).total_seconds() // 86400) if last else None,
            sessions_held=len(sessions), has_calendar=c in held, last_session=last_session,
            feeds=feeds.get(c, FeedHealth(0)))
        health.top_facilitator, health.top_facilitator_sessions = _top_facilitator(sessions)
        history = [m.activity for m in figures[c]]
        health.status = activity_status(dates, status_period, config.quiet_after, tz)
        if health.status == "active" and slipping(history):
            health.status = "slipping"
        assess(health, history, as_of)
        out.append(health)
    return OrganisationReport(organisation=config.organisation, title=config.title,
                              period=period.label, months=[p.label for p in counted[shown:]],
                              communities=out, as_of=as_of, warnings=warnings)


def _bucket(cuts: list[datetime]) -> tuple[str, list[str]]:
    """A CASE expression giving the month index of `dated`, and its parameters."""
    inner = cuts[1:-1]
    cases = " ".join(f"WHEN dated < ? THEN {i}" for i in range(len(inner)))
    return f"CASE {cases} ELSE {len(inner)} END", [to_text(c) for c in inner]


def _count_items(store: Store, ids: list[str], cuts: list[datetime],
                 figures: dict[str, list[MonthFigures]]) -> None:
    bucket, params = _bucket(cuts)
    marks = ", ".join("?" for _ in ids)
    rows = store.db.execute(
        f"SELECT community, {bucket} AS month, sum(kind = 'post'), sum(kind = 'meeting'),"
        " count(DISTINCT lower(trim(author))) FROM items"
        f" WHERE community IN ({marks}) AND dated >= ? AND dated < ?"
        " GROUP BY community, month",
        (*params, *ids, to_text(cuts[0]), to_text(cuts[-1])))
    for community, month, posts, meetings, authors in rows:
        m = figures[community][month]
        m.posts, m.meetings, m.authors = posts, meetings, authors


def _count_outcomes(store: Store, ids: list[str], cuts: list[datetime],
                    figures: dict[str, list[MonthFigures]], as_of: datetime,
                    tz: ZoneInfo) -> None:
    """Decisions, and actions opened, done and overdue by `as_of`, per month of the meeting
    that opened them; done as the follow-up decides (ticked, or reported done later)."""
    bucket, params = _bucket(cuts)
    marks = ", ".join("?" for _ in ids)
    rows = store.db.execute(
        f"SELECT community, {bucket} AS month, dated, outcomes FROM items"
        f" WHERE community IN ({marks}) AND dated >= ? AND dated < ?"
        " AND kind = 'meeting' AND outcomes != ''",
        (*params, *ids, to_text(cuts[0]), to_text(min(cuts[-1], as_of))))
    meetings = []
    done = DoneReports()
    for community, month, dated, text in rows:
        try:
            outcomes = outcomes_from_text(text)
        except (ValueError, KeyError, TypeError):
            continue  # a row another release wrote differently: its counts are left out
        held = meeting_order(outcomes.held_on, required_time(dated), tz)
        done.add(community, held, outcomes.actions)
        meetings.append((community, month, held, outcomes))
    today = as_of.astimezone(tz).date()
    for community, month, held, outcomes in meetings:
        m = figures[community][month]
        m.decisions += len(outcomes.decisions)
        for action in outcomes.actions:
            m.actions_opened += 1
            if done.is_done(community, held, action):
                m.actions_done += 1
            elif (due := done.due(community, held, action)) is not None and due < today:
                m.actions_overdue += 1


def held_sessions(config: Config, store: Store, start: datetime, end: datetime,
                  warnings: list[str]) -> dict[str, list[Session]]:
    """Each community's sessions that started in [start, end), from the
    calendar body last collected. A calendar that is gone now still tells what was held
    before. Every session counts: none of the digest's cap on sessions shown."""
    tz: ZoneInfo = config.timezone
    out: dict[str, list[Session]] = {}
    if end <= start:
        return out
    for community, url, body in community_calendars(config, store):
        try:  # every session counts (no display cap); what the caps left out is said
            capped: list[str] = []
            out[community] = calendar_sessions(body, community, start, end, tz, capped,
                                               shown=None)
            warnings += [f"calendar of {community} ({url}): {problem}" for problem in capped]
        except CalendarError as e:
            warnings.append(f"calendar of {community} ({url}) could not be read: {e}")
    return out


def _person(name: str) -> str:
    """One key per person however their name is spaced or capitalised."""
    return " ".join(name.split()).casefold()


def _top_facilitator(sessions: list[Session]) -> tuple[str | None, int]:
    """The most frequent facilitator (as most often written) and how many sessions they led."""
    counts = Counter(_person(s.facilitator) for s in sessions if s.facilitator)
    if not counts:
        return None, 0
    key, led = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    spellings = Counter(" ".join(s.facilitator.split()) for s in sessions
                        if s.facilitator and _person(s.facilitator) == key)
    return spellings.most_common(1)[0][0], led


def _feed_health(config: Config, store: Store) -> dict[str, FeedHealth]:
    states = load_states(store)
    out = {}
    for c in config.communities:
        sources = [location for _, location in c.sources()]
        known = [states[s] for s in sources if s in states]
        failing = tuple(s.url for s in known if s.status in FAILED_STATUSES)
        successes = [s.last_success for s in known if s.last_success is not None]
        out[c.id] = FeedHealth(feeds=len(sources), failing=failing,
                               last_success=max(successes, default=None))
    return out
