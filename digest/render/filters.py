"""Jinja filters shared by the HTML and text templates."""

from __future__ import annotations

import functools
import re
import textwrap
from datetime import date

import jinja2

from ..models import Action, TrackedAction
from .view import item_date, meeting_date, plural, session_local, session_when

TEXT_WIDTH = 78  # no line of the text part is longer, but a URL that is longer on its own
_URL = re.compile(r"(?i)^(?:https?://|mailto:)\S+$")


def url_line(url: str, indent: str = "") -> str:
    """A URL on a line of its own, at `indent` when that fits in TEXT_WIDTH. A longer URL
    starts the line and is never broken: a broken URL does not open."""
    line = f"{indent}{url}"
    return line if len(line) <= TEXT_WIDTH else url


@functools.lru_cache(maxsize=32768)
def hang(text: str, first: str = "", rest: str = "", width: int = 72) -> str:
    """Wrap `text` with `first` before its first line and `rest` before the others.

    The one style of the text part: a URL in the text goes on a line of its own (see
    url_line); a word longer than a line (a hash, a path) is broken; nothing is longer
    than `width` (at most TEXT_WIDTH) but a lone URL.

    Kept: a build puts the same titles, excerpts and outcomes into hundreds of editions,
    and textwrap was a third of their text part's time; each distinct text is wrapped once.
    """
    width = min(width, TEXT_WIDTH)
    lines: list[str] = []
    words: list[str] = []

    def flush() -> None:
        if words:
            lead = first if not lines else rest
            lines.extend(textwrap.wrap(" ".join(words), width=width, initial_indent=lead,
                                       subsequent_indent=rest, break_long_words=True,
                                       break_on_hyphens=False))
            words.clear()

    for token in text.split():
        if _URL.match(token):
            flush()
            if not lines and first.strip():  # a bullet that starts with a link
                lines.append(first.rstrip())
            lines.append(url_line(token, rest))
        else:
            words.append(token)
    flush()
    return "\n".join(lines)


def wrap(text: str, width: int = 72, indent: str = "") -> str:
    """Wrap plain text for the text part, paragraph by paragraph (see hang)."""
    return "\n".join(hang(para, indent, indent, width) for para in text.split("\n")
                     if para.strip())


def bullet(text: str, width: int = 72, indent: str = "  ") -> str:
    """A '- ' list line whose continuation lines hang under its text."""
    return hang(text, f"{indent}- ", f"{indent}  ", width)


def underline(text: str, char: str = "=") -> str:
    """A heading of the text part, wrapped, underlined as long as its longest line."""
    lines = hang(text, width=TEXT_WIDTH).split("\n")
    return "\n".join(lines) + "\n" + char * max(len(line) for line in lines)


def due(action: Action | TrackedAction) -> str:
    """When an action is due, as a reader wants it: the resolved date, else the words."""
    if action.due is not None:
        return _day(action.due)
    return action.due_text or ""


@functools.lru_cache(maxsize=1024)
def _day(day: date) -> str:
    """"Sat 14 Nov": formatted once per date, not once per action and edition."""
    return f"{day:%a} {day.day} {day:%b}"


def install(env: jinja2.Environment) -> None:
    env.filters.update(url_line=url_line, hang=hang)
    env.filters.update(
        wrap=wrap, bullet=bullet, underline=underline, plural=plural, session_when=session_when,
        due=due, session_local=session_local,
    )
    env.globals.update(item_date=item_date, meeting_date=meeting_date)
