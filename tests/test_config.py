"""Configuration errors: one clear line naming the file and key, exit code 78."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.config import load_config
from digest.errors import ConfigError
from tests.support import Post, utc, write_org


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {"data": [Post("Hello", utc(2026, 10, 1), link="https://e.org/1")]})


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def error_of(org) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_config(org.config_path)
    return caught.value


def test_the_sample_shaped_config_loads(org):
    config = org.config()
    assert config.organisation == "Example Housing Trust"
    assert config.cadence == "monthly" and config.late_window == 1 and config.max_items == 5
    assert config.timezone.key == "Europe/London"
    assert config.web_url == "https://intranet.example.org/cop-digest/"
    [data] = config.communities
    assert data.posts == (str(org.root / "feeds" / "data.xml"),)  # relative to the list
    assert config.state_path == org.root / "var" / "digest.db"


def test_missing_config_file_names_it_and_how_to_point_at_another(tmp_path):
    with pytest.raises(ConfigError, match="digest.toml: configuration file not found.*--config"):
        load_config(tmp_path / "digest.toml")


def test_invalid_toml_names_the_file_and_line(org):
    edit(org.config_path, 'organisation = "Example Housing Trust"', "organisation = Example")
    err = error_of(org)
    assert "digest.toml" in str(err) and "not valid TOML" in str(err) and "line" in str(err)


def test_unknown_key_is_an_error_not_a_silent_default(org):
    edit(org.config_path, "[digest]\n", '[digest]\ncadance = "weekly"\n')
    err = error_of(org)
    assert err.key == "digest.cadance"
    assert "unknown key" in str(err) and "cadence" in str(err)


def test_missing_required_key(org):
    edit(org.config_path, 'organisation = "Example Housing Trust"\n', "")
    err = error_of(org)
    assert err.key == "digest.organisation" and "required" in str(err)


@pytest.mark.parametrize("old,new,key,says", [
    ('timezone = "Europe/London"', 'timezone = "Europe/Lundon"', "digest.timezone",
     "unknown timezone"),
    ("[digest]\n", '[digest]\ncadence = "fortnightly"\n', "digest.cadence", "'monthly', 'weekly'"),
    ("[digest]\n", "[digest]\nmax_items = 0\n", "digest.max_items", "at least 1"),
    ("[digest]\n", '[digest]\nlate_window = "one"\n', "digest.late_window", "whole number"),
    ('web_url = "https://intranet.example.org/cop-digest/"', 'web_url = "intranet/digest"',
     "digest.web_url", "not a http or https URL"),
    ('from = "CoP Digest <cop-digest@example.org>"', 'from = "CoP Digest"', "delivery.from",
     "not an address"),
    ('method = "outbox"', 'method = "pigeon"', "delivery.method", "'outbox', 'smtp'"),
])
def test_bad_values_name_the_key_and_what_is_expected(org, old, new, key, says):
    edit(org.config_path, old, new)
    err = error_of(org)
    assert err.key == key
    assert says in str(err)


def test_smtp_password_in_the_file_is_refused(org):
    edit(org.config_path, 'method = "outbox"', 'method = "smtp"')
    org.config_path.write_text(org.config_path.read_text()
                               + '[smtp]\nhost = "relay"\nusername = "u"\npassword = "hunter2"\n')
    err = error_of(org)
    assert err.key == "smtp.password" and "DIGEST_SMTP_PASSWORD" in str(err)
    assert "hunter2" not in str(err)


@pytest.mark.parametrize("key,value", [("unsubscribe_mailto", "léave@example.org"),
                                       ("unsubscribe_mailto", "a@x.org,b@y.org")])
def test_delivery_addresses_are_checked_with_the_senders_rule(org, key, value):
    edit(org.config_path, 'unsubscribe_mailto = "leave@example.org"', f'{key} = "{value}"')
    err = error_of(org)
    assert err.key == f"delivery.{key}" and "not a usable email address" in str(err)


def test_envelope_from_is_checked_when_the_config_loads(org):
    edit(org.config_path, 'method = "outbox"', 'method = "smtp"')
    org.config_path.write_text(org.config_path.read_text()
                               + '[smtp]\nhost = "relay"\nenvelope_from = "bounces at example"\n')
    assert error_of(org).key == "smtp.envelope_from"


def test_smtp_method_without_smtp_table(org):
    edit(org.config_path, 'method = "outbox"', 'method = "smtp"')
    assert error_of(org).key == "smtp"


def test_community_list_problems_name_the_community(org):
    communities = org.root / "feeds" / "communities.toml"
    communities.write_text(communities.read_text() + '\n[[community]]\nid = "data"\nname = "X"\n')
    err = error_of(org)
    assert "communities.toml" in str(err) and "duplicate community id 'data'" in str(err)


def test_community_without_name(org):
    communities = org.root / "feeds" / "communities.toml"
    communities.write_text('[[community]]\nid = "data"\nposts = ["data.xml"]\n')
    err = error_of(org)
    assert err.key == "community[1] (data).name"


def test_bad_community_id(org):
    communities = org.root / "feeds" / "communities.toml"
    communities.write_text('[[community]]\nid = "Data Team"\nname = "Data"\n')
    assert "not a usable id" in str(error_of(org))


def test_missing_community_list(org):
    (org.root / "feeds" / "communities.toml").unlink()
    assert "community list file not found" in str(error_of(org))


def test_cli_prints_one_line_and_exits_78(org):
    edit(org.config_path, "[digest]\n", "[digest]\ncolour = 1\n")
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), "build",
                                      "--period", "2026-10"])
    assert result.exit_code == 78
    assert result.output.strip().startswith("error: ")
    assert re.search(r"digest\.toml: line \d+: digest\.colour: unknown key", result.output)
    assert "Traceback" not in result.output


def test_config_from_the_environment(org, monkeypatch, tmp_path):
    monkeypatch.setenv("DIGEST_CONFIG", str(org.config_path))
    monkeypatch.chdir(tmp_path.parent)
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 0, result.output
    assert "no issue built yet" in result.output
