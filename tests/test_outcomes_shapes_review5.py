"""The shapes of the fifth review set (tests/fixtures/minutes-review5/), one test each.

Action tables whose owner/due header is worded, owners and dues written date first,
owners after an arrow, status marks, field labels joining two words, attendance
ticked off in a checkbox list, and newsletters whose futures announce events. Each
note is written for the test, in the project's own words; the set itself is scored by
bench/outcomes_bench.py (`--set review5`).
"""

from __future__ import annotations

from datetime import date

from digest.markdown import read_markdown
from digest.outcomes import extract_outcomes


def _actions(found) -> list[tuple[str, str | None, date | None, bool]]:  # type: ignore[no-untyped-def]
    return [(a.text, a.owner, a.due, a.done) for a in found.actions]


def _md(text: str, day: date | None = None, title: str | None = None):  # type: ignore[no-untyped-def]
    return extract_outcomes(read_markdown(text).html, meeting_date=day, title=title)


def test_a_worded_owner_and_due_header_gives_both_from_each_cell() -> None:
    found = _md("""# Pottery studio committee, 2 March 2026

| Task | Owner and due | Status |
|---|---|---|
| Order more stoneware clay | Nell Hart, 9 Mar | ✅ Done |
| Fix the kiln shelf | Abe (by Friday) | 🟡 In progress |

| Aufgabe | Wer und bis wann |
|---|---|
| Glasuren sortieren | Frau Sommer, 20.3. |

| Tarea | Responsable (fecha) |
|---|---|
| Limpiar los tornos | Inés Rojas – 16 de marzo |
""")
    assert _actions(found) == [
        ("Order more stoneware clay", "Nell Hart", date(2026, 3, 9), True),
        ("Fix the kiln shelf", "Abe", date(2026, 3, 6), False),
        ("Glasuren sortieren", "Frau Sommer", date(2026, 3, 20), False),
        ("Limpiar los tornos", "Inés Rojas", date(2026, 3, 16), False),
    ]


def test_a_table_laid_out_with_a_notes_and_actions_column_is_no_owner_due_table() -> None:
    found = extract_outcomes("""<h1>Guild sync 2026-03-02</h1><table>
    <tr><th>Date</th><th>Notes, decisions and action items</th></tr>
    <tr><td>2 March</td><td><ul><li>Decision: keep the Tuesday slot</li></ul></td></tr>
    </table>""")
    assert [d.text for d in found.decisions] == ["Keep the Tuesday slot"]
    assert found.actions == ()


def test_an_owner_and_due_written_date_first_are_told_apart() -> None:
    found = _md("""# Seed library sync, 2 March 2026

## Action items

- 5 Mar – Hiro: sort the bean envelopes
- by 3/12: Wanda — reprint the borrowing cards
- Tue 10 Mar — Quin to phone the allotment society

| What | Owner / Due |
|---|---|
| Label the new drawers | 9 Mar – Pema Dorji |
| Count the returns | by 3/20: Hiro |
""")
    assert _actions(found) == [
        ("Sort the bean envelopes", "Hiro", date(2026, 3, 5), False),
        ("Reprint the borrowing cards", "Wanda", date(2026, 3, 12), False),
        ("Phone the allotment society", "Quin", date(2026, 3, 10), False),
        ("Label the new drawers", "Pema Dorji", date(2026, 3, 9), False),
        ("Count the returns", "Hiro", date(2026, 3, 20), False),
    ]


def test_the_person_after_an_arrow_owns_the_item_wherever_it_sits() -> None:
    found = _md("""# Docs sprint call 2026-03-02

Attendees: @lena-v, ozzie, Rui Alves

## Topics

- Broken links in the tutorial
  - Run the link checker on every page -> ozzie
  - Rewrite the install page → Rui Alves (Thu)
  - Screenshots → next week
- Hosting → Netlify

## Outcomes

- Decision: the sprint ends on 20 March
- Publish the glossary ⇒ @lena-v, by 13 Mar
""")
    assert [d.text for d in found.decisions] == ["The sprint ends on 20 March"]
    assert _actions(found) == [
        ("Run the link checker on every page", "ozzie", None, False),
        ("Rewrite the install page", "Rui Alves", date(2026, 3, 5), False),
        ("Publish the glossary", "lena-v", date(2026, 3, 13), False),
    ]


