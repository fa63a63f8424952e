"""Debian's chromium, launched one way for every browser test and screenshot maker.

Playwright cannot download its own browsers here, so each launch names Debian's
binary and the flags a sandbox-less, offline machine needs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def chromium() -> Iterator[Browser]:
    """A running chromium, closed at the end (for `python -m tests.…` screenshot makers)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium_for_tests() -> Iterator[Browser]:
    """`chromium()`, or the test skipped where Debian's chromium is missing; in CI it fails
    instead, so a missing browser is never hidden there."""
    if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (make test installs it)")
    with chromium() as browser:
        yield browser


def evaluate_page(browser: Browser, path: Path, script: str, *, width: int, height: int) -> Any:
    """`script` evaluated in the file `path` opened at width × height, once it has loaded."""
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        page.goto(path.as_uri())  # waits for the load event
        return page.evaluate(script)
    finally:
        page.close()
