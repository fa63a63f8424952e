"""A hostile review of the merges of robust, trial3 and extract8: inputs a new user may
write that the new rules could misread. Each note, feed and file is written for the test."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from digest.collect.parse import trusted_date
from digest.markdown import read_markdown
from digest.outcomes import extract_outcomes
from digest.recipients import load_recipients
from tests.test_calendar import one_event, only_session

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def _md(text: str):  # type: ignore[no-untyped-def]
    return extract_outcomes(read_markdown(text).html)


def _actions(found) -> list[tuple[str, str | None, date | None]]:  # type: ignore[no-untyped-def]
    return [(a.text, a.owner, a.due) for a in found.actions]


# --- name particles -----------------------------------------------------------------

def test_english_sentences_with_particle_words_are_read_as_before() -> None:
    found = _md("""# Allotment society, 18 November 2026

Present: Priya Nair, Tom Gale

## Item 2 – Market stall

The stall was a de facto rule of the summer fair. Go to the van for the tables.
Tom Gale will order the gazebo by Friday.
""")
    assert _actions(found) == [("Order the gazebo", "Tom Gale", date(2026, 11, 20))]


# --- "Name: infinitive …, due" -------------------------------------------------------

_GERMAN = """# Protokoll der Vereinssitzung vom 18. November 2026

Anwesend: Jonas Brink, Omar Said, Ana Lenz

## TOP 2 – Sommerfest

Wir haben über das Sommerfest gesprochen und die Liste der Stände durchgegangen.

{items}
"""


@pytest.mark.parametrize("line", [
    "- Jonas: leider erst nächste Woche",       # "leider": unfortunately, not a verb
    "- Omar: immer noch offen, bis Freitag",    # "immer": always
    "- Ana: wieder verschoben, nächste Woche",  # "wieder": again
])
def test_a_german_reply_ending_like_an_infinitive_is_no_action(line: str) -> None:
    assert not _md(_GERMAN.format(items=line)).actions


_FRENCH = """# Compte rendu de la réunion du 18 novembre 2026

Présents : Luc Perrin, Sara Blanc, Omar Tazi

## Point 2 – Fête du quartier

Nous avons parlé de la fête du quartier et des stands que les voisins veulent tenir.

{items}
"""


@pytest.mark.parametrize("line", [
    "- Luc : premier retour positif, avant lundi",
    "- Sara : notre stand sera prêt d'ici vendredi",
    "- Omar : autre sujet, la semaine prochaine",
])
def test_a_french_statement_opening_with_a_word_ending_like_an_infinitive_is_no_action(
        line: str) -> None:
    assert not _md(_FRENCH.format(items=line)).actions


def test_a_french_infinitive_after_a_present_name_is_still_an_action() -> None:
    found = _md(_FRENCH.format(items="- Luc : réserver la salle des fêtes, avant lundi"))
    assert [(a.owner, a.due) for a in found.actions] == [("Luc", date(2026, 11, 23))]


_ENGLISH = """# Garden group, 18 November 2026

Present: Sara Holm, Omar Reid, Ana Pike

## Item 1 – Greenhouse

We went through the greenhouse rota and the broken pane.

{items}
"""


@pytest.mark.parametrize("line", [
    "- Omar: never, by Friday",
    "- Ana: later, next week",
    "- Omar: whatever works, by Friday",
])
def test_an_english_reply_is_no_action(line: str) -> None:
    assert not _md(_ENGLISH.format(items=line)).actions


# --- feed dates ------------------------------------------------------------------------

def _feedparser_reading(text: str):  # type: ignore[no-untyped-def]
    from feedparser.datetimes import _parse_date
    return _parse_date(text)


@pytest.mark.parametrize("text,expected", [
    ("Mo, 30 Nov 2026 10:00:00 +0000", datetime(2026, 11, 30, 10, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 10:00:00 +0000", datetime(2026, 11, 30, 10, tzinfo=UTC)),
    ("Tue, 03 Mar 2026 10:00:00 GMT", datetime(2026, 3, 3, 10, tzinfo=UTC)),
    ("Sat, 05 Sep 2026 07:30:00 GMT", datetime(2026, 9, 5, 7, 30, tzinfo=UTC)),
    ("Fri, 11 Dec 2026 10:00:00 GMT", None),  # in the future
    ("Tue, 1 December 2026 09:00:00 +0000", datetime(2026, 12, 1, 9, tzinfo=UTC)),
    ("Thu, 26 November 2026 09:00:00 +0000", datetime(2026, 11, 26, 9, tzinfo=UTC)),
    ("Sun, 1 March 2026 09:00:00 +0000", datetime(2026, 3, 1, 9, tzinfo=UTC)),
])
def test_english_feed_dates_after_the_local_month_names(text: str, expected) -> None:  # type: ignore[no-untyped-def]
    assert trusted_date(text, _feedparser_reading(text), NOW) == expected


# --- recipients --------------------------------------------------------------------------

KNOWN = {"wards", "estates"}


@pytest.mark.parametrize("separator", [",", ";"])
def test_a_utf16_recipients_file_with_commas_or_semicolons_is_read(
        tmp_path: Path, separator: str) -> None:
    text = (f"email{separator}name{separator}communities\r\n"
            f"ann@example.org{separator}Ann Müller{separator}wards\r\n")
    for encoding in ("utf-16", "utf-16-be"):
        path = tmp_path / f"recipients-{encoding}.csv"
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        path.write_bytes(data)
        result = load_recipients(path, KNOWN)
        assert [(r.email, r.name, r.communities) for r in result.recipients] == [
            ("ann@example.org", "Ann Müller", {"wards"})], encoding


def test_a_utf16_file_without_a_byte_order_mark_is_named_as_utf16(tmp_path: Path) -> None:
    from digest.errors import ConfigError
    path = tmp_path / "recipients.csv"
    path.write_bytes("email,name,communities\r\nann@example.org,Ann,wards\r\n"
                     .encode("utf-16-le"))
    with pytest.raises(ConfigError) as caught:
        load_recipients(path, KNOWN)
    assert "UTF-16" in str(caught.value) and "UTF-8" in str(caught.value), caught.value


# --- calendar facilitator --------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "Leitung: 3 Stühle und ein Beamer",
    "Animation: musique live et jeux",
    "Moderation: keine, offene Runde",
    "Host: zoom.example.org/j/123",
    "Begeleiding: piano en gitaar",
])
def test_a_label_word_followed_by_no_person_is_no_facilitator(line: str) -> None:
    session = only_session(one_event(f"DESCRIPTION:Ablauf folgt.\\n{line}"))
    assert session.facilitator is None, session.facilitator


def test_after_a_label_line_naming_nobody_a_later_one_or_the_organizer_is_the_facilitator(
        ) -> None:
    session = only_session(one_event(
        "DESCRIPTION:Leitung: 2 Tische\\nModeration: Léon Marchetti"))
    assert session.facilitator == "Léon Marchetti"
    session = only_session(one_event(
        "ORGANIZER;CN=Ines Vogt:mailto:ines@example.org",
        "DESCRIPTION:Leitung: 2 Tische und ein Beamer"))
    assert session.facilitator == "Ines Vogt"
