"""OPML 2.0 in and out of the community list.

Import edits `communities.toml` as text, inserting URLs into one community's
`posts` array, so the organiser's comments and layout survive; the result is
re-read with the real loader before it replaces the file.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlparse
from xml.etree import ElementTree as ET

from ..config import Config, load_communities
from ..errors import ConfigError
from .parse import FeedError, refuse_entities

_TABLE = re.compile(r"^\s*\[\[\s*community\s*\]\]\s*(#.*)?$")
_ANY_TABLE = re.compile(r"^\s*\[")
_POSTS = re.compile(r"^(\s*)posts\s*=\s*\[")


def read_opml(path: Path) -> list[str]:
    """Feed URLs (xmlUrl) of every outline, nested or not, in document order."""
    data = path.read_bytes()
    try:
        refuse_entities(data)  # the feeds' rule: ElementTree would expand them
    except FeedError:
        raise ConfigError(path, None, "the OPML file declares XML entities; refused") from None
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ConfigError(path, None, f"not a readable OPML file: {exc}") from None
    if root.tag != "opml":
        raise ConfigError(path, None, f"expected an <opml> document, found <{root.tag}>")
    urls: list[str] = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url and urlparse(url).scheme in ("http", "https") and url not in urls:
            urls.append(url)
    return urls


def import_opml(path: str | os.PathLike[str], community_id: str, feeds_toml: Path) -> list[str]:
    """Append the OPML file's feeds to the community's `posts`; returns the URLs added.

    URLs the community already lists are skipped. The edited file is validated
    with the same loader the job uses, and written atomically.
    """
    path = Path(path)
    urls = read_opml(path)
    text = feeds_toml.read_text(encoding="utf-8")
    current = tomllib.loads(text)
    rows = current.get("community", [])
    index = next((i for i, r in enumerate(rows) if r.get("id") == community_id), None)
    if index is None:
        known = ", ".join(r.get("id", "?") for r in rows) or "none"
        raise ConfigError(feeds_toml, "community", f"no community with id {community_id!r} "
                          f"(known: {known})")
    existing = set(rows[index].get("posts", []))
    added = [u for u in urls if u not in existing]
    if not added:
        return []
    new_text = _insert_posts(text, index, added)
    check = tomllib.loads(new_text)
    if list(check["community"][index].get("posts", [])) != [*rows[index].get("posts", []),
                                                            *added]:
        raise ConfigError(feeds_toml, f"community[{index + 1}].posts",
                          "could not edit the posts list safely; add the feeds by hand")
    fd, tmp = tempfile.mkstemp(dir=feeds_toml.parent, prefix=".communities-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(new_text)
        load_communities(Path(tmp))  # the job's own validation
        os.replace(tmp, feeds_toml)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return added


def _insert_posts(text: str, index: int, urls: list[str]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _TABLE.match(line)]
    start = starts[index]
    end = next((i for i in range(start + 1, len(lines)) if _ANY_TABLE.match(lines[i])
                and not _is_array_continuation(lines, i)), len(lines))
    quoted = [_toml_string(u) for u in urls]
    for i in range(start + 1, end):
        m = _POSTS.match(lines[i])
        if not m:
            continue
        # Find the closing bracket of the array (it may span lines).
        j = i
        while j < end and not _closes_array(lines[j], first=(j == i)):
            j += 1
        closing = lines[j]
        pos = _strip_comment(closing).rfind("]")
        before = closing[:pos].rstrip()
        if j == i:  # one-line array: posts = ["a", "b"]
            inner = before[before.index("[") + 1:].strip()
            sep = ", " if inner and not inner.endswith(",") else ""
            lines[j] = before + sep + ", ".join(quoted) + closing[pos:]
        else:
            indent = next((ln[: len(ln) - len(ln.lstrip())] for ln in reversed(lines[i + 1:j])
                           if ln.strip() and not ln.lstrip().startswith("#")),
                          m.group(1) + "    ")
            added = "".join(f"{indent}{q},\n" for q in quoted)
            if before.strip():  # last element shares the line with "]"
                comma = "" if before.endswith(",") else ","
                lines[j] = before + comma + "\n" + added + m.group(1) + closing[pos:]
            else:
                _ensure_comma(lines, i + 1, j)
                lines[j] = added + closing
        return "".join(lines)
    # No posts key yet: add one after the table header's last key.
    insert_at = end
    while insert_at > start + 1 and not lines[insert_at - 1].strip():
        insert_at -= 1
    block = "posts = [\n" + "".join(f"    {q},\n" for q in quoted) + "]\n"
    lines.insert(insert_at, block)
    return "".join(lines)


def _ensure_comma(lines: list[str], first: int, stop: int) -> None:
    """Give the last element line before `stop` a trailing comma (before any comment)."""
    for k in range(stop - 1, first - 1, -1):
        code = _strip_comment(lines[k]).rstrip()
        if not code:
            continue
        if not code.endswith((",", "[")):
            rest = lines[k][len(code):]
            lines[k] = code + "," + rest
        return


def _closes_array(line: str, first: bool) -> bool:
    code = line.split("#", 1)[0] if '"' not in line else _strip_comment(line)
    return "]" in (code[code.index("[") + 1:] if first and "[" in code else code)


def _strip_comment(line: str) -> str:
    in_str = False
    for i, ch in enumerate(line):
        if ch == '"':
            in_str = not in_str
        elif ch == "#" and not in_str:
            return line[:i]
    return line


def _is_array_continuation(lines: list[str], i: int) -> bool:
    # A line starting with "[" inside a multi-line array is an element, not a table.
    return lines[i].lstrip().startswith(('["', "['"))


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def export_opml(config: Config) -> str:
    """OPML 2.0 of every web feed, grouped by community (calendars left out)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{config.title}: community feeds"
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC), usegmt=True)
    body = ET.SubElement(root, "body")
    for c in config.communities:
        group = ET.SubElement(body, "outline", text=c.name, title=c.name)
        for role, url in c.sources():
            if role in ("calendar", "notes"):  # not feeds: OPML cannot say them
                continue
            label = f"{c.name} ({'meeting notes' if role == 'meetings' else 'posts'})"
            attrs = {"type": "rss", "text": label, "title": label}
            if url.startswith(("http://", "https://")):
                attrs["xmlUrl"] = url
            else:
                attrs["xmlUrl"] = Path(url).as_uri()
            ET.SubElement(group, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") \
        + "\n"
