"""Decisions and actions from the meeting notes that real tools publish."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from digest.models import Action, Decision, MeetingOutcomes
from digest.outcomes import MAX_CHARS, MAX_ITEMS, extract_outcomes, heading_kind

NOTES = Path(__file__).parent / "fixtures" / "meeting_notes"


def notes(name: str) -> str:
    return (NOTES / name).read_text(encoding="utf-8")


def act(text: str, owner: str | None = None, due: str | None = None, *,
        resolved: date | None = None, done: bool = False) -> Action:
    """An action as the extractor words it: the due date as written, resolved when ISO
    (or as `resolved` says, for words resolved against the meeting's date)."""
    if resolved is None:
        try:
            resolved = date.fromisoformat(due) if due else None
        except ValueError:
            resolved = None
    return Action(text, owner=owner, due=resolved, due_text=due, done=done)


def texts(outcomes: tuple[Decision | Action, ...]) -> list[str]:
    return [o.text for o in outcomes]


def test_confluence_meeting_notes_with_feed_chrome() -> None:
    found = extract_outcomes(notes("confluence.html"))
    assert found.decisions == (
        Decision("November show and tell will be five lightning talks of five minutes"),
        Decision("Dark-mode tokens become part of the definition of done"),
    )  # the UNDECIDED one is not a decision
    assert found.actions == (
        act("Share the audit spreadsheet with the group", owner="Tom Reid", done=True),  # ticked
        act("Book the Civic Centre room for the show and tell", owner="Priya Shah",
                due="2026-10-31"),
        act("Ask the accessibility CoP whether they want to co-host"),
    )
    everything = " ".join(texts(found.decisions + found.actions))
    for chrome in ("View Online", "edited", "Changes", "Lightning talks went down well"):
        assert chrome not in everything


def test_confluence_lists_count_wherever_they_are() -> None:
    html = """
    <h2>Notes</h2>
    <p>We went through the backlog.</p>
    <ul class="decision-list"><li data-decision-state="DECIDED">Freeze the API until March</li></ul>
    <ul class="inline-task-list"><li data-inline-task-id="4"><span class="placeholder-inline-tasks">
      Circulate the freeze notice <a class="confluence-userlink user-mention"
      data-account-id="5b10ac8d82e05b22cc7d4ef5" href="/wiki/people/5b10ac8d">@Joan Wu</a>
    </span></li></ul>
    """
    found = extract_outcomes(html)
    assert found.decisions == (Decision("Freeze the API until March"),)
    assert found.actions == (act("Circulate the freeze notice", owner="Joan Wu"),)


def test_markdown_page_with_task_list_and_nested_items() -> None:
    found = extract_outcomes(notes("markdown.html"))
    assert texts(found.decisions) == [
        "We retire the Jenkins build agents on 30 November.",
        "All new services use the platform-base Helm chart.",
        "Existing services move when they next change.",  # nested under the one above
    ]
    assert found.actions == (
        act("Write the migration guide", owner="ana.lima", due="2026-11-14"),
        act("Switch the monorepo to hosted runners", owner="Ben Okoro", done=True),  # [x]
        act("Update the on-call runbook", owner="Dee Park"),
        act("Ask security to review the Helm chart", owner="Chidi Okafor"),
        act("Clean up old build caches"),
        act("List unused caches", owner="Erin", due="20 Nov", resolved=date(2026, 11, 20)),
    )


def test_following_sections_do_not_leak_in() -> None:
    found = extract_outcomes(notes("markdown.html"))
    everything = " ".join(texts(found.decisions + found.actions))
    # "Why" is a sub-heading of the decisions, prose after a list; the rest are
    # sections of their own after the action items.
    for other in ("agents cost more", "3 December", "Hosted runners pricing", "Terraform",
                  "Edit this page", "Present"):
        assert other not in everything


def test_google_docs_export_with_class_styles_and_action_table() -> None:
    found = extract_outcomes(notes("gdocs_export.html"))
    assert texts(found.decisions) == [
        "The catalogue pilot runs with the finance and HR datasets first.",
        "The training budget goes to the SQL fundamentals course.",
    ]
    assert found.actions == (
        act("Load the finance datasets into the catalogue", owner="Sam Patel", due="14 Nov"),
        act("Book 12 seats on the SQL course", owner="Joan Wu", due="End of November"),
        act("Write up the pilot success criteria"),
    )
    everything = " ".join(texts(found.decisions + found.actions))
    assert "Kofi" not in everything and "Attendees" not in everything


def test_google_docs_paste_with_inline_styles_and_normal_weight_wrapper() -> None:
    found = extract_outcomes(notes("gdocs_paste.html"))
    assert texts(found.decisions) == [
        "Roadmaps move to the now / next / later template from January",
        "The discovery playbook stays as it is",
    ]
    assert found.actions == (
        act("Convert the three pilot roadmaps", owner="Lena Fischer"),
        act("Share the template in the all-hands deck", due="Friday 6 November"),
    )
    assert "OKR" not in " ".join(texts(found.actions))  # "Parking lot" ends the lead-in


def test_bold_lead_ins_in_an_email_style_page() -> None:
    found = extract_outcomes(notes("lead_ins.html"))
    assert texts(found.decisions) == [
        "We will run the mentoring scheme again in the spring, with twelve pairs.",
        "Sign-ups open on 1 February & close two weeks later.",  # entities decoded
    ]
    assert found.actions == (
        act("Update the sign-up form", owner="Rosa", due="15 January"),
        act("Draft the matching criteria", owner="Idris"),
        act("Ask last year's mentors for quotes", owner="Mei"),
    )
    assert "pair across communities" not in " ".join(texts(found.decisions + found.actions))


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Decisions", "decisions"),
        ("DECISIONS", "decisions"),
        ("Decisions made:", "decisions"),
        ("Key decisions", "decisions"),
        ("Outcomes", "decisions"),
        ("Agreed", "decisions"),
        ("What we agreed", "decisions"),
        ("Resolutions", "decisions"),
        ("Action items –", "actions"),
        ("Action Items:", "actions"),
        ("3. Next steps", "actions"),
        ("✅ To-do", "actions"),
        ("Follow-ups", "actions"),
        ("Actions agreed", "actions"),
        ("Open actions from last meeting", "actions"),
        ("Decisions & actions", "mixed"),
        ("Outcomes / next steps", "mixed"),
        ("Discussion items", None),
        ("Next meeting", None),
        ("Decisions needed", None),
        ("Participants", None),
        ("Actions speak louder than words: a talk on delivery", None),
    ],
)
def test_heading_names(heading: str, kind: str | None) -> None:
    assert heading_kind(heading) == kind


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5, 6])
def test_any_heading_level_opens_a_section(level: int) -> None:
    html = f"<h{level}>Next Steps</h{level}><ol><li>Sam to send the survey</li></ol>"
    assert extract_outcomes(html).actions == (act("Send the survey", owner="Sam"),)


