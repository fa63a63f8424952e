"""What the bilingual organisation's trial (TRIAL3.md) recorded and left: a feed date
written without a zone, a subject cutting a community's name at a slash, French dues
written "d'ici ..."."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from collect_helpers import community, make_config
from feedserver import rss

from digest.collect import collect
from digest.collect.parse import trusted_date
from digest.period import Period
from digest.store import Store

ZURICH = ZoneInfo("Europe/Zurich")
NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def _feedparser_reading(text: str):
    from feedparser.datetimes import _parse_date
    return _parse_date(text)


@pytest.mark.parametrize("text,expected", [
    # no zone written: the organisation's wall clock (23:30 in Zurich is 22:30 UTC in winter)
    ("2026-11-30T23:30:00", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("2026-11-30 23:30", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("2026-11-30", datetime(2026, 11, 29, 23, 0, tzinfo=UTC)),  # midnight in Zurich
    ("Mon, 30 Nov 2026 23:30", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("30 Nov 2026 23:30:00", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("Mo, 30 Nov 2026 23:30", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("lun., 30 nov. 2026 23:30", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("mer, 25.11.2026 - 14:30", datetime(2026, 11, 25, 13, 30, tzinfo=UTC)),
    ("Mon, 13 Jul 2026 23:30", datetime(2026, 7, 13, 21, 30, tzinfo=UTC)),  # summer: CEST
    # a zone written is kept, whatever the organisation's
    ("2026-11-30T23:30:00Z", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("2026-11-30T23:30:00+00:00", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("2026-11-30T23:30:00-05:00", datetime(2026, 12, 1, 4, 30, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 23:30:00 GMT", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 23:30:00 +0000", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 23:30:00 -0000", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 18:30:00 EST", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
    ("Mon, 30 Nov 2026 23:30:00 +0100 (CET)", datetime(2026, 11, 30, 22, 30, tzinfo=UTC)),
    ("30.11.2026 23:30 +0000", datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
])
def test_a_feed_date_without_a_zone_is_the_organisations_wall_clock(text, expected):
    assert trusted_date(text, _feedparser_reading(text), NOW, timezone=ZURICH) == expected


def test_without_a_timezone_given_a_zoneless_date_is_still_utc():
    text = "Mon, 30 Nov 2026 23:30"
    assert trusted_date(text, None, NOW) == datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def test_a_post_from_the_last_hour_of_november_goes_in_novembers_issue(tmp_path):
    """Read as UTC, 23:30 on 30 November was 00:30 on 1 December in Zurich: December's."""
    feed = tmp_path / "posts.xml"
    feed.write_bytes(rss("Quartier", [
        {"title": "Adventsmarkt", "guid": "q1", "link": "https://quartier.example.ch/1",
         "pubDate": "Mon, 30 Nov 2026 23:30"},
        {"title": "Rückblick", "guid": "q2", "link": "https://quartier.example.ch/2",
         "pubDate": "2026-11-30T23:45:00"}]))
    config = dataclasses.replace(make_config(tmp_path, [community("quartier", [str(feed)])]),
                                 timezone=ZURICH)
    store = Store(tmp_path / "digest.db")
    collect(config, store, now=NOW)
    items = store.items("kind = 'post'")
    assert len(items) == 2
    november = Period.containing(datetime(2026, 11, 1).date(), "monthly")
    for item in items:
        assert item.published is not None
        assert november.contains(item.published, ZURICH), (item.title, item.published)


# -- the subject keeps a community's name whole ------------------------------------------

BILINGUAL = "Quartierverein / Association de quartier"


