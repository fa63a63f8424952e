"""Actions followed up across issues: open, overdue, done (reported once), dropped."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from digest.compose import compose
from digest.config import ConfigError
from digest.followup import action_key
from digest.models import Action, Decision, MeetingOutcomes
from digest.period import Period
from digest.store import Store
from tests.support import entry, utc, write_org

OCT, NOV, DEC, JAN = (Period.parse(p, "monthly") for p in ("2026-10", "2026-11", "2026-12",
                                                            "2027-01"))
REPORT = Action("Send the access-request figures to the board", owner="Ida Brennan",
                due=date(2026, 11, 20), due_text="20 Nov")
GLOSSARY = Action("Draft a glossary of dataset terms", owner="Tomasz Wolny")


def meeting(identity, published, *actions, decisions=(), held_on=None):
    e = entry("data", identity, published, kind="meeting", title=f"Data CoP {identity}")
    return replace(e, outcomes=MeetingOutcomes(decisions=tuple(Decision(d) for d in decisions),
                                               actions=tuple(actions), held_on=held_on))


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {"data": []})


def issue_of(config, store, period, built):
    """Compose `period` as the job would, then mark it sent (frozen)."""
    composition = compose(config, store, period, now=built)
    store.mark_sent(period.label, built)
    return composition.issue


def states(issue):
    return {a.text: a.state for a in issue.actions}


def test_an_action_is_open_then_overdue_then_reported_done_once_and_another_is_dropped(org):
    config = org.config()
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), REPORT, GLOSSARY,
                                      held_on=date(2026, 10, 14))], utc(2026, 10, 14, 12))
        october = issue_of(config, store, OCT, utc(2026, 11, 1, 7))
        assert states(october) == {REPORT.text: "open", GLOSSARY.text: "open"}

        # November: nothing new; the report was due on 20 November and is not done
        november = issue_of(config, store, NOV, utc(2026, 12, 1, 7))
        assert states(november) == {REPORT.text: "overdue", GLOSSARY.text: "open"}

        # December's meeting reports the report done; the glossary, undated, has been followed
        # up for two periods after its meeting and is dropped
        store.upsert_entries([meeting("dec", utc(2026, 12, 9, 10), replace(REPORT, done=True),
                                      held_on=date(2026, 12, 9))], utc(2026, 12, 9, 12))
        december = issue_of(config, store, DEC, utc(2027, 1, 1, 7))
        assert states(december) == {REPORT.text: "done"}

        # reported once: January says nothing more of either
        january = issue_of(config, store, JAN, utc(2027, 2, 1, 7))
        assert states(january) == {}


def test_an_action_ticked_in_a_later_version_of_the_same_notes_is_done(org):
    config = org.config()
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), GLOSSARY)],
                             utc(2026, 10, 14, 12))
        issue_of(config, store, OCT, utc(2026, 11, 1, 7))
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), replace(GLOSSARY, done=True))],
                             utc(2026, 11, 5, 12))
        november = issue_of(config, store, NOV, utc(2026, 12, 1, 7))
        assert states(november) == {GLOSSARY.text: "done"}


def test_a_sent_issue_reads_back_what_it_showed(org):
    config = org.config()
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), REPORT)],
                             utc(2026, 10, 14, 12))
        issue_of(config, store, OCT, utc(2026, 11, 1, 7))
        november = issue_of(config, store, NOV, utc(2026, 12, 1, 7))
        # the report is done later: November, already sent, still says what it said
        store.upsert_entries([meeting("dec", utc(2026, 12, 9, 10), replace(REPORT, done=True))],
                             utc(2026, 12, 9, 12))
        issue_of(config, store, DEC, utc(2027, 1, 1, 7))
        again = compose(config, store, NOV, now=utc(2027, 1, 2)).issue
        assert states(again) == states(november) == {REPORT.text: "overdue"}


def test_the_same_action_differently_spaced_and_cased_is_one_action():
    assert action_key("Draft a glossary  of dataset terms.", "Tomasz Wolny") == \
        action_key("draft a glossary of dataset terms", "TOMASZ WOLNY")
    assert action_key(GLOSSARY.text, "Tomasz Wolny") != action_key(GLOSSARY.text, "Ida Brennan")


def test_follow_up_is_configurable_and_checked(tmp_path):
    org = write_org(tmp_path, {"data": []}, digest_extra="follow_up = 3")
    assert org.config().follow_up == 3
    for bad in ("0", "-1", '"two"', "2.5", "1000"):
        org = write_org(tmp_path, {"data": []}, digest_extra=f"follow_up = {bad}")
        with pytest.raises(ConfigError, match="follow_up"):
            org.config()


def test_weekly_issues_follow_an_action_across_the_new_year(tmp_path):
    """ISO weeks 2026-W51 to 2027-W02 (2026 has 53): open, overdue once its due date has
    passed, dropped `follow_up` weeks after the week it was due (or, undated, met)."""
    config = write_org(tmp_path, {"data": []}, digest_extra='cadence = "weekly"').config()
    badges = Action("Order the name badges", owner="Ida Brennan", due=date(2026, 12, 30))
    wiki = Action("Tidy the wiki's front page", owner="Tomasz Wolny")
    weeks = [("2026-W51", utc(2026, 12, 21, 7)), ("2026-W52", utc(2026, 12, 28, 7)),
             ("2026-W53", utc(2027, 1, 4, 7)), ("2027-W01", utc(2027, 1, 11, 7)),
             ("2027-W02", utc(2027, 1, 18, 7))]
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("w51", utc(2026, 12, 16, 10), badges, wiki,
                                      held_on=date(2026, 12, 16))], utc(2026, 12, 16, 12))
        seen = {label: states(issue_of(config, store, Period.parse(label, "weekly"), built))
                for label, built in weeks}
    both_open = {badges.text: "open", wiki.text: "open"}
    assert seen == {"2026-W51": both_open, "2026-W52": both_open,
                    "2026-W53": {badges.text: "overdue"}, "2027-W01": {badges.text: "overdue"},
                    "2027-W02": {}}
