"""Config files saved by Windows tools: a UTF-8 byte-order mark, CRLF, or not UTF-8 at all.

Notepad (before 2019) and PowerShell 5's `Out-File -Encoding utf8` start a file with a
byte-order mark, which tomllib calls an invalid statement at line 1; a file saved as
Windows-1252 made tomllib raise UnicodeDecodeError, a traceback instead of an error.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.collect.opml import import_opml
from digest.config import load_communities, load_config
from digest.errors import ConfigError
from tests.support import Post, utc, write_org

BOM = b"\xef\xbb\xbf"


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {
        "quarries": [Post("Blasting rota", utc(2026, 10, 5), link="https://quarries.example/1")],
    })


def check(org):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), "check"])


def test_a_config_with_a_byte_order_mark_and_crlf_is_read(org):
    text = org.config_path.read_text(encoding="utf-8")
    org.config_path.write_bytes(BOM + text.replace("\n", "\r\n").encode("utf-8"))
    feeds = load_config(org.config_path).feeds_path
    feeds.write_bytes(BOM + feeds.read_bytes())
    result = check(org)
    assert result.exit_code == 0, result.output
    assert [c.id for c in load_config(org.config_path).communities] == ["quarries"]


def test_a_misspelt_key_in_a_config_with_a_byte_order_mark_names_its_line(org):
    text = org.config_path.read_text(encoding="utf-8")
    assert text.startswith("[digest]\n")  # the key lands on line 2
    org.config_path.write_bytes(BOM + text.replace("[digest]\n", "[digest]\ntitel = 'x'\n", 1)
                                .encode("utf-8"))
    with pytest.raises(ConfigError) as caught:
        load_config(org.config_path)
    assert caught.value.line == 2
    assert "did you mean `title`?" in str(caught.value)


def test_a_config_that_is_not_utf8_is_one_error_with_its_line(org):
    text = org.config_path.read_text(encoding="utf-8")
    org.config_path.write_bytes(
        text.replace('organisation = "', 'organisation = "Sägewerk ', 1).encode("cp1252"))
    number = next(i for i, line in enumerate(text.splitlines(), 1)
                  if line.startswith("organisation"))
    result = check(org)
    assert result.exit_code == 78, result.output
    assert result.output.strip() == (f"error: {org.config_path}: line {number}: not UTF-8 "
                                     f"(byte {text.index('organisation') + 17}): save the "
                                     "configuration file as UTF-8")


def test_opml_import_into_a_community_list_with_a_byte_order_mark(tmp_path):
    toml = tmp_path / "communities.toml"
    toml.write_bytes(BOM + b'[[community]]\r\nid = "mills"\r\nname = "Mills"\r\nposts = []\r\n')
    opml = tmp_path / "subs.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body>'
                    '<outline type="rss" text="M" xmlUrl="https://mills.example.org/feed"/>'
                    "</body></opml>", encoding="utf-8")
    assert import_opml(opml, "mills", toml) == ["https://mills.example.org/feed"]
    [mills] = load_communities(toml)
    assert mills.posts == ("https://mills.example.org/feed",)
