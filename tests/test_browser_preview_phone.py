"""The preview's own pages on a phone: nothing scrolls sideways, in any view (real chromium)."""

from __future__ import annotations

import pytest

from tests.test_browser import browser  # noqa: F401 (the shared chromium fixture)
from tests.test_preview import make_org

pytestmark = pytest.mark.browser

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
MODES = ("both", "desktop", "mobile", "text", "source", "checks")


@pytest.mark.parametrize("width", [320, 375])
def test_the_preview_pages_do_not_scroll_sideways_on_a_phone(browser, tmp_path, width):  # noqa: F811
    from digest.preview import Preview

    org = make_org(tmp_path)
    preview = Preview(org.config_path, "2026-10", port=0, poll_seconds=0.1).start()
    page = browser.new_page(viewport={"width": width, "height": 800})
    try:
        page.goto(preview.url)
        assert page.evaluate(OVERFLOW) <= 0, "index"
        for mode in MODES:
            page.goto(f"{preview.url}issue/2026-10/all#{mode}")
            page.locator("#subject").wait_for()
            if not page.locator("#recipients li").first.is_visible():  # a hash change keeps it
                page.locator("#recipients summary").click()  # the list of readers, opened
            assert page.locator("#recipients li").first.is_visible()
            assert page.evaluate(OVERFLOW) <= 0, mode
    finally:
        page.close()
        preview.stop()


def test_the_index_of_editions_reads_as_cards_on_a_phone(browser, tmp_path):  # noqa: F811
    from digest.preview import Preview

    org = make_org(tmp_path)
    preview = Preview(org.config_path, "2026-10", port=0, poll_seconds=0.1).start()
    page = browser.new_page(viewport={"width": 375, "height": 667})
    try:
        page.goto(preview.url)
        subject = page.locator("table.editions td.subject").first
        subject.wait_for()
        # a card as wide as the screen, not a column a few letters wide
        assert subject.bounding_box()["width"] > 300
        label = subject.evaluate("td => getComputedStyle(td, '::before').content")
        assert "Subject" in label  # each value says what it is, the header row hidden
        assert page.evaluate(OVERFLOW) <= 0
    finally:
        page.close()
        preview.stop()
