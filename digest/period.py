"""Periods: the month or ISO week an issue covers.

A period is a calendar span in the organisation's timezone, so "October"
starts at local midnight on 1 October, not at UTC midnight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Cadence = Literal["monthly", "weekly"]
CADENCES: tuple[Cadence, ...] = ("monthly", "weekly")

_MONTHLY = re.compile(r"^(\d{4})-(\d{2})$")
_WEEKLY = re.compile(r"^(\d{4})-W(\d{2})$")
# Years a period may name: the arithmetic around a period (the next one, `quiet_after` periods
# back) must stay inside the years datetime can hold
MIN_YEAR, MAX_YEAR = 1970, 9998


@dataclass(frozen=True, order=True)
class Period:
    """A month (`2026-10`) or an ISO week (`2026-W43`)."""

    cadence: Cadence
    year: int
    index: int  # month 1-12, or ISO week 1-53

    @classmethod
    def parse(cls, text: str, cadence: Cadence) -> Period:
        """Read a period label; raises ValueError saying what the label should look like."""
        text = text.strip()
        if cadence == "monthly":
            m = _MONTHLY.match(text)
            if not m or not 1 <= int(m.group(2)) <= 12:
                raise ValueError(f"{text!r} is not a month: expected YYYY-MM, e.g. 2026-10")
            _check_year(text, int(m.group(1)))
            return cls("monthly", int(m.group(1)), int(m.group(2)))
        m = _WEEKLY.match(text)
        if not m:
            raise ValueError(f"{text!r} is not an ISO week: expected YYYY-Www, e.g. 2026-W43")
        year, week = int(m.group(1)), int(m.group(2))
        _check_year(text, year)
        if not 1 <= week <= _weeks_in(year):
            raise ValueError(f"{text!r}: {year} has {_weeks_in(year)} ISO weeks")
        return cls("weekly", year, week)

    @classmethod
    def containing(cls, day: date, cadence: Cadence) -> Period:
        if cadence == "monthly":
            return cls("monthly", day.year, day.month)
        iso = day.isocalendar()
        return cls("weekly", iso.year, iso.week)

    @classmethod
    def of(cls, moment: datetime, tz: ZoneInfo, cadence: Cadence) -> Period:
        """The period an aware datetime falls in, seen from the organisation's timezone."""
        return cls.containing(moment.astimezone(tz).date(), cadence)

    @classmethod
    def last_complete(cls, now: datetime, tz: ZoneInfo, cadence: Cadence) -> Period:
        """The most recent period that has ended by `now` in `tz`."""
        return cls.of(now, tz, cadence).shift(-1)

    @property
    def label(self) -> str:
        if self.cadence == "monthly":
            return f"{self.year:04d}-{self.index:02d}"
        return f"{self.year:04d}-W{self.index:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def first_day(self) -> date:
        if self.cadence == "monthly":
            return date(self.year, self.index, 1)
        return date.fromisocalendar(self.year, self.index, 1)

    def shift(self, n: int) -> Period:
        if self.cadence == "monthly":
            months = self.year * 12 + (self.index - 1) + n
            return Period("monthly", months // 12, months % 12 + 1)
        return Period.containing(self.first_day + timedelta(weeks=n), "weekly")

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def start(self, tz: ZoneInfo) -> datetime:
        """Local midnight at the start of the period (aware)."""
        return datetime.combine(self.first_day, datetime.min.time(), tzinfo=tz)

    def end(self, tz: ZoneInfo) -> datetime:
        """Local midnight at the start of the next period: the end is exclusive."""
        return self.next().start(tz)

    def contains(self, moment: datetime, tz: ZoneInfo) -> bool:
        return self.start(tz) <= moment.astimezone(tz) < self.end(tz)

    def title(self) -> str:
        """How people say it: 'October 2026' or 'Week 43, 2026'."""
        if self.cadence == "monthly":
            return self.first_day.strftime("%B %Y")
        return f"Week {self.index}, {self.year}"

    def short_title(self) -> str:
        """'October' or 'Week 43': for subjects, where the year is noise."""
        if self.cadence == "monthly":
            return self.first_day.strftime("%B")
        return f"Week {self.index}"


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"{text!r}: the year must be between {MIN_YEAR} and {MAX_YEAR}")


def _weeks_in(year: int) -> int:
    return date(year, 12, 28).isocalendar().week
