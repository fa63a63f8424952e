"""The sessions an issue calls coming when it is built on the first morning of the next
month, as cron's `digest run` does (07:30 on the 1st): what is over is left out, what
is under way or lasts all that day is not over."""

from __future__ import annotations

from digest.compose import compose
from digest.store import Store
from tests.support import utc, write_org
from tests.test_communities import ICS, MONTHS

FIRST_MORNING = (
    b"BEGIN:VEVENT\r\nUID:day@example.org\r\nDTSTAMP:20261001T000000Z\r\n"
    b"DTSTART;VALUE=DATE:20261101\r\nDTEND;VALUE=DATE:20261102\r\n"
    b"SUMMARY:Data away day\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:breakfast@example.org\r\nDTSTAMP:20261001T000000Z\r\n"
    b"DTSTART:20261101T070000Z\r\nDTEND:20261101T083000Z\r\n"
    b"SUMMARY:Breakfast round\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:early@example.org\r\nDTSTAMP:20261001T000000Z\r\n"
    b"DTSTART:20261101T060000Z\r\nDTEND:20261101T063000Z\r\n"
    b"SUMMARY:Early stand-up\r\nEND:VEVENT\r\n"
)


def test_the_cron_morning_build_keeps_the_day_s_sessions_that_are_not_over(tmp_path):
    org = write_org(tmp_path, {"data": []})  # Europe/London: GMT on 1 November
    url = "https://calendar.example.org/data.ics"
    communities = org.root / "feeds" / "communities.toml"
    communities.write_text(communities.read_text() + f'calendar = "{url}"\n')
    calendar = ICS.replace(b"END:VCALENDAR\r\n", FIRST_MORNING + b"END:VCALENDAR\r\n")
    config = org.config()
    with Store(tmp_path / "s.db") as store:
        store.save_calendar(url, "data", calendar, utc(2026, 10, 1))
        issue = compose(config, store, MONTHS[10], now=utc(2026, 11, 1, 7, 30)).issue
    titles = [x.title for s in issue.quiet + issue.sections for x in s.sessions]
    assert titles == ["Data away day", "Breakfast round", "Data show and tell"], titles
