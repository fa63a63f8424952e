"""Actions followed up across issues: open until done, overdue once due, dropped in time.

A meeting's action lives on after the issue that carried its notes. Each issue
lists its communities' actions from earlier issues that are still open (or
overdue) and reports once, in the next issue, those done since: ticked in a
later version of the same notes, or reported done in a later meeting's notes of
the same community with the same text and owner. An action is dropped
`follow_up` periods after the period of its due date, or of its meeting when it
has no due date, done or not: a digest that nags forever is not read.

The identity of an action is its community and its normalised text and owner
(`action_key`), so the same action written again in later notes is the same
action. What each issue showed is recorded (`issue_actions`), and a sent issue
is read back from that record, never recomputed.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime

from .config import Config
from .models import Action, ActionState, Item, TrackedAction
from .owners import normalise
from .period import Period
from .store import Store

_WORDS = re.compile(r"[^\w]+")


def action_key(text: str, owner: str | None) -> str:
    """Stable identity of an action within its community: its words and owner, normalised."""
    words = " ".join(_WORDS.sub(" ", normalise(text)).split())
    who = " ".join(_WORDS.sub(" ", normalise(owner or "")).split())
    return hashlib.sha256(f"{words}\x1f{who}".encode()).hexdigest()[:20]


@dataclass
class DoneReports:
    """When meetings reported each action done, so a meeting's action counts as done when
    its own notes tick it (their latest version) or a later meeting of the same community
    reports it done (`action_key`: same text and owner). A tick before the action was
    opened does not count: a task done in August and set again in September is open."""

    _when: dict[tuple[str, str], list[datetime]] = field(default_factory=dict)

    def add(self, community: str, held: datetime, actions: tuple[Action, ...]) -> None:
        for action in actions:
            if action.done:
                ident = (community, action_key(action.text, action.owner))
                self._when.setdefault(ident, []).append(held)

    def is_done(self, community: str, opened: datetime, action: Action) -> bool:
        if action.done:
            return True
        reported = self._when.get((community, action_key(action.text, action.owner)), ())
        return any(when >= opened for when in reported)


@dataclass
class FollowUp:
    """What an issue says about actions: this period's and earlier ones', by state."""

    actions: list[TrackedAction]

    def open(self) -> list[TrackedAction]:
        """Open and overdue actions, overdue first, then by due date."""
        waiting = [a for a in self.actions if a.state != "done"]
        return sorted(waiting, key=lambda a: (not a.overdue, a.due or date.max, a.held_on))

    def done(self) -> list[TrackedAction]:
        """Done since the last issue (never this period's own: the notes show those ticked)."""
        return [a for a in self.actions if a.state == "done"]

    def in_communities(self, communities: frozenset[str] | None) -> FollowUp:
        if communities is None:
            return self
        return FollowUp([a for a in self.actions if a.community in communities])


def _period_of(day: date, config: Config) -> Period:
    return Period.containing(day, config.cadence)


def dropped(config: Config, period: Period, due: date | None, held_on: date) -> bool:
    """Whether an action due on `due` (else from a meeting on `held_on`) is past following up
    in the issue for `period`."""
    base = _period_of(due or held_on, config)
    return period.start(config.timezone) >= base.shift(config.follow_up).start(config.timezone)


def follow_up(config: Config, store: Store, period: Period, *, frozen: bool) -> FollowUp:
    """The actions the issue for `period` shows; recorded, unless the issue was sent (then read
    back from the record)."""
    if not frozen:
        _track(config, store, period)
        _record(config, store, period)
    rows = store.db.execute(
        "SELECT t.*, i.state FROM issue_actions i JOIN tracked_actions t"
        " ON t.community = i.community AND t.key = i.key WHERE i.period = ?"
        " ORDER BY t.held_on, t.meeting_item, t.text", (period.label,)).fetchall()
    return FollowUp([_tracked(r) for r in rows])


def _tracked(r: sqlite3.Row) -> TrackedAction:
    return TrackedAction(
        community=r["community"], key=r["key"], text=r["text"], owner=r["owner"],
        due=date.fromisoformat(r["due"]) if r["due"] else None,
        due_text=r["due_text"], meeting_title=r["meeting_title"],
        meeting_link=r["meeting_link"],
        held_on=date.fromisoformat(r["held_on"]),
        first_issue=r["first_issue"], state=r["state"])


def _meetings_up_to(store: Store, period: Period, cadence: str) -> list[Item]:
    labels = [r.period for r in store.issues() if r.cadence == cadence and r.period <= period.label]
    if not labels:
        return []
    marks = ", ".join("?" * len(labels))
    return store.items(f"kind = 'meeting' AND issue IN ({marks})", tuple(labels))


def _track(config: Config, store: Store, period: Period) -> None:
    """Register every action of the meetings in issues up to `period` (first sighting wins)."""
    known = {c.id for c in config.communities}
    with store.transaction() as db:
        for item in _meetings_up_to(store, period, config.cadence):
            if item.community not in known or not item.outcomes.actions:
                continue
            held_on = item.outcomes.held_on or item.dated.astimezone(config.timezone).date()
            for action in item.outcomes.actions:
                key = action_key(action.text, action.owner)
                row = db.execute("SELECT first_issue FROM tracked_actions WHERE community = ?"
                                 " AND key = ?", (item.community, key)).fetchone()
                if row is not None and row["first_issue"] <= (item.issue or ""):
                    continue
                db.execute(
                    "INSERT OR REPLACE INTO tracked_actions (community, key, text, owner, due,"
                    " due_text, meeting_item, meeting_title, meeting_link, held_on, first_issue)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (item.community, key, action.text, action.owner,
                     action.due.isoformat() if action.due else None, action.due_text,
                     item.key, item.title, item.link, held_on.isoformat(), item.issue))


def _done_keys(config: Config, store: Store, period: Period) -> set[tuple[str, str]]:
    """(community, key) of every action some meeting up to `period` reports done."""
    out = set()
    for item in _meetings_up_to(store, period, config.cadence):
        for action in item.outcomes.actions:
            if action.done:
                out.add((item.community, action_key(action.text, action.owner)))
    return out


def _record(config: Config, store: Store, period: Period) -> None:
    """Decide and record what the (unsent) issue for `period` shows of each tracked action."""
    done = _done_keys(config, store, period)
    last_day = period.next().first_day  # overdue: due before the period ended
    known = {c.id for c in config.communities}
    shown_before: dict[tuple[str, str], set[str]] = {}
    for r in store.db.execute("SELECT community, key, state FROM issue_actions"
                              " WHERE period < ?", (period.label,)):
        shown_before.setdefault((r["community"], r["key"]), set()).add(r["state"])
    rows = []
    for r in store.db.execute("SELECT * FROM tracked_actions WHERE first_issue <= ?",
                              (period.label,)):
        ident = (r["community"], r["key"])
        if r["community"] not in known:
            continue
        due = date.fromisoformat(r["due"]) if r["due"] else None
        before = shown_before.get(ident, set())
        state: ActionState | None
        if ident in done:
            # reported once, in the first issue after it was seen open
            state = "done" if before and "done" not in before else None
        elif r["first_issue"] < period.label and dropped(
                config, period, due, date.fromisoformat(r["held_on"])):
            state = None
        else:
            state = "overdue" if due is not None and due < last_day else "open"
        if state is not None:
            rows.append((period.label, r["community"], r["key"], state))
    with store.transaction() as db:
        db.execute("DELETE FROM issue_actions WHERE period = ?", (period.label,))
        db.executemany("INSERT INTO issue_actions (period, community, key, state)"
                       " VALUES (?, ?, ?, ?)", rows)
