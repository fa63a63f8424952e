"""Feed bytes to `Entry` values: identity, trustworthy dates, clean content.

feedparser does the format work (RSS 0.9x/1.0/2.0, Atom, the encoding
guessing, the HTML sanitiser); this module fixes what it gets wrong for our
purpose: it re-reads date strings because feedparser silently turns bad ones
into wrong ones, keeps only http/https/mailto links, and refuses documents
that declare entities before feedparser's loose parser can expand them.

Everything here is a pure function of (bytes, headers, feed identity, now) so
it can run in a worker process.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.utils import parsedate_tz
from typing import Any
from urllib.parse import urljoin, urlparse

from ..models import Decision, Entry, Kind, MeetingOutcomes
from ..outcomes import extract_outcomes
from ..outcomes.blocks import TAG_NAME
from ..text import clean_text, cut_at_word, plural
from ..urls import is_public_url
from .parsed import FeedError, ParseResult

EXCERPT_CHARS = 280
NOTE_HTML_CHARS = 2_000_000  # meeting notes kept for `collect --reextract` up to this size
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})
OLDEST_YEAR = 1900  # before it, a date is a software's zero (Go's year 1, .NET's MinValue)
# Zero dates of common software, not believed even in range: a feed that writes one has no
# date (Unix's epoch, DOS and ZIP's, classic Mac OS's, NTP's and Excel's 1900, OLE's
# 1899-12-30). Real dates before 1990 are (an archive's scans, a history series).
_ZERO_DATES = tuple(datetime(*day, tzinfo=UTC) for day in (
    (1970, 1, 1), (1980, 1, 1), (1904, 1, 1), (1900, 1, 1), (1899, 12, 30)))
_ZERO_SLACK = timedelta(hours=14)  # a zero date written in a local zone (UTC-12 to +14)
FUTURE_SLACK = timedelta(days=1)  # clock skew between a publisher and us

# Zone names RFC 822 defines; any other alphabetic zone (CEST, AEST, IST...)
# is read by feedparser as UTC, so a date carrying one is not believed.
_RFC822_ZONES = frozenset({"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT",
                           "PST", "PDT"})
_ISO_LIKE = re.compile(r"^\s*\d{4}-\d{1,2}")
_RFC822_LIKE = re.compile(r"\d{1,2}\s+[A-Za-z]{3,}\.?\s+\d{2,4}")
_TRAILING_ZONE = re.compile(r"([A-Za-z]{1,6})\s*$")
# What can come before the root element: comments, processing instructions,
# the DOCTYPE and, inside it, quoted literals. Each opener is skipped to its
# closer, so a `<a>` inside a comment or a literal is not taken for the root
# and an `<!ENTITY` inside a literal is not taken for a declaration.
_PROLOG_OPENER = re.compile(rb"""<!--|<\?|"|'|(<!ENTITY)|(<[A-Za-z_])""", re.IGNORECASE)
_PROLOG_CLOSER = {b"<!--": b"-->", b"<?": b"?>", b'"': b'"', b"'": b"'"}
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def refuse_entities(body: bytes) -> None:
    """Raise if the document declares XML entities.

    Entity declarations live in the DOCTYPE's internal subset, before the root
    element, so only that prolog is searched: a post about XML that quotes
    `<!ENTITY` in its content is not refused. The prolog is read token by
    token (comments, processing instructions, quoted literals skipped whole),
    so a tag-like `<a>` in a comment does not end it early. UTF-16 bodies are
    searched with their NUL bytes removed.
    """
    sample = body.replace(b"\x00", b"") if b"\x00" in body[:512] else body
    pos = 0
    while (token := _PROLOG_OPENER.search(sample, pos)) is not None:
        if token.group(2):
            return  # the root element: the prolog is over
        if token.group(1):
            raise _entities_error()
        end = sample.find(_PROLOG_CLOSER[token.group(0)], token.end())
        if end < 0:
            # Never closed: no root can be told apart after it, so all of it is prolog.
            if _ENTITY_DECL.search(sample, token.end()):
                raise _entities_error()
            return
        pos = end + len(_PROLOG_CLOSER[token.group(0)])


def _entities_error() -> FeedError:
    return FeedError("entities", "the document declares XML entities (<!ENTITY>); refused "
                    "because expanding them can turn a small file into a huge one")


