"""Actions followed through edits: a later version of the notes moves a due date, changes an
owner, rewords or deletes an action; a recurring task is set again after it was done. Each
sent issue still reads back exactly what it showed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from digest.compose import compose
from digest.config import Config
from digest.models import Action, Issue, MeetingOutcomes
from digest.period import Period
from digest.report import build_report
from digest.store import Store
from tests.support import entry, utc, write_org

OCT, NOV, DEC, JAN = (Period.parse(p, "monthly") for p in ("2026-10", "2026-11", "2026-12",
                                                            "2027-01"))
FIGURES = Action("Send the access-request figures to the board", owner="Ida Brennan",
                 due=date(2026, 11, 20), due_text="20 Nov")
GLOSSARY = Action("Draft a glossary of dataset terms", owner="Tomasz Wolny")
ROOM = Action("Book the room for the clinic", owner="Kwame Asante", due=date(2026, 10, 30))


def meeting(identity, published, *actions, held_on=None, community="data"):
    e = entry(community, identity, published, kind="meeting", title=f"Data CoP {identity}")
    return replace(e, outcomes=MeetingOutcomes(actions=tuple(actions), held_on=held_on))


@pytest.fixture
def config(tmp_path) -> Config:
    return write_org(tmp_path, {"data": []}).config()


def sent(config: Config, store: Store, period: Period, built) -> Issue:
    """Compose `period` as the job would, then mark it sent (frozen)."""
    issue = compose(config, store, period, now=built).issue
    store.mark_sent(period.label, built)
    return issue


def shown(issue: Issue) -> list[tuple[str, str | None, date | None, str]]:
    return sorted((a.text, a.owner, a.due, a.state) for a in issue.actions)


def test_a_due_date_moved_in_a_later_version_is_followed_and_the_sent_issue_keeps_the_old(
        config: Config) -> None:
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), FIGURES)],
                             utc(2026, 10, 14, 12))
        october = sent(config, store, OCT, utc(2026, 11, 1, 7))
        assert shown(october) == [(FIGURES.text, "Ida Brennan", date(2026, 11, 20), "open")]

        # the notes are edited in November: the board meets later, the figures are due later
        moved = replace(FIGURES, due=date(2026, 12, 10), due_text="10 Dec")
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), moved)], utc(2026, 11, 3))
        november = sent(config, store, NOV, utc(2026, 12, 1, 7))
        assert shown(november) == [(FIGURES.text, "Ida Brennan", date(2026, 12, 10), "open")]
        assert november.actions[0].due_text == "10 Dec"

        december = sent(config, store, DEC, utc(2027, 1, 1, 7))
        assert shown(december) == [(FIGURES.text, "Ida Brennan", date(2026, 12, 10), "overdue")]

        # each sent issue reads back what it showed, not the action as it is now
        for period, issue in ((OCT, october), (NOV, november), (DEC, december)):
            again = compose(config, store, period, now=utc(2027, 1, 5)).issue
            assert again.actions == issue.actions


def test_a_new_owner_in_a_later_version_takes_the_action_over(config: Config) -> None:
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), GLOSSARY)],
                             utc(2026, 10, 14, 12))
        october = sent(config, store, OCT, utc(2026, 11, 1, 7))
        handed = replace(GLOSSARY, owner="Ida Brennan")
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), handed)], utc(2026, 11, 3))
        november = sent(config, store, NOV, utc(2026, 12, 1, 7))
        assert shown(november) == [(GLOSSARY.text, "Ida Brennan", None, "open")]
        assert november.actions[0].key == october.actions[0].key  # one action, followed
        assert shown(compose(config, store, OCT, now=utc(2026, 12, 2)).issue) == [
            (GLOSSARY.text, "Tomasz Wolny", None, "open")]


def test_a_reworded_action_is_the_same_action_and_a_different_one_is_not(config: Config) -> None:
    typo = replace(GLOSSARY, text="Draft a glosary of the dataset terms")
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), typo, FIGURES)],
                             utc(2026, 10, 14, 12))
        sent(config, store, OCT, utc(2026, 11, 1, 7))
        # the typo is fixed; the figures action is replaced by a different task of Ida's
        other = replace(FIGURES, text="Order the name badges for the conference")
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), GLOSSARY, other)],
                             utc(2026, 11, 3))
        november = sent(config, store, NOV, utc(2026, 12, 1, 7))
    assert shown(november) == [
        (GLOSSARY.text, "Tomasz Wolny", None, "open"),
        (other.text, "Ida Brennan", date(2026, 11, 20), "overdue")]
    assert [a.first_issue for a in november.actions] == ["2026-10", "2026-10"]


def test_an_action_deleted_from_a_later_version_is_no_longer_followed_up(config: Config) -> None:
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), FIGURES, GLOSSARY)],
                             utc(2026, 10, 14, 12))
        october = sent(config, store, OCT, utc(2026, 11, 1, 7))
        assert len(october.actions) == 2
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), GLOSSARY)], utc(2026, 11, 3))
        november = sent(config, store, NOV, utc(2026, 12, 1, 7))
        assert shown(november) == [(GLOSSARY.text, "Tomasz Wolny", None, "open")]
        assert compose(config, store, OCT, now=utc(2026, 12, 2)).issue.actions == october.actions

        # a version that deletes every action leaves nothing to follow up
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10))], utc(2026, 12, 3))
        assert sent(config, store, DEC, utc(2027, 1, 1, 7)).actions == []


def test_a_deleted_action_written_back_into_its_notes_is_followed_again(config: Config) -> None:
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), GLOSSARY)],
                             utc(2026, 10, 14, 12))
        sent(config, store, OCT, utc(2026, 11, 1, 7))
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10))], utc(2026, 11, 3))
        compose(config, store, NOV, now=utc(2026, 11, 4))  # built, not sent: nothing to show
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), GLOSSARY)], utc(2026, 11, 5))
        november = sent(config, store, NOV, utc(2026, 12, 1, 7))
    assert shown(november) == [(GLOSSARY.text, "Tomasz Wolny", None, "open")]


def test_a_recurring_task_done_then_set_again_is_followed_up_again(config: Config) -> None:
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), ROOM,
                                      held_on=date(2026, 10, 14))], utc(2026, 10, 14, 12))
        october = sent(config, store, OCT, utc(2026, 11, 1, 7))
        assert shown(october) == [(ROOM.text, "Kwame Asante", date(2026, 10, 30), "overdue")]

        # November's meeting reports the room booked
        store.upsert_entries([meeting("nov", utc(2026, 11, 11, 10), replace(ROOM, done=True),
                                      held_on=date(2026, 11, 11))], utc(2026, 11, 11, 12))
        november = sent(config, store, NOV, utc(2026, 12, 1, 7))
        assert shown(november) == [(ROOM.text, "Kwame Asante", date(2026, 10, 30), "done")]

        # December's meeting sets the same task again, for January's clinic
        again = replace(ROOM, due=date(2027, 1, 6), due_text="6 Jan")
        store.upsert_entries([meeting("dec", utc(2026, 12, 9, 10), again,
                                      held_on=date(2026, 12, 9))], utc(2026, 12, 9, 12))
        december = sent(config, store, DEC, utc(2027, 1, 1, 7))
        assert shown(december) == [(ROOM.text, "Kwame Asante", date(2027, 1, 6), "open")]
        assert december.actions[0].first_issue == "2026-12"
        assert december.actions[0].key != october.actions[0].key

        january = sent(config, store, JAN, utc(2027, 2, 1, 7))
        assert shown(january) == [(ROOM.text, "Kwame Asante", date(2027, 1, 6), "overdue")]


def carried_over_to_november(config: Config, store: Store) -> Issue:
    """FIGURES set at the 14 October meeting, then carried over at the 18 November one with
    a new due date (4 Dec); October and November sent. November's issue."""
    store.upsert_entries([meeting("oct", utc(2026, 10, 14, 10), FIGURES,
                                  held_on=date(2026, 10, 14))], utc(2026, 10, 14, 12))
    sent(config, store, OCT, utc(2026, 11, 1, 7))
    carried = replace(FIGURES, due=date(2026, 12, 4), due_text="4 Dec")
    store.upsert_entries([meeting("nov", utc(2026, 11, 18, 10), carried,
                                  held_on=date(2026, 11, 18))], utc(2026, 11, 18, 12))
    return sent(config, store, NOV, utc(2026, 12, 1, 7))


