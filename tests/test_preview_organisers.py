"""The preview as an organiser uses it: who gets each edition, whether it was sent, and client
findings in plain words (a machine without node is not an email problem)."""

from __future__ import annotations

import re
import urllib.request

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.client_words import client_name, describe
from digest.preview import Preview
from tests.test_preview import make_org


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


@pytest.fixture
def org(tmp_path):
    return make_org(tmp_path)


@pytest.fixture
def preview(org):
    p = Preview(org.config_path, "2026-10", port=0, poll_seconds=0.1).start()
    yield p
    p.stop()


def digest(org, *args: str):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), *args],
                              catch_exceptions=False)


def test_each_edition_says_who_gets_it_and_that_it_is_not_sent(preview):
    index = get(preview.url)
    rows = re.findall(r"<tr><td data-label=\"Issue\">2026-10</td>.*?</tr>", index)
    assert len(rows) == 2
    assert all('<td class="sent" data-label="Sent">not sent yet</td>' in row for row in rows)
    assert all('<td class="recipients" data-label="Goes to">1 reader</td>' in row for row in rows)
    page = get(preview.url + "issue/2026-10/design")
    assert ('<dd id="recipients"><details><summary>1 reader (from recipients.csv): show them'
            "</summary><ul><li>ada@example.org</li></ul></details></dd>") in page
    assert '<dd id="sent">not sent yet</dd>' in page


def test_after_the_send_the_ledger_is_the_audience_and_the_period_says_sent(preview, org):
    assert preview.wait_written(60)  # what the preview rendered is on disk for send
    assert digest(org, "send", "--period", "2026-10").exit_code == 0
    (org.root / "recipients.csv").write_text("email,name,communities\n")  # readers left since
    page = get(preview.url + "issue/2026-10/all")
    assert "1 reader (from the send ledger)" in page and "<li>ann@example.org</li>" in page
    assert re.search(r'<dd id="sent">sent on \d{4}-\d\d-\d\d \d\d:\d\d UTC</dd>', page)


def test_no_node_is_said_as_a_fact_about_the_machine_not_a_client_problem(org, monkeypatch):
    monkeypatch.setenv("PATH", str(org.root))  # a machine without node
    p = Preview(org.config_path, "2026-10", port=0, poll_seconds=0.1).start()
    try:
        page = get(p.url + "issue/2026-10/all")
    finally:
        p.stop()
    assert "client checks not run on this machine" in page
    assert 'id="client-checks-note">Not checked: the client checks did not run on this ' \
           "machine: they need node" in page
    assert "This is about this computer, not about the email." in page
    assert "client problem" not in page


def test_client_findings_name_clients_and_effects_in_plain_words():
    assert client_name("outlook.windows") == "Outlook for Windows (2007-2019 and classic)"
    assert client_name("gmail.ios") == "Gmail for iPhone and iPad"
    assert client_name("yahoo.desktop-webmail") == "Yahoo Mail on the web"
    assert client_name("newmail.tablet") == "newmail.tablet"
    assert describe("@media", {"gmail.mobile-webmail", "outlook.windows"}) == (
        "In Gmail in a phone's browser and Outlook for Windows (2007-2019 and classic): the "
        "phone layout tweaks and dark-mode colours are ignored (@media)")
    assert describe("flex-wrap", {"outlook.windows"}).startswith(
        "In Outlook for Windows (2007-2019 and classic): the email uses flex-wrap, which is "
        "not supported there")
