"""Every config value that could raise deep inside the job is refused at load instead.

TOML allows nan, inf and integers of any size; a socket timeout of nan or a
`quiet_after` of a billion used to end in a traceback far from the file. Each
such value now stops the job with one line naming the file and key (exit 78),
and a fuzzed config never raises anything but ConfigError.
"""

from __future__ import annotations

import math

import pytest
import tomlkit
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from digest.cli import cli
from digest.config import load_config
from digest.errors import ConfigError
from tests.support import Post, utc, write_org

# every numeric key, with a value inside its range
NUMERIC_KEYS = {
    "digest": ["late_window", "quiet_after", "max_items"],
    "smtp": ["port", "timeout", "rate", "max_per_connection", "breaker", "connections"],
    "collect": ["concurrency", "per_host", "connect_timeout", "timeout", "max_bytes", "workers"],
}


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {"data": [Post("Hello", utc(2026, 10, 1), link="https://e.org/1")]},
                     delivery_extra="")


def with_key(org, table: str, key: str, literal: str) -> None:
    """Set `[table] key = literal` (TOML source) in the organisation's digest.toml."""
    with_value(org, table, key, tomlkit.parse(f"v = {literal}")["v"])


def with_value(org, table: str, key: str, value: object) -> None:
    doc = tomlkit.parse(org.config_path.read_text())
    if table == "smtp":
        doc["delivery"]["method"] = "smtp"
        doc.setdefault("smtp", tomlkit.table()).update({"host": "127.0.0.1", "security": "none"})
    doc.setdefault(table, tomlkit.table())[key] = value
    org.config_path.write_text(tomlkit.dumps(doc))


def run_cli(org, *args: str):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), *args])


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
def test_smtp_timeout_nan_or_inf_is_a_config_error(org, value):
    with_key(org, "smtp", "timeout", value)
    result = run_cli(org, "build", "--period", "2026-10")
    assert result.exit_code == 78, result.output
    [line] = result.output.strip().splitlines()
    assert "smtp.timeout" in line and "digest.toml" in line and "between" in line
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_huge_quiet_after_is_a_config_error_not_a_traceback(org):
    with_key(org, "digest", "quiet_after", "1000000000")
    result = run_cli(org, "build", "--period", "2026-10")
    assert result.exit_code == 78, result.output
    assert "digest.quiet_after" in result.output and "at most" in result.output


@pytest.mark.parametrize("table,key", [(t, k) for t, keys in NUMERIC_KEYS.items() for k in keys])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "9223372036854775807",
                                   "-9223372036854775808", "1e300"])
def test_every_numeric_key_is_finite_and_bounded(org, table, key, value):
    with_key(org, table, key, value)
    with pytest.raises(ConfigError) as caught:
        load_config(org.config_path)
    assert caught.value.key == f"{table}.{key}"


@pytest.mark.parametrize("table,key", [(t, k) for t, keys in NUMERIC_KEYS.items() for k in keys])
def test_every_numeric_key_accepts_its_default(org, table, key):
    defaults = {"late_window": 1, "quiet_after": 2, "max_items": 5, "port": 2525, "timeout": 60,
                "rate": 20, "max_per_connection": 100, "breaker": 20, "connections": 3,
                "concurrency": 32,
                "per_host": 8, "connect_timeout": 5, "max_bytes": 10485760, "workers": 0}
    with_key(org, table, key, str(defaults[key]))
    load_config(org.config_path)


@pytest.mark.parametrize("period", ["0000-01", "9999-12", "0001-01"])
def test_periods_outside_the_calendar_are_a_usage_error(org, period):
    result = run_cli(org, "build", "--period", period)
    assert result.exit_code == 64, result.output
    [line] = result.output.strip().splitlines()
    assert period in line and ("between" in line or "not ended" in line)


