"""Rules found wanting by the review set (tests/fixtures/minutes-review/), one test each.

Each note here is written for the test in the project's own words; the review
set itself is scored by bench/outcomes_bench.py.
"""

from __future__ import annotations

from datetime import date

from digest.outcomes import extract_outcomes


def test_a_long_note_keeps_every_action_for_follow_up() -> None:
    rows = "".join(f"<li>Action: Ana to check shelf {i}</li>" for i in range(14))
    found = extract_outcomes(f"<h1>Planning day</h1><ul>{rows}</ul>")
    assert len(found.actions) == 14
    assert all(a.owner == "Ana" for a in found.actions)


def test_a_table_whose_bold_first_row_names_unknown_columns_is_read_by_its_header() -> None:
    html = """<h2>Decision log</h2><table>
    <tr><td><b>Ref</b></td><td><b>Decision</b></td><td><b>Rationale</b></td></tr>
    <tr><td>D-4</td><td>Meetups move to the library</td><td>It is free</td></tr></table>
    <h2>Actions</h2><table>
    <tr><td><b>#</b></td><td><b>Action</b></td><td><b>Action owner</b></td><td><b>Target</b></td>
        <td><b>RAG</b></td></tr>
    <tr><td>1</td><td>Book the library room</td><td>Noor Haddad</td><td>2026-05-01</td>
        <td>Complete</td></tr></table>"""
    found = extract_outcomes(html)
    assert [d.text for d in found.decisions] == ["Meetups move to the library"]
    assert [(a.text, a.owner, a.due, a.done) for a in found.actions] == [
        ("Book the library room", "Noor Haddad", date(2026, 5, 1), True)]


def test_prose_that_names_no_deciding_body_or_an_earlier_decision_is_no_decision() -> None:
    html = """<h1>Club night</h1>
    <p>Nobody has decided yet who edits the newsletter.</p>
    <p>People agreed the induction is too long.</p>
    <p>Back in 2024 the club decided to meet monthly, and nobody minds.</p>
    <p>Last year we agreed to skip December.</p>
    <p>We agreed to repeat last year's quiz in March.</p>
    <p>We decided nothing about catering.</p>"""
    found = extract_outcomes(html)
    assert [d.text for d in found.decisions] == ["We agreed to repeat last year's quiz in March."]


def test_an_agenda_with_proposed_decisions_and_questions_gives_no_decisions() -> None:
    html = """<h1>Agenda</h1><ol>
    <li>For decision: move the meetup to Tuesdays? (15 min)</li>
    <li>Decision needed: the gift budget</li></ol>
    <h2>Proposed decisions</h2><ul><li>Set the gift budget at £25</li></ul>
    <h2>Open decisions</h2><ul><li>Where the winter social is held</li></ul>
    <h2>Suggested next steps</h2><ul><li>Ana to price the venues</li></ul>"""
    found = extract_outcomes(html)
    assert found.decisions == ()
    assert [(a.text, a.owner) for a in found.actions] == [("Price the venues", "Ana")]


def test_a_lead_in_in_a_quote_ends_with_the_quote_and_a_summary_names_its_section() -> None:
    html = """<h1>Coordinators – 14 July 2026</h1>
    <blockquote><p><strong>Decisions</strong></p><ul><li>New members get a half plot.</li></ul>
    </blockquote>
    <details><summary>Action items (click to expand)</summary>
    <ul><li>Chiara to order bark chippings by 24 July</li></ul></details>
    <ol><li>Open garden day<ul><li>Nothing decided yet; we meet in August.</li></ul></li></ol>"""
    found = extract_outcomes(html)
    assert [d.text for d in found.decisions] == ["New members get a half plot."]
    assert [(a.text, a.owner, a.due) for a in found.actions] == [
        ("Order bark chippings", "Chiara", date(2026, 7, 24))]


def test_plain_text_minutes_in_a_pre_name_their_sections_on_lines_of_their_own() -> None:
    html = """<h1>[Packaging] Minutes</h1><pre>Hi all,

Minutes of the packaging call, Thursday 27 August 2026.

DECISIONS
---------
1. Nightly builds move to the new CI runners.

Action items:
* Sakura: write the freeze announcement (by 4 Sept)
* Petra: ask the mirrors about bandwidth

Next call: 10 September.
Cheers,
Wiremu</pre>"""
    found = extract_outcomes(html)
    assert found.held_on == date(2026, 8, 27)
    assert [d.text for d in found.decisions] == ["Nightly builds move to the new CI runners."]
    assert [(a.text, a.owner, a.due) for a in found.actions] == [
        ("Write the freeze announcement", "Sakura", date(2026, 9, 4)),
        ("Ask the mirrors about bandwidth", "Petra", None)]


