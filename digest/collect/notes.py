"""A folder of Markdown files read like a feed: a community's `notes = "notes/product/"`.

Many communities keep their posts and meeting notes in a git repository rather
than behind a feed. Each `.md` file is one item:

- front matter (`title`, `date`, `kind: post|meeting`, optional `author`,
  `link`) says what it is; other keys are left to the tools that use them;
- without front matter, the title is the first heading and the date is the
  one the name starts with (`2026-10-14-retro.md`);
- its identity is its path inside the folder, so an edited file updates its
  item and is never news twice; a deleted file's item stays in the state, as a
  feed entry that scrolled off its feed does;
- meeting notes get their outcomes from the same extractor as feed entries.

A file that cannot be read this way is skipped and named, with the reason, as a
problem of the folder: `digest collect` and `digest check` print it.
Hidden files, files starting with `_` and README.md are not items.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import reprlib
import stat
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from datetime import timezone as timezone_of
from pathlib import Path
from typing import Any

from ..markdown import FrontMatterError, markdown_to_html, read_markdown
from ..models import Entry, Kind, MeetingOutcomes
from ..outcomes import extract_outcomes
from ..text import cut_at_word
from .parse import EXCERPT_CHARS, SAFE_SCHEMES, cleaned_entry, quick_text, safe_url

KINDS: tuple[Kind, ...] = ("post", "meeting")
_DATED_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.S | re.I)
_SKIPPED_NAMES = frozenset({"readme.md"})


class NotesFolderError(Exception):
    """The folder itself cannot be read (missing, not a folder, unreadable)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(kind, message)  # both to the base: picklable across processes
        self.kind = kind
        self.message = message


@dataclass
class NotesResult:
    entries: list[Entry]
    problems: list[str] = field(default_factory=list)  # "2026-10-14-retro.md: why", one a file
    content_hash: str = ""  # of every file's name and bytes: unchanged folders are not re-read


def folder_files(folder: Path) -> list[Path]:
    """The Markdown files that are items, in a stable order."""
    if not folder.exists():
        raise NotesFolderError("not-found", f"no such folder: {folder}")
    if not folder.is_dir():
        raise NotesFolderError("not-a-folder", f"{folder} is a file; notes must be a folder "
                               "of .md files")
    files = []
    for path in folder.rglob("*.md"):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        if path.name.lower() in _SKIPPED_NAMES or not path.is_file():
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.relative_to(folder).as_posix())


def folder_hash(folder: Path, max_bytes: int) -> str:
    """A hash of the items' names and contents: equal when nothing in the folder changed."""
    h = hashlib.sha256()
    for path in folder_files(folder):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        try:
            h.update(_read_bytes(path, max_bytes) + b"\0")
        except _Skip as skip:
            h.update(str(skip).encode() + b"\0")
    return h.hexdigest()


def read_notes_folder(folder: Path, *, community: str, timezone: tzinfo, now: datetime,
                      max_bytes: int) -> NotesResult:
    """Every item of `folder`; a file that cannot be an item becomes a problem, not an error."""
    result = NotesResult([])
    h = hashlib.sha256()  # as folder_hash makes it, from the bytes read here once
    for path in folder_files(folder):
        name = path.relative_to(folder).as_posix()
        h.update(name.encode() + b"\0")
        try:
            data = _read_bytes(path, max_bytes)
        except _Skip as skip:
            h.update(str(skip).encode() + b"\0")
            result.problems.append(f"{name}: {skip}")
            continue
        h.update(data + b"\0")
        try:
            result.entries.append(read_note(data, path, name, folder=folder, community=community,
                                            timezone=timezone, now=now))
        except _Skip as skip:
            result.problems.append(f"{name}: {skip}")
    result.content_hash = h.hexdigest()
    return result


class _Skip(Exception):
    """Why one file is not an item; the message is for the organiser."""


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, never through a symbolic link: a notes folder is often a git
    checkout, and a link committed there (`2026-10-20-x.md -> ../../digest.toml`) would
    publish whatever the job can read to every reader."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise _Skip("a symbolic link: notes are read only from files in the folder; "
                        "put the file itself there") from None
        raise _Skip(f"cannot read it: {e.strerror or e}") from None
    with os.fdopen(fd, "rb") as f:
        try:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise _Skip("not a regular file")
            if st.st_size > max_bytes:
                raise _Skip(f"{st.st_size} bytes is over the {max_bytes}-byte cap "
                            "([collect] max_bytes)")
            return f.read(max_bytes + 1)[:max_bytes]
        except OSError as e:
            raise _Skip(f"cannot read it: {e.strerror or e}") from None


