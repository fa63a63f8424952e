"""In Chromium at 375 px: the email with its <style> blocks removed (what Gmail does to a
clipped message and some webmails always do) keeps brand link colours, list margins and no
body margin; and the summary layout of a 50-community edition fits a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digest.render import Renderer
from tests.browser_support import chromium_for_tests, evaluate_page
from tests.email_sample import sample_editions, sample_org
from tests.large_org import large_config, large_issue

pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with chromium_for_tests() as b:
        yield b


STYLES = """() => {
  const links = [...document.querySelectorAll('a[href]')]
    .filter(a => a.textContent.trim() && !a.classList.contains('light')
                 && !a.classList.contains('button-link'))
    .map(a => getComputedStyle(a).color);
  // a join button: white text on the brand blue of its cell
  const buttons = [...document.querySelectorAll('a.button-link')].map(a =>
    [getComputedStyle(a).color, getComputedStyle(a.parentElement).backgroundColor]);
  const lists = [...document.querySelectorAll('ul')].map(u => {
    const s = getComputedStyle(u); return [s.marginLeft, s.marginBottom, s.paddingLeft]; });
  const body = getComputedStyle(document.body);
  const overflow = document.documentElement.scrollWidth - window.innerWidth;
  return {links, buttons, lists, bodyMargin: body.marginTop + ' ' + body.marginLeft, overflow,
          styles: document.querySelectorAll('style').length};
}"""


def measure(browser, tmp_path: Path, html: str) -> dict:
    path = tmp_path / "email.html"
    path.write_text(html, encoding="utf-8")
    return evaluate_page(browser, path, STYLES, width=375, height=667)


def test_without_style_blocks_the_email_stays_on_brand(browser, tmp_path):
    html = sample_editions(sample_org(tmp_path / "org"))["all"].html
    stripped = re.sub(r"<style\b.*?</style>", "", html, flags=re.S)
    found = measure(browser, tmp_path, stripped)
    assert found["styles"] == 0
    assert found["links"] and set(found["links"]) == {"rgb(11, 87, 164)"}  # #0b57a4
    assert found["buttons"] and all(b == ["rgb(255, 255, 255)", "rgb(11, 87, 164)"]
                                    for b in found["buttons"])
    assert found["lists"] and all(x == ["20px", "12px", "0px"] for x in found["lists"])
    assert found["bodyMargin"] == "0px 0px"
    assert found["overflow"] <= 0


def test_the_summary_of_fifty_communities_fits_a_phone(browser, tmp_path):
    config = large_config(tmp_path / "org", 50)
    (edition,) = Renderer(config).render_editions(large_issue(config), [None])
    found = measure(browser, tmp_path, edition.html)
    assert found["overflow"] <= 0
    assert len(found["lists"]) >= 50
