"""Confluence meeting-notes pages: decision lists, task lists with states, user mentions.

Decisions sit in `ul.decision-list` (an UNDECIDED one is not a decision),
tasks in `ul.inline-task-list` whose `li` carries `class="checked"` (server)
or `data-task-state="DONE"` (cloud export) once ticked. Mentions and date
lozenges (`<time datetime>`) are read by the shared reader.
"""

from __future__ import annotations

import lxml.html


def list_kind(el: lxml.html.HtmlElement) -> str | None:
    classes = set((el.get("class") or "").split())
    if "decision-list" in classes or el.get("data-node-type") == "decisionList":
        return "decisions"
    if "inline-task-list" in classes or el.get("data-node-type") == "actionList":
        return "actions"
    return None


def keep_item(li: lxml.html.HtmlElement) -> bool:
    state = li.get("data-decision-state")
    return state is None or state.upper() == "DECIDED"


def item_done(li: lxml.html.HtmlElement) -> bool | None:
    parent = li.getparent()
    in_task_list = parent is not None and list_kind(parent) == "actions"
    if in_task_list or li.get("data-inline-task-id") is not None \
            or li.get("data-task-local-id") is not None:  # a feed strips the data-* attributes
        state = (li.get("data-task-state") or li.get("data-inline-task-status") or "").upper()
        return state in ("DONE", "COMPLETE") or "checked" in (li.get("class") or "").split()
    return None
