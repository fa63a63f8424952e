"""What `digest report` says about each community and the organisation, and how it judges them.

The figures are plain counts (see `queries.py` for where each comes from); the
judgements live here, in words an organiser can act on: a status per community
and the reasons it may be at risk ("no session since July", "one person led 7
of 8 sessions"), months before a community stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Literal

Status = Literal["active", "slipping", "quiet", "back"]
STATUSES: tuple[Status, ...] = ("active", "back", "slipping", "quiet")
ROTA_SHARE = 0.6  # the top facilitator's share at which a rota is not really shared...
ROTA_MIN_SESSIONS = 6  # ...once there are at least this many sessions to judge by
SLIP_MONTHS = 3  # slipping: the last 3 months below half of the 3 before
NO_SESSION_MONTHS = 2  # a calendar with no session held for this many months is a risk


@dataclass
class MonthFigures:
    """One community's (or the organisation's) figures for one month."""

    month: str  # 2026-10
    posts: int = 0
    meetings: int = 0  # meeting notes
    sessions: int = 0  # held: past occurrences in the calendar, cancelled ones excluded
    authors: int = 0  # distinct authors of posts and notes
    facilitators: int = 0  # distinct facilitators of the sessions held
    decisions: int = 0
    actions_opened: int = 0
    actions_done: int = 0
    actions_overdue: int = 0

    @property
    def activity(self) -> int:
        """What the charts draw: posts, meeting notes and sessions held."""
        return self.posts + self.meetings + self.sessions

    def add(self, other: MonthFigures) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


FIGURES: tuple[str, ...] = tuple(f.name for f in fields(MonthFigures) if f.name != "month")


@dataclass(frozen=True)
class FeedHealth:
    """A community's feeds and calendar as the last collects left them."""

    feeds: int  # configured sources: posts, meetings and calendar
    failing: tuple[str, ...] = ()  # sources whose last fetch failed
    last_success: datetime | None = None  # the latest successful fetch of any of them

    @property
    def ok(self) -> bool:
        return not self.failing


@dataclass
class CommunityHealth:
    """One community over the report's window."""

    id: str
    name: str
    months: list[MonthFigures]  # the window, oldest first
    status: Status = "active"
    last_activity: datetime | None = None  # last post, notes or session held
    last_news: datetime | None = None  # last post or notes: what the digest's quiet reads
    days_since_activity: int | None = None
    top_facilitator: str | None = None
    top_facilitator_sessions: int = 0  # sessions the top facilitator led in the window
    sessions_held: int = 0  # in the window
    has_calendar: bool = False
    last_session: datetime | None = None
    feeds: FeedHealth = field(default_factory=lambda: FeedHealth(0))
    reasons: list[str] = field(default_factory=list)  # why it may be at risk, in words
    risk: int = 0  # how much those reasons weigh; 0: not at risk

    @property
    def top_facilitator_share(self) -> float | None:
        """The share of sessions held that the most frequent facilitator led."""
        if not self.top_facilitator or not self.sessions_held:
            return None
        return self.top_facilitator_sessions / self.sessions_held

    @property
    def rota_flag(self) -> bool:
        """True when one person leads the rota: at least 60% over 6 or more sessions."""
        share = self.top_facilitator_share
        return (share is not None and self.sessions_held >= ROTA_MIN_SESSIONS
                and share >= ROTA_SHARE)

    def total(self, name: str) -> int:
        return sum(getattr(m, name) for m in self.months)

    @property
    def activity(self) -> int:
        return sum(m.activity for m in self.months)


@dataclass
class OrganisationReport:
    """Every community's health over the months ending with `period`."""

    organisation: str
    title: str
    period: str  # the last month of the window
    months: list[str]  # oldest first
    communities: list[CommunityHealth]
    as_of: datetime  # the moment "days since" counts to: the end of the period, or now
    warnings: list[str] = field(default_factory=list)

    @property
    def totals(self) -> list[MonthFigures]:
        out = [MonthFigures(m) for m in self.months]
        for c in self.communities:
            for total, figures in zip(out, c.months, strict=True):
                total.add(figures)
        return out

    def by_status(self) -> dict[Status, list[CommunityHealth]]:
        out: dict[Status, list[CommunityHealth]] = {s: [] for s in STATUSES}
        for c in self.communities:
            out[c.status].append(c)
        return out

    def at_risk(self) -> list[CommunityHealth]:
        """Communities with a reason to worry, the most worrying first."""
        risky = [c for c in self.communities if c.risk]
        return sorted(risky, key=lambda c: (-c.risk, -(c.days_since_activity or 0), c.name))


def slipping(activity: list[int]) -> bool:
    """Activity in the last 3 months below half of the 3 months before (`activity` is per
    month, oldest first)."""
    if len(activity) < 2 * SLIP_MONTHS:
        return False
    last = sum(activity[-SLIP_MONTHS:])
    before = sum(activity[-2 * SLIP_MONTHS:-SLIP_MONTHS])
    return last * 2 < before


def month_name(moment: datetime | date, as_of: datetime) -> str:
    """'July', or 'July 2025' when the year is not the report's."""
    return f"{moment:%B}" if moment.year == as_of.year else f"{moment:%B %Y}"


def assess(c: CommunityHealth, history: list[int], as_of: datetime) -> None:
    """Fill in `reasons` and `risk` from the figures; `history` is the monthly activity
    over at least the last six months (the window may be shorter)."""
    reasons: list[tuple[int, str]] = []
    if c.status == "quiet":
        when = (f"since {month_name(c.last_news, as_of)}" if c.last_news
                else "on record")
        reasons.append((3, f"quiet: no post or meeting notes {when}"))
    if c.status == "slipping":
        last = sum(history[-SLIP_MONTHS:])
        before = sum(history[-2 * SLIP_MONTHS:-SLIP_MONTHS])
        reasons.append((2, f"activity fell from {before} to {last} over the last three months"))
    if c.rota_flag:
        reasons.append((2, f"one person led {c.top_facilitator_sessions} of "
                           f"{c.sessions_held} sessions"))
    recent = sum(m.sessions for m in c.months[-NO_SESSION_MONTHS:])
    if c.has_calendar and c.status != "quiet" and not recent:
        if c.last_session is not None:
            reasons.append((2, f"no session since {month_name(c.last_session, as_of)}"))
        else:
            reasons.append((2, f"no session in the last {len(c.months)} months"))
    if c.feeds.failing:
        since = (f"; last success {c.feeds.last_success:%-d %B %Y}" if c.feeds.last_success
                 else "; never fetched")
        reasons.append((1, f"{len(c.feeds.failing)} of {c.feeds.feeds} feeds failing{since}"))
    overdue = c.total("actions_overdue")
    if overdue:
        reasons.append((1, f"{overdue} action{'' if overdue == 1 else 's'} overdue"))
    c.reasons = [text for _, text in reasons]
    c.risk = sum(weight for weight, _ in reasons)
