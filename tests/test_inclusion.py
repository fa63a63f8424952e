"""Which items go in which issue, over several consecutive periods."""

from __future__ import annotations

import pytest

from digest.compose import compose
from digest.period import Period
from digest.store import Store
from tests.support import entry, utc, write_org

SEP, OCT, NOV, DEC = (Period.parse(p, "monthly") for p in ("2026-09", "2026-10", "2026-11",
                                                             "2026-12"))


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {"data": [], "design": []}).config()


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "state.db") as s:
        yield s


def titles(config, store, period, now):
    issue = compose(config, store, period, now=now).issue
    return sorted(i.title for i in issue.items())


def test_an_issue_holds_the_items_dated_in_its_period(org, store):
    store.upsert_entries([entry("data", "sep-post", utc(2026, 9, 10)),
                          entry("data", "oct-post", utc(2026, 10, 5)),
                          entry("design", "oct-design", utc(2026, 10, 30, 23, 30))],
                         seen_at=utc(2026, 11, 1))
    # 23:30 UTC on 30 Oct is still October in London; 31 Oct 23:30 UTC would be too
    assert titles(org, store, OCT, utc(2026, 11, 1)) == ["oct-design", "oct-post"]


def test_nothing_dated_before_the_first_issue_is_ever_included(org, store):
    store.upsert_entries([entry("data", "back-catalogue", utc(2026, 9, 28))],
                         seen_at=utc(2026, 10, 2))
    store.upsert_entries([entry("data", "oct-post", utc(2026, 10, 5))], seen_at=utc(2026, 10, 5))
    assert titles(org, store, OCT, utc(2026, 11, 1)) == ["oct-post"]
    assert titles(org, store, NOV, utc(2026, 12, 1)) == []  # still not, a month later


def test_a_post_that_turns_up_late_goes_in_the_next_issue(org, store):
    store.upsert_entries([entry("data", "sep-post", utc(2026, 9, 10))], seen_at=utc(2026, 9, 10))
    assert titles(org, store, SEP, utc(2026, 10, 1)) == ["sep-post"]
    store.mark_sent("2026-09", utc(2026, 10, 1))
    # published 29 Sep, but the feed only showed it on 3 Oct, after September went out
    store.upsert_entries([entry("data", "late-sep", utc(2026, 9, 29))], seen_at=utc(2026, 10, 3))
    store.upsert_entries([entry("data", "oct-post", utc(2026, 10, 5))], seen_at=utc(2026, 10, 5))
    assert titles(org, store, OCT, utc(2026, 11, 1)) == ["late-sep", "oct-post"]


def test_late_items_older_than_the_late_window_are_left_out(org, store):
    store.upsert_entries([entry("data", "sep-post", utc(2026, 9, 10))], seen_at=utc(2026, 9, 10))
    compose(org, store, SEP, now=utc(2026, 10, 1))
    store.upsert_entries([entry("data", "sep-late", utc(2026, 9, 20)),
                          entry("data", "nov-post", utc(2026, 11, 3))], seen_at=utc(2026, 11, 3))
    # November's window (late_window = 1) reaches back to October, not September
    assert titles(org, store, NOV, utc(2026, 12, 1)) == ["nov-post"]


def test_a_skipped_period_is_covered_by_the_next_issue(org, store):
    store.upsert_entries([entry("data", "sep-post", utc(2026, 9, 10))], seen_at=utc(2026, 9, 10))
    compose(org, store, SEP, now=utc(2026, 10, 1))
    store.mark_sent("2026-09", utc(2026, 10, 1))
    store.upsert_entries([entry("data", "oct-post", utc(2026, 10, 12)),
                          entry("design", "nov-post", utc(2026, 11, 2))], seen_at=utc(2026, 11, 2))
    # October was never built: November picks up its items
    assert titles(org, store, NOV, utc(2026, 12, 1)) == ["nov-post", "oct-post"]


def test_a_wider_late_window_reaches_further_back(tmp_path):
    config = write_org(tmp_path, {"data": []}, digest_extra="late_window = 2").config()
    with Store(tmp_path / "s.db") as store:
        store.upsert_entries([entry("data", "aug-post", utc(2026, 8, 10))],
                             seen_at=utc(2026, 8, 10))
        compose(config, store, Period.parse("2026-08", "monthly"), now=utc(2026, 9, 1))
        store.upsert_entries([entry("data", "sep-post", utc(2026, 9, 10)),
                              entry("data", "nov-post", utc(2026, 11, 2))],
                             seen_at=utc(2026, 11, 2))
        assert titles(config, store, NOV, utc(2026, 12, 1)) == ["nov-post", "sep-post"]


def test_a_new_feeds_back_catalogue_does_not_flood_the_digest(org, store):
    store.upsert_entries([entry("data", "oct-post", utc(2026, 10, 5))], seen_at=utc(2026, 10, 5))
    compose(org, store, OCT, now=utc(2026, 11, 1))
    store.mark_sent("2026-10", utc(2026, 11, 1))
    back_catalogue = [entry("design", f"old-{m}", utc(2025, m, 1)) for m in range(1, 13)]
    store.upsert_entries([*back_catalogue, entry("design", "nov-design", utc(2026, 11, 20))],
                         seen_at=utc(2026, 11, 21))
    assert titles(org, store, NOV, utc(2026, 12, 1)) == ["nov-design"]


