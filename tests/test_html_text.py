"""The one HTML-to-text walk, as each of its readers sees it.

Calendar descriptions (Google sends HTML, Outlook and hand-made calendars plain
text), meeting notes' HTML and feed entries' excerpts are all read by
`digest.outcomes.blocks`; these tests pin what each reader gets.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from digest.calendar import _plain, sessions
from digest.collect.parse import quick_text
from digest.outcomes.blocks import html_text

LONDON = ZoneInfo("Europe/London")


def lines(text: str) -> list[str]:
    """The lines a reader sees: blank lines carry nothing for the line-based rules."""
    return [line for line in text.split("\n") if line.strip()]


def event(description: str) -> bytes:
    body = description.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,") \
        .replace("\n", "\\n")
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Harbour Guild//EN\r\n"
            "BEGIN:VEVENT\r\nUID:walk-1\r\nDTSTART:20261110T100000Z\r\nSUMMARY:Clinic\r\n"
            f"DESCRIPTION:{body}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


def session_of(description: str):
    (found,) = sessions(event(description), "guild", datetime(2026, 11, 1, tzinfo=LONDON),
                        datetime(2026, 12, 1, tzinfo=LONDON), LONDON)
    return found


# -- calendar descriptions --------------------------------------------------------------


@pytest.mark.parametrize(("description", "expected"), [
    ("<b>Open studio</b><br>Facilitator: Oona Vell<br><br>Join via "
     "<a href='https://zoom.us/j/5550001'>Zoom</a>",
     ["Open studio", "Facilitator: Oona Vell", "Join via Zoom"]),
    ("<p>Agenda</p><p>Facilitator: Bram Koi</p><ul><li>Intros</li><li>Two <i>demos</i></li></ul>",
     ["Agenda", "Facilitator: Bram Koi", "Intros", "Two demos"]),
    ("<h3>Plan</h3>Warm-up<div>Host: <a href='mailto:ines@harbour.example'>Ines Tamm</a></div>",
     ["Plan", "Warm-up", "Host: Ines Tamm"]),
    ("<html-blob>Chair: Ruth Ode<br>Bring: a laptop</html-blob>",
     ["Chair: Ruth Ode", "Bring: a laptop"]),
    ("Pia &amp; Lev &lt;3 &#8212; caf&eacute;", ["Pia & Lev <3 — café"]),
    ("Facilitator: Lev Aro\nJoin: https://meet.google.com/abc-defg-hij",
     ["Facilitator: Lev Aro", "Join: https://meet.google.com/abc-defg-hij"]),
    ("Host: Tom Brae <tom@harbour.example>", ["Host: Tom Brae <tom@harbour.example>"]),
    ("Join: <https://zoom.us/j/5550002> or a<b>bold</b> move",
     ["Join: <https://zoom.us/j/5550002> or abold move"]),
    ("<!-- a note to self --><p>Seen</p><img src='https://x.example/a.png' alt='chart'>after",
     ["Seen", "after"]),
])
def test_a_calendar_description_reads_as_lines(description: str, expected: list[str]) -> None:
    text, _links = _plain(description)
    assert lines(text) == expected


def test_a_calendar_description_keeps_its_links_apart_in_order() -> None:
    _text, links = _plain("Agenda: <a href='https://wiki.harbour.example/a'>wiki</a><br>"
                          "<a href='https://zoom.us/j/5550003'>Join</a>")
    assert links == ["https://wiki.harbour.example/a", "https://zoom.us/j/5550003"]


def test_a_session_reads_its_facilitator_and_join_link_out_of_html() -> None:
    found = session_of("<p>Monthly clinic.</p><p>Facilitator: "
                       "<a href='mailto:oona@harbour.example'>Oona Vell</a></p>"
                       "<p><a href='https://zoom.us/j/5550004'>Join the call</a></p>")
    assert found.facilitator == "Oona Vell"
    assert found.join_url == "https://zoom.us/j/5550004"


def test_a_plain_description_keeps_its_line_breaks_for_the_facilitator() -> None:
    found = session_of("Bring questions.\nFacilitator: Bram Koi\nNotes after.")
    assert found.facilitator == "Bram Koi"


def test_an_autolinked_join_address_in_angle_brackets_is_found() -> None:
    assert session_of("Join: <https://zoom.us/j/5550005>").join_url == "https://zoom.us/j/5550005"


# -- notes HTML ---------------------------------------------------------------------------


@pytest.mark.parametrize(("html", "expected"), [
    ("<h2>Decisions</h2><ul><li>Adopt the rota</li><li>Keep <b>Fridays</b> free</li></ul>",
     "Decisions\nAdopt the rota\nKeep Fridays free"),
    ("<p>One<br>Two</p><p>Caf&eacute; &amp; tea&nbsp;time</p>", "One\nTwo\nCafé & tea time"),
    ("<div>Owner <a class='confluence-userlink' data-username='ines'>Ines Tamm</a></div>",
     "Owner Ines Tamm"),
    ("<p>Seen</p><style>p{color:red}</style><script>alert(1)</script><nav>Home</nav>"
     "<div class='page-metadata'>edited by someone</div><p>Also seen</p>",
     "Seen\nAlso seen"),
    ("<table><tr><th>Role</th><th>Name</th></tr><tr><td>Owner</td><td>Bram</td></tr></table>",
     "Role Name\nOwner Bram"),
    ("<p>Due <time datetime='2026-11-20'>20 Nov</time></p>", "Due 20 Nov"),
    ("<p>x &lt; y and 5 &gt; 3</p><!-- hidden -->", "x < y and 5 > 3"),
])
def test_notes_html_reads_as_a_line_per_block(html: str, expected: str) -> None:
    assert html_text(html) == expected


# -- feed entries' excerpts -------------------------------------------------------------


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>Hello <b>guild</b></p><p>Next&nbsp;week: caf&eacute;</p>", "Hello guild Next week: café"),
    ("<script>var x = '<p>no</p>';</script><p>Yes</p><style>p{}</style>", "Yes"),
    ("<ul><li>One</li><li>Two</li></ul><table><tr><td>A</td><td>B</td></tr></table>",
     "One Two A B"),
    ("<p>Seen<!-- not this --></p><noscript>nor this</noscript>", "Seen"),
    ("<h2>Title</h2>Loose text<br>after a break", "Title Loose text after a break"),
])
def test_an_entry_excerpt_is_its_words_on_one_line(html: str, expected: str) -> None:
    assert quick_text(html, "https://blog.harbour.example/").text == expected


def test_an_entry_gives_its_first_safe_image_and_alt() -> None:
    cleaned = quick_text("<p>Intro</p><img src='javascript:x'><img src='/a.png' alt='A chart'>"
                         "<img src='/b.png'>", "https://blog.harbour.example/post/")
    assert (cleaned.image, cleaned.image_alt) == ("https://blog.harbour.example/a.png", "A chart")


def test_a_long_entry_is_read_only_as_far_as_its_excerpt_needs() -> None:
    words = " ".join(f"w{i}" for i in range(20_000))
    cleaned = quick_text(f"<p>{words}</p>", "", enough=300)
    assert cleaned.text.startswith("w0 w1 w2") and 300 < len(cleaned.text) < len(words)


# -- what the one walk reads better than the walkers it replaced ------------------------


def test_a_script_in_a_description_is_never_its_text() -> None:
    text, _links = _plain("<script>var facilitator = 'Mallory';</script><style>p{}</style>"
                          "<p>Facilitator: Oona Vell</p>")
    assert lines(text) == ["Facilitator: Oona Vell"]
    assert session_of("<script>\nFacilitator: Mallory\n</script>Open studio").facilitator is None


def test_outlook_word_markup_in_a_description_is_not_text() -> None:
    text, _links = _plain("<p class=MsoNormal>Facilitator: Bram Koi<o:p></o:p></p>"
                          "<p class=MsoNormal>Room 4<o:p>&nbsp;</o:p></p>")
    assert lines(text) == ["Facilitator: Bram Koi", "Room 4"]


def test_a_description_keeps_what_a_notes_page_would_drop_as_chrome() -> None:
    found = session_of("<p>Clinic.</p><div class='footer'>Facilitator: Ines Tamm<br>"
                       "<a href='https://zoom.us/j/5550006'>Join</a></div>")
    assert (found.facilitator, found.join_url) == ("Ines Tamm", "https://zoom.us/j/5550006")
    assert html_text("<p>Clinic.</p><div class='footer'>Facilitator: Ines Tamm</div>") == "Clinic."


def test_blocks_that_do_not_break_lines_still_keep_words_apart() -> None:
    assert html_text("<section>Alpha</section><section>Beta</section>") == "Alpha Beta"
    assert lines(_plain("<article>Alpha</article><hr>Beta")[0]) == ["Alpha Beta"]


def test_preformatted_text_inside_a_page_keeps_its_lines() -> None:
    assert html_text("<h2>Log</h2><pre>step 1\nstep 2</pre><p>end\nof page</p>") == \
        "Log\nstep 1\nstep 2\nend of page"


def test_an_angle_bracket_that_opens_no_tag_is_text_in_notes_too() -> None:
    assert html_text("<p>Write to <ines@harbour.example> or see <https://harbour.example/></p>"
                     "<p>after</p>") == \
        "Write to <ines@harbour.example> or see <https://harbour.example/>\nafter"


def test_an_excerpt_keeps_angle_brackets_that_open_no_tag() -> None:
    assert quick_text("<p>x < y and 5 > 3, mail <ines@harbour.example></p>", "").text == \
        "x < y and 5 > 3, mail <ines@harbour.example>"
