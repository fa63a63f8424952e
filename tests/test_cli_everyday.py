"""The command line as cron and scripts use it: options anywhere, quiet runs, plurals."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from digest.cli import cli, hoist_global_options
from digest.text import plural
from tests.support import Post, utc, write_org


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {
        "data": [Post("Our data catalogue is live", utc(2026, 10, 6, 9),
                      link="https://data.example.org/1", guid="d1")],
    })


@pytest.mark.parametrize("word, n, said", [
    ("quiet community", 1, "1 quiet community"),
    ("quiet community", 2, "2 quiet communities"),
    ("edition", 1, "1 edition"),
    ("edition", 0, "0 editions"),
    ("session", 1, "1 session"),
    ("inbox", 3, "3 inboxes"),
    ("day", 2, "2 days"),
])
def test_plural_says_the_count_in_the_right_number(word, n, said):
    assert plural(n, word) == said


def test_plural_takes_an_irregular_phrase():
    assert plural(1, "feed has", "feeds have") == "1 feed has"
    assert plural(4, "feed has", "feeds have") == "4 feeds have"


def test_global_options_move_before_the_subcommand():
    assert hoist_global_options(["collect", "--config", "x.toml", "--quiet"]) == [
        "--config", "x.toml", "--quiet", "collect"]
    assert hoist_global_options(["feeds", "check", "--config=x.toml"]) == [
        "--config=x.toml", "feeds", "check"]
    assert hoist_global_options(["send", "--", "--quiet"]) == ["send", "--", "--quiet"]


def test_config_is_accepted_after_the_subcommand(org):
    before = invoke("--config", str(org.config_path), "status")
    after = invoke("status", "--config", str(org.config_path))
    assert before.exit_code == after.exit_code == 0, after.output
    assert after.output == before.output
    assert "1 community" in after.output


def test_quiet_collect_prints_nothing_when_all_is_well(org):
    loud = invoke("collect", "--config", str(org.config_path))
    assert "1 feed, 0 failed, 1 new item" in loud.output
    quiet = invoke("collect", "--quiet", "--config", str(org.config_path))
    assert quiet.exit_code == 0
    assert quiet.output == ""


def test_quiet_collect_still_names_a_failing_feed(org):
    listing = org.root / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace('posts = ["data.xml"]',
                                                   'posts = ["data.xml", "gone.xml"]'))
    result = invoke("-q", "--config", str(org.config_path), "collect")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "gone.xml" in lines[0] and "not-found" in lines[0]


def test_quiet_run_prints_nothing_and_sends(org):
    result = invoke("run", "--period", "2026-10", "--quiet", "--config", str(org.config_path))
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert list((org.root / "out" / "outbox" / "2026-10").glob("*.eml"))


def test_build_says_one_edition_and_one_recipient(org):
    result = invoke("--config", str(org.config_path), "run", "--period", "2026-10")
    assert "1 post, 0 meetings, 0 sessions coming up, 0 quiet communities; 1 edition" \
        in result.output
    assert "  1 recipient\n" in result.output


@pytest.mark.parametrize("args", [["build", "--period", "October"], ["collect", "--bogus"],
                                  ["nonsense"]])
def test_usage_errors_exit_64(org, args):
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), *args])
    assert result.exit_code == 64, result.output
