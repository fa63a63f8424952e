"""The four shapes of the second review set (tests/fixtures/minutes-review2/), one test each
way they are read and one for what must stay unread.

Chat-log minutes, Obsidian Tasks, votes whose result is said below the motion, and
actions written only in sentences. Each note is written for the test, in the project's
own words; the set itself is scored by bench/outcomes_bench.py (`--set review2`).
"""

from __future__ import annotations

from datetime import date

from digest.markdown import read_markdown
from digest.outcomes import extract_outcomes


def _actions(found) -> list[tuple[str, str | None, date | None, bool]]:  # type: ignore[no-untyped-def]
    return [(a.text, a.owner, a.due, a.done) for a in found.actions]


# -- chat logs ---------------------------------------------------------------------------


def test_a_raw_irc_log_is_read_by_its_markers_and_the_speaker_is_not_the_owner() -> None:
    html = """<h1>#quilt-guild meeting 2026-03-03</h1><pre>
[19:00] &lt;mags&gt; #topic Fabric swap
[19:02] &lt;tove_9&gt; we decided last year to keep it in spring
[19:04] &lt;mags&gt; #agreed the fabric swap stays in April
[19:05] &lt;mags&gt; #action tove_9 to book the scout hut by Friday
19:06 &lt;mags&gt; #action ruth price the cutting mats
</pre>"""
    found = extract_outcomes(html)
    assert [d.text for d in found.decisions] == ["The fabric swap stays in April"]
    assert _actions(found) == [
        ("Book the scout hut", "tove_9", date(2026, 3, 6), False),
        ("Price the cutting mats", "ruth", None, False),  # not the speaker, mags
    ]


def test_speaker_prefixes_of_matrix_and_slack_exports_come_off_before_the_marker() -> None:
    text = """<h1>Choir tech, 2026-05-12</h1><p>
[2026-05-12 20:01] kofi.a: decision: the livestream moves to the church's own channel<br>
[8:05 PM] Dana Ruiz: Action: Kofi to test the new camera by next week<br>
@lena:matrix.example.org: ACTION lena to renew the domain<br>
[8:09 PM] Dana Ruiz: we will talk about the microphones later</p>"""
    found = extract_outcomes(text)
    assert [d.text for d in found.decisions] == [
        "The livestream moves to the church's own channel"]
    assert _actions(found) == [
        ("Test the new camera", "Kofi", date(2026, 5, 19), False),
        ("Renew the domain", "lena", None, False),
    ]


def test_chatter_in_a_chat_log_is_neither_a_decision_nor_an_action() -> None:
    html = """<h1>#ops log 2026-02-02</h1><pre>
[10:01] &lt;pim&gt; the board decided that in 2019 already
[10:02] &lt;ade&gt; Ade will look at the cron job later
[10:03] &lt;pim&gt; we will discuss this next month
</pre>"""
    found = extract_outcomes(html)
    assert found.decisions == () and found.actions == ()


# -- Obsidian Tasks ----------------------------------------------------------------------


def test_obsidian_tasks_give_dues_owners_and_leave_out_their_signifiers() -> None:
    note = read_markdown("""# Allotment society 2026-06-01

## Tasks
- [ ] Order the seed potatoes 📅 2026-06-08 ⏫ [[Wen Li]]
- [ ] [[Omar Said]] to mend the gate ⏳ 2026-06-03 📅 2026-06-10 #gate
- [ ] Write to the council 🔁 every month 🔼 @jo
- [x] Empty the water butts ✅ 2026-06-01 [[People/Ana Reis|Ana]]
- [ ] Plan the open day 🛫 2026-06-02 📅 2026-06-20 ➕ 2026-06-01 [[Wen Li]] [[Omar Said]]
""")
    found = extract_outcomes(note.html)
    assert _actions(found) == [
        ("Order the seed potatoes", "Wen Li", date(2026, 6, 8), False),
        ("Mend the gate", "Omar Said", date(2026, 6, 10), False),
        ("Write to the council", "jo", None, False),
        ("Empty the water butts", "Ana", None, True),
        ("Plan the open day", "Wen Li, Omar Said", date(2026, 6, 20), False),
    ]


# -- votes -------------------------------------------------------------------------------


def test_a_vote_whose_result_is_below_it_is_one_decision_and_a_failed_one_is_none() -> None:
    html = """<h1>Canal society committee, 4 May 2026</h1>
    <p>Vote: adopt the towpath litter policy.</p><p>Result: carried 7–2.</p>
    <p><strong>Motion 2</strong>: That the society buys a second canoe.<br>
    Proposed: Ife Obi. Seconded: Lars Berg.<br>Result: defeated 3–6.</p>
    <ul><li>MOTION: to move the AGM to June.<ul><li>Passed unanimously.</li></ul></li>
    <li>Motion that members vote online.<ul><li>Withdrawn.</li></ul></li>
    <li>Ife moves to accept the treasurer's report; Lars seconds. Motion carries 8-0-1.</li></ul>
    <p>Motion: to close the forum.</p>"""
    found = extract_outcomes(html)
    assert [d.text for d in found.decisions] == [
        "Adopt the towpath litter policy",
        "To move the AGM to June",
        "Accept the treasurer's report",
    ]
    assert found.actions == ()


# -- actions in prose --------------------------------------------------------------------


def test_actions_written_as_sentences_have_owner_and_due() -> None:
    html = """<h1>Makers' circle, 2026-10-20</h1>
    <p>We looked at the spring programme. Priya will draft the charter by Friday, and Sam
    agreed to book the room for the next session. The ops team to follow up with legal.</p>
    <p>Rosa offered to write the announcement. Dev volunteered to check the mirror before
    30 October.</p>"""
    found = extract_outcomes(html)
    assert found.decisions == ()
    assert _actions(found) == [
        ("Draft the charter", "Priya", date(2026, 10, 23), False),
        ("Book the room", "Sam", None, False),
        ("Follow up with legal", "ops team", None, False),
        ("Write the announcement", "Rosa", None, False),
        ("Check the mirror", "Dev", date(2026, 10, 30), False),
    ]


def test_narrative_future_and_agenda_items_are_no_actions() -> None:
    html = """<h1>Guild monthly, 2026-11-11</h1>
    <p>We will discuss this next month. The team will continue to monitor the queue.
    Amir said he will be away in December. Layla will be on leave from 5 December.
    Tickets will go on sale on Monday. Hana will keep an eye on the figures.
    Everyone will think about speakers. Joe will not send the survey again.</p>
    <h2>Agenda for next time</h2>
    <ol><li>Priya will present the draft charter</li><li>Sam to report on the room</li></ol>"""
    found = extract_outcomes(html)
    assert found.decisions == () and found.actions == ()


def test_a_recap_that_says_an_action_twice_keeps_the_fuller_wording() -> None:
    html = """<h1>Steering, 2026-09-15</h1>
    <p>Tariq Haddad will draft the chapter guidelines. Noel will send out the walk dates by
    mid-October, and I will update the website. Ana will post the poster this week.</p>
    <h2>Action items</h2>
    <ul><li>Tariq Haddad will draft the chapter guidelines and share them next week.</li></ul>"""
    found = extract_outcomes(html)
    assert _actions(found) == [
        ("Send out the walk dates", "Noel", date(2026, 10, 15), False),  # not "by mid" / October
        ("Update the website", None, None, False),  # "I will …": no speaker named, no owner
        ("Post the poster this week", "Ana", None, False),  # names no day: stays in the text
        ("Draft the chapter guidelines and share them", "Tariq Haddad", date(2026, 9, 22), False),
    ]
