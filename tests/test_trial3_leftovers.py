"""What the bilingual organisation's trial (TRIAL3.md) recorded and left: a feed date
written without a zone, a subject cutting a community's name at a slash, French dues
written "d'ici ..."."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from collect_helpers import community, make_config
from feedserver import rss

from digest.collect import collect
from digest.collect.parse import trusted_date
from digest.period import Period
from digest.store import Store

ZURICH = ZoneInfo("Europe/Zurich")
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def _feedparser_reading(text: str):
    from feedparser.datetimes import _parse_date
    return _parse_date(text)


@pytest.mark.parametrize("text,expected", [
    # no zone written: the organisation's wall clock (23:30 in Zurich is 22:30 UTC in winter)
    ("2026-11-30T23:30:00", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("2026-11-30 23:30", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("2026-11-30", datetime(2026, 11, 29, 23, 0, tzinfo=UTC)),  # midnight in Zurich
    ("Mon, 30 Nov 2026 23:30", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("30 Nov 2026 23:30:00", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("Mo, 30 Nov 2026 23:30", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("lun., 30 nov. 2026 23:30", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("mer, 25.11.2026 - 14:30", datetime(2026, 11, 25, 13, 30, tzinfo=UTC)),
    ("Mon, 13 Jul 2026 23:30", datetime(2026, 7, 13, 21, 30, tzinfo=UTC)),  # summer: CEST
    # a zone written is kept, whatever the organisation's
    ("2026-11-30T23:30:00Z", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("2026-11-30T23:30:00+00:00", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("2026-11-30T23:30:00-05:00", datetime(2026, 12, 1, 4, 30, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 23:30:00 GMT", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 23:30:00 +0000", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 23:30:00 -0000", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 18:30:00 EST", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 23:30:00 +0100 (CET)", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("30.11.2026 23:30 +0000", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
])
def test_a_feed_date_without_a_zone_is_the_organisations_wall_clock(text, expected):
    assert trusted_date(text, _feedparser_reading(text), NOW, timezone=ZURICH) == expected


def test_without_a_timezone_given_a_zoneless_date_is_still_utc():
    text = "Mon, 30 Nov 2026 23:30"
    assert trusted_date(text, None, NOW) == datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def test_a_post_from_the_last_hour_of_november_goes_in_novembers_issue(tmp_path):
    """Read as UTC, 23:30 on 30 November was 00:30 on 1 December in Zurich: December's."""
    feed = tmp_path / "posts.xml"
    feed.write_bytes(rss("Quartier", [
        {"title": "Adventsmarkt", "guid": "q1", "link": "https://quartier.example.ch/1",
         "pubDate": "Mon, 30 Nov 2026 23:30"},
        {"title": "Rückblick", "guid": "q2", "link": "https://quartier.example.ch/2",
         "pubDate": "2026-11-30T23:45:00"}]))
    config = dataclasses.replace(make_config(tmp_path, [community("quartier", [str(feed)])]),
                                 timezone=ZURICH)
    store = Store(tmp_path / "digest.db")
    collect(config, store, now=NOW)
    items = store.items("kind = 'post'")
    assert len(items) == 2
    november = Period.containing(datetime(2026, 11, 1).date(), "monthly")
    for item in items:
        assert item.published is not None
        assert november.contains(item.published, ZURICH), (item.title, item.published)