def test_a_later_meeting_carrying_an_open_action_over_moves_its_due_date(config: Config) -> None:
    with Store(config.state_path) as store:
        november = carried_over_to_november(config, store)
        assert shown(november) == [(FIGURES.text, "Ida Brennan", date(2026, 12, 4), "open")]
        assert november.actions[0].first_issue == "2026-10"
        assert november.actions[0].held_on == date(2026, 11, 18)  # its latest meeting


def test_a_done_report_from_a_meeting_held_before_the_action_does_not_close_it_in_either_view(
        config: Config) -> None:
    """Notes of a meeting held on 8 October, published late, tick the room booked: that was
    the previous booking. The 20 October meeting's new booking stays open, in the issue and
    in `digest report` alike."""
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("later", utc(2026, 10, 21, 10), ROOM,
                                      held_on=date(2026, 10, 20))], utc(2026, 10, 21, 12))
        store.upsert_entries([meeting("earlier", utc(2026, 10, 26, 10), replace(ROOM, done=True),
                                      held_on=date(2026, 10, 8))], utc(2026, 10, 26, 12))
        october = sent(config, store, OCT, utc(2026, 11, 1, 7))
        november = sent(config, store, NOV, utc(2026, 12, 1, 7))
        report = build_report(config, store, OCT, 1, now=utc(2026, 12, 1, 7))
    assert shown(october) == [(ROOM.text, "Kwame Asante", date(2026, 10, 30), "overdue")]
    assert shown(november) == [(ROOM.text, "Kwame Asante", date(2026, 10, 30), "overdue")]
    figures = report.communities[0].months[-1]
    assert figures.month == "2026-10"
    assert (figures.actions_opened, figures.actions_done, figures.actions_overdue) == (2, 1, 1)


