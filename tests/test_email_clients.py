"""caniemail (npm, through node) finds nothing unsupported in Gmail, Outlook, Apple Mail or Yahoo
beyond the reviewed baseline in digest/assets/caniemail-baseline.json."""

from __future__ import annotations

import os
import re

import pytest

from digest import checks, packaged
from tests.email_sample import sample_editions, sample_org

BASELINE = packaged.asset("caniemail-baseline.json")

# On a laptop without node this skips; in CI (CI=true) a missing install must fail instead.
needs_caniemail = pytest.mark.skipif(
    not checks.caniemail_available() and not os.environ.get("CI"),
    reason="needs node and `npm install` (make test does both)")


@pytest.fixture(scope="module")
def issues(tmp_path_factory):
    config = sample_org(tmp_path_factory.mktemp("org"), delivery_extra=(
        'preferences_url = "https://intranet.example.org/prefs"'))
    found = []
    for edition in sample_editions(config).values():
        found += checks.caniemail(edition.html)
    return found


@needs_caniemail
def test_no_unsupported_feature_outside_the_reviewed_baseline(issues):
    assert {i.client.split(".")[0] for i in issues} == {"gmail", "outlook", "apple-mail", "yahoo"}
    assert checks.unexplained(issues, checks.load_baseline(BASELINE)) == {}


@needs_caniemail
def test_a_feature_outside_the_baseline_fails():
    # CSS grid has no support in Outlook for Windows and is not in the baseline
    html = ('<!doctype html><html lang="en"><head><style>.g { display: grid; }</style></head>'
            '<body><div class="g" style="display:grid">x</div></body></html>')
    problems = checks.unexplained(checks.caniemail(html), checks.load_baseline(BASELINE))
    assert "outlook.windows" in problems.get("display:grid", []), problems


def test_every_baseline_entry_has_a_one_line_reason():
    baseline = checks.load_baseline(BASELINE)
    assert baseline
    for entry in baseline.values():
        assert entry.reason.strip() and "\n" not in entry.reason, entry.feature
        assert entry.clients and all("." in c for c in entry.clients), entry.feature


@needs_caniemail
def test_every_baseline_entry_is_still_needed(issues):
    """An entry that no edition triggers any more is a stale excuse: remove it."""
    reported: dict[str, set[str]] = {}
    for i in issues:
        if i.level == "error":
            reported.setdefault(i.title, set()).add(i.client)
    stale = {e.feature: sorted(set(e.clients) - reported.get(e.feature, set()))
             for e in checks.load_baseline(BASELINE).values()}
    assert {k: v for k, v in stale.items() if v} == {}


# What Outlook for Windows, Apple Mail, Outlook.com and the clients that drop <style> need.

def _doc(html: str):
    import lxml.html

    return lxml.html.document_fromstring(html.encode())


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    config = sample_org(tmp_path_factory.mktemp("org-clients"))
    return sample_editions(config)


def _style(el) -> str:
    return (el.get("style") or "").replace(" ", "").lower()


def test_the_logo_plate_is_a_table_cell_not_an_inline_block(editions):
    root = _doc(editions["all"].html)
    (mark,) = root.find_class("monogram")
    cell = mark.getparent()
    assert cell.tag == "td" and cell.get("bgcolor") == "#ffffff"
    assert "background-color:#fff" in _style(cell)
    for el in [cell, *cell.iterancestors()]:
        assert "inline-block" not in _style(el) or "mj-column" in (el.get("class") or "")


def test_dividers_between_communities_are_table_rows(editions):
    html = editions["all"].html
    root = _doc(html)
    assert not [d for d in root.iter("div") if "divider" in (d.get("class") or "")]
    dividers = [t for t in root.iter("table") if t.get("class") == "divider"]
    assert len(dividers) == 2  # between the sample's three communities of news
    for table in dividers:
        (cell,) = table.findall(".//tr/td")
        assert "border-bottom:1pxsolid#d5dbe2" in _style(cell)
        assert cell.get("height")  # Outlook honours the attribute


def test_list_margins_body_margin_and_link_colours_are_inline(editions):
    for key, edition in editions.items():
        root = _doc(edition.html)
        lists = list(root.iter("ul"))
        assert lists, key
        assert all("margin:0012px20px" in _style(ul) for ul in lists), key
        assert "margin:0" in _style(root.find("body"))
        for a in root.iter("a"):
            if a.get("href") and a.text_content().strip():
                assert re.search(r"(^|;)color:#", _style(a)), (key, a.get("href"))


def test_the_preheader_is_hidden_in_outlook_too(editions):
    for edition in editions.values():
        root = _doc(edition.html)
        (hidden,) = root.find_class("preheader")
        style = _style(hidden)
        assert "mso-hide:all" in style and "display:none" in style and "max-height:0" in style
        assert hidden.text_content().startswith(edition.preheader)
        # before anything a reader sees
        assert edition.html.index('class="preheader"') < edition.html.index("<h1")


def test_head_tells_apple_mail_and_outlook_com_what_to_leave_alone(editions):
    html = editions["all"].html
    head = html[: html.index("</head>")]
    assert '<meta name="x-apple-disable-message-reformatting">' in head
    assert re.search(r'<meta name="format-detection" content="telephone=no[^"]*date=no', head)
    assert re.search(r"a\[x-apple-data-detectors\]\s*\{[^}]*color:\s*inherit\s*!important", head)
    assert re.search(r"\[data-ogsc\] \.card [^{]*\{[^}]*color:", head)
    assert re.search(r"\[data-ogsb\] [^{]*\{[^}]*background-color:", head)
    assert "<link" not in head  # the feed link is for the web archive's page only


def test_html_without_its_style_blocks_keeps_brand_links_and_list_margins(editions):
    """Gmail when clipped and some webmails drop <style>: the inlined rules remain."""
    html = re.sub(r"<style\b.*?</style>", "", editions["all"].html, flags=re.S)
    root = _doc(html)
    links = [a for a in root.iter("a") if a.get("href") and "light" not in (a.get("class") or "")
             and a.text_content().strip()]
    # a join button is white on the brand blue, its cell's colour an attribute
    buttons = [a for a in links if a.get("class") == "button-link"]
    assert buttons and all(re.search(r"(^|;)color:#fff(fff)?;", _style(a)) for a in buttons)
    assert all(a.getparent().get("bgcolor") == "#0b57a4" for a in buttons)
    links = [a for a in links if a not in buttons]
    assert links and all("color:#0b57a4" in _style(a) for a in links)
    assert all("margin:" in _style(ul) for ul in root.iter("ul"))
