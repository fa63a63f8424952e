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
# nothing but a comment may follow a header: `["x"],` in an array is no table
_HEADER = re.compile(rf"^[ \t]*(\[\[|\[)[ \t]*({_KEY})[ \t]*(\]\]|\])[ \t]*(?:#.*)?$")
_KEY_LINE = re.compile(rf"^[ \t]*({_KEY})[ \t]*=")
_PARTS = re.compile(_PART)
_ESCAPE = re.compile(r"\\(.)")
_TRIPLE_QUOTES = ('"""', "'''")


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


def _resolve(names: tuple[str, ...], arrays: dict[Section, int]) -> Section:
    """A header's names as a Section: each array of tables it passes through stands for
    its last element so far, as TOML says."""
    out: list[str | int] = []
    for name in names:
        out.append(name)
        count = arrays.get(tuple(out))
        if count:
            out.append(count - 1)
    return tuple(out)


def _scan(line: str, start: int, open_string: str | None, depth: int) -> tuple[str | None, int]:
    """After reading `line` from `start`: the multi-line string delimiter still open (or
    None), and how many brackets and braces of a value are still open. Strings and
    comments are skipped whole, so a `'''` inside "..." or after `#` opens nothing and a
    `[` inside a string opens no array."""
    i, n = start, len(line)
    while i < n:
        if open_string is not None:
            if open_string == '"""' and line[i] == "\\":
                i += 2  # an escaped character, a quote among them
            elif line.startswith(open_string, i):
                i += 3
                extra = 0  # up to two more quotes are the content's last: `""""`
                while i < n and extra < 2 and line[i] == open_string[0]:
                    i, extra = i + 1, extra + 1
                open_string = None
            else:
                i += 1
            continue
        char = line[i]
        if char == "#":
            break
        if line.startswith(_TRIPLE_QUOTES, i):
            open_string, i = line[i:i + 3], i + 3
        elif char == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
        elif char == "'":
            end = line.find("'", i + 1)
            i = n if end < 0 else end + 1
        else:
            if char in "[{":
                depth += 1
            elif char in "]}":
                depth = max(depth - 1, 0)
            i += 1
    return open_string, depth


def line_of(text: str, target: Section) -> int | None:
    """The 1-based line that first defines `target` (a key, or a table under it)."""
    current: Section = ()
    arrays: dict[Section, int] = {}  # elements so far of each array of tables, by its Section
    in_string: str | None = None
    depth = 0  # brackets of a value still open: it goes on over the next lines
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string is not None or depth:
            in_string, depth = _scan(line, 0, in_string, depth)
            continue
        if header := _HEADER.match(line):
            names = _parts(header.group(2))
            if header.group(1) == "[[":
                # counted under its parents' current elements: each [[community]] has its own
                array = (*_resolve(names[:-1], arrays), names[-1])
                arrays[array] = arrays.get(array, 0) + 1
            current = _resolve(names, arrays)
            if current[: len(target)] == target:
                return number
            continue
        if key := _KEY_LINE.match(line):
            path = current + _parts(key.group(1))
            if path[: len(target)] == target:
                return number
            in_string, depth = _scan(line, key.end(), None, 0)
    return None


def line_in_file(path: Path, target: Section) -> int | None:
    """`line_of` for a file; None when it cannot be read again."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    return line_of(text, target)
