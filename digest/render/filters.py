"""Jinja filters shared by the HTML and text templates."""

from __future__ import annotations

import textwrap

import jinja2

from ..models import Action, TrackedAction
from .view import item_date, meeting_date, plural, session_local, session_when


def wrap(text: str, width: int = 72, indent: str = "") -> str:
    """Wrap plain text for the text part; URLs are never broken."""
    return "\n".join(
        textwrap.fill(para, width=width, initial_indent=indent, subsequent_indent=indent,
                      break_long_words=False, break_on_hyphens=False)
        for para in text.split("\n") if para.strip()
    )


def bullet(text: str, width: int = 72, indent: str = "  ") -> str:
    """A '- ' list line whose continuation lines hang under its text."""
    return textwrap.fill(text, width=width, initial_indent=f"{indent}- ",
                         subsequent_indent=f"{indent}  ", break_long_words=False,
                         break_on_hyphens=False)


def underline(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}"


def due(action: Action | TrackedAction) -> str:
    """When an action is due, as a reader wants it: the resolved date, else the words."""
    if action.due is not None:
        return f"{action.due:%a} {action.due.day} {action.due:%b}"
    return action.due_text or ""


def install(env: jinja2.Environment) -> None:
    env.filters.update(
        wrap=wrap, bullet=bullet, underline=underline, plural=plural, session_when=session_when,
        due=due, session_local=session_local,
    )
    env.globals.update(item_date=item_date, meeting_date=meeting_date)
