"""Actions followed up across issues: open until done, overdue once due, dropped in time.

A meeting's action lives on after the issue that carried its notes. Each issue
lists its communities' actions from earlier issues that are still open (or
overdue) and reports once, in the next issue, those done since: ticked in a
later version of the same notes, or reported done in a later meeting's notes of
the same community with the same text and owner. An action is dropped
`follow_up` periods after the period of its due date, or of its meeting when it
has no due date, done or not: a digest that nags forever is not read.

An action follows its notes. How it is recognised:

- in later versions of one note (the same meeting item), by its normalised text
  (`normalised_text`): a new owner, due date or tick is the same action edited.
  Failing that, an action of the same owner whose text is close (`SIMILAR`, a
  corrected typo or a reworded task) is the same action. Anything else is new;
- across meetings of one community, by its normalised text and owner
  (`action_key`): a later meeting that lists an open action again carries it over
  (its due date, wording and meeting become the later one's), one that lists it
  done closes it. Once it is done, the same text in a later meeting is a new
  action, followed up afresh (a recurring "Book the room"). A report of done from
  a meeting held before the action was set does not close it;
- an action that a later version of its notes deletes is no longer followed up,
  silently, as if dropped: the notes are the record, and a deleted action is as
  likely a mistake as a task abandoned. Written back, it is followed again.

`action_sightings` keeps each note's actions as last read, so an edit can be told
from a new action; `tracked_actions` holds each action as its latest notes say.
What each issue showed is recorded in full (`issue_actions`), and a sent issue
is read back from that record, never recomputed.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from difflib import SequenceMatcher
from functools import lru_cache
from zoneinfo import ZoneInfo

from .config import Config
from .models import Action, ActionState, Item, TrackedAction
from .owners import normalise
from .period import Period
from .store import Store

_WORDS = re.compile(r"[^\w]+")
SIMILAR = 0.8  # difflib ratio of two normalised texts (same owner) read as one action edited

# When a meeting happened, for ordering: the date its notes give (else the local date of
# the item), then the item's date. Shared by the follow-up and `digest report`.
MeetingOrder = tuple[date, datetime]


def meeting_order(held_on: date | None, dated: datetime, tz: ZoneInfo) -> MeetingOrder:
    return (held_on or dated.astimezone(tz).date(), dated)


@lru_cache(maxsize=65536)
def normalised_text(text: str) -> str:
    """An action's words, case, accents, punctuation and spacing aside."""
    return " ".join(_WORDS.sub(" ", normalise(text)).split())


@lru_cache(maxsize=65536)
def action_key(text: str, owner: str | None) -> str:
    """Identity of an action across meetings of its community: its words and owner,
    normalised."""
    who = " ".join(_WORDS.sub(" ", normalise(owner or "")).split())
    return hashlib.sha256(f"{normalised_text(text)}\x1f{who}".encode()).hexdigest()[:20]


@dataclass
class DoneReports:
    """What later meetings say of each action, so `digest report` judges a meeting's action
    as the follow-up does: done when its own notes tick it (their latest version) or a
    later meeting of the same community reports it done (`action_key`: same text and
    owner); due when the latest meeting that carried it over, open, says. A tick from a
    meeting held before the action was set does not count: a task done in August and set
    again in September is open. Meetings are ordered as the follow-up orders them
    (`meeting_order`)."""

    _mentions: dict[tuple[str, str], list[tuple[MeetingOrder, bool, date | None]]] = field(
        default_factory=dict)

    def add(self, community: str, held: MeetingOrder, actions: tuple[Action, ...]) -> None:
        for action in actions:
            ident = (community, action_key(action.text, action.owner))
            self._mentions.setdefault(ident, []).append((held, action.done, action.due))

    def _after(self, community: str, opened: MeetingOrder, action: Action
               ) -> list[tuple[MeetingOrder, bool, date | None]]:
        found = self._mentions.get((community, action_key(action.text, action.owner)), [])
        return sorted(m for m in found if m[0] >= opened)

    def is_done(self, community: str, opened: MeetingOrder, action: Action) -> bool:
        return action.done or any(done for _, done, _ in self._after(community, opened, action))

    def due(self, community: str, opened: MeetingOrder, action: Action) -> date | None:
        """Its due date as the latest meeting that listed it open (until one reported it
        done) gives it: carried over with a new date, the action is due then."""
        due = action.due
        for when, done, later_due in self._after(community, opened, action):
            if done:
                break
            if when > opened:
                due = later_due
        return due


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