def test_mixed_section_sorts_items_by_their_look() -> None:
    html = """
    <h2>Decisions &amp; actions</h2>
    <ul>
      <li>Quarterly retros replace the monthly ones</li>
      <li>Kofi Mensah to draft the retro format by next Friday</li>
      <li>Action: book the big room</li>
      <li>Owner: Joan – tell the other CoPs</li>
    </ul>"""
    found = extract_outcomes(html)
    assert found.decisions == (Decision("Quarterly retros replace the monthly ones"),)
    assert found.actions == (
        act("Draft the retro format", owner="Kofi Mensah", due="next Friday"),
        act("Book the big room"),
        act("Tell the other CoPs", owner="Joan"),
    )


def test_owner_and_due_forms() -> None:
    html = """
    <h3>Actions</h3>
    <ul>
      <li>@Sam Patel: migrate the dashboards (due 2026-12-01)</li>
      <li>Collect feedback from the pilot teams (Maria, due 14 November)</li>
      <li>Review the glossary [Joan Wu]</li>
      <li>Ana and Ben to pair on the data contract by end of the month</li>
      <li>Ask <a href="/display/~kofi" class="confluence-userlink">Kofi Mensah</a>
          about the licence</li>
      <li>Send the notes to everyone who attended</li>
      <li>Everyone to read the RFC before the next meeting</li>
    </ul>"""
    assert extract_outcomes(html).actions == (
        act("Migrate the dashboards", owner="Sam Patel", due="2026-12-01"),
        act("Collect feedback from the pilot teams", owner="Maria", due="14 November"),
        act("Review the glossary", owner="Joan Wu"),
        act("Pair on the data contract", owner="Ana, Ben", due="end of the month"),
        act("Ask Kofi Mensah about the licence", owner="Kofi Mensah"),
        act("Send the notes to everyone who attended"),
        act("Read the RFC", due="the next meeting"),  # "Everyone to": nobody in particular
    )


