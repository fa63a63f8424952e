"""OPML 2.0 in and out of the community list.

Import edits `communities.toml` with tomlkit, appending URLs to one community's
`posts` array, so the organiser's comments and layout survive; the result is
re-read with the real loader before it replaces the file.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import tomllib
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlparse
from xml.etree import ElementTree as ET

import tomlkit
from tomlkit.exceptions import TOMLKitError

from ..config import Config, load_communities
from ..errors import ConfigError
from ..files import replace_file
from .parse import FeedError, refuse_entities

# characters that are never part of a URL (RFC 3986): whitespace, controls, quotes, brackets
_NOT_IN_URL = re.compile(r'[\x00-\x20\x7f"<>\\^`{|}]')


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
    for number, outline in enumerate(root.iter("outline"), start=1):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            continue
        if _NOT_IN_URL.search(url):
            raise ConfigError(path, None, f"outline {number}: xmlUrl {url!r} holds a space, "
                              "line break, quote or bracket, which no URL has; fix the file")
        try:
            scheme = urlparse(url).scheme
        except ValueError as e:
            raise ConfigError(path, None, f"outline {number}: xmlUrl {url!r} is not a URL: "
                              f"{e}") from None
        if scheme in ("http", "https") and url not in urls:
            urls.append(url)
    return urls


def import_opml(path: str | os.PathLike[str], community_id: str, feeds_toml: Path) -> list[str]:
    """Append the OPML file's feeds to the community's `posts`; returns the URLs added.

    URLs the community already lists are skipped. The file is edited with tomlkit, which
    keeps the organiser's comments and layout and quotes every URL as TOML requires (an
    edit by hand once let a URL holding `"]` or a newline corrupt the file for every later
    import). The result is checked with the job's own loader and written atomically.
    """
    path = Path(path)
    urls = read_opml(path)
    try:
        text = feeds_toml.read_text(encoding="utf-8-sig")  # past a BOM, as the loader
        doc = tomlkit.parse(text)
    except OSError as e:
        raise ConfigError(feeds_toml, None, f"cannot read the community list: {e.strerror}"
                          ) from None
    except (TOMLKitError, UnicodeDecodeError) as e:
        raise ConfigError(feeds_toml, None, f"not valid TOML: {e}") from None
    rows = doc.get("community")
    if not isinstance(rows, list):
        raise ConfigError(feeds_toml, "community", "expected [[community]] tables")
    index = next((i for i, r in enumerate(rows) if isinstance(r, dict)
                  and r.get("id") == community_id), None)
    if index is None:
        known = ", ".join(str(r.get("id", "?")) for r in rows if isinstance(r, dict)) or "none"
        raise ConfigError(feeds_toml, "community", f"no community with id {community_id!r} "
                          f"(known: {known})")
    row = rows[index]
    where = f"community[{index + 1}].posts"
    posts = row.get("posts")
    if isinstance(posts, str):  # the loader takes one string as a list of one
        single, posts = posts, tomlkit.array()
        posts.append(single)
    if posts is None:
        posts = tomlkit.array()
        posts.multiline(True)
    if not isinstance(posts, list) or not all(isinstance(p, str) for p in posts):
        raise ConfigError(feeds_toml, where, "expected a list of URLs or paths; fix it by hand")
    before = [str(p) for p in posts]
    added = [u for u in urls if u not in before]
    if not added:
        return []
    for url in added:
        posts.append(url)
    row["posts"] = posts
    new_text = tomlkit.dumps(doc)
    if [str(p) for p in tomllib.loads(new_text)["community"][index].get("posts", [])] != [
            *before, *added]:
        raise ConfigError(feeds_toml, where,
                          "could not edit the posts list safely; add the feeds by hand")
    fd, tmp = tempfile.mkstemp(dir=feeds_toml.parent, prefix=".communities-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(new_text)
        load_communities(Path(tmp))  # the job's own validation
        os.chmod(tmp, stat.S_IMODE(feeds_toml.stat().st_mode))  # mkstemp made it 0600
        replace_file(Path(tmp), feeds_toml)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return added


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