def _period_of(day: date, config: Config) -> Period:
    return Period.containing(day, config.cadence)


def dropped(config: Config, period: Period, due: date | None, held_on: date) -> bool:
    """Whether an action due on `due` (else from a meeting on `held_on`) is past following up
    in the issue for `period`."""
    base = _period_of(due or held_on, config)
    return period.start(config.timezone) >= base.shift(config.follow_up).start(config.timezone)


def follow_up(config: Config, store: Store, period: Period, *, frozen: bool) -> FollowUp:
    """The actions the issue for `period` shows; recorded, unless the issue was sent (then read
    back from the record, as it was shown)."""
    if not frozen:
        _track(config, store, period)
        _record(config, store, period)
    rows = store.db.execute(
        "SELECT * FROM issue_actions WHERE period = ? ORDER BY held_on, meeting_item, text",
        (period.label,)).fetchall()
    return FollowUp([_shown(r) for r in rows])


def _shown(r: sqlite3.Row) -> TrackedAction:
    return TrackedAction(
        community=r["community"], key=r["key"], text=r["text"], owner=r["owner"],
        due=_day(r["due"]), due_text=r["due_text"], meeting_title=r["meeting_title"],
        meeting_link=r["meeting_link"],
        held_on=date.fromisoformat(r["held_on"]),
        first_issue=r["first_issue"], state=r["state"])


def _meetings_up_to(store: Store, period: Period, cadence: str) -> list[Item]:
    labels = [r.period for r in store.issues() if r.cadence == cadence and r.period <= period.label]
    if not labels:
        return []
    marks = ", ".join("?" * len(labels))
    return store.items(f"kind = 'meeting' AND issue IN ({marks})", tuple(labels))


@dataclass
class _Sighting:
    """One action as one note's latest version read says it (a row of action_sightings)."""

    meeting_item: str
    community: str
    key: str  # the tracked action
    text: str
    owner: str | None
    due: date | None
    due_text: str | None
    done: bool

    def take(self, action: Action) -> None:
        self.text, self.owner, self.due = action.text, action.owner, action.due
        self.due_text, self.done = action.due_text, action.done


@dataclass
class _Tracked:
    """A row of tracked_actions: an action as its latest notes say it."""

    community: str
    key: str
    text: str
    owner: str | None
    due: date | None
    due_text: str | None
    meeting_item: str
    meeting_title: str
    meeting_link: str | None
    held_on: date
    first_issue: str
    match_key: str
    closed: str | None  # None, 'done' or 'removed'
    sightings: list[_Sighting] = field(default_factory=list)


@dataclass(frozen=True)
class _Meeting:
    item: Item
    order: tuple[date, datetime, str]


def _matched_versions(before: list[_Sighting], now: list[Action]
                      ) -> tuple[list[tuple[_Sighting, Action]], list[_Sighting], list[Action]]:
    """Pair a note's actions as last read with its latest version's: (pairs, deleted, new).
    Same normalised text first; then, of the same owner, the closest text at `SIMILAR`."""
    pairs: list[tuple[_Sighting, Action]] = []
    left = list(before)
    fresh: list[Action] = []
    for action in now:
        words = normalised_text(action.text)
        same = next((s for s in left if normalised_text(s.text) == words), None)
        if same is None:
            fresh.append(action)
        else:
            left.remove(same)
            pairs.append((same, action))
    new: list[Action] = []
    for action in fresh:
        words = normalised_text(action.text)
        scored = [(SequenceMatcher(None, normalised_text(s.text), words).ratio(), i)
                  for i, s in enumerate(left)
                  if normalise(s.owner or "") == normalise(action.owner or "")]
        best = max(scored, default=(0.0, -1))
        if best[0] >= SIMILAR:
            pairs.append((left.pop(best[1]), action))
        else:
            new.append(action)
    return pairs, left, new