def test_plain_text_lead_in_and_placeholder_items() -> None:
    html = """
    <p>Decisions:</p>
    <ul><li>None</li></ul>
    <p>Action items -</p>
    <ul><li>N/A</li><li>Confirm the venue (Idris)</li></ul>"""
    found = extract_outcomes(html)
    assert found.decisions == ()
    assert found.actions == (act("Confirm the venue", owner="Idris"),)


def test_table_without_header_inside_a_section() -> None:
    html = """
    <h2>Actions</h2>
    <table><tr><td>Publish the style guide</td><td>Rosa</td><td>2026-11-30</td></tr>
    <tr><td>Archive the old wiki space</td><td>Jonas</td><td>Friday</td></tr></table>"""
    assert extract_outcomes(html).actions == (
        act("Publish the style guide", owner="Rosa", due="2026-11-30"),
        act("Archive the old wiki space", owner="Jonas", due="Friday"),
    )


def test_no_outcome_section_gives_empty_outcomes() -> None:
    html = """
    <h2>Summary</h2><p>Good turnout. We talked about onboarding and agreed to keep going.</p>
    <h2>Attendees</h2><ul><li>Ana</li><li>Ben</li></ul>
    <table><tr><th>Time</th><th>Item</th><th>Who</th></tr>
    <tr><td>10</td><td>Onboarding</td><td>Ana</td></tr></table>"""
    found = extract_outcomes(html)
    assert found == MeetingOutcomes() and not found
    assert not extract_outcomes("")
    assert not extract_outcomes("   \n ")
    assert not extract_outcomes("Just some plain text, no markup at all.")


def test_texts_are_capped_and_lists_limited() -> None:
    long = "Agree the wording of the charter " + "and its many appendices " * 20
    items = "".join(f"<li>Decision number {i}</li>" for i in range(MAX_ITEMS + 12))
    html = f"<h2>Decisions</h2><ul><li>{long}</li>{items}</ul>"
    found = extract_outcomes(html)
    assert len(found.decisions) == MAX_ITEMS
    first = found.decisions[0].text
    assert len(first) <= MAX_CHARS and first.endswith("…")
    assert first[:-1].endswith(("appendices", "and", "its", "many"))  # a word boundary
    assert found.decisions[1].text == "Decision number 0"


def test_duplicates_are_listed_once() -> None:
    html = """
    <h2>Decisions</h2><ul><li>Move to monthly sessions</li></ul>
    <ul class="decision-list">
      <li data-decision-state="DECIDED">Move to monthly sessions.</li>
    </ul>"""
    assert texts(extract_outcomes(html).decisions) == ["Move to monthly sessions"]


def test_chrome_after_the_last_section_is_not_an_outcome() -> None:
    html = """
    <p><strong>Actions:</strong></p>
    <p>Tom to send the slides</p>
    <div><a href="https://wiki.example.org/x">View Online</a> · <a href="#">Like</a></div>
    <p>Page edited by <a href="/display/~tom">Tom Reid</a></p>"""
    assert extract_outcomes(html).actions == (act("Send the slides", owner="Tom"),)


def test_outcomes_that_read_like_chrome_are_kept() -> None:
    # chrome is short link-bearing blocks; these are sentences the authors wrote
    html = """
    <h2>Actions</h2>
    <p>Ana added a page about the FAQ to the wiki</p>
    <p>Unsubscribe the old list from the newsletter</p>
    <p>Unsubscribe the test accounts from <a href="https://lists.example.org">the list</a></p>
    <h2>Decisions</h2>
    <p>Moved by Ana, seconded by Ben: the budget is approved.</p>
    <div><a href="https://wiki.example.org/x">View Online</a> | <a href="#">Add Comment</a></div>"""
    found = extract_outcomes(html)
    assert texts(found.actions) == [
        "Ana added a page about the FAQ to the wiki",
        "Unsubscribe the old list from the newsletter",
        "Unsubscribe the test accounts from the list",
    ]
    assert texts(found.decisions) == ["Moved by Ana, seconded by Ben: the budget is approved."]


