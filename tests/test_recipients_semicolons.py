"""recipients.csv separated by semicolons, written by hand rather than saved by Excel:
a list of communities left unquoted spills into the next cells. Real files on disk,
read by the loader `digest check`, `build` and `send` use."""

from __future__ import annotations

from digest.recipients import load_recipients

KNOWN = {"wards", "estates", "finance"}


def load(tmp_path, text: str):
    path = tmp_path / "recipients.csv"
    path.write_text(text, encoding="utf-8")
    return load_recipients(path, KNOWN)


def test_an_unquoted_list_of_communities_is_not_read_as_aliases(tmp_path):
    """With the aliases column, `wards;estates` unquoted reads as communities `wards` and
    alias `estates`: the reader would silently miss a community. The row is skipped and
    says to quote the list."""
    result = load(tmp_path, "email;name;communities;aliases\n"
                            "ann@example.org;Ann Reader;wards;estates\n"
                            "bo@example.org;Bo Reader;\"wards;estates\";@bo\n")
    assert [r.email for r in result.recipients] == ["bo@example.org"]
    assert result.recipients[0].communities == {"wards", "estates"}
    (problem,) = result.skipped
    assert problem.line == 2
    assert '"wards;estates"' in problem.message and "quote" in problem.message, problem


def test_an_unquoted_list_without_an_aliases_column_is_named_as_such(tmp_path):
    result = load(tmp_path, "email;name;communities\n"
                            "ann@example.org;Ann Reader;wards;estates;finance\n")
    assert not result.recipients
    (problem,) = result.skipped
    assert '"wards;estates;finance"' in problem.message, problem
    assert "name" not in problem.message, problem  # not 'quote a name': the list is at fault


def test_an_alias_that_is_not_a_community_still_reads_as_an_alias(tmp_path):
    result = load(tmp_path, "email;name;communities;aliases\n"
                            "ann@example.org;Ann Reader;wards;Annie\n")
    (reader,) = result.recipients
    assert reader.communities == {"wards"} and reader.aliases == ("Annie",)


def test_a_semicolon_file_with_every_cell_quoted_is_read(tmp_path):
    """LibreOffice's "quote all text cells" quotes the header too."""
    result = load(tmp_path, '"email";"name";"communities"\r\n'
                            '"ann@example.org";"Reader, Ann";"wards;estates"\r\n')
    (reader,) = result.recipients
    assert (reader.name, reader.communities) == ("Reader, Ann", {"wards", "estates"})
    assert not result.skipped


def test_rows_separated_otherwise_than_the_header_say_so(tmp_path):
    """A header typed with commas over rows pasted from a semicolon spreadsheet (or the
    other way round): every row says the separators differ, not 'quote a name'."""
    for header, row in (("email,name,communities", "ann@example.org;Ann Reader;wards"),
                        ("email;name;communities", "ann@example.org,Ann Reader,wards")):
        result = load(tmp_path, f"{header}\n{row}\n")
        assert not result.recipients
        (problem,) = result.skipped
        assert "separated by" in problem.message and "header" in problem.message, problem
        assert "quote a name" not in problem.message, problem


def test_a_header_and_rows_ending_in_a_separator_are_read(tmp_path):
    """A spreadsheet once given a fourth column saves its empty cells: `email;name;
    communities;` and a separator after every row."""
    for sep in (";", ","):
        result = load(tmp_path, f"email{sep}name{sep}communities{sep}\n"
                                f'ann@example.org{sep}Ann Reader{sep}"wards;estates"{sep}\n'
                                f"bo@example.org{sep}Bo Reader{sep}{sep}\n")
        assert [(r.email, r.communities) for r in result.recipients] == [
            ("ann@example.org", {"wards", "estates"}), ("bo@example.org", None)], sep
        assert not result.skipped, sep