def test_status_marks_and_dues_in_odd_forms_are_read() -> None:
    found = _md("""# Tool shed sync, 2 March 2026

## Actions

- [DONE] Ola to oil the shears
- [NEW] Ben to count the spades by the 9th
- Ola to wash the wheelbarrow by EOD Thursday
- Ben to renew the padlock code by 2026/03/16
""")
    assert _actions(found) == [
        ("Oil the shears", "Ola", None, True),
        ("Count the spades", "Ben", date(2026, 3, 9), False),
        ("Wash the wheelbarrow", "Ola", date(2026, 3, 5), False),
        ("Renew the padlock code", "Ben", date(2026, 3, 16), False),
    ]


def test_planner_tasks_give_owner_due_and_done_from_the_line_below_the_title() -> None:
    found = extract_outcomes("""<h1>Youth club huddle</h1><p>2 March 2026</p>
    <h2>Follow-up tasks</h2><ul>
    <li><p><b>Book the minibus</b></p><p>Assigned to Tess Moyo · Due Mar 6</p></li>
    <li><p><b>Buy the first-aid kit</b></p><p>Assigned to Jal Singh · Completed</p></li>
    </ul>""")
    assert _actions(found) == [
        ("Book the minibus", "Tess Moyo", date(2026, 3, 6), False),
        ("Buy the first-aid kit", "Jal Singh", None, True),
    ]


def test_a_field_label_joining_two_words_names_its_kind() -> None:
    found = _md("""# Meetup community call, 2 March 2026

### Venue
* **Key point:** The café closes at nine.
* **Decisions or outcomes:** Talks start at seven from April.
* **Action items or follow-ups:** Ama to tell the speakers.
""")
    assert [d.text for d in found.decisions] == ["Talks start at seven from April."]
    assert _actions(found) == [("Tell the speakers.", "Ama", None, False)]


def test_attendance_and_agenda_ticked_off_in_checkboxes_are_not_tasks() -> None:
    found = _md("""# 2026-03-02 – Atlas TSC

## Attendees

### Voting members

- [x] Noor Haddad - Individual
- [ ] Piet Smit - Tilde Co

### Observers

- [x] Yara Lopes

## Agenda

- [x] Roadmap review
- [ ] Budget (moved)

## Action items

- [ ] @noor-h draft the roadmap post
- [x] @ysl archive the old board
""")
    assert _actions(found) == [
        ("Draft the roadmap post", "noor-h", None, False),
        ("Archive the old board", "ysl", None, True),
    ]


def test_a_newsletters_futures_announce_events_even_with_a_feed_date() -> None:
    found = _md("""# Riverside Runners — March newsletter

Spring is here! Kemal Aziz will lead the hill session on 14 March, and Rhoda will
organise the kit swap at the clubhouse. Our coach will send the new training plans soon.

Sara will write about the half marathon in the next issue.
""", day=date(2026, 3, 1), title="Riverside Runners — March newsletter")
    assert found.actions == ()
    assert found.decisions == ()


def test_a_news_post_reporting_a_meeting_keeps_that_meetings_actions() -> None:
    found = _md("""# Club news

A quick report from the committee meeting on 2 March 2026. The committee decided to
buy a second defibrillator. Kemal will order it by Friday, and Rhoda will book the
first-aid course.
""", day=date(2026, 3, 4), title="Club news")
    assert [d.text for d in found.decisions] == [
        "The committee decided to buy a second defibrillator."]
    assert _actions(found) == [
        ("Order it", "Kemal", date(2026, 3, 6), False),
        ("Book the first-aid course", "Rhoda", None, False),
    ]
