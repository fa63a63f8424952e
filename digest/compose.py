"""Compose: decide what the issue for a period holds, and group it by community.

The inclusion rule lives here and nowhere else. An issue holds the items dated
in its period, plus earlier items that no issue holds yet, back at most
`late_window` periods and never before the first issue's period. Items are
claimed in the store, so no item is ever in two issues, and a sent issue is
read back as it was.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from .calendar import CalendarError
from .calendar import sessions as calendar_sessions
from .collect.state import load_states
from .config import Config
from .followup import follow_up
from .models import Issue, Item, Section, Session
from .period import Period
from .store import Store, to_text, utcnow

log = logging.getLogger(__name__)


@dataclass
class Composition:
    """The issue and what the organiser should hear about how it was made."""

    issue: Issue
    frozen: bool  # read back from a sent issue
    warnings: list[str] = field(default_factory=list)


def select_items(config: Config, store: Store, period: Period) -> list[Item]:
    """The items the (unsent) issue for `period` should hold, by the inclusion rule."""
    tz = config.timezone
    periods = [Period.parse(r.period, config.cadence) for r in store.issues()
               if r.cadence == config.cadence]
    first = min([period, *periods])
    earliest = max(period.shift(-config.late_window), first)
    return store.items(
        "dated >= ? AND dated < ? AND (issue IS NULL OR issue = ?)",
        (to_text(earliest.start(tz)), to_text(period.end(tz)), period.label),
    )


def compose(config: Config, store: Store, period: Period, *, now: datetime | None = None,
            failed_communities: Iterable[str] = (), claim: bool = True) -> Composition:
    """Build the issue for `period`, claiming its items unless it was already sent.

    `claim=False` (a draft of a period not yet ended) reads the items the issue would hold
    and writes nothing: a draft must not take items from the issue still to be sent."""
    now = now or utcnow()
    failed = set(failed_communities)
    record = store.issue(period.label)
    frozen = record is not None and record.sent_at is not None
    if frozen:
        items = store.items("issue = ?", (period.label,))
        store.touch_issue(period.label, now)
    else:
        items = select_items(config, store, period)
        if claim:
            store.claim(period.label, config.cadence, [i.key for i in items], now)

    warnings: list[str] = []
    sessions = _coming_sessions(config, store, period.next(), warnings)
    by_community: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_community[item.community].append(item)

    sections: list[Section] = []
    quiet: list[Section] = []
    activity = store.activity_marks((c.id for c in config.communities),
                                    status_boundaries(period, config.quiet_after, config.timezone))
    for community in config.communities:
        own = sorted(by_community.get(community.id, []), key=lambda i: i.dated, reverse=True)
        posts = [i for i in own if i.kind == "post"]
        section = Section(
            community_id=community.id,
            name=community.name,
            description=community.description,
            join_url=community.join_url,
            posts=posts[: config.max_items],
            more_posts=max(0, len(posts) - config.max_items),
            meetings=[i for i in own if i.kind == "meeting"],
            sessions=sessions.get(community.id, []),
            feeds_failed=community.id in failed,
        )
        dates = activity.get(community.id, [])
        section.last_activity = dates[-1] if dates else None
        section.status = activity_status(dates, period, config.quiet_after, config.timezone)
        if section.status == "quiet" and not section.posts and not section.meetings:
            quiet.append(section)
        elif section.has_news:
            sections.append(section)
        if section.feeds_failed:
            warnings.append(f"every feed of {community.name} failed at the last collect: "
                            f"its news may be missing from this issue")

    issue = Issue(
        period=period,
        title=config.title,
        organisation=config.organisation,
        sections=sections,
        quiet=quiet,
        web_url=config.web_url,
        coming_period=period.next(),
        actions=follow_up(config, store, period, frozen=frozen).actions,
        built_at=now,
    )
    return Composition(issue=issue, frozen=frozen, warnings=warnings)


def status_boundaries(period: Period, quiet_after: int, tz: ZoneInfo) -> list[datetime]:
    """The period starts `activity_status` compares dates with, and the end of `period`:
    what `Store.activity_marks` needs so that its few dates decide the same status."""
    return [period.shift(-n).start(tz) for n in range(quiet_after, -1, -1)] + [period.end(tz)]


def activity_status(dates: list[datetime], period: Period, quiet_after: int, tz: ZoneInfo
                    ) -> Literal["quiet", "back", "active"]:
    """'quiet', 'back' or 'active' for a community with items on `dates` (all before the end
    of `period`).

    Quiet: nothing in the last `quiet_after` periods up to and including this one.
    Back: something in this period after `quiet_after` silent periods before it, having been
    active before that.
    """
    window_start = period.shift(-(quiet_after - 1)).start(tz)
    if not any(d >= window_start for d in dates):
        return "quiet"
    this_start = period.start(tz)
    gap_start = period.shift(-quiet_after).start(tz)
    in_this = any(d >= this_start for d in dates)
    in_gap = any(gap_start <= d < this_start for d in dates)
    before_gap = any(d < gap_start for d in dates)
    if in_this and not in_gap and before_gap:
        return "back"
    return "active"


def _coming_sessions(config: Config, store: Store, coming: Period, warnings: list[str]
                     ) -> dict[str, list[Session]]:
    """Each community's sessions in `coming`, from the calendar body last collected.

    A calendar that failed at the last collect still shows what it last said (the
    rota rarely changes overnight), but not one that is gone (HTTP 410).
    """
    tz = config.timezone
    known = {c.id: c.calendar for c in config.communities}
    gone = {url for url, state in load_states(store).items() if state.status == "gone"}
    out: dict[str, list[Session]] = {}
    for url, community, body in store.calendars():
        if known.get(community) != url or url in gone:
            continue  # no longer in the community list, or removed by its owner
        try:
            capped: list[str] = []
            out[community] = calendar_sessions(body, community, coming.start(tz),
                                               coming.end(tz), tz, capped)
            warnings += [f"calendar of {community} ({url}): {problem}" for problem in capped]
        except CalendarError as e:
            warnings.append(f"calendar of {community} ({url}) could not be read: {e}")
    return out