def test_page_chrome_before_the_first_section_is_dropped() -> None:
    html = """<p>Page edited by <a href="/display/~ana">Ana Lima</a></p>
    <p><strong>Actions:</strong></p><p>Ben to book the room</p>"""
    assert extract_outcomes(html).actions == (act("Book the room", owner="Ben"),)


def test_unclosed_and_odd_markup_is_read() -> None:
    html = ('<?xml version="1.0" encoding="utf-8"?><H2>Decisions</h2><ul><li>Keep the Slack channel'
            "<li>Close the mailing list</ul><h2>Other</h2><p>ignored")
    assert texts(extract_outcomes(html).decisions) == [
        "Keep the Slack channel", "Close the mailing list"]


def test_deeply_nested_tags_finish_fast() -> None:
    html = ("<h2>Actions</h2><ul><li>Ana to check the logs</li></ul>"
            + "<div><span><b>" * 60_000 + "deep" + "</b></span></div>" * 60_000)
    started = time.perf_counter()
    found = extract_outcomes(html)
    assert time.perf_counter() - started < 2.0
    assert found.actions == (act("Check the logs", owner="Ana"),)


def test_a_one_megabyte_page_finishes_fast() -> None:
    filler = "<p>" + "Long discussion of the options and their trade-offs. " * 45 + "</p>"
    rows = "".join(f"<li>Follow-up item {i} for Sam to look at by 14 November</li>"
                   for i in range(2000))
    html = ("<h1>Minutes</h1>" + filler * 200 + "<h2>Actions</h2><ul>" + rows + "</ul>"
            + "<h2>Appendix</h2>" + filler * 200)
    assert len(html) > 1_000_000
    started = time.perf_counter()
    found = extract_outcomes(html)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, elapsed
    assert len(found.actions) == MAX_ITEMS and found.actions[0].due_text == "14 November"


def test_outlook_word_html_with_bold_lead_ins_and_mso_bullets() -> None:
    found = extract_outcomes(notes("outlook.html"))
    assert texts(found.decisions) == [
        "Month-end close moves to working day 4 from January.",
        "Expense policy v3 approved as drafted.",
    ]
    assert found.actions == (
        act("Brief the regional controllers", owner="Priya", due="12 December"),
        act("Update the close calendar in SharePoint", owner="Marcus"),
    )  # "Next meeting" and the signature are not outcomes


def test_markdown_list_items_that_are_labels() -> None:
    found = extract_outcomes(notes("markdown_labels.html"))
    assert texts(found.decisions) == [
        "Adopt WCAG 2.2 AA as the baseline",
        "Screen-reader testing is part of every release",
    ]
    assert found.actions == (act("Audit the intranet home page", owner="Ben"),)


def test_a_table_with_only_owner_and_due_columns_names_no_outcome() -> None:
    # the owner is not the action: a table with no text column gives nothing
    html = """
    <h2>Actions</h2>
    <table><tr><th>Owner</th><th>Due</th></tr><tr><td>Ana</td><td>Friday</td></tr></table>"""
    assert extract_outcomes(html).actions == ()


def test_owner_and_due_columns_beside_an_unnamed_text_column() -> None:
    html = """
    <h2>Actions</h2>
    <table><tr><th>Owner</th><th>Due</th><th></th></tr>
    <tr><td>Ana</td><td>Friday</td><td>Book the room</td></tr></table>"""
    assert extract_outcomes(html).actions == (act("Book the room", owner="Ana", due="Friday"),)


