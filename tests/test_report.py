"""`digest report` on a generated organisation whose history is known (tests/report_org.py):
exact counts through `digest report --format json`, the CSV, the page, the organisers' email
and its sending through the ledger."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import json
import re
import sqlite3
import urllib.request
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from digest import checks
from digest.cli import cli
from digest.config import load_config
from digest.period import Period
from digest.preview import Preview
from digest.render import SIZE_BUDGET_BYTES
from digest.report import build_report, email_edition
from digest.report.formats import CSV_HEADER
from digest.report.render import PALETTE, STATUS_LOOK
from digest.store import Store
from tests.report_org import organisation

MONTHS = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
          "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
FIELDS = ["posts", "meetings", "sessions", "authors", "facilitators", "decisions",
          "actions_opened", "actions_done", "actions_overdue"]


def run(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> Path:
    return organisation(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def data(org) -> dict:
    code, out, _ = run(org, "report", "--period", "2026-10", "--format", "json")
    assert code == 0
    return json.loads(out)


def column(community: dict, name: str) -> list[int]:
    return [m[name] for m in community["months"]]


def test_the_json_has_exactly_the_shape_the_issue_gives(data):
    assert list(data) == ["period", "months", "communities"]
    assert data["period"] == "2026-10" and data["months"] == MONTHS
    for c in data["communities"]:
        assert list(c) == ["id", "name", "status", "days_since_activity", "top_facilitator",
                           "top_facilitator_share", "rota_flag", "months"]
        assert [m["month"] for m in c["months"]] == MONTHS
        assert all(list(m) == ["month", *FIELDS] for m in c["months"])
    assert [c["id"] for c in data["communities"]] == ["steady", "rota", "slipping", "quiet",
                                                       "back", "fresh"]


def test_statuses_days_and_facilitation_follow_the_known_history(data):
    summary = {c["id"]: (c["status"], c["days_since_activity"], c["top_facilitator"],
                         c["top_facilitator_share"], c["rota_flag"]) for c in data["communities"]}
    assert summary == {
        # last post 20 Oct 10:00 UTC; the report counts to 1 Nov 00:00 London (GMT)
        "steady": ("active", 11, "Ada Lane", round(3 / 11, 4), False),
        # Priya Shah led 7 of the 8 sessions held (February's was cancelled)
        "rota": ("active", 21, "Priya Shah", 0.875, True),
        "slipping": ("slipping", 21, None, None, False),
        "quiet": ("quiet", 138, None, None, False),
        "back": ("back", 26, None, None, False),
        "fresh": ("quiet", None, None, None, False),
    }


def test_monthly_counts_are_exact(data):
    c = {x["id"]: x for x in data["communities"]}
    steady = c["steady"]
    assert column(steady, "posts") == [2] * 12
    assert column(steady, "meetings") == [1] * 12
    assert column(steady, "sessions") == [1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]  # March cancelled
    assert column(steady, "facilitators") == [1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]
    assert column(steady, "authors") == [2] * 12  # "ADA LANE " is Ada Lane
    assert column(steady, "decisions") == [2] * 12
    assert column(steady, "actions_opened") == [3] * 12
    assert column(steady, "actions_done") == [2] * 11 + [1]
    assert column(steady, "actions_overdue") == [0] * 11 + [1]  # due 22 Oct, not done

    rota = c["rota"]
    assert column(rota, "posts") == [1] * 12
    assert column(rota, "sessions") == [0, 0, 0, 0] + [1] * 8  # Feb cancelled, Nov not yet held
    assert column(rota, "facilitators") == [0, 0, 0, 0] + [1] * 8
    assert column(rota, "meetings") == [0] * 12

    assert column(c["slipping"], "posts") == [4] * 9 + [1, 1, 1]
    assert column(c["quiet"], "posts") == [1] * 8 + [0] * 4
    assert column(c["back"], "posts") == [1] * 7 + [0] * 4 + [1]
    assert column(c["back"], "authors") == [1] * 7 + [0] * 4 + [1]
    for name in FIELDS:
        assert column(c["fresh"], name) == [0] * 12


def test_csv_has_a_row_per_community_and_month_with_the_same_figures(org, data):
    code, out, _ = run(org, "report", "--period", "2026-10", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 1 + 6 * 12
    by_key = {(r[0], r[7]): dict(zip(CSV_HEADER, r, strict=True)) for r in rows[1:]}
    for c in data["communities"]:
        for m in c["months"]:
            row = by_key[(c["id"], m["month"])]
            assert [int(row[f]) for f in FIELDS] == [m[f] for f in FIELDS]
            assert row["status"] == c["status"]
            assert row["rota_flag"] == ("true" if c["rota_flag"] else "false")


def test_a_short_window_still_judges_slipping_on_six_months(org):
    code, out, _ = run(org, "report", "--period", "2026-10", "--months", "3", "--format", "json")
    assert code == 0
    short = json.loads(out)
    assert short["months"] == MONTHS[-3:]
    slipping = next(c for c in short["communities"] if c["id"] == "slipping")
    assert slipping["status"] == "slipping" and column(slipping, "posts") == [1, 1, 1]


@pytest.mark.parametrize("args", [("--period", "October"), ("--months", "0"),
                                  ("--format", "pdf"), ("--period", "2026-W43")])
def test_bad_options_are_usage_errors(org, args):
    code, _, err = run(org, "report", *args)
    assert code == 64, err


def test_the_most_at_risk_come_first_with_their_reasons_in_words(org):
    config = load_config(org)
    with Store(config.state_path) as store:
        report = build_report(config, store, Period.parse("2026-10", "monthly"))
    risky = [(c.id, c.reasons) for c in report.at_risk()]
    assert risky == [
        ("quiet", ["quiet: no post or meeting notes since June",
                   "1 of 1 feeds failing; last success 2 July 2026"]),
        ("fresh", ["quiet: no post or meeting notes on record"]),
        # equal weight and days since activity: by name
        ("rota", ["one person led 7 of 8 sessions"]),
        ("slipping", ["activity fell from 12 to 3 over the last three months"]),
        ("steady", ["1 action overdue"]),
    ]
    counts = {s: [c.id for c in cs] for s, cs in report.by_status().items()}
    assert counts == {"active": ["steady", "rota"], "back": ["back"], "slipping": ["slipping"],
                      "quiet": ["quiet", "fresh"]}


def test_the_page_is_written_and_says_it_all(org):
    code, out, _ = run(org, "report", "--period", "2026-10")
    assert code == 0
    page = org.parent / "out" / "site" / "organisers" / "index.html"
    assert str(page) in out
    html = page.read_text(encoding="utf-8")
    assert "one person led 7 of 8 sessions" in html
    assert "Priya Shah, 7 of 8 sessions (88%)" in html
    assert "1 of 1 feeds failing" in html
    assert "<svg" not in html and "<script" not in html
    root = lxml.html.document_fromstring(html)
    assert len(root.findall(".//h1")) == 1
    # a numbers table per community, with a row per month
    tables = root.xpath("//table[contains(@class, 'numbers')]")
    assert len(tables) == 1 + 6
    assert all(len(t.xpath(".//tbody/tr")) == 12 for t in tables)


def test_the_colours_keep_4_5_to_1_and_status_is_never_colour_alone():
    bg = checks.parse_colour(PALETTE["background"])
    panel = checks.parse_colour(PALETTE["panel"])
    for name in ("text", "muted", "bar", "baseline", "link"):
        fg = checks.parse_colour(PALETTE[name])
        assert checks.contrast_ratio(fg, bg) >= 4.5, name
        assert checks.contrast_ratio(fg, panel) >= 4.5, name
    for status, (symbol, text, back) in STATUS_LOOK.items():
        assert symbol.strip(), status
        for ground in (back, PALETTE["background"]):
            assert checks.contrast_ratio(checks.parse_colour(text),
                                         checks.parse_colour(ground)) >= 4.5, status


def big_organisation(root: Path, n: int = 50) -> Path:
    extra = {f"community-{i:02d}": f"The Community of Practice number {i:02d} for long names"
             for i in range(n - 6)}
    return organisation(root, extra_communities=extra)


def without_style(html: str) -> str:
    return re.sub(r"<style\b.*?</style>", "", html, flags=re.S | re.I)


def test_the_email_at_50_communities_is_under_budget_accessible_and_readable_without_style(
        tmp_path):
    config = load_config(big_organisation(tmp_path))
    with Store(config.state_path) as store:
        report = build_report(config, store, Period.parse("2026-10", "monthly"))
    edition = email_edition(config, report)
    size = len(edition.html.encode("utf-8"))
    assert len(report.communities) == 50
    assert size < SIZE_BUDGET_BYTES, f"{size} bytes"
    assert "<svg" not in edition.html and "<script" not in edition.html
    assert checks.lint(edition.html) == []
    # with <style> gone (Gmail after a clip, some webmails) the bars and numbers still draw:
    # every bar is an inline bottom border and every number sits under it
    bare = lxml.html.document_fromstring(without_style(edition.html))
    by_name = {c.name: c for c in report.communities}
    rows = 0
    for th in bare.xpath("//tr/th[@scope='row']"):
        name = th.text.strip()
        if name not in by_name:
            continue
        numbers = [int(td.text_content()) for td in th.itersiblings("td")]
        assert numbers == [m.activity for m in by_name[name].months]
        bars = th.getparent().getprevious()
        heights = [int(re.search(r"border-bottom:(\d+)px", td.get("style")).group(1))
                   for td in bars.findall("td")[1:]]
        assert len(heights) == 12
        assert [h > 1 for h in heights] == [n > 0 for n in numbers]
        rows += 1
    assert rows == 50
    assert "Rota Circle" in edition.text and "one person led 7 of 8 sessions" in edition.text
    assert edition.subject.startswith("Communities in October 2026: 2 active")


def outbox(root: Path) -> dict[str, email.message.EmailMessage]:
    out = {}
    for path in sorted((root / "out" / "outbox" / "2026-10" / "report").glob("*.eml")):
        out[path.name] = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return out


def test_run_sends_the_report_to_the_organisers_once_and_resumes_what_is_owed(tmp_path):
    (tmp_path / "organisers.csv").write_text(
        "email,name,communities\nlead@example.org,Lee Lead,\nhelper@example.org,Hal Help,\n",
        encoding="utf-8")
    config_path = organisation(tmp_path, report_recipients="organisers.csv")
    code, out, err = run(config_path, "run", "--period", "2026-10")
    assert code == 0, out + err
    first = outbox(tmp_path)
    assert len(first) == 2
    ids = {m["Message-ID"] for m in first.values()}
    assert all(m["Subject"].strip().startswith("Communities in October 2026") for m in
               first.values())
    html = next(iter(first.values())).get_body(("html",)).get_content()
    assert "one person led 7 of 8 sessions" in html
    # the digest went to its own reader, in its own folder, with other Message-IDs
    digest = list((tmp_path / "out" / "outbox" / "2026-10").glob("*.eml"))
    assert len(digest) == 1
    assert email.message_from_bytes(digest[0].read_bytes())["Message-ID"] not in ids

    # a second run sends nothing again
    for path in (tmp_path / "out" / "outbox" / "2026-10" / "report").glob("*.eml"):
        path.unlink()
    code, out, _ = run(config_path, "run", "--period", "2026-10")
    assert code == 0 and "organisers' report was already sent" in out
    assert outbox(tmp_path) == {}

    # a crash left one organiser unsent: the next run sends them the frozen edition, same id,
    # even though the history changed since
    db = sqlite3.connect(tmp_path / "var" / "digest.db")
    db.execute("UPDATE send_ledger SET state = 'sending' WHERE period = '2026-10/report'"
               " AND email_key = 'helper@example.org'")
    db.commit()
    db.close()
    with Store(tmp_path / "var" / "digest.db") as store:
        store.db.execute("UPDATE items SET community = 'back' WHERE community = 'rota'")
    code, out, err = run(config_path, "run", "--period", "2026-10")
    assert code == 0, out + err
    again = outbox(tmp_path)
    assert len(again) == 1
    (name, message), = again.items()
    assert message["Message-ID"] == first[name]["Message-ID"]
    assert message.get_body(("html",)).get_content() == \
        first[name].get_body(("html",)).get_content()


@pytest.mark.parametrize("table, problem", [
    ('[report]\nrecipient = "x.csv"\n', "report.recipient: unknown key"),
    ("[report]\n", "report.recipients: missing"),
    ("[report]\nrecipients = 3\n", "report.recipients: expected a string"),
])
def test_the_report_table_is_as_strict_as_the_others(tmp_path, table, problem):
    config_path = organisation(tmp_path)
    config_path.write_text(config_path.read_text(encoding="utf-8") + table, encoding="utf-8")
    code, _, err = run(config_path, "report", "--period", "2026-10")
    assert code == 78 and problem in err, err


def test_preview_serves_the_report_at_organisers(org):
    run(org, "report", "--period", "2026-10")
    preview = Preview(org, "2026-10", port=0).start(build_first=False)
    try:
        with urllib.request.urlopen(f"{preview.url}organisers/", timeout=10) as response:
            body = response.read().decode("utf-8")
    finally:
        preview.stop()
    assert "Rota Circle" in body and "Every community at a glance" in body


def test_a_weekly_calendar_counts_every_session_held_over_the_year(tmp_path):
    """The digest shows at most 30 sessions a period; the report counts all of a year's."""
    from tests.report_org import calendar, event

    config_path = organisation(tmp_path)
    config = load_config(config_path)
    feeds = (tmp_path / "feeds").resolve()
    weekly = calendar([event("weekly@example.org", "20240101T120000Z", "Ada Lane",
                             rrule="FREQ=WEEKLY")])  # Mondays, from well before the window
    with Store(config.state_path) as store:
        store.save_calendar(str(feeds / "steady.ics"), "steady", weekly, datetime.now(UTC))
    code, out, err = run(config_path, "report", "--period", "2026-10", "--months", "24",
                         "--format", "json")
    assert code == 0, err
    steady = next(c for c in json.loads(out)["communities"] if c["id"] == "steady")
    mondays = [sum(1 for d in range(1, 32) if _is_monday(m, d)) for m in
               (x["month"] for x in steady["months"])]
    assert column(steady, "sessions") == mondays  # 104 in all, none left out
    assert sum(mondays) == 104
    assert steady["top_facilitator_share"] == 1.0 and steady["rota_flag"] is True


