"""The bilingual (French/German) organisation's trial (TRIAL3.md): dates written in the
publisher's language, and WordPress.com's author avatar as a post's lead image."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.collect.parse import parse_feed, trusted_date

NOW = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)


def _feedparser_reading(text: str):
    from feedparser.datetimes import _parse_date
    return _parse_date(text)


@pytest.mark.parametrize("text,expected", [
    # TYPO3 and other CMSs in German write day and month names in German (DIN 1355)
    ("Mi, 28 Okt 2026 17:45:00 +0100", datetime(2026, 10, 28, 16, 45, tzinfo=UTC)),
    ("Di, 01 Dez 2026 09:00:00 +0100", datetime(2026, 12, 1, 8, tzinfo=UTC)),
    ("Mo, 16 Mär 2026 10:00:00 +0100", datetime(2026, 3, 16, 9, tzinfo=UTC)),
    ("Fr, 15 Mai 2026 10:00:00 +0200", datetime(2026, 5, 15, 8, tzinfo=UTC)),
    # French, with the abbreviations' dots; a day name that is also a month ("mar." Tuesday)
    ("mar., 17 févr. 2026 08:00:00 +0100", datetime(2026, 2, 17, 7, tzinfo=UTC)),
    ("jeu., 13 août 2026 12:00:00 +0200", datetime(2026, 8, 13, 10, tzinfo=UTC)),
    ("ven, 11 déc 2026 10:00:00 +0100", None),  # in the future: not believed, as in English
    ("sam., 05 sept. 2026 07:30:00 GMT", datetime(2026, 9, 5, 7, 30, tzinfo=UTC)),
    # Italian and Spanish
    ("gio, 12 nov 2026 10:00:00 +0100", datetime(2026, 11, 12, 9, tzinfo=UTC)),
    ("lun, 02 ago 2026 10:00:00 +0200", datetime(2026, 8, 2, 8, tzinfo=UTC)),
    # a day-first date with dots (Drupal Views' "D, d.m.Y - H:i"): no zone, read as UTC
    ("mer, 25.11.2026 - 14:30", datetime(2026, 11, 25, 14, 30, tzinfo=UTC)),
    ("Mi, 21.04.2021 - 15:26", datetime(2021, 4, 21, 15, 26, tzinfo=UTC)),
    ("25.11.2026", datetime(2026, 11, 25, tzinfo=UTC)),
    ("25.11.2026 14:30 +0100", datetime(2026, 11, 25, 13, 30, tzinfo=UTC)),
    # still refused: a month or day that does not exist, a word that is no month
    ("Mi, 32 Okt 2026 17:45:00 +0100", None),
    ("Mi, 28 Foo 2026 17:45:00 +0100", None),
    ("31.02.2026 - 10:00", None),
    ("Mi, 28 Okt 2026 17:45:00 MESZ", None),  # a zone name: not trusted, as CEST is not
])
def test_a_date_in_the_publishers_language_is_read(text, expected):
    assert trusted_date(text, _feedparser_reading(text), NOW) == expected


def _typo3_feed(pub_date: str) -> bytes:
    return ('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>'
            "<title>Quartierverein Birkenau</title><link>https://quartier.example.ch/</link>"
            f"<item><guid isPermaLink=\"false\">news-9</guid><pubDate>{pub_date}</pubDate>"
            "<title>Neue Öffnungszeiten</title>"
            "<link>https://quartier.example.ch/aktuelles/9</link>"
            "<description>Der Raum ist dienstags länger offen.</description></item>"
            "</channel></rss>").encode("iso-8859-1")


def test_a_latin1_typo3_item_dated_in_german_keeps_its_date():
    """Before: 'Okt' was unreadable, the item counted as undated and an October post went
    into the issue of the day it was first collected, as news."""
    result = parse_feed(_typo3_feed("Mi, 28 Okt 2026 17:45:00 +0100"), {},
                        url="https://quartier.example.ch/rss.xml", community="quartier",
                        kind="post", now=NOW)
    (entry,) = result.entries
    assert entry.title == "Neue Öffnungszeiten"
    assert entry.published == datetime(2026, 10, 28, 16, 45, tzinfo=UTC)


MEDIA = "http://search.yahoo.com/mrss/"


def _wordpress_com_item(avatar: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0" xmlns:media="{MEDIA}" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
            "<link>https://solar-birkenau.example.com</link><item><title>Am Netz</title>"
            "<link>https://solar-birkenau.example.com/2026/11/27/am-netz/</link>"
            "<pubDate>Fri, 27 Nov 2026 16:40:12 +0000</pubDate>"
            "<content:encoded><![CDATA[<p>Die Anlage läuft.</p><img "
            'src="https://solar-birkenau.example.com/files/dach.jpg" alt="Dach"/>]]>'
            "</content:encoded>"
            f'<media:content url="{avatar}" medium="image">'
            '<media:title type="html">kbirki</media:title></media:content>'
            '<media:content url="https://solar-birkenau.example.com/files/dach.jpg" '
            'medium="image"><media:title type="html">Dach</media:title></media:content>'
            "</item></channel></rss>").encode()


@pytest.mark.parametrize("avatar", [
    "https://0.gravatar.com/avatar/5b2c9e?s=96&amp;d=identicon&amp;r=G",
    "https://secure.gravatar.com/avatar/5b2c9e?s=96&amp;d=identicon&amp;r=G",
    "https://2.gravatar.com/avatar/5b2c9e",
])
def test_a_wordpress_com_author_gravatar_is_not_the_lead_image(avatar):
    """WordPress.com lists the author's gravatar as the first media:content, undeclared size."""
    (entry,) = parse_feed(_wordpress_com_item(avatar), {},
                          url="https://solar-birkenau.example.com/feed/", community="energie",
                          kind="post", now=NOW).entries
    assert entry.image == "https://solar-birkenau.example.com/files/dach.jpg"


