"""The line locator behind the configuration's errors (digest/toml_lines.py) on TOML
that is valid but easy to misread line by line: arrays spread over lines, triple quotes
inside ordinary strings and comments, arrays of tables inside [[community]]."""

from __future__ import annotations

from digest.toml_lines import line_of
from tests.test_config_hints import assert_one_error, check, line_number, org, replace

__all__ = ["org"]  # the fixture, used by name


def test_a_nested_array_in_a_multi_line_array_is_no_table_header() -> None:
    text = "\n".join([
        "[digest]",                       # 1
        "grid = [",                       # 2
        '  ["x"],',                       # 3
        "  [ 'y' ]",                      # 4
        "]",                              # 5
        "quiet_after = 3",                # 6
        "pairs = [ # a comment [z]",      # 7
        "  { a = [1, 2] }, [[3]],",       # 8
        "  ['w']]",                       # 9
        "after = 1",                      # 10
    ])
    assert line_of(text, ("digest", "quiet_after")) == 6
    assert line_of(text, ("digest", "after")) == 10
    assert line_of(text, ("x",)) is None and line_of(text, ("y",)) is None
    assert line_of(text, ("w",)) is None


def test_triple_quotes_inside_an_ordinary_string_or_a_comment_hide_nothing() -> None:
    text = "\n".join([
        "[digest]",                                          # 1
        "title = \"Quotes (''') and more\"",                 # 2
        "note = 'a \"\"\" in a literal string'",             # 3
        "# a comment with ''' in it",                        # 4
        "quiet_after = 3  # and \"\"\" here",                # 5
        'intro = """',                                       # 6
        "a real multi-line string, with ''' inside",         # 7
        "hidden = 1",                                        # 8
        '"""',                                               # 9
        "[smtp]",                                            # 10
        'host = """one line"""',                             # 11
        "port = 25",                                         # 12
    ])
    assert line_of(text, ("digest", "quiet_after")) == 5
    assert line_of(text, ("digest", "hidden")) is None  # inside the string on line 6
    assert line_of(text, ("smtp",)) == 10
    assert line_of(text, ("smtp", "port")) == 12


def test_an_escaped_quote_does_not_end_a_multi_line_string() -> None:
    text = "\n".join([
        'intro = """she said \\"""',   # 1: an escaped quote, then two quotes: still open
        'hidden = 1"""',               # 2
        "shown = 2",                   # 3
    ])
    assert line_of(text, ("hidden",)) is None
    assert line_of(text, ("shown",)) == 3


def test_arrays_of_tables_inside_each_community_count_from_the_first() -> None:
    text = "\n".join([
        "[[community]]",              # 1
        'id = "trams"',               # 2
        "[[community.meeting]]",      # 3
        'day = "mon"',                # 4
        "[[community.meeting]]",      # 5
        'day = "tue"',                # 6
        "[[community]]",              # 7
        'id = "ferries"',             # 8
        "[[community.meeting]]",      # 9
        'day = "wed"',                # 10
        "[community.meeting.room]",   # 11
        'name = "B2"',                # 12
    ])
    assert line_of(text, ("community", 0, "meeting", 1, "day")) == 6
    assert line_of(text, ("community", 1, "meeting", 0, "day")) == 10
    assert line_of(text, ("community", 1, "meeting", 0, "room", "name")) == 12
    assert line_of(text, ("community", 1, "meeting", 2)) is None


def test_a_community_description_with_triple_quotes_keeps_later_lines(org) -> None:
    listing = org.root / "feeds" / "communities.toml"
    replace(listing, 'description = "The Trams community. Meets monthly."',
            'description = "Config tips: \'\'\' opens a literal block"')
    replace(listing, 'id = "ferries"\n', 'id = "ferries"\nmeetngs = ["ferries-minutes.xml"]\n')
    result = check(org)
    assert_one_error(result, listing, line_number(listing, "meetngs"), "community[2].meetngs",
                     "unknown key in [[community]] 'ferries'; did you mean `meetings`?")
