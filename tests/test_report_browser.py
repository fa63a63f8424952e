"""The organisers' report in Debian's chromium at 375 and 1024 px: no sideways scroll, the charts
drawn, the numbers tables there; the email too, with its <style> removed.

`python -m tests.test_report_browser` writes the README's screenshot to docs/screenshots/.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.config import load_config
from digest.period import Period
from digest.report import build_report, email_edition
from digest.store import Store
from tests.browser_support import chromium, chromium_for_tests, evaluate_page
from tests.report_org import organisation

pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent

# horizontal overflow; chart bars that are drawn (a bottom border with height), the numbers
# tables and their rows, and the smallest visible text
MEASURE = """() => {
  const doc = document.documentElement;
  const bars = [...document.querySelectorAll('tr[aria-hidden=true] td')].filter(td => {
    const s = getComputedStyle(td), r = td.getBoundingClientRect();
    return parseFloat(s.borderBottomWidth) > 1 && r.width > 2 && r.right <= doc.clientWidth + 0.5;
  });
  const numbers = [...document.querySelectorAll('table.numbers')];
  let minFont = 99;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el.getClientRects().length) continue;
    if (el.closest('[style*="display:none"]')) continue;
    minFont = Math.min(minFont, parseFloat(getComputedStyle(el).fontSize));
  }
  return {overflow: doc.scrollWidth - doc.clientWidth, bars: bars.length,
          tables: numbers.length,
          visibleTables: numbers.filter(t => t.getBoundingClientRect().height > 0).length,
          rows: numbers.map(t => t.querySelectorAll('tbody tr').length), minFont};
}"""


@pytest.fixture(scope="module")
def browser():
    with chromium_for_tests() as b:
        yield b


def report_page(root: Path) -> Path:
    config = organisation(root)
    result = CliRunner().invoke(cli, ["--config", str(config), "report", "--period", "2026-10"])
    assert result.exit_code == 0, result.output
    return root / "out" / "site" / "organisers" / "index.html"


@pytest.mark.parametrize("width", [375, 1024])
def test_the_page_fits_the_screen_with_charts_and_numbers(browser, tmp_path, width):
    m = evaluate_page(browser, report_page(tmp_path), MEASURE, width=width, height=900)
    assert m["overflow"] <= 0, f"scrolls sideways by {m['overflow']}px at {width}px"
    # the organisation's chart, the glance table and one chart per community draw bars
    assert m["bars"] >= 40, m
    assert m["tables"] == 7 and m["visibleTables"] >= 6  # the organisation's may be folded
    assert m["rows"] == [12] * 7
    assert m["minFont"] >= 14, m


@pytest.mark.parametrize("width", [375, 1024])
def test_the_email_without_style_still_draws_its_charts(browser, tmp_path, width):
    config = load_config(organisation(tmp_path))
    with Store(config.state_path) as store:
        report = build_report(config, store, Period.parse("2026-10", "monthly"))
    html = re.sub(r"<style\b.*?</style>", "", email_edition(config, report).html, flags=re.S)
    path = tmp_path / "email.html"
    path.write_text(html, encoding="utf-8")
    m = evaluate_page(browser, path, MEASURE, width=width, height=900)
    assert m["overflow"] <= 0, f"scrolls sideways by {m['overflow']}px at {width}px"
    drawn = sum(1 for c in report.communities for x in c.months if x.activity) + \
        sum(1 for t in report.totals if t.activity)
    assert m["bars"] == drawn
    assert m["minFont"] >= 14


def screenshot(browser, dest: Path, root: Path) -> Path:
    path = report_page(root)
    page = browser.new_page(viewport={"width": 1024, "height": 900}, device_scale_factor=1)
    try:
        page.goto(path.as_uri())
        dest.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(dest), full_page=False, clip={"x": 0, "y": 0, "width": 1024,
                                                               "height": 1500})
    finally:
        page.close()
    return dest


def test_the_readme_screenshot_can_be_made(browser, tmp_path):
    shot = screenshot(browser, tmp_path / "report.png", tmp_path / "org")
    assert shot.stat().st_size > 10_000


if __name__ == "__main__":
    import tempfile

    with chromium() as b, tempfile.TemporaryDirectory() as folder:
        print(screenshot(b, ROOT / "docs" / "screenshots" / "report-1024.png", Path(folder)))
    sys.exit(0)
