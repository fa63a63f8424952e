"""AI meeting notes: Google Meet/Gemini, Zoom AI Companion, Teams/Copilot recaps.

Their sections ("Suggested next steps", "Next steps", "Follow-up tasks",
"Action items") are shared section headings; what is theirs is how they name
the owner: "[Ana Lima] will send …" (Gemini), "Ana Lima will …" (Zoom), and
"… (Owner: Ana)" or "Ana: …" in a recap line. Transcribing tools (Otter,
Fireflies) end an item with where it was said in the recording, "(04:12)".
"""

from __future__ import annotations

import re

_BRACKETED = re.compile(
    r"^\[(?P<owner>[^\[\]]{1,80})\]\s*(?:(?:will|to|should|is\s+to)\s+|[:\-–—]\s*|(?=[A-Z]))(?=\w)")
_OFFSET = re.compile(r"\s*[(\[]\s*\d{1,2}:\d{2}(?::\d{2})?\s*[)\]]\s*$")
_PERSON = re.compile(r"^@?[A-ZÀ-Ý][\w'’.-]*(?:\s+[A-ZÀ-Ý][\w'’.-]*){0,3}$")


def owner(text: str) -> tuple[str, str] | None:
    match = _BRACKETED.match(text)
    if not match:
        return None
    names = [n.strip() for n in re.split(r"\s*(?:,|&|\band\b|/)\s*", match["owner"]) if n.strip()]
    if names and all(_PERSON.match(n) for n in names):
        return ", ".join(n.lstrip("@") for n in names), text[match.end():]
    return None


def clean(text: str) -> str:
    """Without the recording offset "(04:12)" at the end of an item."""
    return _OFFSET.sub("", text)