def parse_feed(body: bytes, headers: dict[str, str], *, url: str, community: str, kind: Kind,
               now: datetime, timezone: tzinfo = UTC) -> ParseResult:
    """Parse one feed document into entries.

    `url` is the address the body came from: relative links resolve against it
    (or against the entry's xml:base, which feedparser applies first).
    `timezone` is the organisation's: a date written without a zone is its wall clock.
    Raises FeedError for documents that are not feeds at all.
    """
    if not body.strip():
        raise FeedError("empty", "the server returned an empty body")
    hdrs = {k.lower(): v for k, v in headers.items()}
    if _looks_like_json(body, hdrs.get("content-type", "")):
        raw_entries, base = _json_feed(body, url)
        return _entries(raw_entries, [], base=base, url=url, community=community, kind=kind,
                        now=now, timezone=timezone)
    refuse_entities(body)
    if url.startswith(("http://", "https://")):
        hdrs["content-location"] = url
    else:
        hdrs.pop("content-location", None)
        hdrs.setdefault("content-type", "application/xml")  # a local file has no headers
    warnings: list[tuple[str, str]] = []
    body, lie = _undo_false_wide_encoding(body, hdrs)
    body = _drop_unsafe_char_refs(body)
    if lie:
        warnings.append(("encoding", lie))
    # No entry keeps its HTML: posts keep plain text and a vetted image URL,
    # meetings their outcomes, read from the raw HTML (sanitising would drop
    # Confluence's decision states and Google Docs' bold classes). So neither
    # feedparser's sanitiser nor its link resolving (60% of its time) buys anything.
    import feedparser  # here, not at the top: only parser processes need it

    # A stream, never bytes: feedparser tries to open() bytes or a str as a path or URL
    # first, so a body reading "/dev/zero" would be read from our own disk.
    d = feedparser.parse(io.BytesIO(body), response_headers=hdrs, sanitize_html=False,
                         resolve_relative_uris=False)
    version = d.get("version") or ""
    if not version and not d.entries:
        why = d.get("bozo_exception")
        looks_html = b"<html" in body[:4096].lower() or "html" in hdrs.get("content-type", "")
        if looks_html:
            raise FeedError("not-a-feed", "the address returns an HTML page, not a feed: "
                            "find the page's RSS/Atom link and use that")
        raise FeedError("not-a-feed", f"not a feed: {why or 'no RSS or Atom found'}")
    exc = d.get("bozo_exception")
    if d.get("bozo") and exc is not None:
        name = type(exc).__name__
        if name == "NonXMLContentType" and d.entries:
            pass  # a feed served as text/html or text/plain: common and harmless
        elif "Encoding" in name:
            warnings.append(("encoding", str(exc)))
        elif not d.entries:
            raise FeedError("malformed", f"malformed feed: {exc}")
        else:
            warnings.append(("malformed", f"recovered from a malformed document: {exc}"))

    base = hdrs.get("content-location") or (d.feed.get("link") if d.get("feed") else None) or ""
    return _entries(d.entries, warnings, base=base, url=url, community=community, kind=kind,
                    now=now, timezone=timezone)


def _entries(raw_entries: list[Any], warnings: list[tuple[str, str]], *, base: str, url: str,
             community: str, kind: Kind, now: datetime, timezone: tzinfo) -> ParseResult:
    """Entries of a parsed document (feedparser's, or JSON Feed's mapped to its shape)."""
    entries: list[Entry] = []
    seen: set[str] = set()
    twins: set[tuple[str, str]] = set()
    duplicates = 0
    for raw in raw_entries:
        e = _entry(raw, base=base, url=url, community=community, kind=kind, now=now,
                   timezone=timezone)
        if e is None:
            continue
        twin = _hash(e.link or "", e.title)
        if (e.identity, twin) in twins:
            continue  # the very same entry twice
        twins.add((e.identity, twin))
        if e.identity in seen:
            # A repeated id: keep the entries apart by what tells them apart.
            duplicates += 1
            e = replace(e, identity=f"{e.identity}#{twin}")
        seen.add(e.identity)
        entries.append(e)
    if duplicates:
        warnings.append(("duplicate-id", f"{plural(duplicates, 'entry repeats', 'entries repeat')}"
                         " another entry's id; "
                         "kept apart by link and title"))
    undated = [e for e in entries if e.published is None and e.updated is None]
    if undated:
        # such an entry is dated when first collected (store.upsert_entries): it waits for
        # that period's issue, which the organiser would otherwise learn only from the issue
        warnings.append(("undated", f"{plural(len(undated), 'entry has', 'entries have')} no "
                         f"date (the first: {cut_at_word(undated[0].title, 60)!r}): each goes "
                         "in the issue of the day it was first collected; ask the feed's owner "
                         "to date them"))
    return ParseResult(entries, warnings)


# -- JSON Feed (jsonfeed.org 1.0 and 1.1) ----------------------------------------------

