"""Plain-text helpers shared by the stages that turn HTML into readable text."""

from __future__ import annotations

import re

_TRAILING = " ,;:.-–—/|&·"  # nothing a cut leaves dangling, such as "de /…"


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


# What a feed or calendar may carry that must never reach a document, a database or a
# terminal: C0/C1 controls (tab and line breaks excepted), lone surrogates,
# noncharacters, and the invisible characters that reorder or hide text (bidi
# embeddings, overrides and isolates; zero-width space, word joiner, stray BOM). ZWJ
# and ZWNJ stay: emoji sequences and Persian or Indic words need them.
_NONCHARACTERS = "".join(chr(plane * 0x10000 + low) for plane in range(17)
                         for low in (0xFFFE, 0xFFFF))
_UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    "\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\ufffe\uffff]")
# the noncharacters past U+FFFF apart: in one class with the rest they make every search
# twenty times slower, and only a text with such characters (emoji) needs them
_UNSAFE_ASTRAL = re.compile("[" + _NONCHARACTERS[2:] + "]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Terminal escape sequences (CSI, OSC such as hyperlinks, and other ESC pairs),
# removed whole so their parameters do not linger as text once ESC is gone.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x1b\x9d]\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[@-Z\\-_]")


def clean_text(text: str) -> str:
    """`text` without the characters that break documents or mislead readers.

    The one place where feed and calendar text is made safe, applied when it is
    parsed: mjml-python refuses a document with a C0 control or U+FFFE anywhere,
    SQLite cannot store a lone surrogate, and a bidi override can make a title
    read backwards. Terminal escape sequences go whole.
    """
    if text.isascii() and text.isprintable():
        return text  # the common case, at the cost of two C loops
    if "\x1b" in text or "\x9b" in text or "\x9d" in text:  # what every sequence starts with
        text = _ESCAPE_SEQUENCE.sub("", text)
    text = _UNSAFE_CHARS.sub("", text)
    return _UNSAFE_ASTRAL.sub("", text) if _ASTRAL.search(text) else text


_LINE_BREAKS = re.compile(r"[\r\n\t\x85\u2028\u2029]+")


def terminal_text(text: object) -> str:
    """`text` fit to print on an organiser's terminal or in cron's mail: one line of
    printable characters (escape sequences and controls gone, line breaks as spaces,
    indentation kept). Rich markup is escaped where rich prints it, not here."""
    return _LINE_BREAKS.sub(" ", clean_text(str(text))) if text is not None else ""


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