def test_owners_in_a_marker_bracket_and_names_with_accents() -> None:
    html = """<h1>Pad, 2026-06-09</h1><ul><li>Venue<ul>
    <li>AP (Sanne): confirm the dates with the librarian</li>
    <li>AP (Femke + Sanne): print the flyers two weeks ahead</li></ul></li></ul>
    <h2>Action items</h2><ul>
    <li>Contacter la mairie pour le local (Élodie, 15/10)</li>
    <li>Zamówić nowe łopaty – Małgorzata</li></ul>"""
    found = extract_outcomes(html)
    assert [(a.text, a.owner) for a in found.actions] == [
        ("Confirm the dates with the librarian", "Sanne"),
        ("Print the flyers two weeks ahead", "Femke, Sanne"),
        ("Contacter la mairie pour le local", "Élodie"),
        ("Zamówić nowe łopaty", "Małgorzata")]
    assert found.actions[2].due == date(2026, 10, 15)


def test_a_bold_name_above_a_list_of_actions_owns_its_items() -> None:
    html = """<h1>Coordinators call, 2026-05-20</h1><h2>Action Items</h2>
    <p><strong>Rosa Delgado</strong></p>
    <ul><li>Share the rota spreadsheet (04:12)</li><li>Amir to call the drivers</li></ul>
    <p><strong>Linnea Berg</strong></p>
    <ul><li>Update the handbook by Friday (30:05)</li></ul>"""
    found = extract_outcomes(html)
    assert [(a.text, a.owner, a.due) for a in found.actions] == [
        ("Share the rota spreadsheet", "Rosa Delgado", None),
        ("Call the drivers", "Amir", None),
        ("Update the handbook", "Linnea Berg", date(2026, 5, 22))]


def test_a_tools_footer_after_a_task_list_is_no_action() -> None:
    html = """<h1>Sync, 2026-04-15</h1><h2>Action Items</h2>
    <ul class="contains-task-list"><li class="task-list-item">
    <input type="checkbox" disabled> Priya: write the no-show rule (00:09)</li></ul>
    <p>Assign action items in Otter · Generated by Otter.ai</p>"""
    found = extract_outcomes(html)
    assert [(a.text, a.owner) for a in found.actions] == [("Write the no-show rule", "Priya")]


def test_takeaways_that_open_on_agreed_or_decided_are_decisions() -> None:
    html = """<h1>Workshop planning, November 18, 2026</h1><h2>Key Takeaways</h2><ul>
    <li>Budget is on track.</li><li>Agreed to cap the workshop at 40 places.</li>
    <li>Decided against a paid ticket; a suggested donation instead.</li>
    <li>We decided nothing about catering.</li></ul>"""
    found = extract_outcomes(html)
    assert [d.text for d in found.decisions] == [
        "To cap the workshop at 40 places.",
        "Against a paid ticket; a suggested donation instead."]


def test_roles_own_actions_and_a_capitalised_resolved_mid_paragraph_is_a_decision() -> None:
    html = """<h1>Parish council – 3 March 2026</h1>
    <p>Grass cutting: three quotes were considered. RESOLVED to award the contract to
    Hedgerow Ltd. The Clerk to submit the objection by 13 March.</p>
    <p>The proposal to merge with the Eastbrook society was turned down.</p>
    <ol><li>Finance<ul><li>Quotes were compared. RESOLVED that the payments be approved.</li>
    </ul></li></ol>
    <h2>Actions</h2><ul><li>Branch managers to send their evening choice</li>
    <li>Stock team to publish the themes</li></ul>"""
    found = extract_outcomes(html)
    assert [d.text for d in found.decisions] == [
        "To award the contract to Hedgerow Ltd.",
        "The proposal to merge with the Eastbrook society was turned down.",
        "The payments be approved."]
    assert [(a.text, a.owner) for a in found.actions] == [
        ("Submit the objection", "Clerk"),  # an action in prose (x-outcomes), read in order
        ("Send their evening choice", "Branch managers"), ("Publish the themes", "Stock team")]


def test_a_single_name_before_a_capitalised_task_owns_it_when_the_notes_list_them() -> None:
    html = """<h1>Treffen vom 14.07.2026</h1><p>Anwesend: Aylin, Sven</p>
    <h2>Next steps</h2><ul><li>Aylin: Angebot für den Schlauch einholen bis Freitag</li>
    <li>Docs: Update the wiki page</li></ul>"""
    found = extract_outcomes(html)
    assert [(a.text, a.owner, a.due) for a in found.actions] == [
        ("Angebot für den Schlauch einholen", "Aylin", date(2026, 7, 17)),
        ("Docs: Update the wiki page", None, None)]
