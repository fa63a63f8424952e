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


_VOWELS = frozenset("aeiou")


def plural(n: int, word: str, many: str | None = None) -> str:
    """`n` and the noun phrase `word` in the right number: "1 quiet community", "2 editions".

    The last word of `word` is made plural (community → communities, inbox →
    inboxes); `many` gives the plural phrase outright where English is irregular
    ("feed has" / "feeds have"). The one helper for counts said to a person.
    """
    if n == 1:
        return f"{n} {word}"
    if many is not None:
        return f"{n} {many}"
    head, _, last = word.rpartition(" ")
    if last.endswith("y") and len(last) > 1 and last[-2].lower() not in _VOWELS:
        last = last[:-1] + "ies"
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        last += "es"
    else:
        last += "s"
    return f"{n} {head + ' ' if head else ''}{last}"