def _issue_of(name: str, decision: str | None, session_title: str | None):
    from digest.models import Decision, Issue, Item, MeetingOutcomes, Section, Session

    meetings = [Item(key="m", community="quartier", kind="meeting", feed_url="f",
                     title="Sitzung", link=None, author=None, published=None, updated=None,
                     first_seen=datetime(2026, 11, 20, tzinfo=UTC), excerpt="",
                     outcomes=MeetingOutcomes(decisions=(Decision(decision),)))] \
        if decision else []
    sessions = [Session(community="quartier", uid="s", title=session_title,
                        start=datetime(2026, 12, 8, 18, tzinfo=UTC),
                        end=datetime(2026, 12, 8, 19, tzinfo=UTC))] if session_title else []
    return Issue(period=Period.parse("2026-11", "monthly"), title="Digest",
                 organisation="Genossenschaft", quiet=[],
                 sections=[Section("quartier", name, "", meetings=meetings, sessions=sessions)],
                 built_at=datetime(2026, 12, 1, 9, tzinfo=UTC))


def test_a_subject_keeps_a_bilingual_name_whole_and_shortens_the_news_by_words():
    from digest.render.view import SUBJECT_CHARS, subject_line

    decision = "Le marché de Noël aura lieu sur la place de l'école le samedi après-midi"
    subject = subject_line(_issue_of(BILINGUAL, decision, None))
    assert subject.startswith(f"{BILINGUAL}: Le marché de Noël"), subject
    assert len(subject) <= SUBJECT_CHARS and subject.endswith("…")
    assert subject[:-1].rstrip().split()[-1] in decision.split()  # cut between words

    only_sessions = subject_line(_issue_of(BILINGUAL, None, "Stamm"))
    assert only_sessions.startswith(f"{BILINGUAL}: Stamm "), only_sessions


def test_a_name_too_long_for_any_news_is_shortened_by_words_never_at_a_slash():
    from digest.render.view import SUBJECT_CHARS, subject_line

    name = "Quartierverein Birkenau-Süd und Umgebung / Association de quartier Birkenau-Sud"
    subject = subject_line(_issue_of(name, "Wir pflanzen zwölf neue Linden entlang der "
                                     "Hauptstrasse", None))
    shown, news = subject.split(": ", 1)
    assert name.startswith(shown.rstrip("…")) and shown.endswith("…")
    assert shown.startswith("Quartierverein Birkenau-Süd und Umgebung"), shown  # cut at the end
    assert not shown.rstrip("…").endswith(("/", " ")), shown
    assert news.startswith("Wir pflanzen zwölf") and len(subject) <= SUBJECT_CHARS


# -- French "d'ici ..." is a due, whichever apostrophe it is typed with ----------------------

HELD_ON = datetime(2026, 11, 26).date()  # a Thursday


@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ"])
@pytest.mark.parametrize("item,text,due", [
    ("[ ] @Noé Aebischer : réserver les tables auprès de la commune d{a}ici le 4 décembre",
     "Réserver les tables auprès de la commune", datetime(2026, 12, 4).date()),
    ("[ ] @Noé Aebischer : réserver les tables d{a}ici vendredi",
     "Réserver les tables", datetime(2026, 11, 27).date()),
    ("Léa Favre : imprimer les affiches, d{a}ici le 10 décembre",
     "Imprimer les affiches", datetime(2026, 12, 10).date()),
])
def test_dici_in_a_meeting_note_is_a_due(apostrophe, item, text, due):
    from digest.outcomes import extract_outcomes

    html = f"<h2>Actions</h2><ul><li>{item.format(a=apostrophe)}</li></ul>"
    (action,) = extract_outcomes(html, title="Séance du comité", meeting_date=HELD_ON).actions
    assert (action.text, action.due) == (text, due)


def test_dici_in_a_sentence_is_a_due():
    from digest.outcomes import extract_outcomes

    html = ("<h2>Actions</h2><p>Claire se charge de réserver la salle d’ici vendredi. "
            "Yves sera absent en novembre.</p>")
    (action,) = extract_outcomes(html, title="Séance", meeting_date=HELD_ON).actions
    assert action.owner == "Claire" and action.due == datetime(2026, 11, 27).date()
    assert "d’ici" not in action.text