def _is_monday(month: str, day: int) -> bool:
    year, number = map(int, month.split("-"))
    try:
        return date(year, number, day).weekday() == 0
    except ValueError:
        return False


def test_actions_done_follow_the_later_meetings_that_report_them_done(tmp_path):
    """Done as the follow-up across issues decides it: ticked in the notes, or reported done
    in a later meeting of the same community (same text and owner); a tick in an earlier
    meeting does not close a task opened again afterwards."""
    from digest.models import Action, Entry, MeetingOutcomes

    def minutes(n: str, when: datetime, *actions: Action) -> Entry:
        return Entry(identity=f"fresh-{n}", community="fresh", kind="meeting",
                     feed_url="https://fresh.example.org/notes", title=f"Fresh {n}", link=None,
                     author="Gil Hart", published=when, updated=None, excerpt="Notes.",
                     outcomes=MeetingOutcomes(actions=actions))

    sign = Action("Sign the venue contract", "Gil Hart", date(2026, 9, 20))
    poster = Action("Print the poster", "Noor Vale", date(2026, 9, 25))
    chairs = Action("Stack the chairs", "Gil Hart", date(2026, 9, 28))
    config_path = organisation(tmp_path)
    config = load_config(config_path)
    with Store(config.state_path) as store:
        store.upsert_entries([
            minutes("aug", datetime(2026, 8, 14, 18, tzinfo=UTC), replace(chairs, done=True)),
            minutes("sep", datetime(2026, 9, 10, 18, tzinfo=UTC), sign, poster, chairs),
            # October's notes report the contract signed, in other case and spacing
            minutes("oct", datetime(2026, 10, 8, 18, tzinfo=UTC),
                    Action("sign the venue  contract", "GIL HART", done=True)),
        ], datetime(2026, 10, 9, tzinfo=UTC))
    code, out, err = run(config_path, "report", "--period", "2026-10", "--format", "json")
    assert code == 0, err
    fresh = next(c for c in json.loads(out)["communities"] if c["id"] == "fresh")
    september = next(m for m in fresh["months"] if m["month"] == "2026-09")
    assert (september["actions_opened"], september["actions_done"],
            september["actions_overdue"]) == (3, 1, 2)
    august = next(m for m in fresh["months"] if m["month"] == "2026-08")
    assert (august["actions_opened"], august["actions_done"]) == (1, 1)
def test_one_session_without_a_facilitator_is_said_in_the_singular(tmp_path):
    """A community with a single session held, nobody named to lead it: '1 session held'."""
    config = organisation(tmp_path)
    lone = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Lone//EN\r\nBEGIN:VEVENT\r\n"
            b"UID:lone@example.org\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260915T120000Z\r\n"
            b"DURATION:PT1H\r\nSUMMARY:Drop-in\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    listing = tmp_path / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace(
        'posts = ["fresh.xml"]\n', 'posts = ["fresh.xml"]\ncalendar = "fresh.ics"\n'))
    (tmp_path / "feeds" / "fresh.ics").write_bytes(lone)
    with Store(tmp_path / "var" / "digest.db") as store:
        store.save_calendar(str((tmp_path / "feeds" / "fresh.ics").resolve()), "fresh", lone,
                            datetime(2026, 11, 20, tzinfo=UTC))
    code, _, err = run(config, "report", "--period", "2026-10")
    assert code == 0, err
    html = (tmp_path / "out" / "site" / "organisers" / "index.html").read_text(encoding="utf-8")
    assert "1 session held; no facilitator named" in html
    assert not re.search(r"\b1 sessions", html)
