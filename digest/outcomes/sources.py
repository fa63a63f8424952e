"""`digest outcomes SOURCE...`: read meeting notes the way collect does, outside any state.

A community lead checks that their notes template is read right by pointing
the command at a meetings feed (file or URL) or at one page of notes (HTML or
Markdown). Each source gives one or more `ReadNote`s; a source that cannot be
read raises `SourceError` naming it, and the command carries on with the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ..models import MeetingOutcomes
from . import blocks, extract_outcomes

MAX_BYTES = 10 * 1024 * 1024  # the collect default body cap
TIMEOUT = 30.0
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b", re.IGNORECASE)
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


class SourceError(Exception):
    """A source that could not be read; the message names it and says why."""


@dataclass(frozen=True)
class ReadNote:
    """One meeting's notes as the digest would show them."""

    title: str
    link: str | None
    held_on: date | None  # the meeting's date: from the notes, else the feed's date
    outcomes: MeetingOutcomes

    def __post_init__(self) -> None:
        # HTML and Markdown pages are read here, not by a feed reader: their text is made
        # safe to print and store the way collect's is (Markdown's YAML can say "\x1B")
        from ..collect.parse import cleaned_outcomes
        from ..text import clean_text

        object.__setattr__(self, "title", clean_text(self.title))
        object.__setattr__(self, "outcomes", cleaned_outcomes(self.outcomes))

    def as_json(self) -> dict[str, Any]:
        """The command's `--json` record (a stable shape: scorers drive it)."""
        return {
            "title": self.title,
            "link": self.link,
            "date": self.held_on.isoformat() if self.held_on else None,
            "decisions": [{"text": d.text} for d in self.outcomes.decisions],
            "actions": [{"text": a.text, "owner": a.owner,
                         "due": a.due.isoformat() if a.due else None, "done": a.done}
                        for a in self.outcomes.actions],
        }


def read_source(source: str, *, now: datetime | None = None) -> list[ReadNote]:
    """Every meeting in `source` (a feed, an HTML page or a Markdown file, path or URL)."""
    now = now or datetime.now(UTC)
    body, content_type = _fetch(source)
    name = source.lower().split("?")[0]
    if name.endswith(_MARKDOWN_SUFFIXES) or "markdown" in content_type:
        return [_markdown_note(body, source)]
    if _FEED_ROOT.search(body[:4096]) and not name.endswith(_HTML_SUFFIXES):
        return _feed_notes(body, source, content_type, now)
    if name.endswith(_HTML_SUFFIXES) or b"<" in body[:4096]:
        return [_html_note(body, source, content_type)]
    return [_markdown_note(body, source)]  # plain text reads as Markdown


def _fetch(source: str) -> tuple[bytes, str]:
    if not source.strip():
        raise SourceError("an empty SOURCE: name a meetings feed, an HTML or Markdown file, "
                          "or a URL")
    if source.startswith(("http://", "https://")):
        import httpx

        from ..collect.fetch import user_agent

        try:
            with httpx.Client(follow_redirects=True, timeout=TIMEOUT,
                              headers={"User-Agent": user_agent()}) as client, \
                    client.stream("GET", source) as response:
                if response.status_code >= 400:
                    raise SourceError(f"{source}: the server answered HTTP "
                                      f"{response.status_code}")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise SourceError(f"{source}: more than {MAX_BYTES} bytes")
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("content-type", "").lower()
        except httpx.HTTPError as e:
            raise SourceError(f"{source}: could not be fetched ({e.__class__.__name__}: {e})"
                              ) from None
    path = Path(source)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SourceError(f"{source}: more than {MAX_BYTES} bytes")
        return path.read_bytes(), ""
    except FileNotFoundError:
        raise SourceError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{source}: is a folder; name a feed, HTML or Markdown file") from None
    except OSError as e:
        raise SourceError(f"{source}: cannot be read ({e.strerror or e})") from None


def _feed_notes(body: bytes, source: str, content_type: str, now: datetime) -> list[ReadNote]:
    from ..collect.parse import FeedError, parse_feed

    headers = {"content-type": content_type} if content_type else {}
    try:
        result = parse_feed(body, headers, url=source, community="-", kind="meeting", now=now)
    except FeedError as e:
        raise SourceError(f"{source}: {e.message}") from None
    notes = []
    for entry in result.entries:
        moment = entry.published or entry.updated
        held_on = entry.outcomes.held_on or (moment.date() if moment else None)
        notes.append(ReadNote(entry.title, entry.link, held_on, entry.outcomes))
    return notes


_CHARSET = re.compile(rb"""charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)


def _text(body: bytes, source: str, content_type: str = "", *, html: bool = False) -> str:
    """The text of `body`: UTF-8, else the charset the server or the page declares
    (council and wiki pages are still often windows-1252)."""
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(content_type.encode("latin-1", "replace"))
    if declared is None and html:
        declared = _CHARSET.search(body[:4096])
    if declared is not None:
        try:
            return body.decode(declared.group(1).decode("ascii", "replace"))
        except (LookupError, UnicodeDecodeError):
            pass
    raise SourceError(f"{source}: is not UTF-8 text, and declares no charset that reads it; "
                      "save it as UTF-8")


def _html_note(body: bytes, source: str, content_type: str = "") -> ReadNote:
    html = _text(body, source, content_type, html=True)
    title = _html_title(html) or Path(source.split("?")[0]).stem
    outcomes = extract_outcomes(html, title=title)
    link = source if source.startswith(("http://", "https://")) else None
    return ReadNote(title, link, outcomes.held_on, outcomes)


def _markdown_note(body: bytes, source: str) -> ReadNote:
    from ..markdown import FrontMatterError, read_markdown

    try:
        document = read_markdown(_text(body, source))
    except FrontMatterError as e:
        raise SourceError(f"{source}: {e}") from None
    title = str(document.meta.get("title") or _html_title(document.html)
                or Path(source.split("?")[0]).stem)
    stated = _front_matter_date(document.meta.get("date"))
    outcomes = extract_outcomes(document.html, title=title, meeting_date=stated)
    link = source if source.startswith(("http://", "https://")) else None
    return ReadNote(title, link, outcomes.held_on or stated, outcomes)


def _front_matter_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _html_title(html: str) -> str | None:
    """The page's <title>, else its first <h1>, read as the notes reader reads any element."""
    root = blocks.parse(html)
    if root is None:
        return None
    for path in ("//title", "//h1"):
        found = root.xpath(path)
        if found:
            text = blocks.element_text(found[0])
            if text:
                return text
    return None
