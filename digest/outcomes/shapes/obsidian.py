"""Obsidian Tasks (and Dataview) task lines: emoji signifiers and wiki links.

The Tasks plugin writes a task's fields as emoji after its text: `📅 2026-11-20`
is the due date; `✅` (done), `⏳` (scheduled), `🛫` (start), `➕` (created) and
`❌` (cancelled) dates are not; `⏫ 🔼 🔽 ⏬ 🔺` are priorities, `🔁 every week`
a recurrence, `🆔`/`⛔`/`🏁` bookkeeping; `#tags` trail the line. People are
linked notes: `[[Priya Shah]]`, `[[People/Priya Shah|Priya]]` (shown as the
alias), sometimes after `👤`. None of that is the task's words: the line is
rewritten the way the shared rules read owners and dues, "Write the charter
(Priya Shah, due 2026-11-20)", and a link in the text becomes the name it shows.
"""

from __future__ import annotations

import re

_SIGNIFIERS = "📅🗓⏳🛫➕✅❌⏫🔼🔽⏬🔺🔁🏁🆔⛔👤"
_HAS_TASK_FIELDS = re.compile(rf"[{_SIGNIFIERS}]|\[\[")
_DUE = re.compile(r"\s*[📅🗓]\ufe0f?\s*(?P<date>\d{4}-\d{2}-\d{2})")
_OTHER_DATE = re.compile(r"\s*[⏳🛫➕✅❌]\ufe0f?\s*\d{4}-\d{2}-\d{2}")
_PRIORITY = re.compile(r"\s*[⏫🔼🔽⏬🔺]\ufe0f?")
_FIELD = re.compile(rf"\s*[🔁🏁🆔⛔👤]\ufe0f?[^{_SIGNIFIERS}#@\[]*")
_LINK = re.compile(r"\[\[(?:[^\]|]*/)?(?P<name>[^\]|/]+)(?:\|(?P<alias>[^\]]+))?\]\]")
_TRAILING_TAGS = re.compile(r"(?:\s+#[A-Za-z][\w/-]*)+\s*$")
_TRAILING_LINKS = re.compile(r"(?:\s*,?\s*\[\[[^\]]+\]\])+\s*$")


def _shown(link: re.Match[str]) -> str:
    return (link["alias"] or link["name"]).strip()


def clean(text: str) -> str:
    """A task line without its Tasks fields, owners and due in a trailing bracket."""
    if not _HAS_TASK_FIELDS.search(text):
        return text
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
