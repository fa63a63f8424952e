"""The digest and the preview in a real browser: Debian's chromium driven by Playwright.

Screenshots land in tests/artifacts/ (gitignored) for a person to look at;
`python -m tests.test_browser` writes the README's ones to docs/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_support import chromium, chromium_for_tests
from tests.email_sample import IMAGE, png, sample_editions, sample_org

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
# auto-waiting assertions: a deadline for a busy machine, not a guess of its speed
expect.set_options(timeout=20_000)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
WIDTHS = (320, 375, 600, 1024)


@pytest.fixture(scope="module")
def browser():
    with chromium_for_tests() as b:
        yield b


def write_sample(folder: Path, config_root: Path) -> dict[str, Path]:
    """The sample editions as files next to their lead image, as a mail client would show them."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / IMAGE).write_bytes(png(600, 300))
    config = sample_org(config_root)
    out = {}
    for key, edition in sample_editions(config).items():
        out[key] = folder / f"{key}.html"
        out[key].write_text(edition.html, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    # in a private folder: two test workers may write the sample at the same time
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return write_sample(tmp_path_factory.mktemp("email"), tmp_path_factory.mktemp("org"))


# Measured in the page: horizontal overflow, the smallest visible text, images wider than the
# cell they sit in, and the contrast of every visible text against its painted background.
MEASURE = """() => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number);
                       return {rgb: m.slice(0, 3), a: m.length > 3 ? m[3] : 1}; };
  const lum = rgb => { const [r, g, b] = rgb.map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const background = el => { for (let n = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor); if (c.a > 0) return c.rgb; }
    return [255, 255, 255]; };
  const doc = document.documentElement;
  const result = {overflow: doc.scrollWidth - doc.clientWidth, minFont: 99, small: [],
                  images: [], weak: []};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.replace(/[\\s\\u034f\\u200c]/g, '')) continue;
    const rects = el.getClientRects();
    const style = getComputedStyle(el);
    if (!rects.length || style.visibility === 'hidden' || style.opacity === '0') continue;
    if (el.closest('[style*="display:none"], [style*="max-height:0"]')) continue;
    const size = parseFloat(style.fontSize);
    result.minFont = Math.min(result.minFont, size);
    if (size < 14) result.small.push(size + 'px ' + node.textContent.trim().slice(0, 40));
    const fg = parse(style.color).rgb, bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < 4.5) result.weak.push(ratio.toFixed(2) + ' ' + style.color + ' on rgb(' + bg +
                                      ') ' + node.textContent.trim().slice(0, 40));
  }
  for (const img of document.images) {
    const r = img.getBoundingClientRect(), cell = img.closest('td').getBoundingClientRect();
    result.images.push({width: r.width, cell: cell.width, left: r.left - cell.left,
                        right: cell.right - r.right, loaded: img.naturalWidth > 0});
  }
  return result;
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_at_every_width_no_sideways_scroll_no_small_text_and_images_fit(browser, sample, scheme):
    page = browser.new_page()
    page.emulate_media(color_scheme=scheme)
    try:
        for key, path in sample.items():
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(path.as_uri())
                m = page.evaluate(MEASURE)
                where = f"{key} at {width}px, {scheme}"
                assert m["overflow"] <= 0, f"{where}: scrolls sideways by {m['overflow']}px"
                assert m["small"] == [] and m["minFont"] >= 14, where
                assert m["weak"] == [], f"{where}: {m['weak']}"
                for img in m["images"]:
                    assert img["loaded"], where
                    assert img["width"] <= img["cell"] and img["left"] >= 0 \
                        and img["right"] >= 0, f"{where}: {img}"
                    assert img["width"] <= min(552, width), where
                assert len(m["images"]) == (1 if key == "all" else 0)
                page.screenshot(path=str(ARTIFACTS / f"email-{key}-{width}-{scheme}.png"),
                                full_page=True)
    finally:
        page.close()


def test_dark_mode_paints_dark_backgrounds(browser, sample):
    page = browser.new_page(viewport={"width": 600, "height": 900})
    try:
        page.goto(sample["all"].as_uri())
        light = page.evaluate("getComputedStyle(document.querySelector('.body')).backgroundColor")
        page.emulate_media(color_scheme="dark")
        dark = page.evaluate("getComputedStyle(document.querySelector('.body')).backgroundColor")
        card = page.evaluate(
            "getComputedStyle(document.querySelector('.card td')).backgroundColor")
    finally:
        page.close()
    assert light == "rgb(238, 242, 246)"
    assert dark == "rgb(18, 20, 23)"
    assert card == "rgb(29, 33, 39)"


def screenshots(browser, sample: dict[str, Path], dest: Path,
                stand_in_images: bool = False) -> list[Path]:
    """The README's pictures: the full edition at 375 and 1024 px, light and dark.

    `stand_in_images` answers image requests to remote hosts with a local picture, for
    editions whose images live on a (fictional) intranet this machine cannot reach.
    """
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for width in (375, 1024):
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": width, "height": 900},
                                    device_scale_factor=1)
            page.emulate_media(color_scheme=scheme)
            if stand_in_images:
                page.route("http*://**/*.{png,jpg,jpeg,gif,webp}",
                           lambda route: route.fulfill(body=png(600, 300),
                                                       content_type="image/png"))
            page.goto(sample["all"].as_uri())
            path = dest / f"digest-{width}-{scheme}.png"
            page.screenshot(path=str(path), full_page=True)
            page.close()
            written.append(path)
    return written


def test_readme_screenshots_can_be_made(browser, sample):
    written = screenshots(browser, sample, ARTIFACTS / "screenshots")
    assert [p.name for p in written] == ["digest-375-light.png", "digest-375-dark.png",
                                         "digest-1024-light.png", "digest-1024-dark.png"]
    assert all(p.stat().st_size > 10_000 for p in written)


def test_preview_index_mobile_text_and_live_reload(browser, tmp_path):
    from digest.preview import Preview
    from tests.test_preview import make_org

    org = make_org(tmp_path)
    preview = Preview(org.config_path, "2026-10", port=0, poll_seconds=0.1).start()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(preview.url)
        page.get_by_role("link", name="all", exact=True).click()
        expect(page).to_have_url(re.compile(r"/issue/2026-10/all"))
        expect(page.locator("#subject")).to_have_text(re.compile(r"^October at a glance"))
        desktop = page.locator('iframe[title="Desktop view"]')
        phone = page.locator('iframe[title="Mobile view"]')
        expect(desktop).to_be_visible()
        expect(phone).to_be_visible()

        page.get_by_role("link", name="Mobile", exact=True).click()
        expect(phone).to_be_visible()
        expect(desktop).to_be_hidden()
        mobile = page.frame_locator('iframe[title="Mobile view"]')
        expect(mobile.get_by_text("In this issue")).to_be_visible()

        page.get_by_role("link", name="Plain text").click()
        expect(page.locator("#plain-text")).to_contain_text("Our data catalogue is live")
        expect(phone).to_be_hidden()
        page.screenshot(path=str(ARTIFACTS / "preview-text.png"))

        page.get_by_role("link", name="Mobile", exact=True).click()
        expect(phone).to_be_visible()
        template = org.root / "templates" / "digest.mjml.j2"
        template.write_text(template.read_text().replace("In this issue", "Inside this month"))
        # the page reloads itself after the rebuild, and stays on the mobile view
        mobile = page.frame_locator('iframe[title="Mobile view"]')
        expect(mobile.get_by_text("Inside this month")).to_be_visible()
        expect(page).to_have_url(re.compile(r"#mobile$"))
        expect(desktop).to_be_hidden()
        page.screenshot(path=str(ARTIFACTS / "preview-mobile.png"))
    finally:
        page.close()
        preview.stop()


def sample_organisation_editions(workdir: Path) -> dict[str, Path]:
    """Run the job on the shipped sample organisation (a copy) and return its full edition."""
    import shutil

    from click.testing import CliRunner

    from digest.cli import cli

    shutil.copytree(ROOT / "feeds", workdir / "feeds")
    shutil.copy(ROOT / "digest.toml", workdir / "digest.toml")
    # as the monthly job runs it, on 1 November: November's sessions are still to come
    from datetime import UTC, datetime

    from digest import pipeline
    from digest.config import load_config
    from digest.period import Period
    from digest.store import Store

    config = load_config(workdir / "digest.toml")
    built = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    with Store(config.state_path) as store:
        pipeline.collect(config, store, now=built)
        pipeline.build(config, store, Period.parse("2026-10", "monthly"), now=built)
    result = CliRunner().invoke(cli, ["--config", str(workdir / "digest.toml"), "send",
                                      "--period", "2026-10"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return {"all": workdir / "out" / "2026-10" / "digest.html"}


if __name__ == "__main__":  # python -m tests.test_browser: refresh docs/screenshots/
    import tempfile

    with chromium() as b, tempfile.TemporaryDirectory() as tmp:
        for path in screenshots(b, sample_organisation_editions(Path(tmp)),
                                ROOT / "docs" / "screenshots", stand_in_images=True):
            print(path.relative_to(ROOT))


def test_the_web_archive_reads_well_on_a_phone_and_a_desktop(browser, tmp_path):
    from click.testing import CliRunner

    from digest.cli import cli
    from tests.test_preview import make_org

    org = make_org(tmp_path)
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), "run", "--period",
                                      "2026-10"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    site = org.root / "out" / "site"
    page = browser.new_page()
    try:
        for width in (320, 1024):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto((site / "index.html").as_uri())
            page.get_by_role("link", name="October 2026").click()
            expect(page).to_have_url(re.compile(r"/2026-10/index\.html$"))
            expect(page.locator("#data")).to_have_count(1)  # the anchor the email links to
            for url in ((site / "index.html").as_uri(), (site / "2026-10" / "index.html").as_uri()):
                page.goto(url)
                m = page.evaluate(MEASURE)
                assert m["overflow"] <= 0 and m["small"] == [] and m["weak"] == [], (url, m)
            page.screenshot(path=str(ARTIFACTS / f"site-issue-{width}.png"), full_page=True)
    finally:
        page.close()
