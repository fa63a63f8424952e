"""SQLite state: feeds and their health, items, calendars, and which issue holds what.

One file, opened per run. Datetimes are stored as ISO-8601 UTC text so that
they sort and compare as strings. Other stages (the send ledger) keep their
own tables in the same file through `Store.db`.

The file carries a schema version (`PRAGMA user_version`) and is upgraded in
place by `MIGRATIONS` when a newer release opens it: an organiser upgrading
keeps their history and the record of what was sent. To change the schema,
append a migration; never edit one that has shipped.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, overload

from .errors import ConfigError
from .files import private_dir, private_file
from .models import Action, Decision, Entry, Item, MeetingOutcomes

# Release 0.1.0's schema, which had no version number: migration 1.
_SCHEMA_0_1 = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY,
    community TEXT NOT NULL,
    role TEXT NOT NULL,               -- posts | meetings | calendar
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    last_attempt TEXT,
    last_success TEXT,
    status TEXT,                      -- ok | unchanged | error | gone | deferred
    error_kind TEXT,
    error_message TEXT,
    error_at TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    retry_after TEXT,
    moved_to TEXT,
    new_items INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS items (
    key TEXT PRIMARY KEY,
    community TEXT NOT NULL,
    kind TEXT NOT NULL,
    feed_url TEXT NOT NULL,
    identity TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT,
    author TEXT,
    published TEXT,
    updated TEXT,
    first_seen TEXT NOT NULL,
    dated TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    outcomes TEXT NOT NULL DEFAULT '',  -- meeting notes: JSON decisions and actions
    image TEXT,
    image_alt TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL,
    issue TEXT
);
CREATE INDEX IF NOT EXISTS items_dated ON items (dated);
CREATE INDEX IF NOT EXISTS items_issue ON items (issue);
CREATE TABLE IF NOT EXISTS calendars (
    url TEXT PRIMARY KEY,
    community TEXT NOT NULL,
    body BLOB NOT NULL,
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS issues (
    period TEXT PRIMARY KEY,
    cadence TEXT NOT NULL,
    built_at TEXT NOT NULL,
    sent_at TEXT,
    item_count INTEGER NOT NULL DEFAULT 0
);
"""


def _outcomes_as_records(db: sqlite3.Connection) -> None:
    """0.1.0 stored outcomes as [text, owner, due-as-written] rows; now named fields."""
    rows = db.execute("SELECT key, outcomes FROM items WHERE outcomes != ''").fetchall()
    for key, text in rows:
        data = json.loads(text)
        new = {"decisions": [{"text": row[0]} for row in data.get("decisions", [])],
               "actions": [{"text": row[0], "owner": row[1], "due": _iso_or_none(row[2]),
                            "due_text": row[2], "done": False}
                           for row in data.get("actions", [])]}
        db.execute("UPDATE items SET outcomes = ? WHERE key = ?",
                   (json.dumps(new, ensure_ascii=False), key))


def _iso_or_none(text: str | None) -> str | None:
    try:
        return date.fromisoformat(text[:10]).isoformat() if text else None
    except ValueError:
        return None


# Actions followed up across issues (digest/followup.py): what each action is, and what
# each issue showed of it, so a sent issue reads back exactly as it went out.
_TRACKED_ACTIONS = """
CREATE TABLE IF NOT EXISTS tracked_actions (
    community TEXT NOT NULL,
    key TEXT NOT NULL,                -- normalised text and owner: stable across issues
    text TEXT NOT NULL,
    owner TEXT,
    due TEXT,                         -- ISO date, when the notes gave one
    due_text TEXT,
    meeting_item TEXT NOT NULL,       -- items.key of the meeting that set it
    meeting_title TEXT NOT NULL,
    meeting_link TEXT,
    held_on TEXT NOT NULL,            -- ISO date of that meeting
    first_issue TEXT NOT NULL,        -- the issue that first showed it
    PRIMARY KEY (community, key)
);
CREATE TABLE IF NOT EXISTS issue_actions (
    period TEXT NOT NULL,
    community TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'overdue', 'done')),
    PRIMARY KEY (period, community, key)
);
"""


def _ledger_personal_blocks(db: sqlite3.Connection) -> None:
    """A reader's message holds their own block (their actions): the send ledger names it
    per reader and keeps the blocks of a started send, so a resumed send is the same."""
    ledger = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                        " AND name = 'send_ledger'").fetchone()
    columns = {r[1] for r in db.execute("PRAGMA table_info(send_ledger)")}
    if ledger and "block" not in columns:
        db.execute("ALTER TABLE send_ledger ADD COLUMN block TEXT")
    db.execute("CREATE TABLE IF NOT EXISTS send_blocks (period TEXT NOT NULL, key TEXT NOT NULL,"
               " html TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (period, key))")


