"""Gmail clips an HTML body at about 102 KB; every edition must stay under 90 KB."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from digest import pipeline, render
from digest.manifest import read_manifest
from digest.models import Action, Decision, Issue, Item, MeetingOutcomes, Section, Session
from digest.period import Period
from digest.render import SIZE_BUDGET_BYTES, Renderer
from digest.render.view import DETAIL_LEVELS, build_view
from digest.store import Store
from tests.support import Post, utc, write_org

OCT = Period.parse("2026-10", "monthly")
WORDS = ("tenant repairs portal discovery accessibility audit findings pattern library "
         "roadmap research interview synthesis data catalogue lineage incident review").split()


def sentence(seed: int, n: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n)).capitalize()


def stress_issue(config) -> Issue:
    """12 communities, each with 20 posts, 4 meetings and 4 sessions."""
    sections = []
    tz = config.timezone
    for c in config.communities:
        posts = [Item(key=f"{c.id}-p{i}", community=c.id, kind="post", feed_url="f",
                      title=sentence(i, 9), link=f"https://{c.id}.example.org/posts/{i}-"
                      + sentence(i, 4).lower().replace(" ", "-"),
                      author="Morgan Example-Longname", published=utc(2026, 10, 1 + i),
                      updated=None, first_seen=utc(2026, 10, 1 + i), excerpt=sentence(i, 60),
                      image=f"https://{c.id}.example.org/img/{i}.png" if i % 3 == 0 else None,
                      image_alt="A photo from the session")
                 for i in range(20)]
        meetings = [
            Item(key=f"{c.id}-m{i}", community=c.id, kind="meeting", feed_url="f",
                 title=f"{c.name} monthly meeting {i + 1}",
                 link=f"https://wiki.example.org/display/{c.id.upper()}/Meeting+{i}",
                 author=None, published=utc(2026, 10, 3 + i), updated=None,
                 first_seen=utc(2026, 10, 3 + i), excerpt=sentence(i, 40),
                 outcomes=MeetingOutcomes(
                     decisions=tuple(Decision(sentence(i + k, 16)) for k in range(3)),
                     actions=tuple(Action(sentence(i + k, 12), owner="Jordan Example",
                                           due=date(2026, 11, 14), due_text="14 Nov 2026")
                                    for k in range(3))))
            for i in range(4)]
        sessions = [Session(community=c.id, uid=f"{c.id}-s{i}", title=f"{c.name} session",
                            start=OCT.next().start(tz) + timedelta(days=3 + 7 * i, hours=10),
                            end=OCT.next().start(tz) + timedelta(days=3 + 7 * i, hours=11),
                            location="Room 4.12, Riverside House",
                            join_url="https://teams.example.org/l/meetup-join/abcdef1234567890",
                            facilitator="Riley Example")
                    for i in range(4)]
        sections.append(Section(community_id=c.id, name=c.name, description=c.description,
                                posts=posts[: config.max_items],
                                more_posts=len(posts) - config.max_items,
                                meetings=meetings, sessions=sessions))
    return Issue(period=OCT, title=config.title, organisation=config.organisation,
                 sections=sections, quiet=[], web_url=config.web_url, coming_period=OCT.next())


@pytest.fixture
def stress_config(tmp_path):
    ids = ["product", "design", "data", "engineering", "research", "content", "security",
           "architecture", "delivery", "analytics", "accessibility", "platform"]
    return write_org(tmp_path, {cid: [] for cid in ids}).config()


def test_every_edition_of_the_stress_organisation_fits_the_budget(stress_config):
    issue = stress_issue(stress_config)
    audiences = [None, frozenset({"data"}), frozenset({"design", "research", "content"}),
                 frozenset(c.id for c in stress_config.communities[:6])]
    editions = Renderer(stress_config).render_editions(issue, audiences)
    assert len(editions) == 4
    for edition in editions:
        size = len(edition.html.encode("utf-8"))
        assert size < SIZE_BUDGET_BYTES, f"edition {edition.key} is {size / 1024:.1f} KB"
    full = next(e for e in editions if e.key == "all")
    # every post title and meeting is still there: max_items caps the posts, and the full
    # edition fits only because excerpts and outcome lists are shortened (DETAIL_LEVELS)
    assert full.html.count("<h3") >= 12 * (5 + 4)
    assert "See 15 more posts from" in full.html
    excerpt = sentence(0, 60)[:100]  # the start of each community's first excerpt
    data = next(e for e in editions if e.key == "data")
    assert data.detail_level == 0 and excerpt in data.html
    assert excerpt in " ".join(data.text.split())  # the text part wraps it
    assert full.detail_level > 0 and excerpt not in full.html
    assert excerpt in " ".join(full.text.split())  # Gmail clips only the HTML


def test_the_least_detail_of_the_stress_issue_fits_the_budget(stress_config):
    """The last rung of the ladder must fit, or a busy month has nothing left to give up."""
    renderer = Renderer(stress_config)
    view = build_view(stress_config, stress_issue(stress_config), None, DETAIL_LEVELS[-1])
    assert len(renderer.html(view).encode("utf-8")) < SIZE_BUDGET_BYTES


def built(org, now):
    """Collect and build October for `org`; returns the build result and issue.json."""
    with Store(org.config().state_path) as store:
        pipeline.collect(org.config(), store, now=now)
        result = pipeline.build(org.config(), store, OCT, now=now)
    return result, read_manifest(result.folder)


@pytest.fixture
def small_org(tmp_path):
    return write_org(tmp_path, {"data": [Post(f"Data post {n}", utc(2026, 10, n + 1, 9),
                                              link=f"https://data.example.org/{n}", guid=f"d{n}")
                                         for n in range(3)]})


def test_an_edition_that_fits_records_full_detail_and_warns_of_nothing(small_org):
    result, manifest = built(small_org, utc(2026, 11, 2))
    assert [e.detail_level for e in manifest.editions] == [0]
    assert not [w for w in result.warnings if "Gmail" in w]


def test_an_edition_over_budget_even_at_the_least_detail_is_a_build_warning(small_org,
                                                                           monkeypatch):
    monkeypatch.setattr(render, "SIZE_BUDGET_BYTES", 2 * 1024)  # no edition fits in 2 KB
    result, manifest = built(small_org, utc(2026, 11, 2))
    (edition,) = manifest.editions
    assert edition.detail_level == len(DETAIL_LEVELS) - 1
    kb = round(edition.html_bytes / 1024)
    assert f"edition all is {kb} KB even at the least detail (budget 2 KB); Gmail may clip it" \
        in result.warnings
    assert list(manifest.warnings) == result.warnings
