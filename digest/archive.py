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
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from .addresses import parse_mailbox
from .config import Config
from .files import write_file
from .models import Issue, Item, Section
from .render import LOGO, Renderer
from .render.view import (
    DETAIL_LEVELS,
    build_view,
    community_page,
    section_summary,
    session_when,
)
from .store import from_text, to_text, utcnow

SITE = "site"
ATOM = "http://www.w3.org/2005/Atom"
HEADLINES_IN_FEED = 5


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
            section = replace(section, posts=every, more_posts=0)
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
    html = renderer.html(view)
    write_file(folder / "index.html", html, root)
    write_community_pages(config, full, folder, renderer)
    if renderer.has_logo:  # the email links to <web_url>logo.png
        write_file(site / LOGO, (renderer.path / LOGO).read_bytes(), root)

    meta_path = folder / "issue.json"
    previous: dict = {}
    if meta_path.is_file():
        previous = json.loads(meta_path.read_text(encoding="utf-8"))
    published = previous.get("published")
    meta = {
        "period": issue.period.label,
        "period_title": issue.period.title(),
        "title": f"{issue.title} · {issue.period.title()}",
        "subject": view.subject,
        "intro": view.intro,
        "published": published or to_text(now),
        "communities": [
            {"id": s.community_id, "name": s.name, "summary": section_summary(s),
             "headlines": [{"title": i.title, "link": i.link}
                           for i in s.posts[:HEADLINES_IN_FEED]]
             + [{"title": f"Meeting: {m.title}", "link": m.link}
                for m in s.meetings]} | feed_outcomes(s)
            for s in full.sections
        ],
        "quiet": [s.name for s in full.quiet],
    }
    meta |= entry_dates(previous, meta, now)
    write_file(meta_path, json.dumps(meta, indent=2), root)
    issues = issues_in_site(config)  # read once, for the index and the feed
    write_index(config, issues, renderer)
    write_feed(config, issues)
    return folder


def write_community_pages(config: Config, issue: Issue, folder: Path,
                          renderer: Renderer) -> None:
    """A page per community beside the issue's page: everything it posted, decided and
    planned this period. The summary layout of a large organisation's email links here,
    so a reader of fifty communities can open the one they care about on a phone without
    loading the other forty-nine."""
    root = config.out_path
    written = set()
    for section in issue.sections:
        view = build_view(config, issue, frozenset({section.community_id}), DETAIL_LEVELS[0])
        view.web = view.community_page = True
        view.others, view.quiet, view.toc = [], [], []
        name = community_page(section.community_id)
        write_file(folder / name, renderer.html(view), root)
        written.add(name)
    for stale in folder.glob(community_page("*")):
        if stale.name not in written:  # a community that had news in an earlier build
            stale.unlink()


def feed_outcomes(section: Section) -> dict:
    """What a feed entry says of a community besides its headlines: its decisions (linking
    to their notes) and its coming sessions."""
    return {
        "decisions": [{"text": d.text, "link": m.link}
                      for m in section.meetings for d in m.outcomes.decisions],
        "sessions": [{"title": x.title, "when": session_when(x), "where": x.location,
                      "link": x.join_url} for x in section.sessions],
    }


def entry_dates(previous: dict, meta: dict, now: datetime) -> dict:
    """`updated` (and the digest of the content it dates): it moves only when what the
    entry says changes, so a rebuild does not show the issue as new in feed readers."""
    content = {k: v for k, v in meta.items() if k not in _DATES}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False)
                            .encode()).hexdigest()
    if previous.get("content_digest") == digest and previous.get("updated"):
        return {"updated": previous["updated"], "content_digest": digest}
    return {"updated": to_text(now), "content_digest": digest}


_DATES = frozenset({"published", "updated", "content_digest"})


def issues_in_site(config: Config) -> list[dict]:
    """Every issue the site holds, newest first."""
    site = site_path(config)
    found = []
    for path in site.glob("*/issue.json"):
        try:
            found.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # a half-written folder: the next build rewrites it
    return sorted(found, key=lambda m: m["period"], reverse=True)




def write_index(config: Config, issues: list[dict], renderer: Renderer) -> Path:
    path = site_path(config) / "index.html"
    return write_file(path, renderer.site_index(issues), config.out_path)


def _tag_base(config: Config) -> str:
    """An id for feed entries that never changes, even without a web address."""
    if config.web_url:
        return config.web_url
    domain = parse_mailbox(config.delivery.sender)[1].rpartition("@")[2] or "localhost"
    return f"tag:{domain},2026:cop-digest/"


def _entry_html(meta: dict) -> str:
    root = ET.Element("div")
    ET.SubElement(root, "p").text = meta["intro"]
    for c in meta["communities"]:
        h = ET.SubElement(root, "h3")
        h.text = f"{c['name']}: {c['summary']}" if c["summary"] else c["name"]
        ul = ET.SubElement(root, "ul")
        for line in c["headlines"]:
            li = ET.SubElement(ul, "li")
            if line["link"]:
                a = ET.SubElement(li, "a", href=line["link"])
                a.text = line["title"]
            else:
                li.text = line["title"]
        _entry_list(root, "Decided", [(d["text"], d["link"]) for d in c.get("decisions", ())])
        _entry_list(root, "Coming up", [
            (", ".join(p for p in (x["title"], x["when"], x["where"]) if p), x["link"])
            for x in c.get("sessions", ())])
    return ET.tostring(root, encoding="unicode", method="html")


def _entry_list(root: ET.Element, label: str, lines: list[tuple[str, str | None]]) -> None:
    if not lines:
        return
    ET.SubElement(root, "p").text = f"{label}:"
    ul = ET.SubElement(root, "ul")
    for text, link in lines:
        li = ET.SubElement(ul, "li")
        if link:
            a = ET.SubElement(li, "a", href=link)
            a.text = text
        else:
            li.text = text


def write_feed(config: Config, issues: list[dict]) -> Path:
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
    updated = max((m["updated"] for m in issues), default=to_text(utcnow()))
    el(feed, "updated", _atom_date(updated))
    el(feed, "link", rel="self", href=f"{web}feed.xml")
    el(feed, "link", rel="alternate", type="text/html", href=web or "./")
    author = el(feed, "author")
    el(author, "name", config.organisation)
    el(feed, "generator", "CoP Digest")
    for meta in issues:
        entry = el(feed, "entry")
        el(entry, "id", f"{base}{meta['period']}/")
        el(entry, "title", meta["title"])
        el(entry, "link", rel="alternate", type="text/html", href=f"{web}{meta['period']}/")
        el(entry, "published", _atom_date(meta["published"]))
        el(entry, "updated", _atom_date(meta["updated"]))
        el(entry, "summary", meta["subject"])
        el(entry, "content", _entry_html(meta), type="html")
    ET.indent(feed)
    path = site_path(config) / "feed.xml"
    return write_file(path, ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n",
                      config.out_path)


def _atom_date(text: str) -> str:
    moment = from_text(text)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else text