def _followed_through_edits(db: sqlite3.Connection) -> None:
    """Actions follow later versions of their notes (digest/followup.py), so an issue can no
    longer be read back through tracked_actions: each issue_actions row keeps what that issue
    showed (existing rows take the values they were shown with). tracked_actions gains the key
    it is matched on across meetings (its text and owner as they are now), whether it is
    closed (done, or deleted from its notes), and action_sightings remembers each note's
    actions as last read, to tell an edit from a new action."""
    snapshot = (("text", "TEXT NOT NULL DEFAULT ''"), ("owner", "TEXT"), ("due", "TEXT"),
                ("due_text", "TEXT"), ("meeting_item", "TEXT NOT NULL DEFAULT ''"),
                ("meeting_title", "TEXT NOT NULL DEFAULT ''"), ("meeting_link", "TEXT"),
                ("held_on", "TEXT NOT NULL DEFAULT ''"),
                ("first_issue", "TEXT NOT NULL DEFAULT ''"))
    for name, kind in snapshot:
        db.execute(f"ALTER TABLE issue_actions ADD COLUMN {name} {kind}")
    names = ", ".join(name for name, _ in snapshot)
    # a row without its action was never shown (the read joined them): nothing to keep
    db.execute("DELETE FROM issue_actions WHERE NOT EXISTS (SELECT 1 FROM tracked_actions t"
               " WHERE t.community = issue_actions.community AND t.key = issue_actions.key)")
    db.execute(f"UPDATE issue_actions SET ({names}) = (SELECT {names} FROM tracked_actions t"
               " WHERE t.community = issue_actions.community AND t.key = issue_actions.key)")
    db.execute("ALTER TABLE tracked_actions ADD COLUMN match_key TEXT NOT NULL DEFAULT ''")
    db.execute("UPDATE tracked_actions SET match_key = key")  # the key was text and owner
    db.execute("ALTER TABLE tracked_actions ADD COLUMN closed TEXT"
               " CHECK (closed IN ('done', 'removed'))")
    db.execute("""CREATE TABLE action_sightings (
        meeting_item TEXT NOT NULL,      -- items.key of the notes
        community TEXT NOT NULL,
        key TEXT NOT NULL,               -- the tracked action it is a version of
        text TEXT NOT NULL,
        owner TEXT,
        due TEXT,
        due_text TEXT,
        done INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (meeting_item, key))""")


Migration = str | Callable[[sqlite3.Connection], None]

# Activity counted per community over a span of dates (compose's quiet and back, `digest
# report`): one index seek per community, and the count needs nothing from the table itself.
_ACTIVITY_INDEX = ("CREATE INDEX IF NOT EXISTS items_activity"
                   " ON items (community, dated, kind, author)")

# Index i brings a database from version i to i + 1. Append only.
MIGRATIONS: tuple[Migration, ...] = (
    _SCHEMA_0_1,
    _outcomes_as_records,
    _ACTIVITY_INDEX,
    _TRACKED_ACTIONS,
    _ledger_personal_blocks,
    # Meeting notes keep their raw HTML, so `collect --reextract` can read them again.
    "ALTER TABLE items ADD COLUMN note_html TEXT NOT NULL DEFAULT ''",
    _followed_through_edits,
)
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection, path: Path | None = None) -> int:
    """Bring the database to SCHEMA_VERSION; return the version it had.

    A database written by 0.1.0 has version 0 and its tables already there;
    migration 1 creates them only where missing, so it serves both a new file
    and an old one. Before changing a file that holds data, a copy is kept
    beside it (`digest.db.v1.bak`), so a failed upgrade loses nothing.
    """
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise ConfigError(path or "state", None,
                          f"written by a newer CoP Digest (schema {found}, this release reads "
                          f"up to {SCHEMA_VERSION}); upgrade cop-digest or restore a backup")
    if found == SCHEMA_VERSION:
        return found
    has_data = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                          ).fetchone()[0] > 0
    if has_data and path is not None:
        backup_path = path.with_name(f"{path.name}.v{found}.bak")
        private_file(backup_path)
        backup = sqlite3.connect(str(backup_path))
        try:
            db.backup(backup)
        finally:
            backup.close()
    for version in range(found, SCHEMA_VERSION):
        step = MIGRATIONS[version]
        db.execute("BEGIN IMMEDIATE")
        try:
            if isinstance(step, str):
                for statement in step.split(";"):
                    if statement.strip():
                        db.execute(statement)
            else:
                step(db)
            db.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    return found


