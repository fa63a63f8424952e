"""Which line of a TOML file defines a given key: for error messages only.

`tomllib` gives values without positions, and a configuration error is easier to fix
when it says "line 12". This reads the text line by line, following table headers
(`[a.b]`, `[[a]]`) and key lines (`a.b = ...`), and answers the first line that
defines the key or a table under it. It is a locator, not a parser: the file has
already been parsed by tomllib, and when it cannot tell (a key inside an inline table,
say) it answers None and the error simply goes without a line.
"""

from __future__ import annotations

import re
from pathlib import Path

# A section of the document: table names, with the 0-based index of an element of an
# array of tables after its name: ("community", 2, "meetngs") is the third [[community]]'s key.
Section = tuple[str | int, ...]

_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_KEY = rf"{_PART}(?:[ \t]*\.[ \t]*{_PART})*"
_HEADER = re.compile(rf"^[ \t]*(\[\[|\[)[ \t]*({_KEY})[ \t]*(\]\]|\])")
_KEY_LINE = re.compile(rf"^[ \t]*({_KEY})[ \t]*=")
_PARTS = re.compile(_PART)
_ESCAPE = re.compile(r"\\(.)")


def _parts(dotted: str) -> tuple[str, ...]:
    """`a."b.c".'d'` -> ("a", "b.c", "d")."""
    out = []
    for m in _PARTS.finditer(dotted):
        part = m.group(0)
        if part.startswith('"'):
            part = _ESCAPE.sub(r"\1", part[1:-1])
        elif part.startswith("'"):
            part = part[1:-1]
        out.append(part)
    return tuple(out)


def _resolve(names: tuple[str, ...], arrays: dict[tuple[str, ...], int]) -> Section:
    """A header's names as a Section: each array of tables it passes through stands for
    its last element so far, as TOML says."""
    out: list[str | int] = []
    for i in range(len(names)):
        out.append(names[i])
        count = arrays.get(names[: i + 1])
        if count:
            out.append(count - 1)
    return tuple(out)


def _opens_multiline(line: str, delimiter: str | None) -> str | None:
    """The multi-line string delimiter still open after `line` (None if none is)."""
    for quotes in ('"""', "'''") if delimiter is None else (delimiter,):
        if line.count(quotes) % 2 == 1:
            return None if delimiter else quotes
    return delimiter


def line_of(text: str, target: Section) -> int | None:
    """The 1-based line that first defines `target` (a key, or a table under it)."""
    current: Section = ()
    arrays: dict[tuple[str, ...], int] = {}
    in_string: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None:
            in_string = _opens_multiline(line, in_string)
            continue
        if header := _HEADER.match(line):
            names = _parts(header.group(2))
            if header.group(1) == "[[":
                arrays[names] = arrays.get(names, 0) + 1
            current = _resolve(names, arrays)
            if current[: len(target)] == target:
                return number
            continue
        if key := _KEY_LINE.match(line):
            path = current + _parts(key.group(1))
            if path[: len(target)] == target:
                return number
        in_string = _opens_multiline(line, None)
    return None


def line_in_file(path: Path, target: Section) -> int | None:
    """`line_of` for a file; None when it cannot be read again."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return line_of(text, target)
