"""`digest report` against what issue 9 closed: links in out/, calendars over a whole year.

The report came after the holes were closed: it wrote its page and its email's
frozen copy with plain writes (through a symlinked folder), and counts sessions
held by expanding every calendar over twelve months or more, where the caps made
for one month's issue cut a weekly series short. Real organisations on disk,
real collects from local calendar files, the real command.
"""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner
from support import Post, utc, write_org
from waiting import run_within

from digest.cli import cli


@pytest.fixture(autouse=True)
def built_the_morning_after_october(monkeypatch):
    """October's issue is built on 1 November, its sessions (November's) still to come,
    whatever today's date: a later build leaves sessions that are over out."""
    from datetime import UTC, datetime

    from digest import pipeline

    monkeypatch.setattr(pipeline, "utcnow", lambda: datetime(2026, 11, 1, 9, 0, tzinfo=UTC))


def digest(org, *args):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), *args])


def vcalendar(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + body + "END:VCALENDAR\r\n"


def org_with_calendar(tmp_path, ics: str, *, report_recipients: str | None = None):
    org = write_org(tmp_path, {"clinic": [Post("Clinic notes", utc(2026, 10, 6), guid="c1",
                                               link="https://clinic.example.org/1")]},
                    digest_extra="")
    (tmp_path / "feeds" / "clinic.ics").write_text(ics, encoding="utf-8")
    listing = tmp_path / "feeds" / "communities.toml"
    listing.write_text(listing.read_text() + 'calendar = "clinic.ics"\n')
    if report_recipients:
        (tmp_path / "organisers.csv").write_text(report_recipients, encoding="utf-8")
        config = tmp_path / "digest.toml"
        config.write_text(config.read_text() + '\n[report]\nrecipients = "organisers.csv"\n')
    collected = digest(org, "collect")
    assert collected.exit_code == 0, collected.output
    return org


WEEKLY = vcalendar("UID:clinic\r\nDTSTART:20250903T100000Z\r\nDTEND:20250903T110000Z\r\n"
                   "RRULE:FREQ=WEEKLY;BYDAY=WE\r\nSUMMARY:Wednesday clinic\r\n"
                   "DESCRIPTION:Facilitator: Ana Lima")


# --- links in out/ ----------------------------------------------------------------------------

def test_a_symlinked_organisers_folder_is_refused_and_its_target_untouched(tmp_path):
    org = org_with_calendar(tmp_path, WEEKLY)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    site = org.root / "out" / "site"
    site.mkdir(parents=True)
    (site / "organisers").symlink_to(elsewhere, target_is_directory=True)
    result = digest(org, "report", "--period", "2026-10")
    assert result.exit_code == 78, result.output
    assert "organisers is a symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []


def test_a_planted_temporary_name_is_not_written_through(tmp_path):
    org = org_with_calendar(tmp_path, WEEKLY)
    victim = tmp_path / "victim.txt"
    victim.write_text("not the digest's\n")
    folder = org.root / "out" / "site" / "organisers"
    folder.mkdir(parents=True)
    (folder / ".index.html.tmp").symlink_to(victim)  # the name the report used to write to
    result = digest(org, "report", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "not the digest's\n"
    assert "Wednesday clinic" not in victim.read_text()
    assert (folder / "index.html").is_file() and not (folder / "index.html").is_symlink()


def test_the_frozen_copy_of_the_report_email_is_not_written_through_a_link(tmp_path):
    org = org_with_calendar(tmp_path, WEEKLY,
                            report_recipients="email,name,communities\nlee@example.org,Lee,\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    period = org.root / "out" / "2026-10"
    period.mkdir(parents=True)
    (period / "report").symlink_to(elsewhere, target_is_directory=True)
    result = digest(org, "run", "--period", "2026-10")
    assert result.exit_code == 78, result.output
    assert list(elsewhere.iterdir()) == []


# --- sessions held over a year ----------------------------------------------------------------

def report_json(org, months: int = 12) -> dict:
    result = digest(org, "report", "--period", "2026-10", "--months", str(months),
                    "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_a_weekly_series_is_counted_in_every_month_of_the_year(tmp_path):
    org = org_with_calendar(tmp_path, WEEKLY)
    [clinic] = report_json(org)["communities"]
    # Wednesdays from November 2025 to October 2026
    assert [m["sessions"] for m in clinic["months"]] == [4, 5, 4, 4, 4, 5, 4, 4, 5, 4, 5, 4]
    assert clinic["days_since_activity"] <= 4  # the last Wednesday, 28 October
    assert clinic["status"] != "quiet"
    assert clinic["top_facilitator"] == "Ana Lima"


def test_a_daily_stand_up_is_counted_over_the_year_quickly(tmp_path):
    daily = vcalendar("UID:standup\r\nDTSTART:20200106T090000Z\r\nDTEND:20200106T091500Z\r\n"
                      "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR\r\nSUMMARY:Stand-up")
    org = org_with_calendar(tmp_path, daily)
    started = time.monotonic()
    [team] = report_json(org)["communities"]
    took = time.monotonic() - started
    # weekdays from 1 November 2025 to 31 October 2026
    assert clinic_total(team) == 260
    assert took < 8, f"the report took {took:.1f} s for one daily series"


def clinic_total(community: dict) -> int:
    return sum(m["sessions"] for m in community["months"])


@pytest.mark.parametrize("command", [("report", "--period", "2026-10"),
                                     ("build", "--period", "2026-10")])
def test_many_series_each_under_the_step_cap_are_still_bounded(tmp_path, command):
    """Two hundred hourly series since 2016: each just under the per-series estimate, together
    minutes of expansion before the first occurrence (a 19 KB calendar)."""
    bomb = [f"UID:tick-{n}\r\nDTSTART:20161001T000000Z\r\nRRULE:FREQ=HOURLY\r\nSUMMARY:Tick {n}"
            for n in range(200)]
    org = org_with_calendar(tmp_path, vcalendar(
        *bomb, "UID:clinic\r\nDTSTART:20251105T100000Z\r\nRRULE:FREQ=WEEKLY\r\n"
        "SUMMARY:Wednesday clinic"))
    result = run_within(60, lambda: digest(org, *command))
    assert result.exit_code == 0, result.output
    assert "clinic.ics" in result.output and "left out" in result.output


def test_a_series_listing_a_hundred_thousand_dates_is_left_out_and_named(tmp_path):
    from datetime import UTC, datetime, timedelta

    first = datetime(2026, 11, 2, tzinfo=UTC)
    dates = ",".join(f"{first + timedelta(seconds=20 * n):%Y%m%dT%H%M%SZ}"
                     for n in range(100_001))
    org = org_with_calendar(tmp_path, vcalendar(
        f"UID:listed\r\nDTSTART:20261102T000000Z\r\nRDATE:{dates}\r\nSUMMARY:Listed",
        "UID:clinic\r\nDTSTART:20251105T100000Z\r\nRRULE:FREQ=WEEKLY\r\n"
        "SUMMARY:Wednesday clinic"))
    result = run_within(60, lambda: digest(org, "build", "--period", "2026-10"))
    assert result.exit_code == 0, result.output
    assert "'listed' lists 100001 dates" in result.output
    html = (org.root / "out" / "2026-10" / "digest.html").read_text(encoding="utf-8")
    assert "Wednesday clinic" in html and "Listed" not in html


def test_a_facilitator_named_like_a_formula_is_text_in_the_csv(tmp_path):
    import csv
    import io

    org = org_with_calendar(tmp_path, vcalendar(
        "UID:clinic\r\nDTSTART:20250903T100000Z\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Clinic\r\n"
        # a description's "Facilitator:" line must name a person: the organizer's CN is
        # taken as it is written, so a formula can still arrive that way
        "ORGANIZER;CN=\"=HYPERLINK(A1&B1)\":mailto:host@example.org"))
    result = digest(org, "report", "--period", "2026-10", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all(r["top_facilitator"].startswith("'=HYPERLINK(") for r in rows), rows[0]
