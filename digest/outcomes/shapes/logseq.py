"""Logseq pages: task keywords, DEADLINE/SCHEDULED lines, priorities and tag links.

A Logseq block is a task when it opens on a workflow keyword: `TODO`, `DOING`,
`NOW`, `LATER`, `WAITING` (open) or `DONE` (done); `CANCELED` is no task
(languages.HASHTAG_MARKER reads the keywords, so the extractor sees them as
markers). The dates sit on a line of their own under the task:
`DEADLINE: <2026-11-20 Fri>` is when it is due, `SCHEDULED: <…>` is only when
someone plans to start. `[#A]` is a priority, `#[[Priya Shah]]` a tag that
links a page like `[[Priya Shah]]`. The deadline is rewritten as the Obsidian
Tasks due (`📅 2026-11-20`) and the tag as a plain link, so `shapes.obsidian`
reads owners and due the same way for both tools.
"""

from __future__ import annotations

import re

_DEADLINE = re.compile(r"\s*\bDEADLINE:\s*<(?P<date>\d{4}-\d{2}-\d{2})[^>]*>")
_SCHEDULED = re.compile(r"\s*\bSCHEDULED:\s*<[^>]*>")
_PRIORITY = re.compile(r"(?<!\S)\[#[A-C]\](?!\S)")
_TAG_LINK = re.compile(r"(?<![\w\[])#(?=\[\[)")


def clean(text: str) -> str:
    """A Logseq task line with its deadline as a Tasks due and its scheduling left out."""
    if "<" not in text and "[#" not in text and "#[[" not in text:
        return text
    text = _DEADLINE.sub(lambda m: f" 📅 {m['date']}", text)
    text = _SCHEDULED.sub("", text)
    text = _PRIORITY.sub("", text)
    return " ".join(_TAG_LINK.sub("", text).split())
