"""The text part: one style throughout (every URL on a line of its own) and no line over 78
characters, but a URL that alone is longer (a broken URL does not open)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from digest.render import Renderer
from digest.render.view import DETAIL_LEVELS
from tests.email_sample import sample_editions, sample_org
from tests.large_org import large_config, large_issue

URLISH = re.compile(r"(?i)(https?://|mailto:)")


def problems(text: str) -> list[str]:
    """Lines that break the style: too long (and not a lone URL), or a URL sharing a line."""
    bad = []
    for line in text.splitlines():
        tokens = line.split()
        if URLISH.search(line) and len(tokens) != 1:
            bad.append(f"URL not on its own line: {line!r}")
        elif len(line) > 78 and not (len(tokens) == 1 and URLISH.match(line)):
            bad.append(f"{len(line)} characters: {line!r}")
    return bad


def test_every_line_of_the_sample_editions(tmp_path):
    config = sample_org(tmp_path, delivery_extra=(
        'preferences_url = "https://intranet.example.org/cop-digest/preferences"\n'
        'unsubscribe_url = "https://intranet.example.org/cop-digest/leave?u={email}"'))
    editions = sample_editions(config)
    assert len(editions) > 1
    for key, edition in editions.items():
        assert problems(edition.text) == [], key
        assert "View in your browser:\nhttps://intranet.example.org/cop-digest/2026-10/\n" \
            in edition.text


LONG_URL = ("https://wiki.example.org/display/COMMUNITIES/Meeting+notes+of+the+quarterly"
            "+planning+session+with+every+team+and+its+leads?pageId=1234567890")
LONG_WORD = "Supercalifragilistic" * 6  # no spaces, no URL: broken rather than overflowing


@pytest.fixture(scope="module")
def stress(tmp_path_factory):
    config = large_config(tmp_path_factory.mktemp("stress"), 12)
    config = replace(config, organisation="The Very Long Named Housing and Community Services "
                     "Trust of the Northern Riverside Boroughs")
    issue = large_issue(config)
    first = issue.sections[0]
    post = first.posts[0]
    first.posts[0] = replace(
        post, title="A title that goes on and on " * 6 + LONG_WORD, link=LONG_URL,
        author="Maximilian Alexander Featherstonehaugh-Cholmondeley of the Data Team",
        excerpt=f"See {LONG_URL} and https://short.example.org/x for the details; "
                + "words " * 40)
    meeting = first.meetings[0]
    first.meetings[0] = replace(meeting, title="Quarterly " * 12, link=LONG_URL)
    first.sessions[0] = replace(first.sessions[0], location="Room " * 30,
                                join_url=LONG_URL + "&join=1")
    issue.sections[1] = replace(issue.sections[1], name="Community of practice for " * 5)
    return config, issue


def test_every_line_of_a_stress_issue_in_each_layout(stress):
    config, issue = stress
    renderer = Renderer(config)
    ids = [c.id for c in config.communities]
    editions = renderer.render_editions(issue, [None, frozenset(ids[:1]), frozenset(ids[:2])])
    layouts = {DETAIL_LEVELS[e.detail_level].layout for e in editions}
    assert layouts == {"full", "summary"}  # both layouts' text is checked
    for edition in editions:
        assert problems(edition.text) == [], edition.key
    one = next(e for e in editions if e.key == ids[0])
    lines = one.text.splitlines()
    assert LONG_URL in lines  # alone, unbroken, at the start of its line
    assert "  https://short.example.org/x" in lines  # a URL from an excerpt, on its own line
    assert any(LONG_WORD[:40] in line for line in lines)  # a long word, broken


def test_the_style_check_catches_what_it_should():
    assert problems("See https://example.org/ for more") != []
    assert problems("x" * 79) != []
    assert problems("  " + LONG_URL) != []  # a long URL starts its line: no indent
    assert problems(LONG_URL) == []
    assert problems("https://example.org/a") == []
