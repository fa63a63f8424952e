"""Checkbox task lists: GitHub/Markdown (`- [x]`), Notion, Loop, OneNote exports.

A list of checkboxes is a list of actions wherever it is on the page, and a
ticked box means done. Markdown renders `<input type="checkbox" checked>`;
Notion exports `div.checkbox-on`; Loop and ProseMirror editors write
`data-checked="true"` or `aria-checked`; OneNote `data-tag="to-do:completed"`;
text pasted from anywhere keeps "[x]" or "☑".
"""

from __future__ import annotations

import re

import lxml.html

_TICKED_TEXT = re.compile(r"^\s*(?:[-*]\s*)?(?:\[[xX✓✔]\]|[☑☒✅✔✓])")
_OPEN_TEXT = re.compile(r"^\s*(?:[-*]\s*)?(?:\[ ?\]|[☐□])")
_TASK_LIST_CLASSES = frozenset({"contains-task-list", "task-list", "to-do-list", "checklist"})


def list_kind(el: lxml.html.HtmlElement) -> str | None:
    classes = set((el.get("class") or "").split())
    if classes & _TASK_LIST_CLASSES or el.get("data-type") in ("taskList", "checkList"):
        return "actions"
    items = [li for li in el if li.tag == "li"]
    if items and all(_box(li) is not None for li in items):
        return "actions"
    return None


def item_done(el: lxml.html.HtmlElement) -> bool | None:
    checked = el.get("data-checked") or el.get("aria-checked")
    if checked is not None:
        return checked.lower() == "true"
    tag = el.get("data-tag") or ""
    if tag.startswith("to-do"):
        return tag.endswith(":completed")
    box = _box(el)
    if box is not None:
        return box
    text = (el.text or "").lstrip()
    if _TICKED_TEXT.match(text):
        return True
    return False if _OPEN_TEXT.match(text) else None


def _box(li: lxml.html.HtmlElement) -> bool | None:
    """The state of the checkbox that starts `li` (its own, not a nested item's)."""
    if li.text and li.text.strip():
        return None  # text first: "Topic – [ ] task" nests the box in another item
    for el in li.iter():
        if el is li or not isinstance(el.tag, str):
            continue
        if el.tag in ("ul", "ol", "li"):
            break
        if el.tag == "input" and (el.get("type") or "").lower() == "checkbox":
            return el.get("checked") is not None
        classes = (el.get("class") or "").split()
        if "checkbox-on" in classes or "to-do-children-checked" in classes:
            return True
        if "checkbox-off" in classes or "to-do-children-unchecked" in classes:
            return False
        if el.get("role") == "checkbox":
            return (el.get("aria-checked") or "").lower() == "true"
        if el.text and el.text.strip():
            break  # text came first: the box, if any, belongs to something else
    return None