_JSON_FEED_VERSION = "https://jsonfeed.org/version/"
_JSON_TYPES = ("application/feed+json", "application/json")


def _looks_like_json(body: bytes, content_type: str) -> bool:
    """A JSON Feed by its content type, or a body that starts like a JSON object."""
    first = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    mime = content_type.split(";")[0].strip().lower()
    return first == b"{" or (mime in _JSON_TYPES and first != b"<")  # XML mislabelled: XML


def _json_feed(body: bytes, url: str) -> tuple[list[dict[str, Any]], str]:
    """A JSON Feed's items in feedparser's shape, and the base for relative links.

    feedparser does not read JSON Feed. Mapping each item to the keys `_entry`
    reads gives it the same identity, dates, text cleaning, link and image rules
    as RSS and Atom; fields of the wrong type are ignored, not trusted.
    """
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # Recursion: [[[[…
        raise FeedError("malformed", f"not a feed: a JSON document that cannot be read ({exc})"
                        ) from None
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or not version.startswith(_JSON_FEED_VERSION):
        raise FeedError("not-a-feed", "not a feed: a JSON document without a JSON Feed "
                        f"version (expected \"version\": \"{_JSON_FEED_VERSION}1.1\")")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError("malformed", "malformed JSON Feed: \"items\" is not a list")
    home = _str(doc.get("home_page_url"))
    base = url if url.startswith(("http://", "https://")) else (home or "")
    feed_author = _json_author(doc)
    return [_json_item(item, feed_author) for item in items if isinstance(item, dict)], base


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _json_author(obj: dict[str, Any]) -> str:
    """The first named author: 1.1's `authors` list, else 1.0's `author`."""
    authors = obj.get("authors")
    candidates = authors if isinstance(authors, list) else [obj.get("author")]
    for author in candidates:
        if isinstance(author, dict) and _str(author.get("name")).strip():
            return _str(author.get("name"))
    return ""


def _json_item(item: dict[str, Any], feed_author: str) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    ident = item.get("id")
    if isinstance(ident, str | int) and not isinstance(ident, bool):
        raw["id"] = str(ident)
    raw["link"] = _str(item.get("url")) or _str(item.get("external_url"))
    raw["title"] = _str(item.get("title"))
    raw["title_detail"] = {"type": "text/plain"}
    if _str(item.get("content_html")):
        raw["content"] = [{"value": item["content_html"], "type": "text/html"}]
    elif _str(item.get("content_text")):
        raw["content"] = [{"value": item["content_text"], "type": "text/plain"}]
    if _str(item.get("summary")):
        raw["summary"] = item["summary"]
        raw["summary_detail"] = {"type": "text/plain"}
    raw["media_content"] = [{"url": _str(item.get(key)), "medium": "image"}
                            for key in ("image", "banner_image") if _str(item.get(key))]
    raw["published"] = _str(item.get("date_published")) or None
    raw["updated"] = _str(item.get("date_modified")) or None
    raw["author"] = _json_author(item) or feed_author
    return raw


_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _drop_unsafe_char_refs(body: bytes) -> bytes:
    """`body` without character references to what no text may hold.

    feedparser's loose parser raises on `&#xD800;` (a lone surrogate) and would
    hand back `&#27;` (ESC) as text; either way one reference must not cost the
    whole feed. References to a character clean_text keeps are left alone.
    """
    if b"&#" not in body:
        return body

    def keep_or_drop(ref: re.Match[bytes]) -> bytes:
        code = int(ref.group(1), 16) if ref.group(1) else int(ref.group(2))
        if code in (0x9, 0xA, 0xD) or (code <= 0x10FFFF and clean_text(chr(code))):
            return ref.group(0)
        return b""

    return _CHAR_REF.sub(keep_or_drop, body)


