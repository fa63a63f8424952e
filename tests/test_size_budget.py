"""Gmail clips an HTML body at about 102 KB; every edition must stay under 90 KB."""

from __future__ import annotations

from datetime import date, timedelta

import lxml.html
import pytest

from digest import pipeline, render
from digest.manifest import fill_slot, read_manifest
from digest.models import Action, Decision, Issue, Item, MeetingOutcomes, Section, Session
from digest.period import Period
from digest.render import SIZE_BUDGET_BYTES, Renderer
from digest.render.personal import PersonalBlocks
from digest.render.view import DETAIL_LEVELS, audience, build_view, edition_key
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
    # every community is still there, as a summary linking to its page of the web archive:
    # twelve communities of twenty posts are over the budget even as bare titles
    assert DETAIL_LEVELS[full.detail_level].layout == "summary"
    for c in stress_config.communities:
        assert f'href="{stress_config.web_url}2026-10/community-{c.id}.html"' in full.html
        assert f">{c.name}</h2>" in full.html
    excerpt = sentence(0, 60)[:100]  # the start of each community's first excerpt
    data = next(e for e in editions if e.key == "data")
    assert data.detail_level == 0 and excerpt in data.html
    assert excerpt in " ".join(data.text.split())  # the text part wraps it
    assert full.detail_level > 0
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


# A large organisation: 50 communities, each with 20 posts, 4 meetings of 5 decisions and
# 5 actions, and 4 sessions (tests/large_org.py; bench/size_bench.py prints the figures).

@pytest.fixture(scope="module")
def large(tmp_path_factory):
    from tests.large_org import large_config, large_issue

    config = large_config(tmp_path_factory.mktemp("large"), 50)
    return config, large_issue(config)


def test_fifty_busy_communities_stay_under_the_clip_in_every_edition(large):
    """Every reader's message, their own block at a glance put in, as the build does it."""
    from tests.large_org import large_readers

    config, issue = large
    ids = [c.id for c in config.communities]
    audiences = [None, frozenset(ids[:1]), frozenset(ids[:3]), frozenset(ids[:25]),
                 frozenset(ids[:49])]
    renderer = Renderer(config)
    personal = PersonalBlocks(renderer, issue, set(ids))
    readers = large_readers(audiences)
    personal.assign(readers)
    editions = {e.key: e for e in renderer.render_editions(issue, audiences,
                                                           extra_bytes=personal.largest)}
    assert len(editions) == 5
    largest = dict.fromkeys(editions, 0)
    for reader in readers:
        key = edition_key(audience(reader.communities, set(ids)))
        block = personal.blocks[personal.readers.get(reader.email, personal.default[key])]
        html = fill_slot(editions[key].html, block.html)[0]
        largest[key] = max(largest[key], len(html.encode()))
    assert min(personal.largest.values()) > 2000  # busy people's blocks, not empty ones
    for key, size in largest.items():
        assert size < SIZE_BUDGET_BYTES, (key, size)
    full = editions["all"]
    assert DETAIL_LEVELS[full.detail_level].layout == "summary"
    root = lxml.html.document_fromstring(full.html.encode())
    names = {h.text_content().strip() for h in root.iter("h2")}
    assert {c.name for c in config.communities} <= names
    links = {a.get("href") for a in root.iter("a")}
    for c in config.communities:
        assert f"{config.web_url}2026-10/community-{c.id}.html" in links
        # its first decision, linking to its meeting's notes, and its next session
        first = issue.sections[ids.index(c.id)].meetings[0]
        assert first.link in links
    text = " ".join(root.text_content().split())
    assert text.count("Next: ") == 50
    # a reader of one community still gets it in full
    one = editions[ids[0]]
    assert one.detail_level == 0 and DETAIL_LEVELS[0].layout == "full"


def test_the_layout_is_chosen_by_size_not_by_the_number_of_communities(tmp_path):
    """Forty communities with a post and a session each keep the full layout; twelve busy
    ones are summarised; six busy ones are shortened but not summarised."""
    from tests.large_org import large_config, large_issue

    def layout(n: int, **sizes: int) -> tuple[str, int]:
        config = large_config(tmp_path / f"{n}-{len(sizes)}", n)
        (edition,) = Renderer(config).render_editions(large_issue(config, **sizes), [None])
        assert edition.html_bytes < SIZE_BUDGET_BYTES
        return DETAIL_LEVELS[edition.detail_level].layout, edition.detail_level

    assert layout(40, posts=1, meetings=0, sessions=1)[0] == "full"
    assert layout(12)[0] == "summary"
    kind, level = layout(6)
    assert kind == "full" and level > 0


def test_without_a_web_archive_the_summary_links_each_community_s_latest_item(tmp_path):
    from tests.large_org import large_config, large_issue

    config = large_config(tmp_path, 50, web_url=False)
    issue = large_issue(config)
    (edition,) = Renderer(config).render_editions(issue, [None])
    assert edition.html_bytes < SIZE_BUDGET_BYTES
    assert "community-" not in edition.html
    for s in issue.sections:
        assert f'href="{s.posts[0].link}"' in edition.html