SITZUNG = """---
title: Sitzung Solargruppe, 26. November
date: {date}
kind: meeting
---
# Sitzung Solargruppe

## Beschlüsse
- Die Heizkurve wird ab Dezember um 2 K abgesenkt.
"""


@pytest.mark.parametrize("written,local", [
    ("26.11.2026", datetime(2026, 11, 26, 0, 0)),
    ("26.11.2026 18:30", datetime(2026, 11, 26, 18, 30)),
    ("'6.1.2027'", datetime(2027, 1, 6, 0, 0)),
])
def test_a_swiss_date_in_front_matter_is_read_day_first(tmp_path, written, local):
    """Before: '26.11.2026' skipped the meeting ('is not a date'), so its decisions were lost
    until the lead rewrote the date; a date with dots is day-first wherever it is written."""
    from digest.collect import collect
    from digest.store import Store
    from tests.support import notes_org

    org = notes_org(tmp_path)
    folder = org.root / "feeds" / "notes" / "product"
    (folder / "sitzung.md").write_text(SITZUNG.format(date=written), encoding="utf-8")
    config = org.config()
    with Store(config.state_path) as store:
        report = collect(config, store, now=datetime(2027, 1, 10, 6, tzinfo=UTC))
        items = {i.title: i for i in store.items()}
    (row,) = [r for r in report.feeds if r.role == "notes"]
    assert not row.problems, row.problems
    item = items["Sitzung Solargruppe, 26. November"]
    assert item.published == local.replace(tzinfo=config.timezone).astimezone(UTC)


def test_a_date_with_dots_that_does_not_exist_is_still_named(tmp_path):
    from digest.collect import collect
    from digest.store import Store
    from tests.support import notes_org

    org = notes_org(tmp_path)
    folder = org.root / "feeds" / "notes" / "product"
    (folder / "sitzung.md").write_text(SITZUNG.format(date="31.02.2026"), encoding="utf-8")
    config = org.config()
    with Store(config.state_path) as store:
        report = collect(config, store, now=datetime(2027, 1, 10, 6, tzinfo=UTC))
        assert not list(store.items())
    (row,) = [r for r in report.feeds if r.role == "notes"]
    (problem,) = row.problems
    assert problem.startswith("sitzung.md: date: '31.02.2026' is not a date"), problem


def test_unquoted_aliases_in_a_semicolon_file_are_not_called_a_name(tmp_path):
    """Before: 'quote a name that contains a semicolon', though the name had none and the
    extra semicolon was the aliases' (or the communities'): the hint sent the organiser to
    the wrong cell."""
    from digest.recipients import load_recipients

    path = tmp_path / "recipients.csv"
    path.write_text("email;name;communities;aliases\n"
                    "kaspar.imhof@birkenau.example.ch;Kaspar Imhof;solar;Kaspar;KI\n",
                    encoding="utf-8")
    result = load_recipients(path, {"solar"})
    assert not result.recipients
    (skipped,) = result.skipped
    reason = str(skipped)
    assert "found 5" in reason and "a name that contains" not in reason, reason
    assert "quote a cell that contains a semicolon" in reason, reason