_XML_DECL = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._-]+)(["'])""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.I)


def _is_wide(name: str) -> bool:
    n = name.lower().replace("-", "").replace("_", "")
    return n.startswith(("utf16", "utf32", "ucs2", "ucs4"))


def _undo_false_wide_encoding(body: bytes, hdrs: dict[str, str]) -> tuple[bytes, str | None]:
    """A document that claims UTF-16/32 but is plainly UTF-8, declared as UTF-8.

    Real feeds do this; feedparser then decodes UTF-8 bytes as UTF-16 and
    gets either garbage or an error depending on whether the byte count is
    even. Genuine UTF-16 starts with a BOM or has NUL bytes among its first
    ASCII characters; this body has neither, and decodes as UTF-8.
    """
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in body[:64]:
        return body, None
    decl = _XML_DECL.match(body)
    declared = decl.group(2).decode("ascii").lower() if decl else ""
    header = _CHARSET.search(hdrs.get("content-type", ""))
    header_cs = header.group(1).lower() if header else ""
    if not (_is_wide(declared) or _is_wide(header_cs)):
        return body, None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return body, None  # not UTF-8 either: leave the guessing to feedparser
    if decl and _is_wide(declared):
        body = decl.group(1) + b"utf-8" + decl.group(3) + body[decl.end():]
    if header and _is_wide(header_cs):
        hdrs["content-type"] = _CHARSET.sub("charset=utf-8", hdrs["content-type"])
    return body, f"the document says it is {declared or header_cs} but is UTF-8; read as UTF-8"


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _entry(raw: Any, *, base: str, url: str, community: str, kind: Kind,
           now: datetime, timezone: tzinfo) -> Entry | None:
    title = _text(raw.get("title", "")) if raw.get("title_detail", {}).get("type") == "text/html" \
        else _SPACE.sub(" ", raw.get("title", "")).strip()
    link = safe_url(raw.get("link"), base, SAFE_SCHEMES)
    body_html = _strip_feed_chrome(_content_html(raw))
    # The entry's base: its xml:base, else the document's address (not its link).
    detail = (raw.get("content") or [None])[0] or raw.get("summary_detail") or {}
    content_base = detail.get("base") or base
    cleaned = quick_text(_without_title(body_html, title), content_base, enough=EXCERPT_CHARS * 2)
    if not title and not cleaned.text and not link:
        return None
    rid = _CONFLUENCE_VERSION.sub(r"\1", (raw.get("id") or "").strip())
    identity = rid or link or "h:" + _hash(title, body_html)
    # dict.get: FeedParserDict.get would hand back `published` when asked for `updated`.
    published = trusted_date(dict.get(raw, "published"), dict.get(raw, "published_parsed"), now,
                             timezone=timezone)
    updated = trusted_date(dict.get(raw, "updated"), dict.get(raw, "updated_parsed"), now,
                           timezone=timezone)
    image, alt = _lead_image(raw, base=link or base)
    if image is None and cleaned.image:
        image, alt = cleaned.image, cleaned.image_alt
    author = raw.get("author") or None
    if author:
        author = _author_name(_SPACE.sub(" ", author).strip())[:200] or None
    # Without summary_detail, feedparser's `summary` is a copy of the content, type lost.
    detail_of_summary = raw.get("summary_detail")
    summary = _strip_feed_chrome(_as_html(raw.get("summary", ""), detail_of_summary["type"])
                                       ) if detail_of_summary else ""
    summary_text = quick_text(_without_title(summary, title), "", enough=EXCERPT_CHARS * 2
                              ).text if summary else ""
    excerpt = cut_at_word(summary_text or cleaned.text, EXCERPT_CHARS)
    return cleaned_entry(Entry(
        identity=identity, community=community, kind=kind, feed_url=url,
        title=title or cut_at_word(cleaned.text, 80) or (link or "(untitled)"),
        link=link, author=author, published=published, updated=updated, excerpt=excerpt,
        outcomes=extract_outcomes(body_html, title=title,
                                  meeting_date=_day(published) or _day(updated))
        if kind == "meeting" else MeetingOutcomes(),
        image=image, image_alt=alt,
        note_html=body_html if kind == "meeting" and len(body_html) <= NOTE_HTML_CHARS else "",
    ))


# RSS 2.0's <author> is "address (Name)"; some feeds write "Name <address>" instead
_ADDRESS_THEN_NAME = re.compile(r"^[^\s@()<>]+@[^\s@()<>]+\s*\((?P<name>[^()]+)\)$")
_NAME_THEN_ADDRESS = re.compile(r"^(?P<name>[^<>@]+?)\s*<[^\s@<>]+@[^\s@<>]+>$")
# feedparser's join of an Atom <name> and <email> (Blogger's noreply@blogger.com)
_NAME_THEN_PAREN_ADDRESS = re.compile(r"^(?P<name>[^()<>@]+?)\s*\([^\s@()]+@[^\s@()]+\)$")


_LEADING_HEADING = re.compile(r"\A\s*<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.S | re.I)


def _without_title(html_text: str, title: str) -> str:
    """The HTML without the heading it opens with when that heading is the title:
    content that starts so (Medium's always does) would show the title twice."""
    m = _LEADING_HEADING.match(html_text)
    if m and title and " ".join(quick_text(m.group(2), "").text.split()).casefold() \
            == " ".join(title.split()).casefold():
        return html_text[m.end():]
    return html_text


def _author_name(author: str) -> str:
    """The name out of an RSS author that carries an address too: readers see a person,
    not "ana@example.org (Ana Lima)" (feedparser's own split cuts such a name apart)."""
    for form in (_ADDRESS_THEN_NAME, _NAME_THEN_ADDRESS, _NAME_THEN_PAREN_ADDRESS):
        if m := form.match(author):
            return m.group("name").strip().strip('"').strip()
    return author


def cleaned_entry(entry: Entry) -> Entry:
    """`entry` with every text made safe (digest.text.clean_text): one control character
    in a title must not stop the issue, nor a lone surrogate the feed's storing. Every
    source's reader calls it (feeds here, notes folders in notes.py)."""
    return replace(
        entry, identity=clean_text(entry.identity), feed_url=clean_text(entry.feed_url),
        title=clean_text(entry.title) or "(untitled)", link=_clean(entry.link),
        author=_clean(entry.author) or None, excerpt=clean_text(entry.excerpt),
        image=_clean(entry.image), image_alt=clean_text(entry.image_alt),
        note_html=clean_text(entry.note_html), outcomes=cleaned_outcomes(entry.outcomes))


def cleaned_outcomes(found: MeetingOutcomes) -> MeetingOutcomes:
    """`found` with the text of every decision and action made safe."""
    return replace(
        found, decisions=tuple(Decision(clean_text(d.text)) for d in found.decisions),
        actions=tuple(replace(a, text=clean_text(a.text), owner=_clean(a.owner),
                              due_text=_clean(a.due_text)) for a in found.actions))


def _clean(text: str | None) -> str | None:
    return clean_text(text) if text is not None else None


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment else None


# Confluence: ids carry the page version (tag:host,2009:page-123456-7), so
# each edit would be a new item; and bodies are wrapped in "Page edited by
# ..." / "View Online" chrome that must not become the excerpt.
_CONFLUENCE_VERSION = re.compile(r"^(tag:[^,]+,\d{4}:(?:page|blogpost)-\d+)-\d+$")
_CONFLUENCE_HEAD = re.compile(
    r"^\s*(?:<div[^>]*>\s*)?<p>\s*(?:Page|Blog post|Comment|Attachment|File)?\s*"
    r"<b>\s*(?:added|edited|created|commented|moved|updated|removed|published)\s*</b>"
    r"\s+by\s.*?</p>", re.S | re.I)
_CONFLUENCE_TAIL = re.compile(
    r"<div[^>]*>\s*<a\s[^>]*>\s*View Online\s*</a>.*?</div>\s*(?:</div>\s*)?$", re.S | re.I)


# Discourse ends each topic's description with its counts and a link to the topic
# ("4 posts - 3 participants", "Read full topic"); a forum in another language words
# both its own way ("4 messages - 3 participants", "Lire le sujet en entier"), so there
# the counts line, in <small> before the link, is what marks it
_DISCOURSE_TAIL = re.compile(
    r"(?:\s*<p>\s*<small>\s*\d+\s+posts?\s+-\s+\d+\s+participants?\s*</small>\s*</p>)?"
    r"\s*<p>\s*<a\b[^>]*>\s*Read full topic\s*</a>\s*</p>\s*\Z"
    r"|\s*<p>\s*<small>\s*\d+\s+[^\W\d]{2,20}\s+-\s+\d+\s+[^\W\d]{2,20}\s*</small>\s*</p>"
    r"\s*<p>\s*<a\b[^>]*\bhref=\"[^\"]*/t/[^\"]*\"[^>]*>[^<]{1,80}</a>\s*</p>\s*\Z", re.I)


# a blog's own "Continue reading" / "Read more" link ending a summary (WordPress themes)
# (and their translations: a blog's theme speaks the blog's language)
_READ_MORE = (
    "continue reading", "read more", "keep reading", "read the rest",
    "lire la suite", "lire plus", "weiterlesen", "mehr lesen", "leer más", "seguir leyendo",
    "continuar leyendo", "leia mais", "ler mais", "continuar lendo", "continua a leggere",
    "leggi tutto", "leggi di più", "lees verder", "lees meer", "läs mer", "les mer",
    "læs mere", "lue lisää", "czytaj dalej", "číst dále", "čítať ďalej", "citește mai mult",
    "tovább", "devamını oku", "читать далее", "читати далі", "続きを読む", "阅读全文",
    "阅读更多", "繼續閱讀", "더 보기", "더보기", "ادامه مطلب", "اقرأ المزيد", "קרא עוד",
)
_READ_MORE_TAIL = re.compile(
    r"\s*<a\b[^>]*>\s*(?:" + "|".join(re.escape(p) for p in _READ_MORE) + r")"
    r"(?!\w)(?:(?!</a>).)*</a>(?P<close>\s*</p>)?\s*\Z", re.I | re.S)


def _strip_feed_chrome(body: str) -> str:
    """The body without what the platform wraps every entry in (Discourse's counts and
    link, Confluence's "edited by" and "View Online"): it is no part of the excerpt."""
    if _READ_MORE_TAIL.search(body[-600:]):
        stripped = _READ_MORE_TAIL.sub(lambda m: m.group("close") or "", body, count=1)
        body = stripped if stripped.strip() else body
    if "Read full topic" in body[-400:] or "</small>" in body[-600:]:
        stripped = _DISCOURSE_TAIL.sub("", body, count=1)
        body = stripped if stripped.strip() else body
    if "View Online" not in body[-2000:] and "</b> by" not in body[:400]:
        return body
    stripped = _CONFLUENCE_TAIL.sub("", _CONFLUENCE_HEAD.sub("", body, count=1), count=1)
    return stripped if stripped.strip() else body


def _content_html(raw: Any) -> str:
    """The fullest body the entry has, as HTML (text/plain escaped, not trusted)."""
    for c in raw.get("content", []) or []:
        value = c.get("value", "")
        if value:
            return _as_html(value, c.get("type", "text/html"))
    summary = raw.get("summary_detail") or {}
    if raw.get("summary"):
        return _as_html(raw["summary"], summary.get("type", "text/html"))
    return ""


def _as_html(value: str, mime: str) -> str:
    if mime == "text/plain":
        # feedparser does not sanitise text/plain: it is text, so escape it.
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value) if p.strip()]
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return value


def _lead_image(raw: Any, base: str) -> tuple[str | None, str]:
    candidates: list[tuple[str | None, str]] = []
    for m in raw.get("media_content", []) or []:
        medium, mime = m.get("medium", ""), m.get("type", "")
        if (medium == "image" or mime.startswith("image/") or (not medium and not mime)) \
                and not _too_small(m) and not _is_avatar(m.get("url")):
            candidates.append((m.get("url"), ""))
    for m in raw.get("media_thumbnail", []) or []:
        if not _too_small(m) and not _is_avatar(m.get("url")):
            candidates.append((m.get("url"), ""))
    for enc in raw.get("enclosures", []) or []:
        if str(enc.get("type", "")).startswith("image/"):
            candidates.append((enc.get("href") or enc.get("url"), ""))
    for link in raw.get("links", []) or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            candidates.append((link.get("href"), ""))
    for src, alt in candidates:
        good = image_url(src, base)
        if good:
            return good, alt
    return None, ""


# Under this many pixels a side, a feed's image is an avatar or an icon, not a post's
# picture: GitHub releases give the author's 30 px avatar, Blogger a 72 px square crop.
LEAD_IMAGE_MIN_PX = 100


def _too_small(media: Any) -> bool:
    """Whether a media:content/media:thumbnail declares a side under LEAD_IMAGE_MIN_PX (then
    the content's own image, if any, leads the post instead)."""
    for side in ("width", "height"):
        try:
            if int(str(media.get(side) or "").strip()) < LEAD_IMAGE_MIN_PX:
                return True
        except ValueError:
            continue  # not declared, or not a number: the image is not judged by it
    return False


def _is_avatar(url: object) -> bool:
    """Whether a media image is a Gravatar: WordPress.com lists the author's as each post's
    first media:content, with no size declared, before the post's own picture."""
    try:
        host = (urlparse(str(url or "")).hostname or "").lower()
    except ValueError:
        return False
    return host == "gravatar.com" or host.endswith(".gravatar.com")


def safe_url(value: str | None, base: str, schemes: frozenset[str]) -> str | None:
    """`value` resolved against `base`, or None when its scheme is not allowed."""
    if not value:
        return None
    value = value.strip()
    try:
        full = urljoin(base, value) if base else value
        scheme = urlparse(full).scheme.lower()
    except ValueError:
        return None
    return full if scheme in schemes else None


def image_url(value: str | None, base: str) -> str | None:
    """`value` resolved against `base` if it is an http(s) image on a public host.

    An image on an internal host would be fetched by every reader's mail client.
    """
    good = safe_url(value, base, IMAGE_SCHEMES)
    return good if is_public_url(good) else None


# -- dates -------------------------------------------------------------------


def trusted_date(text: str | None, parsed: Any, now: datetime, *,
                 timezone: tzinfo = UTC) -> datetime | None:
    """A date we believe, or None so the caller falls back to the next source.

    feedparser reads a zone name such as CEST as UTC, a bare epoch number as
    the year 1686, month 13 as January of the next year. So the raw string is
    re-read with strict parsers where its shape is known (ISO 8601, RFC 822),
    and anything odd, too old or in the future is not believed. A date of those
    shapes written without a zone is `timezone`'s wall clock (the organisation's,
    as a note's date is): read as UTC, a post from the last hour of a period's last
    day east of Greenwich would land in the next period's issue.
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    if text.isdigit():
        return None  # an epoch number, or a bare year: no way to tell
    moment: datetime | None
    text = _month_in_english(text)
    if (dotted := _DOTTED_DATE.match(text)):
        moment = _dotted(dotted, timezone)
    elif _ISO_LIKE.match(text):
        moment = _iso(text, timezone)
    elif _RFC822_LIKE.search(text):
        moment = _rfc822(text, timezone)
        if moment is _UNREADABLE:
            moment = _from_struct(parsed)  # a shape parsedate does not know: feedparser's
    else:
        # Other shapes feedparser knows (localised, odd). Believe its reading
        # only if the text carries no zone name it would misread.
        zone = _TRAILING_ZONE.search(text)
        if zone and zone.group(1).upper() not in _RFC822_ZONES and len(zone.group(1)) >= 3 \
                and not _is_month(zone.group(1)):
            return None
        moment = _from_struct(parsed)
    if moment is None or moment is _UNREADABLE:
        return None
    if moment.year < OLDEST_YEAR or moment > now + FUTURE_SLACK:
        return None
    if any(abs(moment - zero) <= _ZERO_SLACK for zero in _ZERO_DATES):
        return None
    return moment


_MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}


def _is_month(word: str) -> bool:
    return word[:3].lower() in _MONTHS


_UNREADABLE = datetime.min.replace(tzinfo=UTC)

# Month names, whole or cut short, as German, French, Italian, Spanish, Dutch and Portuguese
# sites write them in an RFC 822 date ("Mi, 28 Okt 2026", "mar., 17 févr. 2026": TYPO3 and
# other CMSs localise the format). Read only between a day and a year, where "set" and "out"
# (Italian and Portuguese September and October) can be nothing else.
_LOCAL_MONTHS: dict[str, str] = {name: english for english, names in {
    "Jan": "januar jänner jän janvier janv gennaio gen enero ene januari janeiro",
    "Feb": "februar février févr fév fevrier fevr fev febbraio febrero februari fevereiro",
    "Mar": "märz mär mrz maerz mars marzo maart mrt março marco",
    "Apr": "april avril avr aprile abril",
    "May": "mai maggio mag mayo mei maio",
    "Jun": "juni juin giugno giu junio junho",
    "Jul": "juli juillet juil luglio lug julio julho",
    "Aug": "august août aout agosto ago augustus",
    "Sep": "september sept septembre settembre set septiembre setembro",
    "Oct": "oktober okt octobre ottobre ott octubre outubro out",
    "Nov": "novembre noviembre novembro",
    "Dec": "dezember dez décembre déc dicembre dic diciembre dezembro",
}.items() for name in names.split()}
# an optional day name ("Mi,", "mar.,"), a day, a month word, then the year and the rest
_LOCAL_RFC822 = re.compile(r"^(?:[^\W\d_]{2,}\.?,\s*)?(\d{1,2})\.?\s+([^\W\d_]{3,})\.?\s+"
                           r"(\d{2,4}\b.*)$")
# day-first with dots, as Drupal Views' "D, d.m.Y - H:i" writes it: no zone means the
# organisation's
_DOTTED_DATE = re.compile(r"^(?:[^\W\d_]{2,}\.?,\s*)?(\d{1,2})\.(\d{1,2})\.(\d{4})"
                          r"(?:\s*[-,]?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*([+-]\d{4})?$")


def _month_in_english(text: str) -> str:
    """`text` with a month written in another language given its English name (and the day
    name, which parsedate would not know either, left out); any other text as it is."""
    found = _LOCAL_RFC822.match(text)
    if not found:
        return text
    word = found.group(2).lower()
    # a month spelt as in English ("nov.", "mar.") after a French day name ("lun.,")
    english = _LOCAL_MONTHS.get(word) or (word.title() if word in _MONTHS else None)
    if english is None:
        return text
    return f"{found.group(1)} {english} {found.group(3)}"


def _dotted(found: re.Match[str], timezone: tzinfo) -> datetime | None:
    day, month, year, hour, minute, second, zone = found.groups()
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0), tzinfo=UTC if zone else timezone)
    except ValueError:
        return None  # 31.02., month 13
    if zone:
        sign = -1 if zone[0] == "-" else 1
        moment -= sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    return moment.astimezone(UTC)


def _from_struct(parsed: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC) if parsed else None
    except (TypeError, ValueError, OverflowError):
        return None


def _iso(text: str, timezone: tzinfo) -> datetime | None:
    t = text.replace("z", "Z")
    if re.match(r"^\d{4}-\d{2}-\d{2} \d", t):
        t = t.replace(" ", "T", 1)
    try:
        moment = datetime.fromisoformat(t)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone)  # no zone written: the organisation's
    return moment.astimezone(UTC)


# a zone at the end of an RFC 822 date (an offset or a name), before an optional "(CET)"
_RFC822_ZONE_WRITTEN = re.compile(r"(?:[+-]\d{4}|\d\s*[A-Za-z]{1,5})\s*(?:\([^()]*\))?\s*$")
# the year after "03 Oct", as written (two or four digits)
_RFC822_YEAR = re.compile(r"\b\d{1,2}\s+[A-Za-z]{3,}\.?\s+(\d{2,4})\b")


def _rfc822(text: str, timezone: tzinfo) -> datetime | None:
    zone = _TRAILING_ZONE.search(text)
    if zone and zone.group(1).upper() not in _RFC822_ZONES and not _is_month(zone.group(1)):
        return None  # a zone name such as CEST, or a military letter: not trusted
    try:
        fields = parsedate_tz(text)
    except (ValueError, IndexError, TypeError):
        return None
    if fields is None:
        return _UNREADABLE
    year, month, day, hour, minute, second = fields[:6]
    if (written := _RFC822_YEAR.search(text)) and len(written.group(1)) == 4:
        year = int(written.group(1))  # parsedate_tz reads "0001" (Hugo's no-date) as 2001
        if year < OLDEST_YEAR:
            return None
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None  # month 13, day 32...
    if not _RFC822_ZONE_WRITTEN.search(text):
        # parsedate_tz gives offset 0 for no zone at all: the wall clock is the organisation's
        return moment.replace(tzinfo=timezone).astimezone(UTC)
    return moment - timedelta(seconds=fields[9] or 0)


# -- HTML --------------------------------------------------------------------


@dataclass
class Cleaned:
    """What an entry's HTML is reduced to: its text and its first safe image."""

    text: str
    image: str | None
    image_alt: str


# Tags whose edges separate words, so a table row reads "Owner Ana", not "OwnerAna".
_BLOCK = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                    "blockquote", "pre", "tr", "td", "th", "table", "section", "article", "hr",
                    "dd", "dt", "figure", "figcaption"})
