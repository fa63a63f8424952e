"""The first screen of a phone: a one-community reader sees their next session, a decision of
their community and their own action without scrolling (Chromium at 375×667)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import chromium_for_tests
from tests.test_personal import REPORT, add_data_clinic, build, organisation, outbox, parts, send

pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def browser():
    with chromium_for_tests() as b:
        yield b


def test_the_first_phone_screen_shows_next_session_decision_and_own_action(browser, tmp_path):
    org = organisation(tmp_path / "org")
    add_data_clinic(org, "LOCATION:Room 2.04", "URL:https://meet.example.org/data-clinic")
    build(org)
    assert send(org).exit_code == 0
    data = next(d for name, d in outbox(org).items() if name.startswith("ida.brennan"))
    _, html, _ = parts(data)
    page_file = tmp_path / "ida.html"
    page_file.write_text(html, encoding="utf-8")

    page = browser.new_page(viewport={"width": 375, "height": 667})
    try:
        page.goto(page_file.as_uri())
        wanted = {
            "next session": page.get_by_text("Data clinic", exact=True).first,
            "its time": page.get_by_text("Wed 18 Nov, 14:00–15:00 GMT").first,
            "a decision": page.get_by_role("link", name="Deputy owners are now required"),
            "own action": page.get_by_text(REPORT.text).first,
        }
        for what, locator in wanted.items():
            box = locator.bounding_box()
            assert box is not None, f"{what} is not shown"
            assert box["y"] + box["height"] <= 667, \
                f"{what} is {box['y'] + box['height']:.0f} px down, below the first screen"
        # the join link is the bulletproof button, and it is on the first screen too
        join = page.get_by_role("link", name="Join Data clinic").first
        assert join.bounding_box()["y"] < 667
        assert join.evaluate("a => a.closest('td').getAttribute('bgcolor')") == "#0b57a4"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "glance-375x667.png"))
    finally:
        page.close()


# The glance's parts found by their labels, not by the sample's words: the first session of
# "Next up", the first line under "Your actions" and under "Decided", and where each ends.
GLANCE_BOTTOMS = """() => {
  const label = name => [...document.querySelectorAll('p')]
      .find(p => p.textContent.trim() === name);
  const next = (el, tag) => { for (let n = el && el.nextElementSibling; n;
                                   n = n.nextElementSibling) if (n.matches(tag)) return n;
                               return null; };
  const bottom = el => el ? el.getBoundingClientRect().bottom : null;
  const first = name => { const ul = next(label(name), 'ul');
                          return ul ? ul.querySelector('li') : null; };
  return {session: bottom(next(label('Next up'), 'p.session')),
          own: bottom(first('Your actions')), decision: bottom(first('Decided'))};
}"""


def test_on_the_sample_organisation_a_one_community_reader_sees_all_three_first(browser,
                                                                              tmp_path):
    """The shipped sample, not a fixture made to fit: Ben reads Data only, which has a session
    coming, three decisions and one action of his."""
    import email
    import email.policy

    from tests.test_browser import sample_organisation_editions

    sample_organisation_editions(tmp_path)
    (eml,) = (tmp_path / "out" / "outbox" / "2026-10").glob("ben.hollis@*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    page_file = tmp_path / "ben.html"
    page_file.write_text(msg.get_body(("html",)).get_content(), encoding="utf-8")
    page = browser.new_page(viewport={"width": 375, "height": 667})
    try:
        page.goto(page_file.as_uri())
        bottoms = page.evaluate(GLANCE_BOTTOMS)
        for what, bottom in bottoms.items():
            assert bottom is not None, f"no {what} at a glance"
            assert bottom <= 667, f"the first {what} ends {bottom:.0f} px down, below the " \
                                  "first screen"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "glance-sample-375x667.png"))
    finally:
        page.close()