def _distinct(actions: tuple[Action, ...]) -> list[Action]:
    """A note's actions, each text once (a note listing one twice means it once)."""
    seen: set[str] = set()
    out = []
    for action in actions:
        words = normalised_text(action.text)
        if words not in seen:
            seen.add(words)
            out.append(action)
    return out


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _track(config: Config, store: Store, period: Period) -> None:
    """Read every note of the meetings in issues up to `period`, oldest meeting first, and
    bring the tracked actions up to date with their latest versions."""
    known = {c.id for c in config.communities}
    tz = config.timezone
    meetings = sorted(
        (_Meeting(item, (*meeting_order(item.outcomes.held_on, item.dated, tz), item.key))
         for item in _meetings_up_to(store, period, config.cadence) if item.community in known),
        key=lambda m: m.order)
    by_item = {m.item.key: m for m in meetings}
    tracked = {(r["community"], r["key"]): _tracked_from_row(r)
               for r in store.db.execute("SELECT * FROM tracked_actions")}
    by_match: dict[tuple[str, str], list[_Tracked]] = {}
    for t in tracked.values():
        by_match.setdefault((t.community, t.match_key), []).append(t)
    notes: dict[str, list[_Sighting]] = {}
    for r in store.db.execute("SELECT * FROM action_sightings ORDER BY rowid"):
        s = _sighting_from_row(r)
        notes.setdefault(s.meeting_item, []).append(s)
        if (s.community, s.key) in tracked:
            tracked[(s.community, s.key)].sightings.append(s)
    unread: dict[tuple[str, str], list[_Tracked]] = {}
    for t in tracked.values():
        if not t.sightings:
            unread.setdefault((t.community, t.meeting_item), []).append(t)
    changed: dict[tuple[str, str], _Tracked] = {}
    read: set[str] = set()

    def opened(t: _Tracked) -> tuple[date, datetime, str]:
        """When the action was first set, as far as the meetings read tell."""
        orders = [by_item[s.meeting_item].order for s in t.sightings if s.meeting_item in by_item]
        return min(orders, default=(t.held_on, _EARLIEST, ""))

    for meeting in meetings:
        item = meeting.item
        stored = notes.get(item.key)
        before = stored or []
        if stored is None:  # not read since the upgrade: its actions as a release before read
            for t in unread.get((item.community, item.key), []):
                t.sightings.append(_Sighting(item.key, t.community, t.key, t.text, t.owner,
                                             t.due, t.due_text, False))
                before.append(t.sightings[-1])
        now = _distinct(item.outcomes.actions)
        if not before and not now:
            continue
        if stored is not None and _unchanged(stored, now, meeting, tracked):
            continue
        read.add(item.key)
        pairs, deleted, new = _matched_versions(before, now)
        kept: dict[int, _Sighting] = {}  # in the note's order
        touched = []
        for sighting, action in pairs:
            sighting.take(action)
            kept[now.index(action)] = sighting
            touched.append(tracked[(item.community, sighting.key)])
        for sighting in deleted:
            t = tracked[(item.community, sighting.key)]
            t.sightings.remove(sighting)
            touched.append(t)
        for action in new:
            same = by_match.get((item.community, action_key(action.text, action.owner)), [])
            t = (_continued(same, meeting, action.done, opened)
                 or _new_tracked(tracked, meeting, action))
            if (t.community, t.key) not in tracked:
                tracked[(t.community, t.key)] = t
            sighting = _Sighting(item.key, item.community, t.key, action.text, action.owner,
                                 action.due, action.due_text, action.done)
            t.sightings.append(sighting)
            kept[now.index(action)] = sighting
            touched.append(t)
        notes[item.key] = [kept[i] for i in sorted(kept)]
        for t in touched:
            old_match = t.match_key
            _refresh(t, by_item)
            if t.match_key != old_match:  # reworded or handed over: found by its new words
                by_match[(t.community, old_match)].remove(t)
                by_match.setdefault((t.community, t.match_key), []).append(t)
            changed[(t.community, t.key)] = t
    _save(store, changed.values(), {k: notes[k] for k in read})


