"""recipients.csv saved tab-separated: Excel's "Text (Tab delimited)" and "Unicode
Text", Google Sheets' "Tab-separated values". Real files on disk, read by the loader
`digest check`, `build` and `send` use."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.recipients import load_recipients

KNOWN = {"wards", "estates", "finance"}


def load(tmp_path: Path, data: bytes):
    path = tmp_path / "recipients.csv"
    path.write_bytes(data)
    return load_recipients(path, KNOWN)


def test_a_tab_separated_file_is_read_cell_by_cell(tmp_path):
    """Cells may hold commas and semicolons unquoted; a spreadsheet quotes a cell
    holding a quote; trailing empty columns are tolerated."""
    result = load(tmp_path, (
        b"Email\tName\tCommunities\tAliases\r\n"
        b"ann@example.org\tReader, Ann\twards;estates\t@ann\r\n"
        b'bo@example.org\t"Bo ""Bobby"" Penn"\t\t\r\n'
        b"cy@example.org\tCy Ode\tfinance\t\r\n"))
    assert not result.skipped, result.skipped
    assert [(r.email, r.name, r.communities, r.aliases) for r in result.recipients] == [
        ("ann@example.org", "Reader, Ann", {"wards", "estates"}, ("@ann",)),
        ("bo@example.org", 'Bo "Bobby" Penn', None, ()),
        ("cy@example.org", "Cy Ode", {"finance"}, ()),
    ]


def test_excel_unicode_text_in_utf16_is_read(tmp_path):
    """Excel's only tab-separated Unicode format is UTF-16 with a byte-order mark."""
    text = "email\tname\tcommunities\r\nann@example.org\tAnn Müller\twards\r\n"
    result = load(tmp_path, text.encode("utf-16"))
    (reader,) = result.recipients
    assert (reader.email, reader.name, reader.communities) == (
        "ann@example.org", "Ann Müller", {"wards"})


def test_a_misspelt_tab_header_names_the_column_and_the_tabs(tmp_path):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, b"email\tname\tcomunities\nann@example.org\tAnn\twards\n")
    message = str(info.value)
    assert "'comunities'" in message and "'communities'" in message, message
    assert info.value.line == 1


def test_a_tab_header_missing_a_column_says_it_is_separated_by_tabs(tmp_path):
    with pytest.raises(ConfigError) as info:
        load(tmp_path, b"email\tname\nann@example.org\tAnn\n")
    message = str(info.value)
    assert "'communities'" in message and "tab" in message, message
    assert "\t" not in message, message  # a tab is invisible in a terminal: named instead


def test_a_row_separated_by_commas_under_a_tab_header_says_so(tmp_path):
    result = load(tmp_path, b"email\tname\tcommunities\nann@example.org,Ann Reader,wards\n")
    assert not result.recipients
    (problem,) = result.skipped
    assert "commas" in problem.message and "tabs" in problem.message, problem


def test_a_short_tab_row_asks_for_the_missing_cells_not_for_quotes(tmp_path):
    result = load(tmp_path, b"email\tname\tcommunities\nann@example.org\tAnn Reader, wards\n")
    (problem,) = result.skipped
    assert "expected 3 columns" in problem.message, problem
    assert "tab" in problem.message and "comma" not in problem.message, problem