def test_weekly_period_in_year_zero_is_a_usage_error(org):
    with_key(org, "digest", "cadence", '"weekly"')
    result = run_cli(org, "status", "--period", "0000-W01")
    assert result.exit_code == 64, result.output
    assert "between 1970 and 9998" in result.output


@pytest.mark.parametrize("key,value", [
    ("state", '"var/\\u0000digest.db"'),
    ("feeds", '"feeds/\\ncommunities.toml"'),
    ("timezone", '"Europe"'),  # a folder of the zone database: IsADirectoryError
    ("title", '"CoP\\u001b[31m Digest"'),
])
def test_strings_that_raised_deep_inside_are_config_errors(org, key, value):
    with_key(org, "digest", key, value)
    with pytest.raises(ConfigError) as caught:
        load_config(org.config_path)
    assert caught.value.key == f"digest.{key}"


def test_a_feed_url_the_url_parser_refuses_is_named(org):
    feeds = org.root / "feeds" / "communities.toml"
    feeds.write_text(feeds.read_text().replace('posts = ["data.xml"]',
                                               'posts = ["http://[::1/feed"]'))
    with pytest.raises(ConfigError) as caught:
        load_config(org.config_path)
    assert caught.value.key == "community[1] (data).posts"


# --- fuzz: any TOML value, anywhere the loader reads one ------------------------------------

def toml_values() -> st.SearchStrategy:
    scalars = st.one_of(
        st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12), st.dates(), st.datetimes(), st.just("nan"),
        st.sampled_from(["outbox", "smtp", "weekly", "UTC", "../x", "http://[::1", "a@b.c"]),
    )
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "host", "id"]), inner, max_size=2)),
        max_leaves=4)


def toml_literal(value: object) -> str:
    """A TOML source literal for `value` (tomlkit writes every type TOML has)."""
    return tomlkit.dumps({"v": value}).partition("=")[2].strip()


KEYS = [(t, k) for t, keys in {
    "digest": ["title", "organisation", "cadence", "timezone", "web_url", "feeds", "state",
               "out", "language", "direction", "late_window", "quiet_after", "max_items",
               "templates", "send_empty"],
    "delivery": ["method", "from", "recipients", "unsubscribe_mailto", "unsubscribe_url",
                 "preferences_url"],
    "smtp": ["host", "port", "security", "verify_certificate", "username", "envelope_from",
             "timeout", "rate", "max_per_connection", "breaker", "connections", "ca_file"],
    "collect": ["concurrency", "per_host", "connect_timeout", "timeout", "max_bytes",
                "workers"],
}.items() for k in keys]

# A value can make another part of the file required: the error then names that part.
DEPENDS_ON = {("delivery", "method"): ("smtp",)}


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(KEYS), value=toml_values())
@example(key=("smtp", "timeout"), value=math.nan)
@example(key=("collect", "timeout"), value=math.inf)
@example(key=("digest", "quiet_after"), value=10**18)
@example(key=("digest", "timezone"), value="Europe")
@example(key=("digest", "feeds"), value="a\x00b")
@example(key=("delivery", "recipients"), value="\n")
@example(key=("delivery", "method"), value="smtp")  # then the missing [smtp] table is named
def test_fuzzed_values_raise_nothing_but_config_error(org, key, value):
    original = org.config_path.read_text()
    try:
        with_value(org, *key, value)
        try:
            config = load_config(org.config_path)
        except ConfigError as e:
            named = (key[0], *DEPENDS_ON.get(key, ()))
            assert e.key is None or e.key.startswith(named) or "digest.toml" not in e.file
            return
        # whatever loads is within the ranges the job relies on
        numbers = [config.late_window, config.quiet_after, config.max_items,
                   *vars(config.collect).values(), *vars(config.delivery.smtp or config).values()]
        for v in numbers:
            if isinstance(v, int | float) and not isinstance(v, bool):
                assert math.isfinite(v) and abs(v) <= 2**31, (key, v)
    finally:
        org.config_path.write_text(original)