_INVISIBLE = re.compile(r"<(script|style|template|noscript|iframe|object|svg)\b.*?</\1\s*>|"
                        r"<!--.*?-->|<!\[CDATA\[.*?\]\]>", re.S | re.I)
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(sorted(_BLOCK)) + r")\b[^>]*>", re.I)
# A "<" that opens no tag ("x < y", "<ana@example.org>") is text, as in the notes reader
_TAG = re.compile(rf"</?{TAG_NAME}(?:[\s/][^>]*)?>|<[!?][^>]*>")
_UNCLOSED = re.compile(r"<(script|style|template|noscript|iframe|object|svg)\b", re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def quick_text(fragment: str, base: str, enough: int | None = None) -> Cleaned:
    """Plain text and first safe image of (unsanitised) HTML, without keeping the HTML.

    Used for every entry, whose HTML is not stored: scripts, styles and comments are
    cut out whole, other tags dropped (a tag's name is the notes reader's rule,
    `blocks.TAG_NAME`), entities decoded. The text is plain and
    is escaped wherever it is shown. With `enough`, only as much of the
    fragment is read as yields that many characters of text (an excerpt
    needs a few hundred, not the whole of a 200 KB post).
    """
    if not fragment:
        return Cleaned("", None, "")
    if enough is not None and len(fragment) > enough * 40:
        head = quick_text(fragment[: enough * 40], base)
        if len(head.text) > enough:
            return head
    visible = _INVISIBLE.sub(" ", fragment)
    cut = _UNCLOSED.search(visible)
    if cut:  # a script cut off by the prefix: none of it is text
        visible = visible[: cut.start()]
    image = alt = None
    for tag in _IMG.finditer(visible):
        attrs = {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
                 for m in _ATTR.finditer(tag.group(0))}
        image = image_url(attrs.get("src"), base)
        if image:
            alt = attrs.get("alt", "")
            break
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", visible))
    text = " ".join(html.unescape(text).split())
    return Cleaned(text, image, alt or "")


def _text(fragment: str) -> str:
    """Plain text of an HTML fragment, whitespace collapsed."""
    if "<" not in fragment and "&" not in fragment:
        return _SPACE.sub(" ", fragment).strip()
    return quick_text(fragment, "").text


