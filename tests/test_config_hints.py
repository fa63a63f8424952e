"""A misspelt key, table or column gets one error that names the file, the line and the
key, and the known key it is closest to (or every known key when none is close).

Each case goes through the command line (`digest check`, exit 78 for a configuration
that cannot be read), as an organiser would meet it.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.config import load_config
from digest.errors import ConfigError
from digest.toml_lines import line_of
from tests.support import Post, utc, write_org


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {
        "trams": [Post("Depot open day", utc(2026, 10, 3), link="https://trams.example/1")],
        "ferries": [Post("Winter timetable", utc(2026, 10, 9), link="https://ferries.example/2")],
    })


def check(org, *args: str):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), "check", *args])


def line_number(path, text: str) -> int:
    """The 1-based line of `path` that starts with `text` (the test's own edit)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(text))


def append(path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_one_error(result, file, line: int, key: str, says: str) -> None:
    assert result.exit_code == 78, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0] == f"error: {file}: line {line}: {key}: {says}", lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("table, typo, known", [
    ("delivery", 'methd = "smtp"', "method"),
    ("digest", "quiet_afer = 3", "quiet_after"),
    ("collect", "per-host = 4", "per_host"),
    ("collect", "Per_Host = 4", "per_host"),
    ("smtp", 'usrname = "digest"', "username"),
    ("smtp", "conections = 2", "connections"),
])
def test_a_misspelt_key_names_its_line_and_the_key_meant(org, table, typo, known):
    config = org.config_path
    if f"[{table}]" not in config.read_text(encoding="utf-8"):
        append(config, f"\n[{table}]\n")
    replace(config, f"[{table}]\n", f"[{table}]\n{typo}\n")
    key = typo.split(" =")[0]
    result = check(org)
    assert_one_error(result, config, line_number(config, typo), f"{table}.{key}",
                     f"unknown key in [{table}]; did you mean `{known}`?")


def test_smtp_keys_are_checked_while_the_method_is_still_outbox(org):
    """A typo in [smtp] must not wait for the day the method becomes "smtp"."""
    append(org.config_path, '\n[smtp]\nhost = "relay.trams.example"\npasword_env = "X"\n')
    result = check(org)
    assert result.exit_code == 78
    assert "smtp.pasword_env: unknown key in [smtp]; did you mean `password`?" in result.output


def test_a_key_close_to_nothing_lists_the_known_keys(org):
    replace(org.config_path, "[delivery]\n", "[delivery]\nreply_to = \"desk@trams.example\"\n")
    result = check(org)
    assert_one_error(result, org.config_path, line_number(org.config_path, "reply_to"),
                     "delivery.reply_to", "unknown key in [delivery]; expected one of: method, "
                     "from, recipients, unsubscribe_mailto, unsubscribe_url, preferences_url")


@pytest.mark.parametrize("header, says", [
    ("[smpt]", "unknown table; did you mean [smtp]?"),
    ("[colect]", "unknown table; did you mean [collect]?"),
    ("[[reports]]", "unknown table; did you mean [[report]]?"),
    ("[archive]", "unknown table; expected one of: digest, delivery, smtp, collect, report"),
])
def test_a_misspelt_table_names_its_header_line(org, header, says):
    append(org.config_path, f"\n{header}\nhost = \"relay.trams.example\"\n")
    result = check(org)
    name = header.strip("[]")
    assert_one_error(result, org.config_path, line_number(org.config_path, header), name, says)


def test_a_misspelt_key_in_a_community_names_that_community_and_its_line(org):
    listing = org.root / "feeds" / "communities.toml"
    replace(listing, 'id = "ferries"\n', 'id = "ferries"\nmeetngs = ["ferries-minutes.xml"]\n')
    result = check(org)
    # the ferries are the second [[community]] of the list
    assert_one_error(result, listing, line_number(listing, "meetngs"), "community[2].meetngs",
                     "unknown key in [[community]] 'ferries'; did you mean `meetings`?")


def test_a_misspelt_key_in_a_community_without_an_id_yet(org):
    listing = org.root / "feeds" / "communities.toml"
    append(listing, '\n[[community]]\nname = "Buses"\ndescripton = "Every route."\n')
    result = check(org)
    assert_one_error(result, listing, line_number(listing, "descripton"), "community[3].descripton",
                     "unknown key in this [[community]]; did you mean `description`?")


def test_a_misspelt_community_table_is_named(org):
    listing = org.root / "feeds" / "communities.toml"
    append(listing, '\n[[comunity]]\nid = "buses"\nname = "Buses"\n')
    result = check(org)
    assert_one_error(result, listing, line_number(listing, "[[comunity]]"), "comunity",
                     "unknown table; did you mean [[community]]?")


def test_the_error_survives_a_process_pool_with_its_line(org):
    """ConfigError crosses process pools (collect's parsers): the line must cross too."""
    import pickle

    replace(org.config_path, "[delivery]\n", "[delivery]\nmethd = \"outbox\"\n")
    with pytest.raises(ConfigError) as caught:
        load_config(org.config_path)
    again = pickle.loads(pickle.dumps(caught.value))
    assert (again.line, again.key, str(again)) == (caught.value.line, "delivery.methd",
                                                    str(caught.value))
    assert again.line == line_number(org.config_path, "methd")


# --- recipients.csv: unknown columns in its header -------------------------------------------

@pytest.mark.parametrize("header, says", [
    ("email,name,comunities", "unknown column 'comunities' in the header; did you mean "
                              "'communities'?"),
    ("email;name;comunities", "unknown column 'comunities' in the header; did you mean "
                              "'communities'?"),
    ("E-mail,name,communities", "unknown column 'e-mail' in the header; did you mean 'email'?"),
    ("email,name,communities,alias", "unknown column 'alias' in the header; did you mean "
                                     "'aliases'?"),
    ("email,name,communities,team", "unknown column 'team' in the header; the columns are "
                                    "email, name, communities, aliases (aliases optional)"),
    ("email,name", "the header has no 'communities' column; the header is "
                   "'email,name,communities' or 'email,name,communities,aliases', in that order"),
    ("name,email,communities", "the header's columns are in another order; the header is "
                               "'email,name,communities' or 'email,name,communities,aliases', "
                               "in that order"),
])
def test_a_recipients_header_with_an_unknown_column_says_which(org, header, says):
    recipients = org.root / "recipients.csv"
    sep = ";" if ";" in header else ","
    recipients.write_text(f"{header}\nines@trams.example{sep}Ines Varga{sep}trams\n",
                          encoding="utf-8")
    result = check(org)
    assert result.exit_code == 1, result.output
    assert f"{recipients}: line 1: {says}" in result.output.splitlines()
    build = CliRunner().invoke(cli, ["--config", str(org.config_path), "build",
                                     "--period", "2026-10"])
    assert build.exit_code == 78, build.output
    assert build.output.strip() == f"error: {recipients}: line 1: {says}"


@pytest.mark.parametrize("text", [
    "email,name,communities\nines@trams.example,Ines Varga,trams\n",
    "Email , Name,COMMUNITIES,aliases\nines@trams.example,Ines Varga,trams,@ines\n",
    "\ufeff\"email\";\"name\";\"communities\"\nines@trams.example;Ines Varga;trams\n",
    "email,name,communities,,\nines@trams.example,Ines Varga,trams\n",
])
def test_the_headers_read_today_still_read(org, text):
    (org.root / "recipients.csv").write_text(text, encoding="utf-8")
    result = check(org)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("all well: ") and ", 1 recipient," in result.output


# --- the line finder on its own: TOML shapes an organiser writes ------------------------------

def test_lines_are_found_past_multiline_strings_quoted_and_dotted_keys():
    text = "\n".join([
        'title = "x"',                      # 1
        "[digest]",                         # 2
        'description = """',                # 3
        "[smtp]",                           # 4  inside the string: not a header
        'host = "not a key"',               # 5  inside the string: not a key
        '"""',                              # 6
        '"quiet-afer" = 2',                 # 7
        "[[community]]",                    # 8
        'id = "a"',                         # 9
        "[[community]]",                    # 10
        'id = "b"',                         # 11
        "links.home = 'https://b.example'",  # 12
        "[ smtp ]",                         # 13
        "host = 'relay'",                   # 14
    ])
    assert line_of(text, ("digest", "quiet-afer")) == 7
    assert line_of(text, ("smtp",)) == 13
    assert line_of(text, ("smtp", "host")) == 14
    assert line_of(text, ("community", 0, "id")) == 9
    assert line_of(text, ("community", 1, "id")) == 11
    assert line_of(text, ("community", 1, "links")) == 12
    assert line_of(text, ("title",)) == 1
    assert line_of(text, ("digest", "nowhere")) is None


def test_a_key_in_an_inline_table_goes_without_a_line(org):
    """The locator cannot see inside `delivery = { ... }`: the error still names the key."""
    text = org.config_path.read_text(encoding="utf-8")
    block = text[text.index("[delivery]"):]
    pairs = ", ".join(line for line in block.splitlines()[1:] if line.strip())
    inline = f"delivery = {{ {pairs}, methd = 1 }}\n"  # before [digest], so at the top level
    org.config_path.write_text(inline + text.replace(block, ""), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(org.config_path)
    assert caught.value.line is None
    assert re.fullmatch(r".*digest\.toml: delivery\.methd: unknown key in \[delivery\]; did you "
                        r"mean `method`\?", str(caught.value))
