"""`digest outcomes`: what a community lead sees when checking their notes template."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from digest.cli import cli

NOTES = Path(__file__).parent / "fixtures" / "meeting_notes"


def run(*args: str):
    return CliRunner().invoke(cli, ["outcomes", *args])


def test_json_is_exactly_the_documented_shape(tmp_path: Path) -> None:
    page = tmp_path / "notes.html"
    page.write_text("<h1>Data CoP – 6 October 2026</h1><h2>Decisions</h2><ul><li>Adopt the"
                    " shared glossary</li></ul><h2>Actions</h2><ul><li>Ines to draft the"
                    " glossary page by 2026-10-20</li></ul>", encoding="utf-8")
    result = run("--json", str(page))
    assert result.exit_code == 0, result.output
    [meeting] = json.loads(result.stdout)
    assert set(meeting) == {"title", "link", "date", "decisions", "actions"}
    assert meeting["title"] == "Data CoP – 6 October 2026"
    assert meeting["decisions"] == [{"text": "Adopt the shared glossary"}]
    assert meeting["actions"] == [{"text": "Draft the glossary page", "owner": "Ines",
                                   "due": "2026-10-20", "done": False}]


def test_a_source_that_cannot_be_read_is_named_and_exits_1(tmp_path: Path) -> None:
    missing = tmp_path / "gone.md"
    result = run("--json", str(NOTES / "confluence.html"), str(missing))
    assert result.exit_code == 1
    assert str(missing) in result.stderr
    assert len(json.loads(result.stdout)) == 1  # the readable source is still reported


def test_a_page_in_its_declared_charset_is_read_and_an_empty_source_is_named(
        tmp_path: Path) -> None:
    page = tmp_path / "council.html"
    page.write_bytes('<html><head><meta charset="windows-1252"><title>Parish council – 3 March'
                     ' 2026</title></head><body><h2>Actions</h2><ul><li>Clerk to write to the'
                     ' café owner by 13 March</li></ul></body></html>'.encode("cp1252"))
    result = run("--json", str(page))
    assert result.exit_code == 0, result.output
    [meeting] = json.loads(result.stdout)
    assert meeting["actions"] == [{"text": "Write to the café owner", "owner": "Clerk",
                                   "due": "2026-03-13", "done": False}]
    undeclared = tmp_path / "undeclared.html"
    undeclared.write_bytes("<p>Café</p>".encode("cp1252"))
    result = run(str(undeclared), "")
    assert result.exit_code == 1
    assert f"{undeclared}: is not UTF-8 text" in result.stderr
    assert "an empty SOURCE" in result.stderr