def test_google_docs_class_bold_label_ends_a_lead_in_section() -> None:
    html = """<html><head><style type="text/css">.c0{padding-top:0pt;line-height:1.15}
    .c3{color:#000000;font-weight:700;font-size:11pt}.c5{color:#000000;font-weight:400}</style>
    </head><body class="c11 doc-content">
    <p class="c0"><span class="c3">Decisions</span></p>
    <p class="c0"><span class="c5">We keep the Tuesday lunchtime slot.</span></p>
    <p class="c0"><span class="c3">Any other business</span></p>
    <p class="c0"><span class="c5">Kofi is on leave in December.</span></p></body></html>"""
    assert extract_outcomes(html).decisions == (Decision("We keep the Tuesday lunchtime slot."),)


def test_google_docs_normal_weight_wrapper_is_not_bold() -> None:
    html = """<p><strong>Next steps:</strong></p>
    <div><b style="font-weight:normal;" id="docs-internal-guid-5e6f7a8b-7fff-1234-5678"><span
    style="font-size:11pt;font-family:Arial,sans-serif;font-weight:400;white-space:pre-wrap;"
    >Ana to send the calendar invite</span></b></div>"""
    assert extract_outcomes(html).actions == (act("Send the calendar invite", owner="Ana"),)


def test_plain_labelled_line_is_one_item_not_a_section() -> None:
    html = """
    <p>We tried the new retro board.</p>
    <p>Outcome: the board stays for another month.</p>
    <p>Then we talked about the Christmas social.</p>
    <p>Thanks all!</p>"""
    assert extract_outcomes(html) == MeetingOutcomes(
        decisions=(Decision("The board stays for another month."),))


def test_bold_labelled_items_inside_a_heading_section() -> None:
    html = """
    <h2>Outcomes</h2>
    <p><strong>Decision:</strong> the newsletter goes monthly.</p>
    <p><strong>Action:</strong> Ana to set up the mailing list by 1 December.</p>
    <p><strong>Budget:</strong> no change this quarter.</p>
    <h2>Other news</h2><p><strong>Action:</strong> not from this section</p>"""
    found = extract_outcomes(html)
    assert texts(found.decisions) == [
        "The newsletter goes monthly.", "Budget: no change this quarter."]
    assert found.actions == (
        act("Set up the mailing list", owner="Ana", due="1 December"),
        act("Not from this section"),
    )


def test_things_that_look_like_owners_but_are_not() -> None:
    html = """
    <h2>Actions</h2>
    <ul>
      <li>@here please vote on the logo before Friday</li>
      <li>Monday to become the default meeting day</li>
      <li>Send the slides to Maria Gonzalez</li>
      <li>UX team to review the prototype</li>
    </ul>"""
    assert extract_outcomes(html).actions == (
        act("@here please vote on the logo", due="Friday"),
        act("Monday to become the default meeting day"),
        act("Send the slides to Maria Gonzalez"),
        act("UX team to review the prototype"),
    )


def test_a_mention_inside_a_decision_is_not_its_owner() -> None:
    html = """<ul class="decision-list"><li data-decision-state="DECIDED">Thanks to
    <a class="confluence-userlink user-mention" data-username="priya">Priya Shah</a>
    we adopt the new intake form</li></ul>"""
    assert extract_outcomes(html).decisions == (
        Decision("Thanks to Priya Shah we adopt the new intake form"),)


def test_one_reader_gives_the_words_of_any_html() -> None:
    from digest.outcomes.blocks import html_text

    html = ("<div><p>Date: <time datetime='2026-10-14'>14 Oct</time></p><script>x()</script>"
            "<ul><li>Owner <a class='user-mention' href='/u/1'>@Ana Lima</a></li></ul>"
            "<table><tr><td>Due</td><td>Friday</td></tr></table></div>")
    assert html_text(html) == "Date: 14 Oct\nOwner Ana Lima\nDue Friday"


def test_a_deadline_wins_over_what_the_work_is_for() -> None:
    html = ("<h2>Actions</h2><ul><li>Name Two: book the room for the next session by "
            "2026-11-04</li><li>Ana: draft the agenda for the next session</li></ul>")
    found = extract_outcomes(html, meeting_date=date(2026, 10, 14))
    booked, drafted = found.actions
    assert booked.text == "Book the room for the next session"
    assert booked.due == date(2026, 11, 4)
    assert drafted.due_text == "the next session"  # with nothing stronger, it is the due
