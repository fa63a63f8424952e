"""Markdown notes: front matter apart, task lists and tables kept for the extractor."""

from __future__ import annotations

import datetime

import pytest

from digest.markdown import FrontMatterError, read_markdown


def test_front_matter_is_read_and_the_body_rendered_with_task_lists_and_tables() -> None:
    doc = read_markdown("---\ntitle: Data CoP, 14 October\ndate: 2026-10-14\nkind: meeting\n"
                        "---\n## Actions\n- [ ] Draft the glossary\n- [x] Book the room\n\n"
                        "| Action | Owner |\n|---|---|\n| Draft | Ana |\n")
    assert doc.meta == {"title": "Data CoP, 14 October", "date": datetime.date(2026, 10, 14),
                        "kind": "meeting"}
    assert '<input class="task-list-item-checkbox" checked="checked"' in doc.html
    assert doc.html.count('type="checkbox"') == 2
    assert "<th>Owner</th>" in doc.html and "<td>Ana</td>" in doc.html


def test_a_file_without_front_matter_has_none() -> None:
    doc = read_markdown("# Research CoP retro\n\nWe met.\n")
    assert doc.meta == {} and "<h1>Research CoP retro</h1>" in doc.html


@pytest.mark.parametrize("text, where", [("---\ntitle: [oops\n---\nbody", "line 2"),
                                         ("---\n- a list\n---\nbody", "key: value")])
def test_bad_front_matter_says_where_and_what(text: str, where: str) -> None:
    with pytest.raises(FrontMatterError, match=where):
        read_markdown(text)
