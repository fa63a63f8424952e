"""The email reads well for everyone: structure, alt and link text, sizes, contrast, footer."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import lxml.html
import pytest

from digest import checks
from tests.email_sample import COMMUNITIES, sample_editions, sample_org

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return sample_org(tmp_path_factory.mktemp("org"))


@pytest.fixture(scope="module")
def editions(config):
    return sample_editions(config)


def doc(html: str):
    return lxml.html.document_fromstring(html.encode())


def test_the_sample_editions_have_no_accessibility_findings(editions):
    for key, edition in editions.items():
        assert checks.lint(edition.html) == [], key


def test_one_h1_an_h2_per_community_and_an_h3_per_item(editions):
    root = doc(editions["all"].html)
    assert len(root.findall(".//h1")) == 1
    h2 = [h.text_content().strip() for h in root.iter("h2")]
    for name in ("Data", "Service Design", "User Research", "Gone quiet"):
        assert any(t.startswith(name) for t in h2), name
    h3 = [h.text_content().strip() for h in root.iter("h3")]
    assert "Our data catalogue is live" in h3
    assert any(t.startswith("Meeting: October data community meeting") for t in h3)
    assert "Security" in h3  # the quiet community
    # the reader of one community sees the others' headlines under their own h3
    others = [h.text_content().strip() for h in doc(editions["design"].html).iter("h3")]
    assert {"Data", "User Research"} <= set(others)


def test_every_image_has_alt_and_the_lead_image_fits_its_column(editions):
    for img in doc(editions["all"].html).iter("img"):
        assert img.get("alt") is not None
        assert img.get("width") == "552"  # Outlook for Windows reads the attribute
        assert "max-width:552px" in img.get("style").replace(" ", "")


def test_links_say_what_they_open(editions):
    for edition in editions.values():
        for a in doc(edition.html).iter("a"):
            if a.get("href"):
                text = a.text_content().strip().lower()
                assert text and text not in checks.VAGUE_LINK_TEXT, a.get("href")


def template_text_colours() -> set[str]:
    """Every text colour the templates declare: inline.css, mj-attributes, mj-style, dark mode."""
    sources = (TEMPLATES / "inline.css").read_text() + (TEMPLATES / "digest.mjml.j2").read_text()
    found = re.findall(r'(?<![-\w])color\s*[:=]\s*"?\s*(#[0-9a-fA-F]{3,6})\b', sources)
    return {"#" + "".join(c * 2 for c in h[1:]) if len(h) == 4 else h.lower() for h in found}


def test_every_text_colour_of_the_template_meets_4_5_to_1_on_its_background(editions):
    pairs: dict[tuple[str, str], float] = {}
    for edition in editions.values():
        for scheme in ("light", "dark"):
            pairs.update(checks.colour_pairs(edition.html, scheme=scheme))
    weak = {pair: ratio for pair, ratio in pairs.items() if ratio < checks.MIN_CONTRAST}
    assert weak == {}
    declared = template_text_colours()
    assert len(declared) >= 10
    shown = {fg for fg, _ in pairs}
    # every colour the template declares for text was seen on a background and measured
    assert declared <= shown, declared - shown


def test_the_lint_computes_each_cascade_once(editions, monkeypatch):
    """Desktop light (sizes and contrast), mobile (sizes), dark (contrast): three, not four."""
    seen = []
    real = checks.text_runs

    def counting(html, *, width=600, scheme="light"):
        seen.append((width, scheme))
        return real(html, width=width, scheme=scheme)

    monkeypatch.setattr(checks, "text_runs", counting)
    assert checks.lint(editions["all"].html) == []
    assert sorted(seen) == [(375, "light"), (600, "dark"), (600, "light")]


def test_contrast_ratio_matches_wcag_reference_values():
    assert checks.contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21)
    assert checks.contrast_ratio((0x77, 0x77, 0x77), (255, 255, 255)) == pytest.approx(4.48, 0.01)
    assert checks.parse_colour("#fff") == (255, 255, 255)
    assert checks.parse_colour("rgba(0, 0, 0, 0)") is None


def test_the_lint_finds_the_faults_it_is_there_for():
    bad = """<!doctype html><html><head><style>
      .pale { color: #999999; }
      @media (prefers-color-scheme: dark) { .box { background-color: #111111 !important; } }
    </style></head><body style="background:#ffffff">
      <h2>No h1 first</h2><h1>One</h1><h1>Two</h1><h4>Skipped a level</h4>
      <p class="pale">Grey on white</p><p style="font-size:12px">Small print</p>
      <div class="box"><p style="color:#222222">Dark on dark in dark mode</p></div>
      <img src="a.png"><a href="https://e.org/x"><img src="b.png" alt=""></a>
      <a href="https://e.org/post">Read more</a><a href="https://e.org/y"> </a>
    </body></html>"""
    found = {f.check for f in checks.lint(bad)}
    assert found == {"lang", "headings", "alt", "link-text", "font-size", "contrast"}
    messages = " | ".join(map(str, checks.lint(bad)))
    assert "2 <h1>" in messages and "skips a level" in messages
    assert "'Read more'" in messages and "12px" in messages
    assert "#999999 on #ffffff" in messages
    assert "dark mode: #222222 on #111111" in messages


def test_body_text_is_at_least_14px_on_phones_and_desktops(editions):
    for width in (320, 600):
        sizes = {r.font_px for r in checks.text_runs(editions["all"].html, width=width)}
        assert min(sizes) >= 14
    assert 16 in sizes  # body text


def test_lang_and_direction_come_from_config(tmp_path):
    config = sample_org(tmp_path, digest_extra='language = "ar"\ndirection = "rtl"')
    html = sample_editions(config)["all"].html
    root = doc(html)
    assert (root.get("lang"), root.get("dir")) == ("ar", "rtl")
    # text starts on the right, and lists indent from the right
    assert "direction:rtl" in html and "direction:ltr" not in html
    assert "margin:0 20px 12px 0" in html  # list margins are inline, for Outlook
    # every list, the reader's own block (put in after the inliner) too
    lists = [u.get("style") or "" for u in root.iter("ul")]
    assert len(lists) > 3 and all("margin:0 20px 12px 0" in u for u in lists), lists
    texts = [d.get("style") for d in root.iter("div")
             if "line-height:1.5" in (d.get("style") or "")]
    assert texts and all("text-align:right" in t for t in texts)


def test_system_fonts_only_and_dark_mode_rules(editions):
    html = editions["all"].html
    assert "fonts.googleapis" not in html and "@import" not in html
    assert "@font-face" not in html and "<link" not in html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert '<meta name="supported-color-schemes" content="light dark">' in html
    assert "@media (prefers-color-scheme: dark)" in html
    assert "-apple-system" in html and "Segoe UI" in html


def test_preheader_is_padded_so_body_text_stays_out_of_the_inbox_preview(editions):
    edition = editions["all"]
    hidden = next(d for d in doc(edition.html).iter("div")
                  if "display:none" in (d.get("style") or "").replace(" ", ""))
    text = hidden.text_content()
    assert text.startswith(edition.preheader)
    assert text.count("\u034f") >= 50  # the padding that fills the preview


def test_footer_says_why_how_to_change_and_how_to_leave(config, editions):
    html = editions["design"].html
    assert "View this issue in your browser" in html
    assert f'href="{config.web_url}2026-10/"' in html
    footer = html[html.index("You get CoP Digest"):]
    assert "list for Service Design" in footer
    assert "mailto:cop-digest@example.org?subject=Change%20my%20communities" in footer
    assert "mailto:leave@example.org?subject=Unsubscribe" in footer
    assert "Unsubscribe from CoP Digest" in footer


def test_preferences_and_unsubscribe_urls_are_used_when_configured(tmp_path):
    config = sample_org(tmp_path, delivery_extra=(
        'preferences_url = "https://intranet.example.org/prefs"\n'
        'unsubscribe_url = "https://intranet.example.org/leave"'))
    edition = sample_editions(config)["all"]
    assert '<a href="https://intranet.example.org/prefs"' in edition.html
    assert '<a href="https://intranet.example.org/leave"' in edition.html
    # the text part: a label, then the URL on a line of its own
    assert "Change your communities:\nhttps://intranet.example.org/prefs\n" in edition.text
    assert "Unsubscribe:\nhttps://intranet.example.org/leave\n" in edition.text


def test_no_view_in_browser_link_without_a_web_url(tmp_path):
    config = sample_org(tmp_path)
    config = dataclasses.replace(config, web_url=None)
    html = sample_editions(config)["all"].html
    assert "in your browser" not in html
    # the contents list then points into the email itself
    assert 'href="#data"' in html


def test_every_community_name_is_an_anchor_target(editions):
    ids = {a.get("id") for a in doc(editions["all"].html).iter("a") if a.get("id")}
    assert {"data", "design", "research", "quiet"} <= ids
    assert set(COMMUNITIES) - {"security", "content"} <= ids


def test_the_busiest_edition_still_passes_every_check(tmp_path):
    from digest.render import Renderer
    from tests.support import write_org
    from tests.test_size_budget import stress_issue

    ids = ["product", "design", "data", "engineering", "research", "content", "security",
           "architecture", "delivery", "analytics", "accessibility", "platform"]
    config = write_org(tmp_path, dict.fromkeys(ids, [])).config()
    (full,) = Renderer(config).render_editions(stress_issue(config), [None])
    assert checks.lint(full.html) == []


def test_the_text_part_names_everything_the_html_shows(config, editions):
    """Readers of the plain-text part (and spam filters) get the same issue as the HTML."""
    from tests.email_sample import sample_issue

    issue = sample_issue(config)
    sections = issue.sections + issue.quiet
    names = [s.name for s in sections]
    names += [i.title for s in sections for i in s.posts]
    names += [m.title for s in sections for m in s.meetings]
    names += [x.title for s in sections for x in s.sessions]
    for key, edition in editions.items():
        html = " ".join(doc(edition.html).text_content().split())
        text = " ".join(edition.text.split())  # the text part wraps long lines
        shown = [n for n in names if n in html]
        assert [n for n in shown if n not in text] == [], key
    full_html = doc(editions["all"].html).text_content()
    assert "Threat modelling drop-in" in full_html  # the quiet community's next session
    assert "Across the organisation" in doc(editions["design"].html).text_content()


def test_the_outcomes_left_for_the_notes_are_counted_in_good_english(config):
    from digest.render import Renderer
    from digest.render.view import DETAIL_LEVELS, build_view
    from tests.email_sample import sample_issue

    issue = sample_issue(config)
    meeting = issue.sections[0].meetings[0]  # 2 decisions, 2 actions
    one_each = dataclasses.replace(DETAIL_LEVELS[0], outcomes_per_list=1)
    renderer = Renderer(config)
    html = renderer.html(build_view(config, issue, None, one_each))
    assert "2 more outcomes in the notes of October data community meeting" in html
    issue.sections[0].meetings[0] = dataclasses.replace(meeting, outcomes=dataclasses.replace(
        meeting.outcomes, actions=meeting.outcomes.actions[:1]))
    html = renderer.html(build_view(config, issue, None, one_each))
    assert "1 more outcome in the notes of October data community meeting" in html
