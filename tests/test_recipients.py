"""recipients.csv: good rows become recipients, bad rows are skipped with their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.addresses import address_problem
from digest.errors import ConfigError
from digest.recipients import load_recipients

KNOWN = {"design", "data", "devops"}


def write(tmp_path: Path, text: str, *, bom: bool = False) -> Path:
    path = tmp_path / "recipients.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_good_file_reads_every_row_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "email,name,communities\n"
        "ada@example.org,Ada Lovelace,\n"
        "grace@example.org,Grace Hopper,design;data\n"
        '"linus@example.org","Torvalds, Linus", devops \n',
    )
    result = load_recipients(path, KNOWN)
    assert result.skipped == []
    assert [(r.email, r.name, r.communities, r.line) for r in result.recipients] == [
        ("ada@example.org", "Ada Lovelace", None, 2),
        ("grace@example.org", "Grace Hopper", frozenset({"design", "data"}), 3),
        ("linus@example.org", "Torvalds, Linus", frozenset({"devops"}), 4),
    ]


def test_header_is_case_whitespace_and_bom_tolerant(tmp_path: Path) -> None:
    path = write(tmp_path, " Email , NAME,Communities\r\nada@example.org,Ada,\r\n", bom=True)
    result = load_recipients(path, KNOWN)
    assert [r.email for r in result.recipients] == ["ada@example.org"]


def test_bad_rows_are_skipped_and_named_the_rest_still_sent(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "email,name,communities\n"
        "ada@example.org,Ada,\n"  # 2 ok
        "bob@example.org,Bob,design;marketing\n"  # 3 unknown community
        "not-an-address,Carol,\n"  # 4 malformed
        "ADA@Example.ORG,Ada again,\n"  # 5 duplicate
        "dan@example.org,Dan\n"  # 6 too few columns
        "\n"  # 7 blank: ignored
        "eve@example.org,Eve,data\n",  # 8 ok
    )
    result = load_recipients(path, KNOWN)
    assert [r.email for r in result.recipients] == ["ada@example.org", "eve@example.org"]
    assert [r.line for r in result.recipients] == [2, 8]
    problems = {p.line: p.message for p in result.skipped}
    assert set(problems) == {3, 4, 5, 6}
    assert "unknown community id marketing" in problems[3]
    assert "not-an-address" in problems[4]
    assert "line 2" in problems[5]
    assert "3 columns" in problems[6]
    assert str(result.skipped[0]) == f"line 3: {problems[3]}"


def test_a_quoted_multiline_name_is_a_bad_row_on_its_line_and_later_rows_survive(
    tmp_path: Path,
) -> None:
    # names must fit on one line, so each physical line is a row of its own
    path = write(
        tmp_path,
        'email,name,communities\nada@example.org,"Ada\nLovelace",\nbob@example.org,Bob,\n',
    )
    result = load_recipients(path, KNOWN)
    assert [p.line for p in result.skipped] == [2, 3]
    assert [(r.email, r.line) for r in result.recipients] == [("bob@example.org", 4)]


def test_one_stray_quote_costs_one_row_not_every_later_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "email,name,communities\n"
        'ada@example.org,"Ada,\n'  # 2: the quote is never closed
        "bob@example.org,Bob,\n"
        "eve@example.org,Eve,data\n",
    )
    result = load_recipients(path, KNOWN)
    assert [p.line for p in result.skipped] == [2]
    assert [(r.email, r.line) for r in result.recipients] == [
        ("bob@example.org", 3), ("eve@example.org", 4),
    ]


def test_a_row_csv_cannot_read_is_reported_on_its_own_line(tmp_path: Path) -> None:
    # a bare carriage return outside quotes is something csv refuses outright
    path = write(tmp_path, "email,name,communities\nada@example.org,Ada,\nbob@example.org,B\rob,\n"
                 "eve@example.org,Eve,\n")
    result = load_recipients(path, KNOWN)
    assert [(p.line, "cannot read" in p.message) for p in result.skipped] == [(3, True)]
    assert [r.line for r in result.recipients] == [2, 4]


def test_a_name_with_a_quoted_carriage_return_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, 'email,name,communities\nada@example.org,"Ada\rLovelace",\n')
    result = load_recipients(path, KNOWN)
    assert [(p.line, "one line" in p.message) for p in result.skipped] == [(2, True)]


@pytest.mark.parametrize(
    "address",
    [
        "",
        "plain",
        "two@@example.org",
        "a@b@example.org",
        "ada@localhost",
        "ada@example.",
        "ada@.org",
        "ada lovelace@example.org",
        "Ada <ada@example.org>",
        "ada@example.org\r\nBcc: x@evil.example",
        "@example.org",
        "ada..l@example.org",
    ],
)
def test_malformed_addresses_are_refused(address: str) -> None:
    assert address_problem(address) is not None


@pytest.mark.parametrize(
    "address", ["ada@example.org", "ada.lovelace+cop@mail.example.co.uk", "o'neil@example.ie"]
)
def test_ordinary_addresses_pass(address: str) -> None:
    assert address_problem(address) is None


def test_missing_file_is_a_config_error_saying_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_recipients(tmp_path / "recipients.csv", KNOWN)
    assert "email,name,communities" in str(info.value)
    assert info.value.key is None
    assert info.value.file.endswith("recipients.csv")


@pytest.mark.parametrize(
    "text", ["", "address,name\nada@example.org,Ada\n", "ada@example.org,Ada,\n"]
)
def test_wrong_header_is_a_config_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match="header"):
        load_recipients(write(tmp_path, text), KNOWN)


def test_a_semicolon_separated_file_is_read_with_its_quoted_lists(tmp_path: Path) -> None:
    """A spreadsheet in a comma-decimal locale saves "CSV" with semicolons and cannot be
    told otherwise; its list cells come quoted."""
    readers = load_recipients(write(
        tmp_path, 'email;name;communities;aliases\nada@example.org;"Okafor, Ada";"design;research";'
                  '"@ada;AO"\nsam@example.org;Sam;;\n', bom=True), KNOWN | {"research"})
    assert [(r.email, r.name, r.communities, r.aliases) for r in readers.recipients] == [
        ("ada@example.org", "Okafor, Ada", frozenset({"design", "research"}), ("@ada", "AO")),
        ("sam@example.org", "Sam", None, ())]
    assert readers.skipped == []
    with pytest.raises(ConfigError, match="header"):
        load_recipients(write(tmp_path, "address;name\n"), KNOWN)


def test_file_that_is_not_utf8_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "recipients.csv"
    path.write_bytes("email,name,communities\nzoë@example.org,Zoë,\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="UTF-8"):
        load_recipients(path, KNOWN)


def test_the_csv_refuses_what_the_relay_conversation_would_refuse() -> None:
    # one rule for addresses: a mailbox name the sender cannot deliver (no SMTPUTF8)
    # is a skipped row at build time, not a failure discovered mid-send
    assert "SMTPUTF8" in address_problem("zoë@example.org")
    assert address_problem("zoe@bücher.example") is None  # the domain goes out in IDNA
