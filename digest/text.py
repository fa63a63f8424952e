"""Plain-text helpers shared by the stages that turn HTML into readable text."""

from __future__ import annotations

_TRAILING = " ,;:.-–—"


def cut_at_word(text: str, limit: int) -> str:
    """`text` with whitespace folded, in at most `limit` characters.

    Cut at a word boundary (when one falls past the middle) and marked with an
    ellipsis, so an excerpt or an outcome never ends in half a word.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]  # one character more than fits: a word ending exactly there stays
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else cut[: limit - 1]
    return cut.rstrip(_TRAILING) + "…"
