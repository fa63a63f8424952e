"""Action tables as wikis and docs keep them (Confluence, Notion, Google Docs, GitBook).

A header cell may combine columns ("Owner / Due", "Actions: Responsible/None",
"Who/When"); a cell may hold a list, one action per item or line. Each note is
written for the test, about fictional groups.
"""

from __future__ import annotations

from datetime import date

from digest.markdown import read_markdown
from digest.outcomes import extract_outcomes


def _actions(found) -> list[tuple[str, str | None, date | None]]:  # type: ignore[no-untyped-def]
    return [(a.text, a.owner, a.due) for a in found.actions]


def _md(text: str, day: date | None = None):  # type: ignore[no-untyped-def]
    return extract_outcomes(read_markdown(text).html, meeting_date=day)


def test_an_owner_slash_due_header_splits_each_row_into_owner_and_due() -> None:
    found = _md("""# Harbour rowing club committee

## Actions

| Action | Owner / Due |
|---|---|
| Order two new oars | Ines Varga / 12 March |
| Repaint the boat shed door | Tom Reyes, March 19 |
| Renew the insurance | Ada Obi (by Friday) |
| Book the spring regatta | Ada Obi |
""", date(2026, 3, 2))
    assert _actions(found) == [
        ("Order two new oars", "Ines Varga", date(2026, 3, 12)),
        ("Repaint the boat shed door", "Tom Reyes", date(2026, 3, 19)),
        ("Renew the insurance", "Ada Obi", date(2026, 3, 6)),
        ("Book the spring regatta", "Ada Obi", None),
    ]


def test_who_slash_when_header_cells_are_a_header_not_an_action() -> None:
    found = _md("""# Seed library volunteers

## Next steps

| Task | Who/When |
|---|---|
| Label the bean drawers | Rosa / 20 November |
""", date(2026, 11, 10))
    assert _actions(found) == [("Label the bean drawers", "Rosa", date(2026, 11, 20))]


_GITBOOK_TABLE = """<html><body>
<h1>Bridge club working group</h1><p>3 June 2026</p>
<table><thead><tr><th>Topic</th><th>Notes/Action Items</th>
<th>Actions: Responsible/None</th></tr></thead><tbody>
<tr><td>Quorum</td><td>Quorum reached</td><td>None</td></tr>
<tr><td>Scoring app</td><td><ul><li>Agreed to switch to the new scoring app</li></ul></td>
<td><ol><li>Nadia - to install the app on the club tablets</li>
<li>Piet &amp; Olga to train the directors by 17 June</li></ol></td></tr>
<tr><td>Teas</td><td>Rota unchanged</td><td><br></td></tr>
</tbody></table></body></html>"""


def test_a_responsible_or_none_column_gives_one_action_per_list_item() -> None:
    found = extract_outcomes(_GITBOOK_TABLE)
    assert _actions(found) == [
        ("Install the app on the club tablets", "Nadia", None),
        ("Train the directors", "Piet, Olga", date(2026, 6, 17)),
    ]
    # the notes column still reports what was agreed
    assert [d.text for d in found.decisions] == ["To switch to the new scoring app"]


def test_a_follow_up_owner_or_none_header_is_no_action() -> None:
    found = extract_outcomes("""<html><body><h1>Allotment group</h1><p>9 April 2026</p>
<table><tr><th>Topic</th><th>Notes</th><th>Follow-up: Owner/None</th></tr>
<tr><td>Water butts</td><td>Two are cracked</td>
<td><ol><li>Femi - to order two water butts</li></ol></td></tr>
<tr><td>Compost</td><td>Fine</td><td>None</td></tr></table></body></html>""")
    assert _actions(found) == [("Order two water butts", "Femi", None)]


def test_a_cell_with_lines_split_by_breaks_gives_one_action_per_line() -> None:
    found = _md("""# Library friends

## Action items

| Action | Owner | Due |
|---|---|---|
| Sort the donated books<br>Price the paperbacks | Lou | 14 May |
""", date(2026, 5, 4))
    assert _actions(found) == [
        ("Sort the donated books", "Lou", date(2026, 5, 14)),
        ("Price the paperbacks", "Lou", date(2026, 5, 14)),
    ]


def test_a_short_german_note_reads_a_german_due() -> None:
    found = _md("""# Vorstand Tauschbörse

## Aufgaben

- Frau Kurz: Plakate drucken bis 4. Dezember
""", date(2026, 11, 5))
    assert _actions(found) == [("Plakate drucken", "Frau Kurz", date(2026, 12, 4))]


def test_an_owner_due_cell_with_only_a_name_or_only_a_date_fills_only_that() -> None:
    found = _md("""# Choir library

## Actions

| Action | Who / When |
|---|---|
| Mend the torn scores | Ines May |
| Return the borrowed folders | 30 April |
| Count the hymn books | Piet / Friday |
""", date(2026, 4, 20))
    assert _actions(found) == [
        ("Mend the torn scores", "Ines May", None),  # a name that is also a month
        ("Return the borrowed folders", None, date(2026, 4, 30)),
        ("Count the hymn books", "Piet", date(2026, 4, 24)),
    ]


def test_a_page_laid_out_in_a_table_with_no_outcome_column_is_still_read_by_its_cells() -> None:
    found = extract_outcomes("""<html><body><table>
<tr><th>Date</th><th>Attendees</th><th>Notes, decisions and action items</th></tr>
<tr><td>2026-02-03</td><td>Lin, Marek</td><td><p>Decisions:</p>
<ul><li>The club keeps its Tuesday slot</li></ul>
<p>Action items:</p><ul><li>Marek to renew the hall booking</li></ul></td></tr>
</table></body></html>""")
    assert [d.text for d in found.decisions] == ["The club keeps its Tuesday slot"]
    assert _actions(found) == [("Renew the hall booking", "Marek", None)]
