"""Per-feed state and health in the store's `feeds` table.

The row is keyed by the location as configured, so an organiser's edit of the
config starts a fresh history; a permanent redirect is remembered in
`moved_to` and fetched from there until the config is fixed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..config import Community
from ..store import Store, from_text, to_text

FLAG_AFTER = 3  # consecutive failed runs before a feed is flagged
FAILED_STATUSES = frozenset({"error", "gone", "deferred"})


@dataclass
class FeedState:
    url: str
    community: str
    role: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    status: str | None = None
    error_kind: str | None = None
    error_message: str | None = None
    error_at: datetime | None = None
    consecutive_failures: int = 0
    retry_after: datetime | None = None
    moved_to: str | None = None
    new_items: int = 0


_COLUMNS = ("url", "community", "role", "etag", "last_modified", "body_hash", "last_attempt",
            "last_success", "status", "error_kind", "error_message", "error_at",
            "consecutive_failures", "retry_after", "moved_to", "new_items")
_DATES = frozenset({"last_attempt", "last_success", "error_at", "retry_after"})


def load_states(store: Store) -> dict[str, FeedState]:
    rows = store.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM feeds").fetchall()
    out = {}
    for r in rows:
        # a row is untyped (sqlite); FeedState is the typed value built from it
        values: dict[str, Any] = {c: (from_text(r[c]) if c in _DATES else r[c]) for c in _COLUMNS}
        out[r["url"]] = FeedState(**values)
    return out


def save_states(store: Store, states: list[FeedState]) -> None:
    marks = ", ".join("?" for _ in _COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c != "url")
    rows = [tuple(to_text(getattr(s, c)) if c in _DATES else getattr(s, c) for c in _COLUMNS)
            for s in states]
    with store.transaction() as db:
        db.executemany(f"INSERT INTO feeds ({', '.join(_COLUMNS)}) VALUES ({marks})"
                       f" ON CONFLICT(url) DO UPDATE SET {updates}", rows)


def failed_feed_urls(store: Store) -> set[str]:
    """Feeds whose last fetch failed, as the store remembers them."""
    return {url for url, state in load_states(store).items() if state.status in FAILED_STATUSES}


def failed_communities(communities: Iterable[Community], failed_urls: set[str]) -> list[str]:
    """Communities with posts or meetings feeds, every one of which failed.

    Such a community's news is missing, and the build and the email must say so.
    """
    return [c.id for c in communities if c.feeds and all(u in failed_urls for u in c.feeds)]