def test_notes_of_an_earlier_meeting_collected_late_do_not_split_an_open_action(
        config: Config) -> None:
    with Store(config.state_path) as store:
        store.upsert_entries([meeting("later", utc(2026, 10, 21, 10), FIGURES,
                                      held_on=date(2026, 10, 20))], utc(2026, 10, 21, 12))
        october = sent(config, store, OCT, utc(2026, 11, 1, 7))
        # the 6 October notes, which already listed the action, arrive in November
        early = replace(FIGURES, due=None, due_text=None)
        store.upsert_entries([meeting("earlier", utc(2026, 10, 7, 10), early,
                                      held_on=date(2026, 10, 6))], utc(2026, 11, 2, 12))
        november = sent(config, store, NOV, utc(2026, 12, 1, 7))
    assert [(a.key, a.due, a.held_on) for a in november.actions] == [
        (october.actions[0].key, date(2026, 11, 20), date(2026, 10, 20))]


def test_the_report_counts_a_carried_over_action_due_when_the_issue_says(
        config: Config) -> None:
    with Store(config.state_path) as store:
        november = carried_over_to_november(config, store)
        report = build_report(config, store, NOV, 2, now=utc(2026, 12, 1, 7))
    assert [a.state for a in november.actions] == ["open"]
    months = {m.month: m for m in report.communities[0].months}
    assert (months["2026-10"].actions_opened, months["2026-10"].actions_overdue) == (1, 0)
    assert (months["2026-11"].actions_opened, months["2026-11"].actions_overdue) == (1, 0)