def read_note(data: bytes, path: Path, name: str, *, folder: Path, community: str,
              timezone: tzinfo, now: datetime) -> Entry:
    """The item a note's bytes (`data`, read from `path`) make."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Skip("not UTF-8 text: save it as UTF-8") from None
    try:
        doc = read_markdown(text)
    except FrontMatterError as e:
        raise _Skip(str(e)) from None
    meta = doc.meta
    if not meta and (exported := _notion_properties(text)) is not None:
        meta, body = exported
        doc = replace(doc, html=markdown_to_html(body))
    heading = _first_heading(doc.html)
    title = _string(meta, "title") or (heading[1] if heading else "")
    if not title:
        raise _Skip("no title: add `title:` to the front matter or start with a # heading")
    body_html = doc.html
    if heading and heading[1] == title:
        body_html = body_html[:heading[0].start()] + body_html[heading[0].end():]
    moment = _date(meta, path.name, timezone)
    kind = meta.get("kind", "post")
    if kind not in KINDS:
        raise _Skip(f"kind: expected post or meeting, got {_shown(kind)}")
    link = None
    if meta.get("link") is not None:
        link = safe_url(str(meta["link"]), "", SAFE_SCHEMES)
        if link is None:
            raise _Skip(f"link: {_shown(meta['link'])} is not an http, https or mailto URL")
    cleaned = quick_text(body_html, link or "", enough=EXCERPT_CHARS * 2)
    # The title may say when the meeting was (the heading is cut from the body), and
    # relative dues ("by Friday") count from the meeting, else from the note's date.
    day = moment.astimezone(timezone).date()
    outcomes = (extract_outcomes(body_html, title=title, meeting_date=day) if kind == "meeting"
                else MeetingOutcomes())
    if kind == "meeting" and outcomes.held_on is None:
        outcomes = replace(outcomes, held_on=day)
    try:
        changed = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0)
    except OSError:
        changed = None
    # front matter is YAML: "\uD800" or "\x1B" in a title is a lone surrogate or an ESC
    return cleaned_entry(Entry(
        identity=f"notes:{name}", community=community, kind=kind, feed_url=str(folder),
        title=cut_at_word(title, 200), link=link, author=_string(meta, "author") or None,
        published=moment,
        # When the file last changed: an edit rewrites the item (never makes it new).
        updated=changed if changed is not None and changed <= now else None,
        excerpt=cut_at_word(cleaned.text, EXCERPT_CHARS), outcomes=outcomes,
        image=cleaned.image, image_alt=cleaned.image_alt,
    ))


def _string(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise _Skip(f"{key}: expected text, got {_shown(value)}")
    return " ".join(str(value).split())


_SHOWN = reprlib.Repr()
_SHOWN.maxstring = _SHOWN.maxother = 80


def _shown(value: object) -> str:
    """A front-matter value as a problem line quotes it: short, whatever its size."""
    return _SHOWN.repr(value)


def _first_heading(html_text: str) -> tuple[re.Match[str], str] | None:
    m = _HEADING.search(html_text)
    if m is None:
        return None
    return m, quick_text(m.group(2), "").text


def _date(meta: dict[str, Any], filename: str, timezone: tzinfo) -> datetime:
    """The item's date: front matter `date`, else the file name's; midnight local if no time."""
    value = meta.get("date")
    if value is None:
        m = _DATED_NAME.match(filename)
        if m is None:
            raise _Skip("no date: add `date: 2026-10-14` to the front matter, or start the "
                        "file name with the date (2026-10-14-retro.md)")
        try:
            value = date(*map(int, m.groups()))
        except ValueError:
            raise _Skip(f"the name starts with {m.group(0)}, which is not a date") from None
    if isinstance(value, str):
        try:
            value = _day_first(value.strip()) or datetime.fromisoformat(value.strip())
        except ValueError:
            raise _Skip(f"date: {_shown(value)} is not a date: write 2026-10-14 or "
                        "2026-10-14 18:30") from None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=timezone)
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0), tzinfo=timezone)
    else:
        raise _Skip(f"date: {_shown(value)} is not a date: write 2026-10-14")
    return moment.astimezone(UTC)


# "26.11.2026" or "26.11.2026 18:30": with dots a date is day-first wherever it is written
# (German, Swiss, Nordic, Slavic usage), so it is read rather than skipping the note
_DAY_FIRST = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2}))?")


def _day_first(text: str) -> datetime | None:
    """`text` read as a day-first date with dots, None if it has another shape; a day that
    does not exist raises ValueError."""
    found = _DAY_FIRST.fullmatch(text)
    if found is None:
        return None
    day, month, year, hour, minute = found.groups()
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0))


# A Notion export: no front matter, but the page's properties as "Name: value" lines
# between its title and its text ("Date: October 22, 2026 4:30 PM", "Type: Meeting").
_NOTION_BLOCK = re.compile(r"\A(\s*#[ \t]+[^\n]+\n)((?:[ \t]*\r?\n)+)"
                           r"((?:[^\W\d_][\w ()/.-]{0,39}:[ \t]+\S[^\n]*(?:\n|\Z))+)")
_NOTION_LINE = re.compile(r"^([^:]+):[ \t]+(.+?)\s*$", re.M)
# The property names are the workspace's own, so in its language: Spanish "Fecha", German
# "Datum", French "Date de création"...
_NOTION_DATE_KEYS = ("date", "meeting date", "created", "date created", "created time",
                     "fecha", "fecha de la reunión", "fecha de creación", "datum", "erstellt",
                     "erstellt am", "date de la réunion", "date de création", "créé le",
                     "data", "data da reunião", "data de criação", "data della riunione",
                     "data di creazione", "aangemaakt", "skapad", "utworzono")
_NOTION_KIND_KEYS = ("type", "kind", "tipo", "typ", "art", "soort", "genre", "rodzaj")
_NOTION_AUTHOR_KEYS = ("author", "created by", "autor", "auteur", "autore", "creado por",
                       "erstellt von", "créé par", "criado por", "creato da", "auteur(s)")
# a Type that names a meeting, in the workspace's language
_NOTION_MEETING = re.compile(r"meeting|réunion|reunión|reunião|riunione|besprechung|sitzung"
                             r"|treffen|vergadering|overleg|möte|spotkanie|会議|会议|회의",
                             re.I)
_NOTION_DATES = ("%B %d, %Y", "%b %d, %Y", "%Y/%m/%d", "%Y-%m-%d")
_NOTION_TIMES = ("", " %I:%M %p", " %H:%M")
_NOTION_GMT = re.compile(r"\s*\((?:GMT|UTC)(?:([+-]\d{1,2})(?::?(\d{2}))?)?\)$")


def _notion_properties(text: str) -> tuple[dict[str, Any], str] | None:
    """The front matter a Notion export's property lines stand for, and the text
    without them; None when the file has no such lines naming a date, type or author."""
    text = text.replace("\r\n", "\n")
    m = _NOTION_BLOCK.match(text)
    if m is None:
        return None
    properties = {k.strip().lower(): v for k, v in _NOTION_LINE.findall(m.group(3))}
    meta: dict[str, Any] = {}
    for key in _NOTION_DATE_KEYS:
        if key in properties:
            meta["date"] = _notion_date(key, properties[key])
            break
    for key in _NOTION_KIND_KEYS:
        if key in properties:
            meta["kind"] = "meeting" if _NOTION_MEETING.search(properties[key]) else "post"
            break
    for key in _NOTION_AUTHOR_KEYS:
        if key in properties:
            meta["author"] = properties[key]
            break
    if not meta:
        return None
    return meta, m.group(1) + m.group(2) + text[m.end():]


def _notion_date(key: str, value: str) -> date | datetime:
    """A Notion date property: "October 22, 2026", with a time ("4:30 PM") and a zone
    ("(GMT+2)") when it has them; a range ("... → ...") gives its start."""
    shown = value
    value = value.split("→")[0].strip()
    zone: tzinfo | None = None
    if gmt := _NOTION_GMT.search(value):
        hours, minutes = int(gmt.group(1) or 0), int(gmt.group(2) or 0)  # "(UTC)": +0
        zone = timezone_of(timedelta(hours=hours, minutes=minutes if hours >= 0 else -minutes))
        value = value[:gmt.start()]
    for day_format in _NOTION_DATES:
        for time_format in _NOTION_TIMES:
            try:
                moment = datetime.strptime(value, day_format + time_format)
            except ValueError:
                continue
            if not time_format:
                return moment.date()
            return moment.replace(tzinfo=zone) if zone else moment
    raise _Skip(f"{key.capitalize()}: {_shown(shown)} is not a date: write it as "
                "October 22, 2026 or 2026-10-22")