def _unchanged(before: list[_Sighting], now: list[Action], meeting: _Meeting,
               tracked: dict[tuple[str, str], _Tracked]) -> bool:
    """Whether a note reads as it did last time, and its actions already say so: then there
    is nothing to do (most notes, most builds)."""
    if len(before) != len(now):
        return False
    item = meeting.item
    for sighting, action in zip(before, now, strict=True):
        if (sighting.text, sighting.owner, sighting.due, sighting.due_text, sighting.done) != (
                action.text, action.owner, action.due, action.due_text, action.done):
            return False
        t = tracked[(item.community, sighting.key)]
        if t.meeting_item == item.key and (t.meeting_title, t.meeting_link, t.held_on) != (
                item.title, item.link, meeting.order[0]):
            return False
        if t.first_issue > (item.issue or ""):
            return False
    return True


def _continued(candidates: list[_Tracked], meeting: _Meeting, done: bool,
               opened: Callable[[_Tracked], tuple[date, datetime, str]]) -> _Tracked | None:
    """The action that a meeting's new action (same text and owner) carries over or reports
    done: the latest still open, or, written back into the note that deleted it, that one.
    Listed open, it is the same action whichever meeting came first (notes are often
    collected late); reported done, it closes only an action set no later than this
    meeting (else that was an earlier round of a recurring task)."""
    fitting = [t for t in candidates
               if (t.closed is None or (t.closed == "removed"
                                        and t.meeting_item == meeting.item.key))
               and (not done or opened(t) <= meeting.order)]
    return max(fitting, key=opened, default=None)


def _new_tracked(tracked: dict[tuple[str, str], _Tracked], meeting: _Meeting,
                 action: Action) -> _Tracked:
    """A new action: keyed by its text and owner the first time, by its meeting as well
    when the community had that action before (a recurring task)."""
    item = meeting.item
    key = base = action_key(action.text, action.owner)
    n = 0
    while (item.community, key) in tracked:
        n += 1
        key = hashlib.sha256(f"{base}\x1f{item.key}\x1f{n}".encode()).hexdigest()[:20]
    return _Tracked(community=item.community, key=key, text=action.text, owner=action.owner,
                    due=action.due, due_text=action.due_text, meeting_item=item.key,
                    meeting_title=item.title, meeting_link=item.link, held_on=meeting.order[0],
                    first_issue=item.issue or "", match_key=base, closed=None)


def _refresh(t: _Tracked, by_item: dict[str, _Meeting]) -> None:
    """An action as its sightings now say: done when one ticks it, removed when none is
    left, and worded, owned, due and placed as its latest open sighting (else latest)."""
    if not t.sightings:
        t.closed = "removed"
        return
    t.closed = "done" if any(s.done for s in t.sightings) else None
    read = [s for s in t.sightings if s.meeting_item in by_item]
    if not read:
        return
    latest = max(read, key=lambda s: (not s.done, by_item[s.meeting_item].order))
    meeting = by_item[latest.meeting_item]
    t.text, t.owner, t.due, t.due_text = latest.text, latest.owner, latest.due, latest.due_text
    t.meeting_item, t.meeting_title = meeting.item.key, meeting.item.title
    t.meeting_link, t.held_on = meeting.item.link, meeting.order[0]
    t.match_key = action_key(t.text, t.owner)
    issues = [by_item[s.meeting_item].item.issue or "" for s in read]
    t.first_issue = min([t.first_issue, *issues]) if t.first_issue else min(issues)


