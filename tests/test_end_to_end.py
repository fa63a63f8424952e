"""The whole job through the CLI on a small organisation: collect, build, send to the outbox."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.deliver import message_id_for
from digest.store import Store
from tests.support import Org, Post, utc, write_org

READERS = ("email,name,communities\n"
           "ann@example.org,Ann Reader,\n"
           '"ada@example.org","Okafor, Ada",design\n'
           "zoe@example.org,Zoë Ünal,data;design\n")


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {
        "data": [
            Post("Our data catalogue is live", utc(2026, 10, 6, 9), link="https://data.example.org/1",
                 guid="d1"),
            Post("Dashboards that <b>people</b> use & trust", utc(2026, 10, 20, 15),
                 link="https://data.example.org/2", guid="d2"),
            Post("September retro", utc(2026, 9, 20), link="https://data.example.org/0", guid="d0"),
        ],
        "design": [
            Post("Service patterns for repairs", utc(2026, 10, 14), link="https://design.example.org/a"),
        ],
    }, recipients=READERS)


def digest(org, *args):
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), *args],
                                catch_exceptions=False)
    return result


def test_run_collects_builds_and_writes_one_eml_per_reader(org):
    result = digest(org, "run", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert "built 2026-10: 3 posts" in result.output
    outbox = sorted((org.root / "out" / "outbox" / "2026-10").glob("*.eml"))
    assert len(outbox) == 3
    assert (org.root / "out" / "2026-10" / "digest.html").is_file()


def test_collecting_again_adds_nothing(org):
    first = digest(org, "collect")
    second = digest(org, "collect")
    assert first.exit_code == second.exit_code == 0
    with Store(org.root / "var" / "digest.db") as store:
        assert store.item_count() == 4
    assert "0 new items, 0 updated" in second.output


def test_sending_again_writes_nothing_new(org):
    digest(org, "collect")
    digest(org, "build", "--period", "2026-10")
    assert digest(org, "send", "--period", "2026-10").exit_code == 0
    outbox = org.root / "out" / "outbox" / "2026-10"
    before = {p.name: p.read_bytes() for p in outbox.glob("*.eml")}
    again = digest(org, "send", "--period", "2026-10")
    assert again.exit_code == 0
    assert {p.name: p.read_bytes() for p in outbox.glob("*.eml")} == before


def test_run_twice_says_the_period_was_already_sent(org):
    digest(org, "run", "--period", "2026-10")
    again = digest(org, "run", "--period", "2026-10")
    assert again.exit_code == 0
    assert "2026-10 was already sent" in again.output
    assert "digest.html" in again.output


def test_dry_run_writes_nothing(org):
    digest(org, "collect")
    digest(org, "build", "--period", "2026-10")
    result = digest(org, "send", "--period", "2026-10", "--dry-run")
    assert result.exit_code == 0
    assert "2026-10: dry run, would send 3 of 3 via outbox; nothing written" in result.output
    assert not (org.root / "out" / "outbox").exists()
    assert not [line for line in digest(org, "status").output.splitlines() if "sent 20" in line]


def test_send_before_build_says_what_to_do(org):
    result = digest(org, "send", "--period", "2026-10")
    assert result.exit_code != 0
    assert "digest build --period 2026-10" in result.output


def test_bad_period_says_the_expected_form_and_exits_as_a_usage_error(org):
    result = digest(org, "build", "--period", "October")
    assert result.exit_code == 64
    assert "YYYY-MM" in result.output


@pytest.mark.parametrize("args", [("build", "--bogus"), ("--bogus",), ("nothing",),
                                  ("feeds", "nothing")])
def test_unknown_options_and_commands_exit_64(org, args):
    assert digest(org, *args).exit_code == 64


def parsed_outbox(org) -> dict[str, email.message.EmailMessage]:
    out = {}
    for path in (org.root / "out" / "outbox" / "2026-10").glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        out[msg["To"].addresses[0].addr_spec] = msg
    return out


def test_eml_parses_back_as_multipart_alternative_text_first(org):
    digest(org, "run", "--period", "2026-10")
    messages = parsed_outbox(org)
    assert set(messages) == {"ann@example.org", "ada@example.org", "zoe@example.org"}
    ada = messages["ada@example.org"]
    assert ada.get_content_type() == "multipart/alternative"
    text, html = ada.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert text.get_content_charset() == html.get_content_charset() == "utf-8"
    assert ada["To"].addresses[0].display_name == "Okafor, Ada"
    assert messages["zoe@example.org"]["To"].addresses[0].display_name == "Zoë Ünal"
    assert ada["From"].addresses[0].addr_spec == "cop-digest@example.org"
    # each edition counts what it holds: Ada reads Design only, Ann every community
    assert ada["Subject"] == "October at a glance: 1 post"
    assert messages["ann@example.org"]["Subject"].startswith("October at a glance: 3 posts")
    assert ada["Date"] and ada["Message-ID"]
    assert "Service patterns for repairs" in text.get_content()


def test_message_ids_are_stable_per_period_and_reader(org, tmp_path):
    digest(org, "run", "--period", "2026-10")
    first = {k: m["Message-ID"] for k, m in parsed_outbox(org).items()}
    assert len(set(first.values())) == 3
    # the same organisation run from scratch elsewhere gives the same Message-IDs
    shutil.copytree(org.root, tmp_path / "again", ignore=shutil.ignore_patterns("out", "var"))
    again = Org(tmp_path / "again")
    digest(again, "run", "--period", "2026-10")
    assert {k: m["Message-ID"] for k, m in parsed_outbox(again).items()} == first
    assert first["ann@example.org"] == message_id_for("2026-10", "ann@example.org",
                                                      "CoP Digest <cop-digest@example.org>")


class Document(HTMLParser):
    """Collects what a complete HTML document must have."""

    def __init__(self):
        super().__init__()
        self.tags, self.links, self.title, self._in_title = [], set(), "", False
        self.html_attrs = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "html":
            self.html_attrs = attrs
        if tag == "a" and attrs.get("href"):
            self.links.add(attrs["href"])
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def test_html_is_a_complete_document_with_every_item(org):
    digest(org, "run", "--period", "2026-10")
    html = (org.root / "out" / "2026-10" / "digest.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html>")
    doc = Document()
    doc.feed(html)
    assert doc.html_attrs.get("lang") == "en"
    assert doc.title.strip().startswith("October at a glance")
    for title, link in [("Our data catalogue is live", "https://data.example.org/1"),
                        ("Service patterns for repairs", "https://design.example.org/a")]:
        assert title in html
        assert link in doc.links
    # titles are text: markup from the feed is gone, an ampersand is escaped once
    assert "Dashboards that people use &amp; trust" in html
    assert "<b>people" not in html
    assert "September retro" not in html  # before the first issue
    for leftover in ("{{", "}}", "{%", "%}", "<mj-", "undefined"):
        assert leftover not in html
    # premailer kept what MJML needs for phones and dark mode
    assert "@media" in html and "!important" in html and "prefers-color-scheme" in html
    assert re.search(r"<h3[^>]*style=", html)  # our rules were inlined


def test_text_part_holds_every_item_and_no_markup(org):
    digest(org, "run", "--period", "2026-10")
    text = (org.root / "out" / "2026-10" / "digest.txt").read_text()
    assert "Our data catalogue is live" in text and "https://data.example.org/1" in text
    assert "Service patterns for repairs" in text
    assert "Dashboards that people use & trust" in text
    assert "{{" not in text and "{%" not in text


def test_language_comes_from_config(tmp_path):
    org = write_org(tmp_path, {"data": [Post("Bonjour", utc(2026, 10, 2), link="https://e.org/b")]},
                    digest_extra='language = "fr"')
    digest(org, "run", "--period", "2026-10")
    html = (org.root / "out" / "2026-10" / "digest.html").read_text()
    assert '<html lang="fr"' in html and 'lang="und"' not in html


def test_status_lists_issues(org):
    digest(org, "run", "--period", "2026-10")
    out = digest(org, "status").output
    assert "4 items" in out
    assert re.search(r"2026-10: 3 items, built .*, sent ", out)
