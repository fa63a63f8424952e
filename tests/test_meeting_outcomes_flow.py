"""Meeting outcomes as production reads them: through the feed parser and the store."""

from __future__ import annotations

from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

import pytest

from digest.collect.parse import parse_feed
from digest.outcomes import extract_outcomes
from digest.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "meeting_notes"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def atom(html: str, *, updated: str = "2026-10-20T10:00:00Z") -> bytes:
    return ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Notes</title>'
            '<entry><id>urn:notes:1</id><title>October meeting</title>'
            '<link rel="alternate" href="https://wiki.example.org/notes/1"/>'
            f'<updated>{updated}</updated><content type="html">{escape(html)}</content>'
            "</entry></feed>").encode()


def parsed_outcomes(html: str):
    [entry] = parse_feed(atom(html), {"content-type": "application/atom+xml"},
                         url="https://wiki.example.org/feed", community="data",
                         kind="meeting", now=NOW).entries
    return entry.outcomes


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.html")))
def test_the_parser_hands_the_extractor_what_the_notes_say(fixture):
    html = (FIXTURES / fixture).read_text(encoding="utf-8")
    # the entry's title and date (2026-10-20) are what relative dues are read against
    assert parsed_outcomes(html) == extract_outcomes(html, title="October meeting",
                                                     meeting_date=date(2026, 10, 20))


def test_an_undecided_confluence_decision_is_not_reported_as_decided():
    html = ('<ul class="decision-list"><li data-decision-id="1" data-decision-state="DECIDED">'
            "Record the talks</li><li data-decision-id=\"2\" data-decision-state=\"UNDECIDED\">"
            "Whether to move the meeting</li></ul>")
    assert [o.text for o in parsed_outcomes(html).decisions] == ["Record the talks"]


def test_notes_written_up_after_the_meeting_update_the_stored_item(tmp_path):
    before = "<h2>Agenda</h2><p>Roadmap review</p>"
    after = before + "<h2>Actions</h2><ul><li>Ana to ship the survey by Friday</li></ul>"
    with Store(tmp_path / "s.db") as store:
        for html, expected in ((before, (1, 0)), (after, (0, 1)), (after, (0, 0))):
            [entry] = parse_feed(atom(html), {}, url="https://wiki.example.org/feed",
                                 community="data", kind="meeting", now=NOW).entries
            result = store.upsert_entries([entry], seen_at=NOW)
            assert (result.new, result.updated) == expected
        [item] = store.items()
    assert [o.text for o in item.outcomes.actions] == ["Ship the survey"]
    assert item.outcomes.actions[0].owner == "Ana"