def _save(store: Store, changed: Iterable[_Tracked], notes: dict[str, list[_Sighting]]) -> None:
    with store.transaction() as db:
        db.executemany(
            "INSERT OR REPLACE INTO tracked_actions (community, key, text, owner, due, due_text,"
            " meeting_item, meeting_title, meeting_link, held_on, first_issue, match_key, closed)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(t.community, t.key, t.text, t.owner, _iso(t.due), t.due_text, t.meeting_item,
              t.meeting_title, t.meeting_link, t.held_on.isoformat(), t.first_issue,
              t.match_key, t.closed) for t in changed])
        for meeting_item, sightings in notes.items():
            db.execute("DELETE FROM action_sightings WHERE meeting_item = ?", (meeting_item,))
            db.executemany(
                "INSERT INTO action_sightings (meeting_item, community, key, text, owner, due,"
                " due_text, done) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(s.meeting_item, s.community, s.key, s.text, s.owner, _iso(s.due), s.due_text,
                  int(s.done)) for s in sightings])


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _tracked_from_row(r: sqlite3.Row) -> _Tracked:
    return _Tracked(community=r["community"], key=r["key"], text=r["text"], owner=r["owner"],
                    due=_day(r["due"]), due_text=r["due_text"], meeting_item=r["meeting_item"],
                    meeting_title=r["meeting_title"], meeting_link=r["meeting_link"],
                    held_on=date.fromisoformat(r["held_on"]), first_issue=r["first_issue"],
                    match_key=r["match_key"], closed=r["closed"])


def _sighting_from_row(r: sqlite3.Row) -> _Sighting:
    return _Sighting(meeting_item=r["meeting_item"], community=r["community"], key=r["key"],
                     text=r["text"], owner=r["owner"], due=_day(r["due"]),
                     due_text=r["due_text"], done=bool(r["done"]))


def _record(config: Config, store: Store, period: Period) -> None:
    """Decide and record what the (unsent) issue for `period` shows of each tracked action,
    each as it is shown, so the issue reads back the same once sent."""
    last_day = period.next().first_day  # overdue: due before the period ended
    known = {c.id for c in config.communities}
    shown_before: dict[tuple[str, str], set[str]] = {}
    for r in store.db.execute("SELECT community, key, state FROM issue_actions"
                              " WHERE period < ?", (period.label,)):
        shown_before.setdefault((r["community"], r["key"]), set()).add(r["state"])
    rows = []
    gone = lru_cache(maxsize=None)(lambda day: dropped(config, period, day, day))
    for r in store.db.execute("SELECT * FROM tracked_actions WHERE first_issue <= ?"
                              " AND closed IS NOT 'removed'", (period.label,)):
        ident = (r["community"], r["key"])
        if r["community"] not in known:
            continue
        due = _day(r["due"])
        before = shown_before.get(ident, set())
        state: ActionState | None
        if r["closed"] == "done":
            # reported once, in the first issue after it was seen open
            state = "done" if before and "done" not in before else None
        elif r["first_issue"] < period.label and gone(due or date.fromisoformat(r["held_on"])):
            state = None
        else:
            state = "overdue" if due is not None and due < last_day else "open"
        if state is not None:
            rows.append((period.label, r["community"], r["key"], state, r["text"], r["owner"],
                         r["due"], r["due_text"], r["meeting_item"], r["meeting_title"],
                         r["meeting_link"], r["held_on"], r["first_issue"]))
    with store.transaction() as db:
        db.execute("DELETE FROM issue_actions WHERE period = ?", (period.label,))
        db.executemany(
            "INSERT INTO issue_actions (period, community, key, state, text, owner, due,"
            " due_text, meeting_item, meeting_title, meeting_link, held_on, first_issue)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
