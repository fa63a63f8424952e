"""Collect (interim: replaced by the concurrent, hardened collector on the `fetch` branch)."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import httpx

from ..config import Config
from ..models import Entry
from ..store import Store, utcnow


@dataclass
class CollectReport:
    new_items: int = 0
    updated_items: int = 0
    failed_communities: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.errors


def _read(location: str) -> bytes:
    if location.startswith(("http://", "https://")):
        return httpx.get(location, follow_redirects=True, timeout=30).content
    return Path(location).read_bytes()


def _date(parsed) -> datetime | None:
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else None


def _text(value: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", value))).strip()


def _entries(body: bytes, community: str, kind: str, url: str) -> list[Entry]:
    feed = feedparser.parse(body)
    out = []
    for e in feed.entries:
        content = (e.get("content") or [{}])[0].get("value") or e.get("summary", "")
        identity = e.get("id") or e.get("link") or hashlib.sha256(
            (e.get("title", "") + content).encode()).hexdigest()
        out.append(Entry(identity=identity, community=community, kind=kind, feed_url=url,
                         title=_text(e.get("title", "")) or "(untitled)", link=e.get("link"),
                         author=e.get("author"), published=_date(e.get("published_parsed")),
                         updated=_date(e.get("updated_parsed")),
                         excerpt=_text(e.get("summary", ""))[:300], content_html=content))
    return out


def collect(config: Config, store: Store, *, now: datetime | None = None,
            progress: bool = False) -> CollectReport:
    now = now or utcnow()
    report = CollectReport()
    for c in config.communities:
        for role, url in c.sources():
            try:
                body = _read(url)
            except Exception as e:  # noqa: BLE001
                report.errors.append(f"{url}: {e}")
                continue
            if role == "calendar":
                store.save_calendar(url, c.id, body, now)
                continue
            kind = "post" if role == "posts" else "meeting"
            r = store.upsert_entries(_entries(body, c.id, kind, url), now)
            report.new_items += r.new
            report.updated_items += r.updated
    return report
