"""The web archive: a static site under `out/site/` that can be published by copying the folder.

    out/site/index.html          every issue, newest first
    out/site/<period>/index.html the full issue (every community, every post), with
                                 an anchor per community (`#<community id>`)
    out/site/<period>/community-<id>.html
                                 one community's page of the issue, in full (what the
                                 email's summary layout links to)
    out/site/<period>/issue.json what the index and the feed need about that issue
    out/site/feed.xml            an Atom feed of the digest itself

The email's "View in browser" and "See N more posts" links point at
`<web_url><period>/`, so `web_url` must be where this folder is published.
Links inside the site are relative and name index.html, so the copy works from
any address, and from a shared drive or a file:// URL too.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path

from .addresses import parse_mailbox
from .config import Config
from .errors import DigestError
from .files import write_file
from .invites import CALENDAR_FOLDER, ics, session_slug
from .manifest import (
    MANIFEST,
    PERSONAL_SLOT,
    Headline,
    Manifest,
    read_manifest,
    write_manifest,
)
from .models import Issue, Item
from .render import LOGO, Renderer, community_summaries
from .render.personal import PersonalBlocks
from .render.view import DETAIL_LEVELS, build_view, community_page
from .store import from_text, to_text, utcnow

SITE = "site"
ATOM = "http://www.w3.org/2005/Atom"


def site_path(config: Config) -> Path:
    return config.out_path / SITE


def web_issue(issue: Issue, items: list[Item]) -> Issue:
    """The issue with every post of each community, not just the email's first few.

    The email says "See 4 more posts on the web": this is where they are.
    `items` are the items the issue claimed (store rows with issue = period).
    """
    posts: dict[str, list[Item]] = {}
    for item in items:
        if item.kind == "post":
            posts.setdefault(item.community, []).append(item)
    sections = []
    for section in issue.sections:
        every = sorted(posts.get(section.community_id, []), key=lambda i: i.dated, reverse=True)
        if len(every) > len(section.posts):
            section = replace(section, posts=every, more_posts=0, more_post_keys=())
        sections.append(section)
    return replace(issue, sections=sections)


def write_site(config: Config, issue: Issue, items: list[Item] | None = None, *,
               now: datetime | None = None, renderer: Renderer | None = None) -> Path:
    """Write the issue's page, then the index and the feed over every issue in the site."""
    now = now or utcnow()
    site = site_path(config)
    folder = site / issue.period.label
    root = config.out_path
    full = web_issue(issue, items) if items is not None else issue
    view = build_view(config, full, None, DETAIL_LEVELS[0])
    view.web = True
    renderer = renderer or Renderer(config)
    # the page is for everyone: every open action, nobody's own
    everyone = PersonalBlocks(renderer, full, {c.id for c in config.communities},
                              open_shown=None)  # the email's "see every open action"
    html = renderer.html(view).replace(PERSONAL_SLOT, everyone.blocks[everyone.block(None, [])]
                                       .html)
    write_invites(config, full, folder)
    write_file(folder / "index.html", html, root)
    write_community_pages(config, full, folder, renderer, everyone)
    if renderer.has_logo:  # the email links to <web_url>logo.png
        write_file(site / LOGO, (renderer.path / LOGO).read_bytes(), root)

    previous = _previous_manifest(folder)
    meta = Manifest(
        period=issue.period.label, period_title=issue.period.title(),
        title=f"{issue.title} · {issue.period.title()}", subject=view.subject, intro=view.intro,
        built_at=to_text(now) or "",
        published=_first_published(folder, previous) or to_text(now),
        posts=full.post_count, meetings=full.meeting_count,
        sessions=full.session_count, communities=community_summaries(full),
        quiet=tuple(s.name for s in full.quiet),
    )
    write_manifest(folder, entry_dates(previous, meta, now), root)
    issues = issues_in_site(config)  # read once, for the index and the feed
    write_index(config, issues, renderer)
    write_feed(config, issues)
    return folder


def write_community_pages(config: Config, issue: Issue, folder: Path, renderer: Renderer,
                          everyone: PersonalBlocks) -> None:
    """A page per community beside the issue's page: everything it posted, decided and
    planned this period. The summary layout of a large organisation's email links here,
    so a reader of fifty communities can open the one they care about on a phone without
    loading the other forty-nine. Like the issue's page, each is for everyone: its at-a-glance
    block lists every open action of the community, nobody's own."""
    root = config.out_path
    written = set()
    for section in issue.sections:
        view = build_view(config, issue, frozenset({section.community_id}), DETAIL_LEVELS[0])
        view.web = view.community_page = True
        view.others, view.quiet, view.toc = [], [], []
        block = everyone.blocks[everyone.block(frozenset({section.community_id}), [])]
        name = community_page(section.community_id)
        write_file(folder / name, renderer.html(view).replace(PERSONAL_SLOT, block.html), root)
        written.add(name)
    for stale in folder.glob(community_page("*")):
        if stale.name not in written:  # a community that had news in an earlier build
            stale.unlink()


def write_invites(config: Config, issue: Issue, folder: Path) -> None:
    """One .ics per coming session, for the email's "Add to calendar" links."""
    target = folder / CALENDAR_FOLDER
    for section in issue.sections:
        for session in section.sessions:
            write_file(target / f"{session_slug(session)}.ics",
                       ics([session], product=config.organisation,
                           stamp=issue.built_at or utcnow()), config.out_path)