_ITEM_COLUMNS = ("key", "community", "kind", "feed_url", "title", "link", "author", "published",
                 "updated", "first_seen", "excerpt", "outcomes", "image", "image_alt", "issue",
                 "identity")


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def to_text(moment: datetime) -> str: ...
@overload
def to_text(moment: datetime | None) -> str | None: ...


def to_text(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC, to the second; None stays None (a time always gives text)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_text(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def required_time(text: str) -> datetime:
    """A NOT NULL time column: never None, so callers need no check (a NULL raises)."""
    return datetime.fromisoformat(text)


def outcomes_to_text(outcomes: MeetingOutcomes) -> str:
    """JSON for the outcomes column; empty when a meeting has none (or for posts)."""
    if not outcomes:
        return ""
    data: dict[str, Any] = {
        "decisions": [{"text": d.text} for d in outcomes.decisions],
        "actions": [{"text": a.text, "owner": a.owner,
                     "due": a.due.isoformat() if a.due else None, "due_text": a.due_text,
                     "done": a.done} for a in outcomes.actions]}
    if outcomes.held_on is not None:
        data["held_on"] = outcomes.held_on.isoformat()
    return json.dumps(data, ensure_ascii=False)


def outcomes_from_text(text: str) -> MeetingOutcomes:
    if not text:
        return MeetingOutcomes()
    data = json.loads(text)
    held_on = data.get("held_on")
    return MeetingOutcomes(
        decisions=tuple(Decision(d["text"]) for d in data.get("decisions", [])),
        actions=tuple(Action(text=a["text"], owner=a.get("owner"),
                             due=date.fromisoformat(a["due"]) if a.get("due") else None,
                             due_text=a.get("due_text"), done=bool(a.get("done")))
                      for a in data.get("actions", [])),
        held_on=date.fromisoformat(held_on) if held_on else None)


def item_key(community: str, kind: str, identity: str) -> str:
    return hashlib.sha256(f"{community}\x1f{kind}\x1f{identity}".encode()).hexdigest()[:32]


def fingerprint(entry: Entry) -> str:
    """What must change for a stored item to be rewritten.

    The body is left out when the feed dates the entry (published or
    updated): some feeds put a fresh timestamp or nonce in the content of
    every fetch, and those must not rewrite the row forever; a dated entry
    signals a real edit through its updated date or title. Only an undated
    entry's changed excerpt counts as an edit. A meeting's decisions and
    actions always count: they are often written up after the meeting, under
    the same date, and a body's nonce does not change them.
    """
    parts = [entry.title, entry.link or "", entry.author or "", to_text(entry.published) or "",
             to_text(entry.updated) or "", entry.image or "", outcomes_to_text(entry.outcomes)]
    if entry.updated is None and entry.published is None:
        parts.append(entry.excerpt)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class UpsertResult:
    new: int = 0
    updated: int = 0


@dataclass(frozen=True)
class IssueRecord:
    period: str
    cadence: str
    built_at: datetime
    sent_at: datetime | None
    item_count: int


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            # the state holds the send ledger, every reader's address: owner only. SQLite
            # gives the -wal and -shm files the database file's own mode.
            private_dir(self.path.parent)
            private_file(self.path)
        # check_same_thread off: collect may run its event loop on a worker thread while the
        # caller waits; the connection is never used from two threads at once.
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None,
                                  check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.migrated_from = migrate(self.db, None if str(path) == ":memory:" else self.path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- items -------------------------------------------------------------

    def upsert_entries(self, entries: Iterable[Entry], seen_at: datetime | None = None
                       ) -> UpsertResult:
        """Store entries: new ones with `seen_at` as first seen, edited ones rewritten.

        An edit never changes when an item was first seen or which issue holds it.
        """
        seen_at = seen_at or utcnow()
        new = updated = 0
        with self.transaction() as db:
            for e in entries:
                key = item_key(e.community, e.kind, e.identity)
                fp = fingerprint(e)
                row = db.execute("SELECT fingerprint, first_seen FROM items WHERE key = ?",
                                 (key,)).fetchone()
                if row is not None and row["fingerprint"] == fp:
                    continue
                first_seen = (required_time(row["first_seen"]) if row
                              else seen_at.replace(microsecond=0))
                item = _item_from_entry(key, e, first_seen)
                values = (e.title, e.link, e.author, to_text(e.published), to_text(e.updated),
                          to_text(item.dated), e.excerpt, outcomes_to_text(e.outcomes), e.image,
                          e.image_alt, fp, e.note_html)
                if row is None:
                    db.execute(
                        "INSERT INTO items (key, community, kind, feed_url, identity, first_seen,"
                        " title, link, author, published, updated, dated, excerpt, outcomes,"
                        " image, image_alt, fingerprint, note_html)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (key, e.community, e.kind, e.feed_url, e.identity, to_text(first_seen),
                         *values))
                    new += 1
                else:
                    db.execute(
                        "UPDATE items SET title=?, link=?, author=?, published=?, updated=?,"
                        " dated=?, excerpt=?, outcomes=?, image=?, image_alt=?, fingerprint=?,"
                        " note_html=? WHERE key=?", (*values, key))
                    updated += 1
        return UpsertResult(new, updated)

    def items(self, where: str = "1", params: tuple = ()) -> list[Item]:
        rows = self.db.execute(
            f"SELECT {', '.join(_ITEM_COLUMNS)} FROM items WHERE {where} ORDER BY dated, key",
            params).fetchall()
        return [_item_from_row(r) for r in rows]

    def item_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM items").fetchone()[0]

    def activity_dates(self, community: str, before: datetime) -> list[datetime]:
        """When the community posted or met, oldest first, up to `before`."""
        rows = self.db.execute(
            "SELECT dated FROM items WHERE community = ? AND dated < ? ORDER BY dated",
            (community, to_text(before)))
        return [required_time(r[0]) for r in rows]

    def activity_marks(self, communities: Iterable[str], boundaries: list[datetime]
                       ) -> dict[str, list[datetime]]:
        """For each community, the first and last item dated in each span the sorted
        `boundaries` cut (before the first, between each pair), up to the last boundary.

        Whether a community was active in any span between two boundaries, and when it
        was last active, reads the same from these few dates as from its whole history,
        at the cost of grouped index lookups instead of a walk per community.
        """
        ids = list(dict.fromkeys(communities))
        if not ids or not boundaries:
            return {}
        cuts = [to_text(b) for b in boundaries]
        bucket = " ".join(f"WHEN dated < ? THEN {i}" for i in range(len(cuts)))
        marks = ", ".join("?" for _ in ids)
        rows = self.db.execute(
            f"SELECT community, CASE {bucket} END AS span, min(dated), max(dated) FROM items"
            f" WHERE community IN ({marks}) AND dated >= ? AND dated < ?"
            " GROUP BY community, span",
            (*cuts, *ids, cuts[0], cuts[-1])).fetchall()
        # before the first boundary only the earliest and latest count: two seeks each
        earlier = self.db.execute(
            "SELECT c.value, (SELECT min(dated) FROM items WHERE community = c.value),"
            " (SELECT max(dated) FROM items WHERE community = c.value AND dated < ?)"
            " FROM json_each(?) AS c", (cuts[0], json.dumps(ids))).fetchall()
        out: dict[str, set[str]] = {}
        for community, first, last in earlier:
            if last is not None:
                out.setdefault(community, set()).update((first, last))
        for community, _, first, last in rows:
            out.setdefault(community, set()).update((first, last))
        return {c: [datetime.fromisoformat(d) for d in sorted(dates)] for c, dates in out.items()}

    # -- issues ------------------------------------------------------------

    def issue(self, period: str) -> IssueRecord | None:
        row = self.db.execute("SELECT * FROM issues WHERE period = ?", (period,)).fetchone()
        return _issue_from_row(row) if row else None

    def issues(self) -> list[IssueRecord]:
        rows = self.db.execute("SELECT * FROM issues ORDER BY period").fetchall()
        return [_issue_from_row(r) for r in rows]

    def claim(self, period: str, cadence: str, keys: Iterable[str], at: datetime) -> None:
        """Make `keys` the contents of the (unsent) issue for `period`."""
        keys = list(keys)
        with self.transaction() as db:
            row = db.execute("SELECT sent_at FROM issues WHERE period = ?", (period,)).fetchone()
            if row is not None and row["sent_at"]:
                raise RuntimeError(f"issue {period} was sent; its contents are frozen")
            db.execute("UPDATE items SET issue = NULL WHERE issue = ?", (period,))
            db.executemany("UPDATE items SET issue = ? WHERE key = ? AND issue IS NULL",
                           [(period, k) for k in keys])
            db.execute(
                "INSERT INTO issues (period, cadence, built_at, item_count) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(period) DO UPDATE SET built_at = excluded.built_at,"
                " item_count = excluded.item_count",
                (period, cadence, to_text(at), len(keys)))

    def touch_issue(self, period: str, at: datetime) -> None:
        """Record a rebuild of a sent issue without changing what it holds."""
        self.db.execute("UPDATE issues SET built_at = ? WHERE period = ?", (to_text(at), period))

    def mark_sent(self, period: str, at: datetime) -> None:
        self.db.execute("UPDATE issues SET sent_at = ? WHERE period = ? AND sent_at IS NULL",
                        (to_text(at), period))

    def discard_issue(self, period: str) -> int:
        """Forget the unsent issue for `period`; its items go back to the next issue.

        Returns how many items were released. A sent issue is never discarded.
        """
        with self.transaction() as db:
            row = db.execute("SELECT sent_at FROM issues WHERE period = ?", (period,)).fetchone()
            if row is not None and row["sent_at"]:
                raise RuntimeError(f"issue {period} was sent; it cannot be discarded")
            released = db.execute("UPDATE items SET issue = NULL WHERE issue = ?",
                                  (period,)).rowcount
            db.execute("DELETE FROM issues WHERE period = ?", (period,))
        return released

    # -- meeting notes read again ---------------------------------------------

    def unsent_meeting_notes(self) -> list[tuple[str, str, str, datetime | None]]:
        """(key, title, raw HTML, date) of stored meeting notes no sent issue holds."""
        rows = self.db.execute(
            "SELECT key, title, note_html, coalesce(published, updated) AS moment FROM items"
            " WHERE kind = 'meeting' AND note_html != '' AND (issue IS NULL OR issue NOT IN"
            " (SELECT period FROM issues WHERE sent_at IS NOT NULL)) ORDER BY key").fetchall()
        return [(r["key"], r["title"], r["note_html"], from_text(r["moment"])) for r in rows]

    def set_outcomes(self, key: str, outcomes: MeetingOutcomes) -> bool:
        """Replace an unsent item's outcomes; False when unchanged or in a sent issue."""
        text = outcomes_to_text(outcomes)
        cursor = self.db.execute(
            "UPDATE items SET outcomes = ? WHERE key = ? AND outcomes != ? AND (issue IS NULL OR"
            " issue NOT IN (SELECT period FROM issues WHERE sent_at IS NOT NULL))",
            (text, key, text))
        return cursor.rowcount > 0

    # -- calendars ---------------------------------------------------------

    def save_calendar(self, url: str, community: str, body: bytes, at: datetime) -> None:
        self.db.execute(
            "INSERT INTO calendars (url, community, body, fetched_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(url) DO UPDATE SET body = excluded.body,"
            " fetched_at = excluded.fetched_at, community = excluded.community",
            (url, community, body, to_text(at)))

    def calendars(self) -> list[tuple[str, str, bytes]]:
        """(url, community, body) of every calendar collected."""
        rows = self.db.execute("SELECT url, community, body FROM calendars ORDER BY url")
        return [(r["url"], r["community"], bytes(r["body"])) for r in rows]


def _item_from_entry(key: str, e: Entry, first_seen: datetime) -> Item:
    return Item(key=key, community=e.community, kind=e.kind, feed_url=e.feed_url, title=e.title,
                link=e.link, author=e.author, published=e.published, updated=e.updated,
                first_seen=first_seen, excerpt=e.excerpt, outcomes=e.outcomes,
                image=e.image, image_alt=e.image_alt, identity=e.identity)


def _item_from_row(r: sqlite3.Row) -> Item:
    return Item(key=r["key"], community=r["community"], kind=r["kind"], feed_url=r["feed_url"],
                title=r["title"], link=r["link"], author=r["author"],
                published=from_text(r["published"]), updated=from_text(r["updated"]),
                first_seen=required_time(r["first_seen"]), excerpt=r["excerpt"],
                outcomes=outcomes_from_text(r["outcomes"]), image=r["image"],
                image_alt=r["image_alt"],
                issue=r["issue"], identity=r["identity"])


def _issue_from_row(r: sqlite3.Row) -> IssueRecord:
    return IssueRecord(period=r["period"], cadence=r["cadence"],
                       built_at=required_time(r["built_at"]), sent_at=from_text(r["sent_at"]),
                       item_count=r["item_count"])
