"""The shapes of the third review set (tests/fixtures/minutes-review3/), one test each.

Logseq tasks, Dataview fields, SIG notes' "AI Name -" lines and owner sub-bullets,
votes given only as a tally, roll-call motions and BE IT RESOLVED, French, German
and Spanish actions and decisions in sentences, and dues that name no day. Each
note is written for the test, in the project's own words; the set itself is scored
by bench/outcomes_bench.py (`--set review3`).
"""

from __future__ import annotations

from datetime import date

from digest.markdown import read_markdown
from digest.outcomes import extract_outcomes


def _actions(found) -> list[tuple[str, str | None, date | None, bool]]:  # type: ignore[no-untyped-def]
    return [(a.text, a.owner, a.due, a.done) for a in found.actions]


def _md(text: str, day: date | None = None):  # type: ignore[no-untyped-def]
    return extract_outcomes(read_markdown(text).html, meeting_date=day)


def test_logseq_keywords_are_tasks_with_deadline_as_due_and_done_ticked() -> None:
    found = _md("""# Bike kitchen sync 2026-03-02

- Parts
    - TODO Order brake pads [[Kim Tran]]
      DEADLINE: <2026-03-09 Mon>
    - DONE Sort the spoke drawer [[Lou Ferris]]
    - LATER [#B] Ask the shop about tubes
      SCHEDULED: <2026-03-12 Thu>
    - CANCELED Phone the old supplier
""")
    assert found.held_on == date(2026, 3, 2)  # the deadline is not the meeting's date
    assert _actions(found) == [
        ("Order brake pads", "Kim Tran", date(2026, 3, 9), False),
        ("Sort the spoke drawer", "Lou Ferris", None, True),
        ("Ask the shop about tubes", None, None, False),  # scheduled is not due
    ]


def test_now_therefore_in_capitals_is_not_a_logseq_keyword() -> None:
    found = _md("NOW THEREFORE the meeting closed at nine.\n")
    assert not found.actions


def test_dataview_fields_give_due_and_owner_and_the_others_are_left_out() -> None:
    found = _md("""# Garden 2026-05-04

- [ ] Buy compost [due:: 2026-05-10] [owner:: [[Ada Park]]]
- [x] Fix the tap [completion:: 2026-05-03] [priority:: high]
- [ ] Weed the herb bed (due:: 2026-05-08) [assignee:: Bo Lind]
""")
    assert _actions(found) == [
        ("Buy compost", "Ada Park", date(2026, 5, 10), False),
        ("Fix the tap", None, None, True),
        ("Weed the herb bed", "Bo Lind", date(2026, 5, 8), False),
    ]


def test_sig_ai_lines_name_their_owner_and_fields_below_an_item_are_its_own() -> None:
    found = _md("""# Infra SIG 2026-04-01

* Mirrors
    * AI Jonas - rotate the mirror keys
    * AI to Mara: write the outage note
    * AI Ethics and the mirrors were discussed at length
* Hosting
    * Renew the hosting contract
        * Owner: Omar
        * Due: 15 April
""")
    assert _actions(found) == [
        ("Rotate the mirror keys", "Jonas", None, False),
        ("Write the outage note", "Mara", None, False),
        ("Renew the hosting contract", "Omar", date(2026, 4, 15), False),
    ]


def test_a_vote_given_only_as_a_tally_passes_on_more_for_and_a_tie_does_not() -> None:
    found = _md("""# Club committee 2026-02-10

- Motion: buy a new safety launch
  - Result: 7–2
- Motion: move training to Fridays
  - Vote: 3 for, 6 against
- Motion: rename the novice squad
  - Result: 4–4
- Motion: keep the fee at £40
  - For 8, against 0, abstentions 1
""")
    assert [d.text for d in found.decisions] == ["Buy a new safety launch", "Keep the fee at £40"]


def test_roll_call_motions_and_be_it_resolved_are_decisions() -> None:
    html = """<h1>Village board, 2026-06-09</h1>
<p>Motion by: Trustee Okafor to award the mowing contract to Leaf &amp; Co.<br>
Second by: Trustee Hale.</p>
<p>Ayes: Okafor, Hale, Reyes. Nays: Volkov. Motion carried 3–1.</p>
<p>Motion by: Trustee Hale to close Elm Street on Sundays.<br>Second by: Trustee Reyes.</p>
<p>Ayes: Hale. Nays: Okafor, Reyes, Volkov. Motion failed 1–3.</p>
<p>NOW, THEREFORE, BE IT RESOLVED, that a parks committee is established.</p>"""
    found = extract_outcomes(html)
    assert [d.text for d in found.decisions] == [
        "Award the mowing contract to Leaf & Co",
        "A parks committee is established.",
    ]


def test_actions_and_decisions_in_french_german_and_spanish_sentences() -> None:
    found = _md("""# Réunion du bureau, 14 octobre 2026

Il a été question du budget. Le bureau a approuvé l'achat d'un composteur.
Claire se charge de réserver la salle d'ici vendredi. Yves sera absent en novembre.
""")
    assert [d.text for d in found.decisions] == [
        "Le bureau a approuvé l'achat d'un composteur."]
    assert _actions(found) == [("Réserver la salle", "Claire", date(2026, 10, 16), False)]

    found = _md("""# Vorstandssitzung am 5. November 2026

Der Vorstand beschließt einstimmig, das Training auf Dienstag zu verlegen.
Petra Keller wird die Trainer bis zum 15. November informieren.
Im Frühjahr wird der Chor wahrscheinlich wieder auftreten.
""")
    assert [d.text for d in found.decisions] == [
        "Der Vorstand beschließt einstimmig, das Training auf Dienstag zu verlegen."]
    assert _actions(found) == [
        ("Die Trainer informieren", "Petra Keller", date(2026, 11, 15), False)]

    found = _md("""# Acta del 20 de octubre de 2026

Se acuerda por unanimidad celebrar el mercadillo en la plaza.
Lucía se encarga de pedir el permiso antes del 31 de octubre. La fiesta será en mayo.
""")
    assert [d.text for d in found.decisions] == [
        "Se acuerda por unanimidad celebrar el mercadillo en la plaza."]
    assert _actions(found) == [("Pedir el permiso", "Lucía", date(2026, 10, 31), False)]


def test_a_due_that_names_no_day_stays_in_the_text() -> None:
    found = _md("""# Huddle 2026-11-16

## Action items
- Rhea to confirm the delivery slot this week
- Will to phone the council tomorrow
""")
    assert _actions(found) == [
        ("Confirm the delivery slot this week", "Rhea", None, False),
        ("Phone the council", "Will", date(2026, 11, 17), False),
    ]
