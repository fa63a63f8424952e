"""The fast render writes what inlining every detail level in turn would have written.

`Renderer.render` inlines a level only when its MJML output could fit the size budget,
reuses premailer's parsed stylesheet, and wraps each text once; none of that may change
a byte or the detail level chosen. The reference here is the search the renderer did
before: every level rendered and inlined in turn, by a premailer made afresh for each
document, until one fits. Organisations are varied (sizes, shapes, with and without a
web archive and so with a calendar attachment counted, right to left), and the extra
bytes are set so that editions sit exactly at the budget's edge of every level.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import replace
from pathlib import Path

import premailer
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import render
from digest.render import SIZE_BUDGET_BYTES, Renderer
from digest.render.view import DETAIL_LEVELS, View, build_view
from digest.text import clean_text
from tests.large_org import large_config, large_issue

_STYLE_TAG = re.compile(r"<style\b")


def premailer_afresh(html: str, css: str) -> str:
    """The inliner as it was before it was set up once: a new premailer per document."""
    marked = _STYLE_TAG.sub('<style data-premailer="ignore"', html)
    out = premailer.Premailer(
        marked, css_text=css, strip_important=False, keep_style_tags=True,
        allow_network=False, disable_validation=True, remove_classes=False,
        cssutils_logging_level=logging.CRITICAL, disable_basic_attributes=["width", "height"],
    ).transform()
    out = out.replace(' data-premailer="ignore"', "")
    if not out.lstrip().lower().startswith("<!doctype"):
        out = "<!doctype html>\n" + out
    return out


def every_level(renderer: Renderer, issue, communities) -> list[tuple[View, str, str]]:
    """(view, MJML's HTML, inlined HTML) of every detail level, each inlined afresh."""
    out = []
    for detail in DETAIL_LEVELS:
        view = build_view(renderer.config, issue, communities, detail)
        compiled = renderer.compiled(view)
        out.append((view, compiled, premailer_afresh(compiled, renderer.inline_css)))
    return out


def exhaustive_choice(levels: list[tuple[View, str, str]], extra: int) -> int:
    """The level the old search chose: the first whose HTML plus `extra` is under the budget."""
    for i, (_, _, html) in enumerate(levels):
        if len(html.encode()) + extra < SIZE_BUDGET_BYTES:
            return i
    return len(levels) - 1


ORGANISATIONS = [
    # (communities, sizes of each community's month, web archive, direction)
    (6, {}, True, "ltr"),
    (12, {}, True, "ltr"),  # the "half" edition sits at 89.8 KB with its own block
    (12, dict(posts=6, meetings=2, outcomes=4, sessions=2), False, "ltr"),  # calendar counted
    (24, dict(posts=8, meetings=3, outcomes=5, sessions=1), True, "rtl"),
    (9, dict(posts=3, meetings=0, outcomes=0, sessions=0), True, "ltr"),
]


@pytest.mark.parametrize("communities,sizes,web,direction", ORGANISATIONS)
def test_fast_render_chooses_the_level_and_bytes_of_inlining_every_level(
        tmp_path: Path, communities: int, sizes: dict, web: bool, direction: str) -> None:
    config = large_config(tmp_path, communities, web_url=web)
    config = replace(config, direction=direction)
    issue = large_issue(config, **sizes)
    ids = [c.id for c in config.communities]
    rng = random.Random(communities)
    audiences = [None, frozenset(ids[:1]), frozenset(ids[: communities // 2]),
                 frozenset(rng.sample(ids, communities - 2))]
    renderer = Renderer(config)
    checked = 0
    for communities_read in audiences:
        levels = every_level(renderer, issue, communities_read)
        calendar = renderer.calendar(issue, communities_read)
        attached = len(calendar) * 4 // 3 if calendar else 0
        # extra bytes that put this edition exactly at the edge of each level: its inlined
        # HTML just under and just at the budget, and its MJML output just at the budget
        extras = {0}
        for _, compiled, html in levels:
            for size in (len(html.encode()), len(compiled.encode())):
                extras.update(SIZE_BUDGET_BYTES - attached - size - d for d in (0, 1))
        for extra in sorted(e for e in extras if e >= 0):
            want = exhaustive_choice(levels, extra + attached)
            edition = renderer.render(issue, communities_read, extra)
            view, _, html = levels[want]
            assert edition.detail_level == want, (communities_read, extra)
            assert edition.html == html, (communities_read, extra, want)
            assert edition.text == renderer.text(view)
            assert edition.subject == view.subject and edition.preheader == view.preheader
            checked += 1
    assert checked > 20  # the edges were there to test


def test_the_inliner_set_up_once_writes_what_a_fresh_premailer_writes(tmp_path: Path) -> None:
    for n, direction, web in ((12, "ltr", True), (7, "rtl", False)):
        config = replace(large_config(tmp_path / f"{n}", n, web_url=web), direction=direction)
        renderer = Renderer(config)
        issue = large_issue(config)
        ids = [c.id for c in config.communities]
        for communities in (None, frozenset(ids[:2])):
            for detail in (DETAIL_LEVELS[0], DETAIL_LEVELS[3], DETAIL_LEVELS[-1]):
                compiled = renderer.compiled(build_view(config, issue, communities, detail))
                assert render.inline_css(compiled, renderer.inline_css) == \
                    premailer_afresh(compiled, renderer.inline_css)


def test_only_a_level_whose_mjml_could_fit_is_inlined(tmp_path: Path, monkeypatch) -> None:
    """The inliner runs once for an edition whose first level fits; past that, only for
    the levels whose MJML output alone is under the budget, up to the one chosen (50 busy
    communities: none of the six full-layout levels, each far over, is inlined)."""
    calls: list[str] = []
    inline = render.inline_css

    def counted(html: str, css: str) -> str:
        calls.append(html)
        return inline(html, css)

    monkeypatch.setattr(render, "inline_css", counted)
    config = large_config(tmp_path / "small", 6)
    small = large_issue(config, posts=3, meetings=1, outcomes=2, sessions=1)
    edition = Renderer(config).render(small, frozenset({"cop-01"}))
    assert (edition.detail_level, len(calls)) == (0, 1)

    for n in (12, 50):
        calls.clear()
        config = large_config(tmp_path / f"large{n}", n)
        issue = large_issue(config)
        renderer = Renderer(config)
        edition = renderer.render(issue, None)
        compiled = [renderer.compiled(build_view(config, issue, None, d))
                    for d in DETAIL_LEVELS[: edition.detail_level + 1]]
        could_fit = [c for c in compiled if len(c.encode()) < SIZE_BUDGET_BYTES]
        assert calls == could_fit
        assert len(calls) < len(compiled)
        if n == 50:
            assert DETAIL_LEVELS[edition.detail_level].layout == "summary"
            assert len(compiled) >= 7


def clean_text_before(text: str) -> str:
    """clean_text as it was before it was made fast: one class with every unsafe character."""
    from digest.text import _ESCAPE_SEQUENCE, _NONCHARACTERS

    unsafe = re.compile(
        "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
        "\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff" + _NONCHARACTERS + "]")
    if text.isascii() and text.isprintable():
        return text
    return unsafe.sub("", _ESCAPE_SEQUENCE.sub("", text))


_TRICKY = st.sampled_from(["\x1b[31m", "\x1b]8;;https://x.example\x07", "\x9b2J", "\x9d0;t\x9c",
                           "\x1bc", "\ufffe", "\U0001fffe", "\U0010ffff", "\U0001f600", "\u202e",
                           "\u200b", "\ud800", "·", "…", "\x00", "\x7f", "\x85", "é", "a b\n"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_TRICKY, st.text(max_size=8)), max_size=12))
def test_clean_text_removes_what_it_removed_before(parts: list[str]) -> None:
    text = "".join(parts)
    assert clean_text(text) == clean_text_before(text)


def test_the_class_index_finds_what_lxml_css_selectors_find() -> None:
    """Class attributes as a custom template might write them: white space of every kind
    XPath folds (and a no-break space it does not), a name twice, one name inside another,
    upper-case attribute names, empty classes; and a stylesheet with such classes, inlined
    into images that float (premailer adds align=, reading each image's style once)."""
    from lxml import etree
    from lxml.cssselect import CSSSelector

    from digest.render.inliner import create_cssselector, inliner

    html = ("<!doctype html><html><head><style>p{}</style></head><body>"
            "<p class='summary'>a</p><p class=\"summary-first summary\">b</p>"
            "<div CLASS=\"\tmuted\nmeta  muted\r\">c<span class='muted'>d</span></div>"
            "<p class=''>e</p><p class='Muted'>f</p><p class='x\u00a0muted'>g</p>"
            "<!-- class='muted' --><p class='summary-firstly'>h</p>"
            "<img src='a.png' style='float: left; width: 10px'>"
            "<img src='b.png' style='FLOAT:right'>"
            "<img src='c.png' class='summary' style='float: none'><img src='a.png' "
            "style='float: left; width: 10px'></body></html>")
    page = etree.fromstring(html, etree.HTMLParser())
    for name in ("summary", "summary-first", "muted", "meta", "Muted", "x", "absent", "-a"):
        found = create_cssselector(f".{name}")(page)
        assert found == CSSSelector(f".{name}")(page), name
    css = (".summary { color: #111111; } .summary-first { padding: 0; } .muted { color: #222222; }"
           " .meta { font-size: 14px; } p.summary { margin: 0; } .Muted { color: #333333; }")
    assert inliner(css)(html) == premailer_afresh(html, css)


def test_an_inliner_that_shrinks_a_document_turns_the_shortcut_off(tmp_path: Path) -> None:
    """A custom template full of character references: premailer writes each as the
    character, so its inlined HTML is smaller than MJML's output and a level over the
    budget before inlining fits after it. The renderer sees the shrink, inlines every level
    from then on, and chooses what inlining every level would (here the first level, where
    the shortcut alone would have skipped the first two)."""
    folder = tmp_path / "my-templates"
    folder.mkdir()
    (folder / "digest.mjml.j2").write_text(
        "<mjml><mj-body><mj-section><mj-column><mj-text>{{ v.subject }}"
        "{% for i in range(v.detail.excerpt_chars * 40 + 2000) %}&#847;&zwnj;{% endfor %}"
        "</mj-text></mj-column></mj-section></mj-body></mjml>\n", encoding="utf-8")
    config = replace(large_config(tmp_path / "org", 6), templates_path=folder)
    issue = large_issue(config, posts=2, meetings=1, outcomes=1, sessions=1)
    renderer = Renderer(config)
    levels = every_level(renderer, issue, None)
    compiled_first, inlined_first = levels[0][1].encode(), levels[0][2].encode()
    assert len(compiled_first) >= SIZE_BUDGET_BYTES > len(inlined_first)  # the premise
    edition = renderer.render(issue, None)
    assert edition.detail_level == exhaustive_choice(levels, 0) == 0
    assert edition.html == levels[0][2]
    assert renderer.render(issue, frozenset({"cop-01"})).detail_level == 0
