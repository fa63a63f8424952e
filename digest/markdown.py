"""Markdown notes and posts: front matter apart, the body rendered to HTML.

Communities that keep notes in a git repository write Markdown; the rest of
the pipeline (excerpts, the outcomes extractor) reads HTML, so Markdown is
rendered once here and then treated like any feed's content. GitHub-style
task lists (`- [ ]`, `- [x]`) become checkbox inputs, tables become tables.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import frontmatter
import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin


@dataclass(frozen=True)
class MarkdownDocument:
    """A Markdown file split into its front matter and its body rendered as HTML."""

    meta: dict[str, Any] = field(default_factory=dict)
    html: str = ""


class FrontMatterError(ValueError):
    """Front matter that is not a YAML mapping; the message says where."""


class _AliasRefused(yaml.YAMLError):
    def __init__(self, anchor: str, line: int) -> None:
        super().__init__(anchor, line)
        self.anchor, self.line = anchor, line


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases. Nine levels of ten `*alias`es are a 2 KB file that stands for
    10^9 strings (YAML's "billion laughs"): whatever walks or prints the value hangs.
    Front matter (title, date, kind, author, link) never needs one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(str(getattr(event, "anchor", "")), event.start_mark.line)
        return super().compose_node(parent, index)


@cache
def _renderer() -> MarkdownIt:
    # "js-default" is CommonMark plus tables and strikethrough; raw HTML passes
    # through as it does in Confluence exports, and is sanitised downstream.
    return MarkdownIt("js-default", {"html": True}).use(tasklists_plugin)


def markdown_to_html(text: str) -> str:
    return _renderer().render(text)


_DATE_VALUE = re.compile(r"^\s*[^:#]+:\s*['\"]?(\d{4}-\d{1,2}-\d{1,2})")


def _impossible_date_line(block: str) -> str:
    """"line N: " for the first front-matter line holding a date that does not exist."""
    for number, line in enumerate(block.lstrip("\n").splitlines(), start=2):
        m = _DATE_VALUE.match(line)
        if m:
            try:
                date(*map(int, m.group(1).split("-")))
            except ValueError:
                return f"line {number}: "
    return ""


def read_markdown(text: str) -> MarkdownDocument:
    """Split front matter (`---` YAML block at the top) from the body and render the body.

    A file without front matter has empty `meta`. Malformed YAML raises
    FrontMatterError naming the line, so the organiser can fix the file.
    """
    if toml := _TOML_FRONT_MATTER.match(text):
        return _read_toml_front_matter(toml.group(1), text[toml.end():])
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        return MarkdownDocument(html=markdown_to_html(text))
    block, body = handler.split(text)
    try:  # not frontmatter's loader: the library would drop a non-mapping
        meta = yaml.load(block.lstrip("\n"), Loader=_NoAliasLoader)  # noqa: S506 - safe
    except _AliasRefused as e:
        raise FrontMatterError(f"line {e.line + 2}: front matter uses the YAML alias "
                               f"*{e.anchor[:40]}: write the value out instead") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "context_mark", None) or getattr(e, "problem_mark", None)
        where = f"line {mark.line + 2}: " if mark is not None else ""  # +1 for the `---`
        # YAML's own words ("mapping values are not allowed here"), not its class name; the
        # usual slips are an unquoted value holding ": " and a quote left open
        said = ", ".join(str(part) for part in (getattr(e, "context", None),
                                                getattr(e, "problem", None)) if part)
        raise FrontMatterError(f"{where}front matter is not valid YAML"
                               f"{f' ({said})' if said else ''}: put a value holding ': ' or "
                               "' #' in quotes, and close every quote") from None
    except ValueError as e:  # YAML read a timestamp that is no date: `date: 2026-13-45`
        raise FrontMatterError(f"{_impossible_date_line(block)}front matter holds an impossible "
                               f"date ({e}): write it as 2026-10-14") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError("front matter must be key: value lines")
    return MarkdownDocument(meta={str(k): v for k, v in meta.items()},
                            html=markdown_to_html(body))


# Hugo's other front matter: TOML between `+++` lines
_TOML_FRONT_MATTER = re.compile(r"\A\+\+\+[ \t]*\r?\n(.*?)^\+\+\+[ \t]*(?:\r?\n|\Z)", re.S | re.M)
_TOML_LINE = re.compile(r"at line (\d+)")


def _read_toml_front_matter(block: str, body: str) -> MarkdownDocument:
    """A file that starts with TOML front matter (`+++`, as Hugo writes it)."""
    try:
        meta = tomllib.loads(block)
    except tomllib.TOMLDecodeError as e:
        line = _TOML_LINE.search(str(e))
        where = f"line {int(line.group(1)) + 1}: " if line else ""  # +1 for the `+++`
        raise FrontMatterError(f"{where}front matter is not valid TOML ({e}): write "
                               'key = "value" lines, text in quotes') from None
    return MarkdownDocument(meta=meta, html=markdown_to_html(body))
