"""The send ledger: one row per (period, recipient), in the state DB, so a run can resume.

States and why each exists:

- planned: frozen into the ledger with its Message-ID, not yet tried.
- sending: committed *before* the relay is asked. A row still `sending` when
  a run starts belongs to a process that died mid-message: the relay may or
  may not have stored it.
- sent: the relay accepted it (250 after DATA).
- deferred: a 4xx (or 552); `next_attempt` says when it is due again.
- failed: a 5xx, with the code and text; never retried.
- ambiguous: found `sending` after a crash, or the connection broke after the
  message was handed over. Resent with the same Message-ID, so the worst case
  is a duplicate clients can fold.

Every state change is its own autocommit statement: the ledger must be on
disk before the relay is asked, not at the end of a batch.

A send over several relay connections runs one thread per connection, and each
thread writes through its own SQLite connection to the same file (WAL: a commit
waits for the write lock, never for a reader), so the order "committed, then
asked, then committed" holds per reader without a lock around the relay.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from ..manifest import PersonalBlock
from ..models import Edition
from ..store import Store, from_text, to_text
from ..text import plural

STATES = ("planned", "sending", "sent", "deferred", "failed", "ambiguous")
OPEN_STATES = ("planned", "sending", "deferred", "ambiguous")  # a period is done without these

SCHEMA = """
CREATE TABLE IF NOT EXISTS send_periods (
    period TEXT PRIMARY KEY,
    frozen_at TEXT NOT NULL,
    recipients INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS send_ledger (
    period TEXT NOT NULL,
    email_key TEXT NOT NULL,          -- the address folded to lower case: one row per reader
    seq INTEGER NOT NULL,             -- order of the recipients file
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    edition TEXT NOT NULL,            -- Edition.key
    block TEXT,                       -- the reader's personal block (send_blocks.key)
    message_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('planned', 'sending', 'sent', 'deferred', 'failed', 'ambiguous')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT,
    code INTEGER,
    reply TEXT,
    updated_at TEXT,
    PRIMARY KEY (period, email_key)
);
CREATE INDEX IF NOT EXISTS send_ledger_state ON send_ledger (period, state);
CREATE TABLE IF NOT EXISTS send_blocks (
    period TEXT NOT NULL,
    key TEXT NOT NULL,
    html TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (period, key)
);
CREATE TABLE IF NOT EXISTS send_editions (
    period TEXT NOT NULL,
    key TEXT NOT NULL,                -- Edition.key
    communities TEXT,                 -- JSON list; NULL: every community
    subject TEXT NOT NULL,
    preheader TEXT NOT NULL,
    html TEXT NOT NULL,               -- as the build wrote it: the default block in its slot
    text TEXT NOT NULL,
    detail_level INTEGER NOT NULL DEFAULT 0,
    calendar BLOB,
    default_block TEXT,               -- where each reader's own block goes, [start, end)
    html_start INTEGER, html_end INTEGER, text_start INTEGER, text_end INTEGER,
    PRIMARY KEY (period, key)
);
"""


@dataclass(frozen=True)
class Row:
    """One reader's entry in the ledger."""

    email_key: str
    seq: int
    email: str
    name: str
    edition: str
    message_id: str
    state: str
    attempts: int = 0
    next_attempt: str | None = None
    code: int | None = None
    reply: str | None = None
    block: str | None = None  # the reader's personal block; None: the edition's default


Slot = tuple[int, int] | None


@dataclass(frozen=True)
class FrozenEdition:
    """An edition as its readers get it, kept with the audience when a send starts: a
    resumed send reads it from here, never from out/ (which a late build, a preview or a
    person may have changed, or removed, since)."""

    edition: Edition
    default_block: str | None = None
    html_slot: Slot = None
    text_slot: Slot = None


@dataclass(frozen=True)
class Planned:
    """What `freeze` needs per reader."""

    email: str
    name: str
    edition: str
    message_id: str
    block: str | None = None


@dataclass
class LedgerStatus:
    """What `digest status --period P` shows."""

    period: str
    started: bool
    frozen_at: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    failed: list[Row] = field(default_factory=list)
    deferred: list[Row] = field(default_factory=list)
    ambiguous: list[Row] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> bool:
        return self.started and not any(self.counts[s] for s in OPEN_STATES)

    def lines(self) -> list[str]:
        """Human-readable lines: the counts, then every reader who needs attention."""
        if not self.started:
            return [f"period {self.period}: not sent yet (no ledger)"]
        counts = ", ".join(f"{s} {self.counts[s]}" for s in STATES)
        return [f"period {self.period}: {plural(self.total, 'recipient')}, "
                f"frozen {self.frozen_at}: {counts}", *self.attention_lines()]

    def attention_lines(self) -> list[str]:
        """One line per failed, deferred or ambiguous reader, with the relay's answer:
        what `digest status` lists and what a send run prints for cron to mail."""
        out = []
        for title, rows in (("failed", self.failed), ("deferred", self.deferred),
                            ("ambiguous", self.ambiguous)):
            for r in rows:
                code = f"{r.code} " if r.code is not None else ""
                when = f" (next attempt {r.next_attempt})" if title == "deferred" else ""
                out.append(f"  {title}: {r.email}: {code}{r.reply or ''}{when}".rstrip())
        return out


def key_of(email: str) -> str:
    return email.strip().lower()


def _row(r: sqlite3.Row) -> Row:
    return Row(email_key=r["email_key"], seq=r["seq"], email=r["email"], name=r["name"],
               edition=r["edition"], message_id=r["message_id"], state=r["state"],
               attempts=r["attempts"], next_attempt=r["next_attempt"], code=r["code"],
               reply=r["reply"], block=r["block"])


def _slot(start: int | None, end: int | None) -> Slot:
    return (start, end) if start is not None and end is not None else None


def _edition_row(period: str, frozen: FrozenEdition) -> tuple:
    e, html, text = frozen.edition, frozen.html_slot, frozen.text_slot
    return (period, e.key, json.dumps(sorted(e.communities)) if e.communities is not None
            else None, e.subject, e.preheader, e.html, e.text, e.detail_level, e.calendar,
            frozen.default_block, html[0] if html else None, html[1] if html else None,
            text[0] if text else None, text[1] if text else None)


def exists(store: Store) -> bool:
    """Whether the ledger tables exist, without creating them (dry runs write nothing)."""
    row = store.db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'send_ledger'").fetchone()
    return row is not None


class Ledger:
    def __init__(self, store: Store, create: bool = True) -> None:
        self.store = store
        self._home = threading.get_ident()  # the thread that may use the store's connection
        self._local = threading.local()
        if create:
            self.db.executescript(SCHEMA)

    @property
    def per_thread(self) -> bool:
        """Whether other threads can have connections of their own (a file, not :memory:)."""
        return str(self.store.path) != ":memory:"

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection: the store's own on the thread that made the ledger,
        one opened on the same file for any other (each send worker writes through its own)."""
        if threading.get_ident() == self._home or not self.per_thread:
            return self.store.db
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(str(self.store.path), timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=NORMAL")  # as the store's: WAL is the file's own
            self._local.db = db
        return db

    def release(self) -> None:
        """Close the calling thread's own connection, if it opened one (a worker's last act)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            self._local.db = None
            db.close()

    def frozen(self, period: str) -> bool:
        if not exists(self.store):
            return False
        row = self.db.execute("SELECT 1 FROM send_periods WHERE period = ?",
                              (period,)).fetchone()
        return row is not None

    def freeze(self, period: str, audience: Iterable[Planned], at: datetime,
               blocks: Iterable[PersonalBlock] = (),
               editions: Iterable[FrozenEdition] = ()) -> bool:
        """Write the audience of `period` once; returns False when it was frozen already.

        A reader listed twice (same address, any case) gets one row: the first. The
        editions and personal blocks the readers get are kept with them: a resumed send
        puts together the same message.
        """
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM send_periods WHERE period = ?", (period,)).fetchone():
                return False
            rows = [(period, key_of(p.email), seq, p.email.strip(), p.name, p.edition, p.block,
                     p.message_id, to_text(at)) for seq, p in enumerate(audience)]
            db.executemany(
                "INSERT OR IGNORE INTO send_ledger (period, email_key, seq, email, name, edition,"
                " block, message_id, state, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?)", rows)
            used = {r[6] for r in rows if r[6]}
            db.executemany("INSERT OR IGNORE INTO send_blocks (period, key, html, text)"
                           " VALUES (?, ?, ?, ?)",
                           [(period, b.key, b.html, b.text) for b in blocks if b.key in used])
            wanted = {r[5] for r in rows}
            db.executemany(
                "INSERT OR IGNORE INTO send_editions (period, key, communities, subject,"
                " preheader, html, text, detail_level, calendar, default_block, html_start,"
                " html_end, text_start, text_end) VALUES (" + ", ".join("?" * 14) + ")",
                [_edition_row(period, f) for f in editions if f.edition.key in wanted])
            count = db.execute("SELECT count(*) FROM send_ledger WHERE period = ?",
                               (period,)).fetchone()[0]
            db.execute("INSERT INTO send_periods (period, frozen_at, recipients) VALUES (?, ?, ?)",
                       (period, to_text(at), count))
        return True

    def editions(self, period: str) -> dict[str, FrozenEdition]:
        """The editions frozen with the period's audience (none for a send started by a
        release that did not keep them: that one reads out/ as it did)."""
        if not self._has("send_editions"):
            return {}
        out = {}
        for r in self.db.execute("SELECT * FROM send_editions WHERE period = ?", (period,)):
            communities = json.loads(r["communities"]) if r["communities"] is not None else None
            edition = Edition(key=r["key"], communities=frozenset(communities)
                              if communities is not None else None,
                              subject=r["subject"], preheader=r["preheader"], html=r["html"],
                              text=r["text"], detail_level=r["detail_level"],
                              calendar=r["calendar"])
            out[r["key"]] = FrozenEdition(edition, r["default_block"],
                                          _slot(r["html_start"], r["html_end"]),
                                          _slot(r["text_start"], r["text_end"]))
        return out

    def _has(self, table: str) -> bool:
        return self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                               (table,)).fetchone() is not None

    def frozen_at(self, period: str) -> datetime | None:
        row = self.db.execute("SELECT frozen_at FROM send_periods WHERE period = ?",
                              (period,)).fetchone()
        return from_text(row["frozen_at"]) if row else None

    def blocks(self, period: str) -> dict[str, PersonalBlock]:
        """The personal blocks frozen with the period's audience."""
        return {r["key"]: PersonalBlock(r["key"], r["html"], r["text"]) for r in self.db.execute(
            "SELECT key, html, text FROM send_blocks WHERE period = ?", (period,))}

    def recover(self, period: str, at: datetime) -> int:
        """Rows left `sending` by a dead process become ambiguous; returns how many.

        Only called while holding the run lock, so no live process owns them.
        """
        cur = self.db.execute(
            "UPDATE send_ledger SET state = 'ambiguous', updated_at = ?,"
            " reply = 'process stopped while sending; the relay may have it'"
            " WHERE period = ? AND state = 'sending'", (to_text(at), period))
        return cur.rowcount

    def due(self, period: str, at: datetime) -> Iterator[Row]:
        """Rows to send now: planned, ambiguous, and deferred whose time has come."""
        rows = self.db.execute(
            "SELECT * FROM send_ledger WHERE period = ? AND (state IN ('planned', 'ambiguous')"
            " OR (state = 'deferred' AND (next_attempt IS NULL OR next_attempt <= ?)))"
            " ORDER BY seq", (period, to_text(at))).fetchall()
        return (_row(r) for r in rows)

    def row(self, period: str, email_key: str) -> Row | None:
        r = self.db.execute("SELECT * FROM send_ledger WHERE period = ? AND email_key = ?",
                            (period, email_key)).fetchone()
        return _row(r) if r else None

    def mark_sending(self, period: str, email_key: str, at: datetime) -> None:
        self.db.execute(
            "UPDATE send_ledger SET state = 'sending', attempts = attempts + 1, updated_at = ?"
            " WHERE period = ? AND email_key = ?", (to_text(at), period, email_key))

    def record(self, period: str, email_key: str, state: str, at: datetime,
               code: int | None = None, reply: str | None = None,
               next_attempt: datetime | None = None) -> None:
        if state not in STATES or state in ("planned", "sending"):
            raise ValueError(f"not an outcome state: {state!r}")
        self.db.execute(
            "UPDATE send_ledger SET state = ?, code = ?, reply = ?, next_attempt = ?,"
            " updated_at = ? WHERE period = ? AND email_key = ?",
            (state, code, reply, to_text(next_attempt), to_text(at), period, email_key))

    def counts(self, period: str) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        for r in self.db.execute("SELECT state, count(*) AS n FROM send_ledger WHERE period = ?"
                                 " GROUP BY state", (period,)):
            out[r["state"]] = r["n"]
        return out

    def rows_in(self, period: str, state: str) -> list[Row]:
        return [_row(r) for r in self.db.execute(
            "SELECT * FROM send_ledger WHERE period = ? AND state = ? ORDER BY seq",
            (period, state))]


def ledger_status(store: Store, period_label: str) -> LedgerStatus:
    """Counts per state and the readers needing attention; reads only, creates nothing."""
    if not exists(store):
        return LedgerStatus(period=period_label, started=False)
    ledger = Ledger(store, create=False)
    row = store.db.execute("SELECT frozen_at FROM send_periods WHERE period = ?",
                           (period_label,)).fetchone()
    if row is None:
        return LedgerStatus(period=period_label, started=False)
    return LedgerStatus(
        period=period_label, started=True, frozen_at=row["frozen_at"],
        counts=ledger.counts(period_label), failed=ledger.rows_in(period_label, "failed"),
        deferred=ledger.rows_in(period_label, "deferred"),
        ambiguous=ledger.rows_in(period_label, "ambiguous"))