def _first_published(folder: Path, previous: Manifest | None) -> str | None:
    """When the issue's page was first published: kept across rebuilds, so the Atom
    entry keeps its date (read from 0.1.0's issue.json too, which had the same key).
    `previous` is the folder's issue.json as this release reads it, if it can."""
    if previous is not None:
        return previous.published
    try:
        published = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("published")
    except (OSError, ValueError, AttributeError):
        return None  # first build
    return published if isinstance(published, str) else None


def _previous_manifest(folder: Path) -> Manifest | None:
    """The issue.json an earlier build of this issue's page wrote, if this release can read it."""
    try:
        return read_manifest(folder)
    except DigestError:
        return None


def entry_dates(previous: Manifest | None, meta: Manifest, now: datetime) -> Manifest:
    """`meta` with `updated` (and the digest of the content it dates): it moves only when
    what the entry says changes, so a rebuild does not show the issue as new in feed readers."""
    content = asdict(meta)
    for key in (*_DATES, "folder", "built_for"):  # built_for: the email build's, never here
        content.pop(key)
    for community in content["communities"]:
        for line in community["headlines"]:
            if not line["also_in"]:  # added later: an issue without shared posts keeps the
                del line["also_in"]  # digest, and so the `updated`, earlier releases gave it
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False)
                            .encode()).hexdigest()
    if previous is not None and previous.content_digest == digest and previous.updated:
        return replace(meta, updated=previous.updated, content_digest=digest)
    return replace(meta, updated=to_text(now), content_digest=digest)


# what dates an entry rather than what it says
_DATES = ("built_at", "published", "updated", "content_digest")


def issues_in_site(config: Config) -> list[Manifest]:
    """Every issue the site holds, newest first."""
    found = []
    for path in site_path(config).glob(f"*/{MANIFEST}"):
        try:
            found.append(read_manifest(path.parent))
        except DigestError:
            continue  # a half-written folder: the next build rewrites it
    return sorted(found, key=lambda m: m.period, reverse=True)


def write_index(config: Config, issues: list[Manifest], renderer: Renderer) -> Path:
    path = site_path(config) / "index.html"
    return write_file(path, renderer.site_index(issues), config.out_path)


def _tag_base(config: Config) -> str:
    """An id for feed entries that never changes, even without a web address."""
    if config.web_url:
        return config.web_url
    domain = parse_mailbox(config.delivery.sender)[1].rpartition("@")[2] or "localhost"
    return f"tag:{domain},2026:cop-digest/"


def _entry_html(meta: Manifest) -> str:
    root = ET.Element("div")
    ET.SubElement(root, "p").text = meta.intro
    for c in meta.communities:
        h = ET.SubElement(root, "h3")
        h.text = f"{c.name}: {c.summary}" if c.summary else c.name
        _links(root, [(line.title, line.link) for line in c.headlines],
               after=[_also_in(line) for line in c.headlines])
        _entry_list(root, "Decided", [(d.text, d.link) for d in c.decisions])
        _entry_list(root, "Coming up", [
            (", ".join(p for p in (x.title, x.when, x.where) if p), x.link)
            for x in c.sessions])
    return ET.tostring(root, encoding="unicode", method="html")


def _also_in(line: Headline) -> str:
    """What follows a headline: the other communities that list the same post."""
    names = line.also_in
    if not names:
        return ""
    where = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f" (also in {where})"


def _entry_list(root: ET.Element, label: str, lines: list[tuple[str, str | None]]) -> None:
    if not lines:
        return
    ET.SubElement(root, "p").text = f"{label}:"
    _links(root, lines)


def _links(root: ET.Element, lines: list[tuple[str, str | None]],
           after: list[str] | None = None) -> None:
    """A list of lines, each a link when it has one, then its `after` text (not linked)."""
    ul = ET.SubElement(root, "ul")
    for n, (text, link) in enumerate(lines):
        li = ET.SubElement(ul, "li")
        tail = after[n] if after else ""
        if link:
            a = ET.SubElement(li, "a", href=link)
            a.text = text
            a.tail = tail or None
        else:
            li.text = text + tail


def write_feed(config: Config, issues: list[Manifest]) -> Path:
    """An Atom feed (RFC 4287) with one entry per issue, so readers can follow the digest."""
    ET.register_namespace("", ATOM)
    base = _tag_base(config)
    web = config.web_url or ""

    def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    feed = ET.Element(f"{{{ATOM}}}feed")
    el(feed, "id", f"{base}feed.xml")
    el(feed, "title", f"{config.title} · {config.organisation}")
    el(feed, "subtitle", f"{config.organisation}'s digest of its communities of practice")
    updated = max((m.updated or m.built_at for m in issues), default=to_text(utcnow()) or "")
    el(feed, "updated", _atom_date(updated))
    el(feed, "link", rel="self", href=f"{web}feed.xml")
    el(feed, "link", rel="alternate", type="text/html", href=web or "./")
    author = el(feed, "author")
    el(author, "name", config.organisation)
    el(feed, "generator", "CoP Digest")
    for meta in issues:
        entry = el(feed, "entry")
        el(entry, "id", f"{base}{meta.period}/")
        el(entry, "title", meta.title)
        el(entry, "link", rel="alternate", type="text/html", href=f"{web}{meta.period}/")
        el(entry, "published", _atom_date(meta.published or meta.built_at))
        el(entry, "updated", _atom_date(meta.updated or meta.built_at))
        el(entry, "summary", meta.subject)
        el(entry, "content", _entry_html(meta), type="html")
    ET.indent(feed)
    path = site_path(config) / "feed.xml"
    return write_file(path, ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n",
                      config.out_path)


def _atom_date(text: str) -> str:
    moment = from_text(text)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else text
