"""Obsidian Tasks (and Dataview) task lines: emoji signifiers and wiki links.

The Tasks plugin writes a task's fields as emoji after its text: `📅 2026-11-20`
is the due date; `✅` (done), `⏳` (scheduled), `🛫` (start), `➕` (created) and
`❌` (cancelled) dates are not; `⏫ 🔼 🔽 ⏬ 🔺` are priorities, `🔁 every week`
a recurrence, `🆔`/`⛔`/`🏁` bookkeeping; `#tags` trail the line. People are
linked notes: `[[Priya Shah]]`, `[[People/Priya Shah|Priya]]` (shown as the
alias), sometimes after `👤`. None of that is the task's words: the line is
rewritten the way the shared rules read owners and dues, "Write the charter
(Priya Shah, due 2026-11-20)", and a link in the text becomes the name it shows.

Dataview writes the same fields inline as `[key:: value]` or `(key:: value)`:
`due` is the due date, `owner` / `assignee` / `who` / `responsible` the person
(a link or a name), and every other field (`completion`, `created`, `start`,
`scheduled`, `priority`, …) is not the task's words.
"""

from __future__ import annotations

import re

_SIGNIFIERS = "📅🗓⏳🛫➕✅❌⏫🔼🔽⏬🔺🔁🏁🆔⛔👤"
_HAS_TASK_FIELDS = re.compile(rf"[{_SIGNIFIERS}]|\[\[|::")
_INLINE_FIELD = re.compile(
    r"\s*[\[(](?P<key>[A-Za-z][\w-]*)::\s*(?P<value>(?:\[\[[^\]]*\]\]|[^\])])*)[\])]")
_OWNER_KEYS = frozenset(("owner", "owners", "assignee", "assigned", "who", "responsible"))
_DUE = re.compile(r"\s*[📅🗓]\ufe0f?\s*(?P<date>\d{4}-\d{2}-\d{2})")
_OTHER_DATE = re.compile(r"\s*[⏳🛫➕✅❌]\ufe0f?\s*\d{4}-\d{2}-\d{2}")
_PRIORITY = re.compile(r"\s*[⏫🔼🔽⏬🔺]\ufe0f?")
_FIELD = re.compile(rf"\s*[🔁🏁🆔⛔👤]\ufe0f?[^{_SIGNIFIERS}#@\[]*")
_LINK = re.compile(r"\[\[(?:[^\]|]*/)?(?P<name>[^\]|/]+)(?:\|(?P<alias>[^\]]+))?\]\]")
_TRAILING_TAGS = re.compile(r"(?:\s+#[A-Za-z][\w/-]*)+\s*$")
_TRAILING_LINKS = re.compile(r"(?:\s*,?\s*\[\[[^\]]+\]\])+\s*$")


def _shown(link: re.Match[str]) -> str:
    return (link["alias"] or link["name"]).strip()


def _as_tasks_field(field: re.Match[str]) -> str:
    """A Dataview field as the Tasks plugin writes it: due as 📅, an owner as a trailing
    link; any other field is left out."""
    key, value = field["key"].lower(), field["value"].strip()
    if key == "due" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f" 📅 {value}"
    if key in _OWNER_KEYS and value:
        names = _LINK.findall(value)
        shown = [alias or name for name, alias in names] if names else re.split(r"\s*,\s*", value)
        return "".join(f" [[{name.strip().lstrip('@')}]]" for name in shown if name.strip())
    return " "


def clean(text: str) -> str:
    """A task line without its Tasks fields, owners and due in a trailing bracket."""
    if not _HAS_TASK_FIELDS.search(text):
        return text
    if "::" in text:
        text = _INLINE_FIELD.sub(_as_tasks_field, text)
    due = _DUE.search(text)
    for pattern in (_DUE, _OTHER_DATE, _PRIORITY, _FIELD):
        text = pattern.sub(" ", text)
    text = _TRAILING_TAGS.sub("", " ".join(text.split()))
    owners: list[str] = []
    trailing = _TRAILING_LINKS.search(text)
    if trailing and trailing.start() > 0:
        owners = [_shown(m) for m in _LINK.finditer(trailing.group(0))]
        text = text[: trailing.start()]
    text = _TRAILING_TAGS.sub("", _LINK.sub(_shown, text)).rstrip()
    parts = [" & ".join(owners)] if owners else []
    if due:
        parts.append(f"due {due['date']}")
    return f"{text} ({', '.join(parts)})" if parts else text
