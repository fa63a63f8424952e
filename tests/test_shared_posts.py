"""A post listed under two communities is one post: the reader meets it under their first
community, a line points to it from the others, and every count counts it once.

End to end: feeds served over HTTP by tests/feedserver.py (one feed listed under two
communities, a mirror under a third, shared meeting notes), collected, built and sent to
the outbox by the CLI, and read back from the messages, the build and the web archive.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape, unescape

import feedparser
import lxml.html
import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.compose import compose, link_key, same_posts
from digest.deliver.transports import outbox_name
from digest.models import Entry, Item
from digest.period import Period
from digest.render import Renderer
from digest.render.view import DETAIL_LEVELS, build_view
from digest.store import Store
from tests.feedserver import FeedServer, send
from tests.support import Post, utc, write_org

READERS = ("email,name,communities\n"
           "ines@example.org,Ines Everyone,\n"
           "tomas@example.org,Tomas Both,maps;trails\n"
           "wren@example.org,Wren Trails,trails\n"
           "olu@example.org,Olu Archive,archive\n")

JOINT = "Mapping the river paths together"
FIELD = "Field notes from the northern survey"
READING = "Reading list for new volunteers"
DECISION = "One glossary for all path surveys"


def rss_items(items: list[dict[str, str]]) -> bytes:
    entries = "".join("<item>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in it.items())
                      + "</item>" for it in items)
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Shared</title><link>https://paths.example.org/</link>"
            f"<description>Shared</description>{entries}</channel></rss>").encode()


SHARED = rss_items([
    # a feed-local id: the same post only because the same feed is listed twice
    {"title": JOINT, "link": "https://paths.example.org/river", "guid": "p-1",
     "pubDate": "Tue, 06 Oct 2026 09:00:00 GMT", "description": "We walked the river paths."},
    {"title": FIELD, "link": "https://paths.example.org/north",
     "guid": "tag:paths.example.org,2026:north", "pubDate": "Wed, 14 Oct 2026 09:00:00 GMT",
     "description": "What the survey found up north."},
])
MIRROR = rss_items([
    # the same page, linked with a tracking parameter and another id: the same post
    {"title": JOINT, "link": "https://www.paths.example.org/river/?utm_source=mirror",
     "guid": "m-88", "pubDate": "Tue, 06 Oct 2026 10:00:00 GMT",
     "description": "We walked the river paths."},
    # the same global id under another address: the same post
    {"title": FIELD, "link": "https://mirror.example.net/north",
     "guid": "tag:paths.example.org,2026:north", "pubDate": "Wed, 14 Oct 2026 09:30:00 GMT",
     "description": "What the survey found up north."},
    # the same feed-local id as the joint post, another page: another post
    {"title": READING, "link": "https://archive.example.net/reading", "guid": "p-1",
     "pubDate": "Thu, 22 Oct 2026 09:00:00 GMT", "description": "Books to start with."},
])
NOTES = rss_items([
    {"title": "October planning", "link": "https://wiki.example.org/october-planning",
     "guid": "https://wiki.example.org/october-planning",
     "pubDate": "Mon, 12 Oct 2026 16:00:00 GMT",
     "description": f"<h2>Decisions</h2><ul><li>{DECISION}.</li></ul>"
                    "<h2>Actions</h2><ul><li>@Rosa Vale: circulate the glossary by "
                    "2026-10-30</li></ul>"},
])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The organisation after `digest run --period 2026-10`: Maps and Trails list one feed
    and one meetings feed, Archive a mirror of the feed."""
    root = tmp_path_factory.mktemp("shared")
    org = write_org(root, {
        "maps": [Post("Contour lines explained", utc(2026, 10, 3, 9),
                      link="https://maps.example.org/contours", guid="maps-1")],
        "trails": [Post("Waymarking the ridge", utc(2026, 10, 9, 9),
                        link="https://trails.example.org/ridge", guid="trails-1")],
        "archive": [],
    }, recipients=READERS)
    with FeedServer() as server:
        server.routes["/shared.xml"] = lambda h: send(h, 200, SHARED)
        server.routes["/mirror.xml"] = lambda h: send(h, 200, MIRROR)
        server.routes["/notes.xml"] = lambda h: send(h, 200, NOTES)
        listing = root / "feeds" / "communities.toml"
        text = listing.read_text()
        for cid in ("maps", "trails"):
            text = text.replace(f'posts = ["{cid}.xml"]',
                                f'posts = ["{cid}.xml", "{server.url("/shared.xml")}"]\n'
                                f'meetings = ["{server.url("/notes.xml")}"]')
        text = text.replace('posts = ["archive.xml"]', f'posts = ["{server.url("/mirror.xml")}"]')
        listing.write_text(text)
        result = CliRunner().invoke(cli, ["--config", str(org.config_path), "run",
                                          "--period", "2026-10"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert server.paths().count("/shared.xml") == 1  # fetched once for both
    return org, result.output


def bare(html: str) -> str:
    """The HTML without the styles and classes the inliner writes into every tag."""
    return re.sub(r'\s(?:style|class)="[^"]*"', "", html)


@dataclass
class Message:
    subject: str
    preheader: str
    html: str  # bare()
    text: str

    @property
    def words(self) -> str:
        """The text part with its wrapping undone."""
        return " ".join(self.text.split())


def message(org, address: str) -> Message:
    path = org.root / "out" / "outbox" / "2026-10" / outbox_name(address)
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    html = msg.get_body(("html",)).get_content()
    found = re.search(r'<div class="preheader"[^>]*>(.*?)(?:&#847;|\u034f)', html, re.S)
    assert found, "no preheader"
    return Message(str(msg["Subject"]), unescape(found.group(1)).strip(), bare(html),
                   msg.get_body(("plain",)).get_content().replace("\r\n", "\n"))


def section_of(html: str, community: str, following: str | None) -> str:
    """The HTML from a community's anchor to the next one's (or to Across/Gone quiet)."""
    start = html.index(f'id="{community}"')
    end = html.index(f'id="{following}"', start) if following else len(html)
    return html[start:end]


def text_section(text: str, heading: str, following: str | None) -> str:
    start = text.index(f"\n{heading}\n")
    end = text.index(f"\n{following}\n", start) if following else len(text)
    return text[start:end]


def test_the_build_counts_each_post_and_each_meeting_once(built):
    org, output = built
    # maps: contours, joint, field; trails: ridge, joint, field; archive: joint, field, reading
    assert "built 2026-10: 5 posts, 1 meeting" in output, output
    manifest = json.loads((org.root / "out" / "2026-10" / "issue.json").read_text())
    assert (manifest["posts"], manifest["meetings"]) == (5, 1)
    assert manifest["intro"].startswith("In October 2026, Example Housing Trust's communities "
                                        "of practice shared 5 posts and notes from 1 meeting.")


def test_a_reader_of_both_communities_gets_the_post_once_and_a_pointer(built):
    org, _ = built
    m = message(org, "tomas@example.org")
    maps, trails = section_of(m.html, "maps", "trails"), section_of(m.html, "trails", "across")
    for title in (JOINT, FIELD):
        assert (maps + trails).count(title) == 2  # in full under Maps, one line under Trails
        assert re.search(rf"<h3><a href=\"[^\"]+\">{re.escape(title)}</a></h3>", maps)
        assert re.search(rf"Also in Maps: <a href=\"[^\"]+\">{re.escape(title)}</a>", trails)
    assert re.search(r"Also in Maps: Meeting: <a href=\"[^\"]+\">October planning</a>", trails)
    assert "Also in" not in maps and "Decisions" not in trails
    # the counts: Maps 3 posts and the meeting, Trails its own post
    assert m.preheader.startswith("Maps and Trails: 1 decision, 4 posts, 1 meeting.")
    assert m.subject == f"Maps: {DECISION}. · 4 posts, 1 meeting"
    assert "In October 2026, Maps and Trails shared 4 posts and notes from 1 meeting." in m.words
    assert "- Trails: 1 post, 2 posts also in Maps, 1 meeting also in Maps" in m.words
    # the text part: the post in full under MAPS, a line under TRAILS
    text_maps = text_section(m.text, "MAPS", "TRAILS")
    text_trails = text_section(m.text, "TRAILS", "ACROSS THE ORGANISATION")
    assert JOINT in text_maps and "https://paths.example.org/river" in text_maps
    assert f"* Also in Maps: {JOINT}" in text_trails
    assert "https://paths.example.org/river" not in text_trails
    assert "* Also in Maps: Meeting: October planning" in text_trails
    # at a glance: the shared notes' decision once, and their action once
    assert m.text.count(DECISION) == 2  # at a glance and in Maps' meeting
    assert f"Decided:\n  - Maps: {DECISION}." in m.text
    assert m.text.count("Circulate the glossary") == 2  # open actions and Maps' meeting
    assert m.html.count("Circulate the glossary") == 2


def test_a_reader_of_one_community_gets_the_shared_post_in_full_there(built):
    org, _ = built
    m = message(org, "wren@example.org")
    trails = section_of(m.html, "trails", "across")
    for title in (JOINT, FIELD):
        assert re.search(rf"<h3><a href=\"[^\"]+\">{re.escape(title)}</a></h3>", trails)
    assert "Meeting: October planning" in trails and "Also in" not in trails
    assert m.preheader.startswith("Trails: 1 decision, 3 posts, 1 meeting.")
    assert m.subject == f"Trails: {DECISION}. · 3 posts, 1 meeting"
    assert "In October 2026, Trails shared 3 posts and notes from 1 meeting." in m.words
    assert f"Decided:\n  - {DECISION}." in m.text
    # across the organisation, Maps' and Archive's copies say where the reader has them
    across = m.text[m.text.index("ACROSS THE ORGANISATION"):]
    assert f"- {JOINT} (also in Trails)" in across
    assert f"- {READING}" in across and f"{READING} (also in" not in across


def test_the_full_edition_and_the_web_archive_show_each_post_in_full_once(built):
    org, _ = built
    m = message(org, "ines@example.org")
    page = bare((org.root / "out" / "site" / "2026-10" / "index.html").read_text())
    for body in (m.html, page):
        archive = section_of(body, "archive", "quiet" if 'id="quiet"' in body else None)
        assert re.search(rf"Also in Maps: <a href=\"[^\"]+\">{re.escape(JOINT)}</a>", archive)
        assert re.search(rf"Also in Maps: <a href=\"[^\"]+\">{re.escape(FIELD)}</a>", archive)
        assert re.search(rf"<h3><a href=\"[^\"]+\">{re.escape(READING)}</a></h3>", archive)
        assert body.count(f">{JOINT}</a></h3>") == 1
        assert body.count("Circulate the glossary") == 2  # open actions, Maps' meeting
    assert "shared 5 posts and notes from 1 meeting" in m.words
    assert m.preheader.startswith("Maps, Trails and Archive: 1 decision, 5 posts, 1 meeting.")
    # a community's own page of the archive is that community in full
    trails_page = (org.root / "out" / "site" / "2026-10" / "community-trails.html").read_text()
    assert f">{JOINT}</a></h3>" in bare(trails_page) and "Also in" not in trails_page


def test_the_atom_feed_and_the_site_index_give_a_shared_post_once_naming_its_communities(
        built):
    """The feed's entry for the issue lists each post under the first community that lists
    it, as the full edition shows it, naming the others; its id is the issue's, as before."""
    org, _ = built
    site = org.root / "out" / "site"
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    (entry,) = feed.entries
    assert entry.id == "https://intranet.example.org/cop-digest/2026-10/"
    content = lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")
    lines = [" ".join(li.text_content().split()) for li in content.iter("li")]
    for title in (JOINT, FIELD):
        (line,) = [x for x in lines if title in x]
        assert line == f"{title} (also in Trails and Archive)"
        # the title links to the post, the communities are not part of the link
        assert [a.text for a in content.iter("a") if a.text and title in a.text] == [title]
    assert [x for x in lines if "October planning" in x] == [
        "Meeting: October planning (also in Trails)"]
    assert [x for x in lines if DECISION in x] == [f"{DECISION}."]  # decided once
    # unshared posts as before: once, under their own community, naming no other
    for title in ("Contour lines explained", "Waymarking the ridge", READING):
        assert [x for x in lines if title in x] == [title]
    headings = [" ".join(h.text_content().split()) for h in content.iter("h3")]
    assert headings == ["Maps: 3 posts, 1 meeting",
                        "Trails: 1 post, 2 posts also in Maps, 1 meeting also in Maps",
                        "Archive: 1 post, 2 posts also in Maps"]
    # the site index says what the issue holds counting each post once, as the email does
    index = lxml.html.document_fromstring((site / "index.html").read_bytes())
    assert "shared 5 posts and notes from 1 meeting" in index.text_content()
    # the archive's issue.json names the other communities with the headline
    manifest = json.loads((site / "2026-10" / "issue.json").read_text())
    maps = next(c for c in manifest["communities"] if c["id"] == "maps")
    joint = next(h for h in maps["headlines"] if h["title"] == JOINT)
    assert joint["also_in"] == ["Trails", "Archive"]


def test_a_reader_of_the_mirror_alone_gets_its_posts_in_full(built):
    org, _ = built
    m = message(org, "olu@example.org")
    archive = section_of(m.html, "archive", "across")
    for title in (JOINT, FIELD, READING):
        assert re.search(rf"<h3><a href=\"[^\"]+\">{re.escape(title)}</a></h3>", archive)
    assert "In October 2026, Archive shared 3 posts." in m.words


def test_the_summary_layout_counts_and_decides_once(built):
    org, _ = built
    config = org.config()
    with Store(config.state_path) as store:
        issue = compose(config, store, Period.parse("2026-10", "monthly")).issue
    summary = next(d for d in DETAIL_LEVELS if d.layout == "summary")
    view = build_view(config, issue, frozenset({"maps", "trails"}), summary)
    renderer = Renderer(config)
    text = renderer.text(view)
    html = bare(renderer.html(view))
    assert "MAPS\n  3 posts, 1 meeting" in text
    assert "TRAILS\n  1 post, 2 posts also in Maps, 1 meeting also in Maps" in text
    assert text.count(f"Decided: {DECISION}") == 1
    trails = section_of(html, "trails", "across")
    assert "2 posts also in Maps" in trails and DECISION not in trails


def item(key: str, community: str, link: str | None, identity: str, *,
         feed: str = "https://a.example.org/feed", kind: str = "post", excerpt: str = "") -> Item:
    at = datetime(2026, 10, 5, tzinfo=UTC)
    return Item(key=key, community=community, kind=kind, feed_url=feed,  # type: ignore[arg-type]
                title=key, link=link, author=None, published=at, updated=None, first_seen=at,
                excerpt=excerpt, identity=identity)


def test_what_is_not_the_same_post():
    items = [
        # a feed whose entries all link its home page: the link says nothing
        item("a1", "maps", "https://news.example.org/", "n-1", feed="https://news.example.org/f"),
        item("b1", "trails", "https://news.example.org", "n-2", feed="https://news2.example.org/f"),
        # one feed gives one page to two entries: that link tells nothing across feeds either
        item("a2", "maps", "https://blog.example.org/week", "w-1", feed="https://blog.example.org/f"),
        item("a3", "maps", "https://blog.example.org/week", "w-2", feed="https://blog.example.org/f"),
        item("b2", "trails", "https://blog.example.org/week/", "x-9", feed="https://other.example/f"),
        # feed-local ids and notes files of two feeds
        item("a4", "maps", None, "notes:minutes.md", feed="/notes/maps", kind="meeting"),
        item("b4", "trails", None, "notes:minutes.md", feed="/notes/trails", kind="meeting"),
        # RSS guids "42" that feedparser resolved against two feeds' common host
        item("a6", "maps", "https://blogs.example.org/maps/1", "https://blogs.example.org/42",
             feed="https://blogs.example.org/maps/feed"),
        item("b6", "trails", "https://blogs.example.org/trails/9", "https://blogs.example.org/42",
             feed="https://blogs.example.org/trails/feed"),
        # two bodiless entries with one title, no id and no link ("Weekly update")
        item("a7", "maps", None, "h:0f3e", feed="https://c.example.org/f"),
        item("b7", "trails", None, "h:0f3e", feed="https://d.example.org/f"),
        # a post and a meeting never merge, whatever they link
        item("a5", "maps", "https://wiki.example.org/p", "https://wiki.example.org/p"),
        item("b5", "trails", "https://wiki.example.org/p", "https://wiki.example.org/p",
             kind="meeting"),
    ]
    assert same_posts(items, ["maps", "trails"]) == {}


def test_what_is_the_same_post_and_which_item_names_it():
    items = [
        item("t1", "trails", "https://blog.example.org/p?id=4&utm_medium=x", "q-1",
             feed="https://q.example/f"),
        item("m1", "maps", "http://www.blog.example.org:80/p/?id=4", "z-2",
             feed="https://z.example/f"),
        item("m2", "maps", None, "notes:october.md", feed="/notes/shared", kind="meeting"),
        item("t2", "trails", None, "notes:october.md", feed="/notes/shared", kind="meeting"),
        # the same title and body, with no id or link, in two feeds
        item("t3", "trails", None, "h:9a1c", feed="https://c.example.org/f", excerpt="Tides."),
        item("m3", "maps", None, "h:9a1c", feed="https://d.example.org/f", excerpt="Tides."),
    ]
    # the first of the listed communities names the post
    assert same_posts(items, ["maps", "trails"]) == {"t1": "m1", "t2": "m2", "t3": "m3"}
    assert link_key("https://blog.example.org/changes#v2") != link_key(
        "https://blog.example.org/changes#v3")


def test_two_feeds_of_one_community_carrying_a_post_give_it_once(tmp_path):
    """A blog's feed and its category's feed under one community: one post, counted once."""
    org = write_org(tmp_path, {"maps": []})
    config = org.config()
    at = utc(2026, 10, 8, 9)
    entries = [Entry(identity=f"{feed}-7", community="maps", kind="post",
                     feed_url=f"https://blog.example.org/{feed}.xml", title="Tides and maps",
                     link="https://blog.example.org/tides", author=None, published=at,
                     updated=None, excerpt="About tides.")
               for feed in ("all", "category")]
    with Store(config.state_path) as store:
        store.upsert_entries(entries, seen_at=utc(2026, 10, 9))
        issue = compose(config, store, Period.parse("2026-10", "monthly")).issue
    (section,) = issue.sections
    assert [p.title for p in section.posts] == ["Tides and maps"]
    assert issue.post_count == 1
