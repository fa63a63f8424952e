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


# -- discard -------------------------------------------------------------------


def digest(org, *args: str):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), *args])


def test_discard_removes_a_built_issue_and_releases_its_items(org):
    from digest.store import Store

    assert digest(org, "collect").exit_code == 0
    assert digest(org, "build", "--period", "2026-10").exit_code == 0
    site = org.root / "out" / "site"
    assert "2026-10" in (site / "index.html").read_text()
    result = digest(org, "discard", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("discarded 2026-10: 1 item released to the next build")
    assert not (org.root / "out" / "2026-10").exists() and not (site / "2026-10").exists()
    assert "2026-10/" not in (site / "index.html").read_text()
    assert "2026-10/" not in (site / "feed.xml").read_text()
    with Store(org.root / "var" / "digest.db") as store:
        assert store.issue("2026-10") is None
        assert [i.issue for i in store.items()] == [None]
    rebuilt = digest(org, "build", "--period", "2026-10")
    assert "built 2026-10: 1 post" in rebuilt.output


def test_discard_is_refused_once_the_send_started(org):
    assert digest(org, "run", "--period", "2026-10").exit_code == 0
    result = digest(org, "discard", "--period", "2026-10")
    assert result.exit_code == 1
    assert "the send of 2026-10 has started, so it cannot be discarded" in result.output
    assert (org.root / "out" / "2026-10" / "digest.html").is_file()
    # the outbox is a rehearsal: the one line says how to start it over
    assert (f"To rehearse again from nothing, delete {org.root / 'var' / 'digest.db'} and "
            f"{org.root / 'out'}") \
        in result.output and result.output.count("\n") == 1


def test_discard_of_an_unbuilt_period_says_so(org):
    result = digest(org, "discard", "--period", "2026-09")
    assert result.exit_code == 1 and "2026-09 has not been built" in result.output
    assert digest(org, "discard").exit_code == 64  # --period is required


# -- send --dry-run --------------------------------------------------------------


def test_a_dry_run_says_which_rows_are_skipped_and_why(org):
    (org.root / "recipients.csv").write_text(
        "email,name,communities\nann@example.org,Ann,\nann@example.org,Ann again,\n"
        "bo@example.org,Bo,knitting\n", encoding="utf-8")
    digest(org, "collect")
    digest(org, "build", "--period", "2026-10")
    result = digest(org, "send", "--period", "2026-10", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "2 rows of " in result.stdout and "recipients.csv skipped:" in result.stdout
    assert "  line 3: ann@example.org is already listed on line 2" in result.stdout
    assert "  line 4: unknown community id knitting" in result.stdout
    assert "would send 1 of 1" in result.stdout


# -- status ----------------------------------------------------------------------


def test_status_counts_only_the_feeds_in_the_current_config(tmp_path):
    org = write_org(tmp_path, {"data": [Post("A", utc(2026, 10, 6), guid="a")],
                               "design": [Post("B", utc(2026, 10, 7), guid="b")]})
    digest(org, "collect")
    assert "2 items from 2 feeds; 2 communities" in digest(org, "status").output
    listing = tmp_path / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().split("[[community]]\nid = \"design\"")[0])
    assert "2 items from 1 feed; 1 community" in digest(org, "status").output


def test_status_json_has_what_monitoring_needs(tmp_path):
    import json

    from tests.smtp_relay import Behaviour, Relay

    org = write_org(tmp_path, {"data": [Post("A", utc(2026, 10, 6), guid="a")]},
                    recipients="email,name,communities\nann@example.org,Ann,\n")
    listing = tmp_path / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace('posts = ["data.xml"]',
                                                   'posts = ["data.xml", "missing.xml"]'))
    relay = Relay(Behaviour(always="451 4.3.0 mailbox busy, try later")).start()
    try:
        config = org.config_path.read_text().replace('method = "outbox"', 'method = "smtp"')
        org.config_path.write_text(config + f'[smtp]\nhost = "127.0.0.1"\nport = {relay.port}\n'
                                   'security = "none"\nrate = 0\ntimeout = 5\nbreaker = 1\n')
        assert digest(org, "run", "--period", "2026-10").exit_code == 75
    finally:
        relay.stop()
    result = digest(org, "status", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["last_collect"] is not None and data["feeds"] == 2
    (failing,) = data["failing_feeds"]
    assert failing["url"].endswith("missing.xml") and failing["error"] == "not-found"
    assert data["last_sent_period"] is None
    (deferred,) = data["deferred_readers"]
    assert deferred["email"] == "ann@example.org" and deferred["code"] == 451
    assert data["issues"][0]["period"] == "2026-10" and data["issues"][0]["sent_at"] is None


def test_status_json_names_the_last_sent_period(org):
    import json

    digest(org, "run", "--period", "2026-09")
    digest(org, "run", "--period", "2026-10")
    data = json.loads(digest(org, "status", "--json").output)
    assert data["last_sent_period"] == "2026-10" and data["deferred_readers"] == []


# -- usage errors found by trying the commands as an organiser --------------------


def test_a_test_copy_to_a_mistyped_address_is_a_usage_error(org):
    assert digest(org, "run", "--period", "2026-10").exit_code == 0
    result = digest(org, "send", "--period", "2026-10", "--to", "me at example.org")
    assert result.exit_code == 64, result.output
    assert result.output.count("\n") == 1 and "--to 'me at example.org'" in result.output
    assert not (org.root / "out" / "outbox" / "test").exists()


def test_a_test_copy_of_an_unknown_edition_is_a_usage_error(org):
    assert digest(org, "run", "--period", "2026-10").exit_code == 0
    result = digest(org, "send", "--period", "2026-10", "--to", "me@example.org",
                    "--edition", "knitting")
    assert result.exit_code == 64, result.output
    assert "--edition: 2026-10 has no edition 'knitting'; it has: all" in result.output


@pytest.mark.parametrize("port", ["0", "65536", "99999", "eighty"])
def test_a_preview_port_out_of_range_is_a_usage_error_not_a_traceback(org, port):
    result = digest(org, "preview", "--no-open", "--port", port)
    assert result.exit_code == 64, result.output
    assert "--port" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, OverflowError)


def test_a_missing_config_points_at_digest_init(tmp_path):
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "digest.toml"), "check"])
    assert result.exit_code == 78
    assert "configuration file not found" in result.output and "digest init" in result.output


def test_quiet_build_of_a_sent_period_prints_nothing(org):
    assert digest(org, "run", "--period", "2026-10").exit_code == 0
    loud = digest(org, "build", "--period", "2026-10")
    assert "frozen as readers got them" in loud.output
    quiet = digest(org, "--quiet", "build", "--period", "2026-10")
    assert quiet.exit_code == 0 and quiet.output == ""


def test_status_before_the_first_collect_creates_nothing(org):
    import json

    result = digest(org, "status")
    assert result.exit_code == 0, result.output
    assert "last collect: never" in result.output and "no issue built yet" in result.output
    data = json.loads(digest(org, "status", "--json").output)
    assert data["state"] == str(org.root / "var" / "digest.db") and data["items"] == 0
    assert not (org.root / "var").exists()
