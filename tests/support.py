"""Builders for small, real organisations on disk: config, community list, feeds, readers."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

from digest.config import Config, load_config
from digest.models import Entry


@dataclass
class Post:
    title: str
    published: datetime | None
    link: str | None = None
    guid: str | None = None
    body: str = "<p>A short body with <b>bold</b> text.</p>"
    author: str | None = "Sam Example"
    updated: datetime | None = None


@dataclass
class Org:
    root: Path
    communities: dict[str, list[Post]] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.root / "digest.toml"

    def config(self) -> Config:
        return load_config(self.config_path)


def rss(posts: list[Post], title: str = "A community blog") -> str:
    items = []
    for p in posts:
        parts = [f"<title>{escape(p.title)}</title>"]
        if p.link:
            parts.append(f"<link>{escape(p.link)}</link>")
        if p.guid:
            parts.append(f'<guid isPermaLink="false">{escape(p.guid)}</guid>')
        if p.published:
            parts.append(f"<pubDate>{format_datetime(p.published)}</pubDate>")
        if p.author:
            parts.append(f"<author>sam@example.org ({escape(p.author)})</author>")
        parts.append(f"<description>{escape(p.body)}</description>")
        items.append("<item>" + "".join(parts) + "</item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>https://blog.example.org/</link>"
            f"<description>{escape(title)}</description>{''.join(items)}</channel></rss>\n")


def write_org(root: Path, communities: dict[str, list[Post]], *, recipients: str | None = None,
              digest_extra: str = "", delivery_extra: str = "", names: dict[str, str] | None = None
              ) -> Org:
    """Write digest.toml, feeds/communities.toml, one RSS file per community and readers."""
    feeds = root / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    blocks = []
    for cid, posts in communities.items():
        (feeds / f"{cid}.xml").write_text(rss(posts, f"{cid} blog"), encoding="utf-8")
        name = (names or {}).get(cid, cid.capitalize())
        blocks.append(f'[[community]]\nid = "{cid}"\nname = "{name}"\n'
                      f'description = "The {name} community. Meets monthly."\n'
                      f'posts = ["{cid}.xml"]\n')
    (feeds / "communities.toml").write_text("\n".join(blocks), encoding="utf-8")
    if recipients is None:
        recipients = "email,name,communities\nann@example.org,Ann Reader,\n"
    (root / "recipients.csv").write_text(recipients, encoding="utf-8")
    (root / "digest.toml").write_text(
        '[digest]\norganisation = "Example Housing Trust"\ntimezone = "Europe/London"\n'
        f'web_url = "https://intranet.example.org/cop-digest/"\n{digest_extra}\n'
        '[delivery]\nmethod = "outbox"\nfrom = "CoP Digest <cop-digest@example.org>"\n'
        f'recipients = "recipients.csv"\nunsubscribe_mailto = "leave@example.org"\n'
        f"{delivery_extra}\n",
        encoding="utf-8")
    return Org(root, communities)


def notes_org(root: Path, community: str = "product") -> Org:
    """An organisation of one community whose `notes` folder (feeds/notes/<community>/) is
    there and empty, for a test to write Markdown files into."""
    org = write_org(root, {community: []})
    listing = root / "feeds" / "communities.toml"
    listing.write_text(listing.read_text() + f'notes = "notes/{community}/"\n')
    (root / "feeds" / "notes" / community).mkdir(parents=True)
    return org


def copy_state(kept: Path, root: Path) -> Path:
    """A copy of a state database kept in tests/fixtures/state/ at root/var/digest.db (where
    a config in `root` keeps its state), so the test never changes the kept one."""
    path = root / "var" / "digest.db"
    path.parent.mkdir()
    shutil.copyfile(kept, path)
    return path


def entry(community: str, identity: str, published: datetime | None, *, kind: str = "post",
          title: str | None = None, updated: datetime | None = None) -> Entry:
    """An entry as collect would produce it."""
    return Entry(identity=identity, community=community, kind=kind,
                 feed_url=f"https://{community}.example.org/feed", title=title or identity,
                 link=f"https://{community}.example.org/{identity}", author="Sam Example",
                 published=published, updated=updated, excerpt=f"About {identity}.")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
