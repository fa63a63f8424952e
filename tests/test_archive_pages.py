"""The web archive's pages and feed: each page has its own <title> and the feed link, each
community its own page, and an Atom entry says what the issue decided and planned, dated
`updated` only when that changes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import feedparser
import lxml.html
import pytest

from digest import archive, checks
from digest.models import Decision
from tests.email_sample import sample_editions, sample_issue, sample_org
from tests.support import utc


@pytest.fixture
def config(tmp_path):
    return sample_org(tmp_path)


def page(path):
    return lxml.html.document_fromstring(path.read_bytes())


def feed(config):
    parsed = feedparser.parse((archive.site_path(config) / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    return parsed


def test_the_issue_page_has_its_own_title_and_the_feed_link(config):
    folder = archive.write_site(config, sample_issue(config), now=utc(2026, 11, 2))
    root = page(folder / "index.html")
    assert root.find(".//title").text == "CoP Digest · October 2026 · Example Housing Trust"
    (link,) = root.findall(".//head/link")
    assert (link.get("rel"), link.get("type"), link.get("href")) == (
        "alternate", "application/atom+xml", "../feed.xml")
    # the email's title stays its subject, and it links to no feed
    email = sample_editions(config)["all"]
    assert lxml.html.document_fromstring(email.html.encode()).find(".//title").text \
        == email.subject


def test_each_community_has_a_page_with_everything_and_a_way_back(config):
    issue = sample_issue(config)
    folder = archive.write_site(config, issue, now=utc(2026, 11, 2))
    for section in issue.sections:
        path = folder / f"community-{section.community_id}.html"
        root = page(path)
        assert root.find(".//title").text == f"{section.name} · CoP Digest · October 2026"
        h2 = [h.text_content().strip() for h in root.iter("h2")]
        assert h2[0] == "At a glance"  # the community's own: its sessions, decisions, actions
        assert len(h2) > 1 and h2[1].startswith(section.name)
        others = {s.name for s in issue.sections} - {section.name}
        assert not [h for h in h2 if h in others]
        text = root.text_content()
        assert all(p.title in text for p in section.posts)
        links = {a.get("href") for a in root.iter("a")}
        assert f"index.html#{section.community_id}" in links and "../index.html" in links
        assert checks.lint(path.read_text(encoding="utf-8")) == []
    # a community without news at the next build loses its page
    archive.write_site(config, replace(issue, sections=issue.sections[:1]), now=utc(2026, 11, 3))
    assert sorted(p.name for p in folder.glob("community-*.html")) == ["community-data.html"]


def test_an_entry_carries_the_issue_s_decisions_and_sessions(config):
    archive.write_site(config, sample_issue(config), now=utc(2026, 11, 2))
    entry = feed(config).entries[0]
    content = lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")
    text = " ".join(content.text_content().split())
    assert "Adopt the shared glossary for all repairs reporting" in text
    assert "Retire the weekly spreadsheet export at the end of the year" in text
    assert "Data show and tell, Thu 5 Nov, 10:00–11:00, Room 4.12" in text
    assert "Journey mapping clinic, Thu 12 Nov, all day" in text
    links = {a.get("href") for a in content.iter("a")}
    assert {"https://wiki.example.org/data/october", "https://teams.example.org/l/data"} <= links


def test_an_entry_s_updated_changes_only_when_its_content_does(config):
    issue = sample_issue(config)
    archive.write_site(config, issue, now=utc(2026, 11, 2, 7))
    archive.write_site(config, issue, now=utc(2026, 11, 2, 9))  # rebuilt, nothing changed
    entry = feed(config).entries[0]
    assert entry.updated == "2026-11-02T07:00:00Z" == entry.published
    data = issue.sections[0]
    meeting = data.meetings[0]
    changed = replace(meeting, outcomes=replace(
        meeting.outcomes, decisions=meeting.outcomes.decisions + (Decision("Meet monthly"),)))
    issue.sections[0] = replace(data, meetings=[changed])
    archive.write_site(config, issue, now=utc(2026, 11, 3, 8))
    entry = feed(config).entries[0]
    assert entry.updated == "2026-11-03T08:00:00Z"
    assert entry.published == "2026-11-02T07:00:00Z"
    assert "Meet monthly" in entry.content[0].value
    assert feed(config).feed.updated == "2026-11-03T08:00:00Z"


def test_an_issue_without_shared_posts_keeps_its_updated_from_an_earlier_release(config):
    """Headlines name the other communities of a shared post (`also_in`) since this release.
    The site's issue.json of an earlier release had no such key (nor `built_for`), and its
    digest of the entry's content was taken without them: rebuilding an issue that shares
    no post must not date its entry anew, or every feed reader would show it as changed."""
    issue = sample_issue(config)
    folder = archive.write_site(config, issue, now=utc(2026, 11, 2, 7))
    path = folder / "issue.json"
    earlier = json.loads(path.read_text())
    assert earlier.pop("built_for") is None  # nor this key, which only the email build fills
    for community in earlier["communities"]:
        for line in community["headlines"]:
            assert line.pop("also_in") == []
    content = {k: v for k, v in earlier.items()
               if k not in ("built_at", "published", "updated", "content_digest")}
    earlier["content_digest"] = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    path.write_text(json.dumps(earlier))
    archive.write_site(config, issue, now=utc(2026, 11, 9, 8))
    assert feed(config).entries[0].updated == "2026-11-02T07:00:00Z"
