"""caniemail (npm, through node) finds nothing unsupported in Gmail, Outlook, Apple Mail or Yahoo
beyond the reviewed baseline in digest/assets/caniemail-baseline.json."""

from __future__ import annotations

import os

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