def test_a_future_date_counts_as_first_seen(org, store):
    # a scheduled post or a wrong clock: published "2027-03-01", first seen in October
    store.upsert_entries([entry("data", "from-the-future", utc(2027, 3, 1))],
                         seen_at=utc(2026, 10, 20))
    assert titles(org, store, OCT, utc(2026, 11, 1)) == ["from-the-future"]
    assert titles(org, store, Period.parse("2027-03", "monthly"), utc(2027, 4, 1)) == []


def test_updated_date_is_used_when_there_is_no_published_date(org, store):
    store.upsert_entries([entry("data", "only-updated", None, updated=utc(2026, 10, 9))],
                         seen_at=utc(2026, 11, 15))
    assert titles(org, store, OCT, utc(2026, 11, 16)) == ["only-updated"]


def test_first_seen_is_used_when_an_entry_has_no_date(org, store):
    store.upsert_entries([entry("data", "undated", None)], seen_at=utc(2026, 10, 14))
    assert titles(org, store, OCT, utc(2026, 11, 1)) == ["undated"]


def test_no_item_is_ever_in_two_issues(org, store):
    store.upsert_entries([entry("data", "sep-late", utc(2026, 9, 29))], seen_at=utc(2026, 10, 2))
    store.upsert_entries([entry("data", "oct-1", utc(2026, 10, 1, 12))], seen_at=utc(2026, 10, 2))
    compose(org, store, SEP, now=utc(2026, 10, 1))  # first issue: September
    oct_titles = titles(org, store, OCT, utc(2026, 11, 1))
    sep_titles = sorted(i.title for i in store.items("issue = ?", ("2026-09",)))
    assert sep_titles == ["sep-late"]
    assert oct_titles == ["oct-1"]
    # building October again changes nothing and steals nothing from September
    assert titles(org, store, OCT, utc(2026, 11, 2)) == ["oct-1"]
    assert sorted(i.title for i in store.items("issue = ?", ("2026-09",))) == ["sep-late"]


def test_an_unsent_issue_is_recomposed_with_new_items(org, store):
    store.upsert_entries([entry("data", "oct-1", utc(2026, 10, 1, 12))], seen_at=utc(2026, 10, 2))
    assert titles(org, store, OCT, utc(2026, 11, 1)) == ["oct-1"]
    store.upsert_entries([entry("data", "oct-2", utc(2026, 10, 30))], seen_at=utc(2026, 11, 1, 6))
    assert titles(org, store, OCT, utc(2026, 11, 1, 7)) == ["oct-1", "oct-2"]


def test_a_sent_issue_is_frozen(org, store):
    store.upsert_entries([entry("data", "oct-1", utc(2026, 10, 1, 12))], seen_at=utc(2026, 10, 2))
    compose(org, store, OCT, now=utc(2026, 11, 1))
    store.mark_sent("2026-10", utc(2026, 11, 1))
    store.upsert_entries([entry("data", "oct-late", utc(2026, 10, 30))], seen_at=utc(2026, 11, 2))
    again = compose(org, store, OCT, now=utc(2026, 11, 3))
    assert again.frozen
    assert [i.title for i in again.issue.items()] == ["oct-1"]
    # the late October post goes out with November instead
    assert titles(org, store, NOV, utc(2026, 12, 1)) == ["oct-late"]


def test_an_edited_post_updates_its_item_but_stays_in_its_issue(org, store):
    store.upsert_entries([entry("data", "p1", utc(2026, 10, 3), title="Draft title")],
                         seen_at=utc(2026, 10, 3))
    compose(org, store, OCT, now=utc(2026, 11, 1))
    store.mark_sent("2026-10", utc(2026, 11, 1))
    result = store.upsert_entries([entry("data", "p1", utc(2026, 10, 3), title="Final title")],
                                  seen_at=utc(2026, 11, 5))
    assert (result.new, result.updated) == (0, 1)
    [item] = store.items()
    assert item.title == "Final title"
    assert item.first_seen == utc(2026, 10, 3)
    assert item.issue == "2026-10"
    assert titles(org, store, NOV, utc(2026, 12, 1)) == []


def test_weekly_issues_follow_the_same_rules(tmp_path):
    config = write_org(tmp_path, {"data": []}, digest_extra='cadence = "weekly"').config()
    w43, w44 = Period.parse("2026-W43", "weekly"), Period.parse("2026-W44", "weekly")
    with Store(tmp_path / "s.db") as store:
        store.upsert_entries([entry("data", "mon", utc(2026, 10, 19, 9)),
                              entry("data", "sun-night", utc(2026, 10, 25, 23, 30))],
                             seen_at=utc(2026, 10, 26, 1))
        # London is back on GMT by then: 23:30 UTC on Sunday 25 Oct is still Sunday
        assert titles(config, store, w43, utc(2026, 10, 26, 2)) == ["mon", "sun-night"]
        assert titles(config, store, w44, utc(2026, 11, 2)) == []
