from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from digest.period import Period

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")


def test_monthly_labels_round_trip():
    p = Period.parse("2026-10", "monthly")
    assert (p.year, p.index, p.label, str(p)) == (2026, 10, "2026-10", "2026-10")
    assert p.title() == "October 2026"


def test_weekly_labels_round_trip():
    p = Period.parse("2026-W43", "weekly")
    assert p.label == "2026-W43"
    assert p.first_day == date(2026, 10, 19)


@pytest.mark.parametrize("text,cadence", [
    ("2026-13", "monthly"), ("2026-00", "monthly"), ("26-10", "monthly"), ("2026-W43", "monthly"),
    ("2026-10", "weekly"), ("2025-W53", "weekly"), ("2026-W00", "weekly"),
])
def test_bad_labels_say_what_is_expected(text, cadence):
    with pytest.raises(ValueError, match="expected|ISO weeks"):
        Period.parse(text, cadence)


def test_month_arithmetic_crosses_years():
    p = Period.parse("2026-12", "monthly")
    assert p.next().label == "2027-01"
    assert Period.parse("2027-01", "monthly").previous().label == "2026-12"
    assert p.shift(-12).label == "2025-12"
    assert p.shift(25).label == "2029-01"


def test_week_arithmetic_knows_53_week_years():
    last = Period.parse("2026-W53", "weekly")  # 2026 has 53 ISO weeks
    assert last.next().label == "2027-W01"
    assert Period.parse("2027-W01", "weekly").previous().label == "2026-W53"
    assert Period.parse("2025-W52", "weekly").next().label == "2026-W01"


def test_iso_week_of_new_year_days_belongs_to_the_iso_year():
    # 1 Jan 2027 is a Friday: ISO week 53 of 2026
    assert Period.containing(date(2027, 1, 1), "weekly").label == "2026-W53"
    # 29 Dec 2025 is a Monday: ISO week 1 of 2026
    assert Period.containing(date(2025, 12, 29), "weekly").label == "2026-W01"


def test_period_bounds_are_local_midnights_across_dst():
    october = Period.parse("2026-10", "monthly")
    assert october.start(LONDON) == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)  # BST
    assert october.end(LONDON) == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)  # GMT
    assert october.contains(datetime(2026, 9, 30, 23, 30, tzinfo=UTC), LONDON)
    assert not october.contains(datetime(2026, 9, 30, 22, 59, tzinfo=UTC), LONDON)


def test_last_complete_period_is_read_in_the_configured_timezone():
    moment = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)  # already 1 Nov 01:00 in Auckland
    assert Period.last_complete(moment, AUCKLAND, "monthly").label == "2026-10"
    assert Period.last_complete(moment, LONDON, "monthly").label == "2026-09"


def test_last_complete_week():
    sunday_night = datetime(2026, 10, 25, 22, 0, tzinfo=UTC)  # still W43 in London
    assert Period.last_complete(sunday_night, LONDON, "weekly").label == "2026-W42"
    monday = datetime(2026, 10, 26, 0, 30, tzinfo=UTC)
    assert Period.last_complete(monday, LONDON, "weekly").label == "2026-W43"


def test_january_last_complete_month_is_previous_december():
    assert Period.last_complete(datetime(2027, 1, 3, tzinfo=UTC), LONDON,
                                "monthly").label == "2026-12"
