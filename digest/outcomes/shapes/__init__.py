"""Note shapes that need rules of their own, one module each.

A shape module may define any of:

- `list_kind(ul) -> "decisions" | "actions" | None`: a list that holds outcomes
  wherever it sits on the page (Confluence decision and task lists, checkbox lists);
- `keep_item(li) -> bool`: whether an item of such a list counts (undecided decisions do not);
- `item_done(el) -> bool | None`: a task's ticked state, None when the shape says nothing;
- `owner(text) -> (owner, rest) | None`: an owner written the shape's way ("[Ana] will …");
- `clean(text) -> text`: what the shape adds to every line taken off ("(nick, 19:15)").

`chat_log` defines no hook: the extractor asks it for a chat line's time-and-speaker
prefix directly (it must come off before markers are looked for).

Adding a shape means adding a module here (and its fixtures), and its name to `SHAPES`.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from types import ModuleType
from typing import Any

import lxml.html

SHAPES = ("confluence", "tasks", "scribed", "ai_notes", "chat_log", "logseq", "obsidian")
_MODULES: tuple[ModuleType, ...] = tuple(import_module(f"{__name__}.{name}") for name in SHAPES)


def _hooks(name: str) -> tuple[Callable[..., Any], ...]:
    return tuple(getattr(m, name) for m in _MODULES if hasattr(m, name))


_KEEP = {m.__name__: m.keep_item for m in _MODULES if hasattr(m, "keep_item")}
_DONE = _hooks("item_done")
_OWNER = _hooks("owner")
_CLEAN = _hooks("clean")


def list_kind(el: lxml.html.HtmlElement) -> tuple[str, Callable[[Any], bool] | None] | None:
    """The outcome list `el` is by its shape's markup, and that shape's item filter."""
    for module in _MODULES:
        hook = getattr(module, "list_kind", None)
        kind = hook(el) if hook else None
        if kind:
            return kind, _KEEP.get(module.__name__)
    return None


def item_done(el: lxml.html.HtmlElement) -> bool:
    for hook in _DONE:
        state = hook(el)
        if state is not None:
            return bool(state)
    return False


def clean(text: str) -> str:
    """An item's text without what a shape adds to every line (a bot's time stamps)."""
    for hook in _CLEAN:
        text = hook(text)
    return text


def owner(text: str) -> tuple[str, str] | None:
    for hook in _OWNER:
        found = hook(text)
        if found:
            return found
    return None
