"""One shape for what a build writes: `issue.json`, read back by preview, send and the archive.

`digest build` writes `out/<period>/issue.json` (the issue, its editions and where their
files are) and the web archive writes the same shape to `out/site/<period>/issue.json`
(without the email editions). Everything that reads a build goes through
`read_manifest`, so there is one schema and one reader.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import DigestError
from .files import write_file
from .models import Edition, Recipient

MANIFEST = "issue.json"
PERSONAL_SLOT = "[[digest:personal-block]]"  # where a reader's own block goes, HTML and text


@dataclass(frozen=True)
class Headline:
    title: str
    link: str | None = None
    # the other communities that list the same post (or meeting's notes): the line stands
    # once, under the first, as the email's full edition shows it (render.community_summaries)
    also_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecisionLine:
    """A decision as a feed entry shows it, linking to its meeting's notes."""

    text: str
    link: str | None = None


@dataclass(frozen=True)
class SessionLine:
    """A coming session as a feed entry shows it."""

    title: str
    when: str
    where: str | None = None
    link: str | None = None  # the join link


@dataclass(frozen=True)
class CommunitySummary:
    """A community's line in the site index and the Atom feed."""

    id: str
    name: str
    summary: str
    headlines: tuple[Headline, ...] = ()
    decisions: tuple[DecisionLine, ...] = ()
    sessions: tuple[SessionLine, ...] = ()


@dataclass(frozen=True)
class PersonalBlock:
    """The part of the at-a-glance block that depends on the reader (their own actions and
    the other open actions), rendered once per distinct content and kept in the manifest."""

    key: str
    html: str
    text: str


@dataclass(frozen=True)
class EditionRecord:
    """One edition's files and facts; `personal_slot` editions take a reader's block."""

    key: str
    communities: tuple[str, ...] | None
    subject: str
    preheader: str
    html: str  # paths relative to the period folder
    text: str
    html_bytes: int
    detail_level: int  # index in DETAIL_LEVELS: 0 is full detail, higher was shortened to fit
    calendar: str | None = None  # text/calendar attachment of the coming sessions, if any
    default_block: str | None = None  # PersonalBlock key for a reader who owns no action
    # where the default block sits in the files ([start, end) in characters): the files read
    # as a reader who owns no action gets them, and send puts each reader's block there
    html_slot: tuple[int, int] | None = None
    text_slot: tuple[int, int] | None = None


@dataclass(frozen=True)
class Manifest:
    period: str
    period_title: str
    title: str
    subject: str  # of the full edition
    intro: str
    built_at: str
    published: str | None = None  # the web archive's first publication of the issue
    updated: str | None = None
    posts: int = 0
    meetings: int = 0
    sessions: int = 0
    warnings: tuple[str, ...] = ()
    communities: tuple[CommunitySummary, ...] = ()
    quiet: tuple[str, ...] = ()
    editions: tuple[EditionRecord, ...] = ()
    blocks: tuple[PersonalBlock, ...] = ()
    readers: dict[str, str] = field(default_factory=dict)  # address (lower) -> block key,
    # for readers whose block is not their edition's default
    draft: bool = False  # built before the period ended: preview shows it, send refuses it
    # the web archive's: a digest of what the feed entry says, so `updated` moves only when
    # that does (see archive.entry_dates)
    content_digest: str | None = None
    folder: Path | None = field(default=None, compare=False)  # where it was read from
    # reader_fingerprint of every recipients.csv row the build gave a personal block, so a
    # send can tell a reader added or changed since (their own actions would be missing);
    # None: built by a release that did not record them
    built_for: tuple[str, ...] | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("folder")
        return json.dumps(data, indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, folder: Path | None = None) -> Manifest:
        d = json.loads(text)
        return cls(
            period=d["period"], period_title=d["period_title"], title=d["title"],
            subject=d["subject"], intro=d["intro"], built_at=d["built_at"],
            published=d.get("published"), updated=d.get("updated"),
            posts=d.get("posts", 0), meetings=d.get("meetings", 0),
            sessions=d.get("sessions", 0), warnings=tuple(d.get("warnings", ())),
            communities=tuple(CommunitySummary(
                id=c["id"], name=c["name"], summary=c["summary"],
                headlines=tuple(Headline(**{**h, "also_in": tuple(h.get("also_in", ()))})
                                for h in c.get("headlines", ())),
                decisions=tuple(DecisionLine(**x) for x in c.get("decisions", ())),
                sessions=tuple(SessionLine(**x) for x in c.get("sessions", ())))
                for c in d.get("communities", ())),
            quiet=tuple(d.get("quiet", ())),
            editions=tuple(EditionRecord(**{
                **e, "communities": _tuple(e["communities"]),
                "html_slot": _tuple(e.get("html_slot")), "text_slot": _tuple(e.get("text_slot"))})
                for e in d.get("editions", ())),
            blocks=tuple(PersonalBlock(**b) for b in d.get("blocks", ())),
            readers=dict(d.get("readers", {})),
            draft=bool(d.get("draft", False)),
            content_digest=d.get("content_digest"),
            folder=folder,
            built_for=_tuple(d.get("built_for")),
        )

    def record(self, key: str) -> EditionRecord:
        for e in self.editions:
            if e.key == key:
                return e
        raise DigestError(f"{self.period} has no edition {key!r}; it has: "
                          f"{', '.join(sorted(e.key for e in self.editions))}")

    def block_for(self, edition: EditionRecord, email: str | None) -> str | None:
        """The key of the personal block a reader of `edition` gets."""
        if email is not None:
            key = self.readers.get(email.strip().lower())
            if key is not None:
                return key
        return edition.default_block

    def edition(self, key: str, block: str | None = None) -> Edition:
        """Edition `key` with personal block `block` (None: the edition's default, for a
        reader who owns no action)."""
        record = self.record(key)
        assert self.folder is not None, "a manifest read from disk knows its folder"
        html = (self.folder / record.html).read_text(encoding="utf-8")
        text = (self.folder / record.text).read_text(encoding="utf-8")
        if block is not None and block != record.default_block:
            chosen = self.block(block)
            html = splice(html, record.html_slot, chosen.html)
            text = splice(text, record.text_slot, chosen.text)
        calendar = ((self.folder / record.calendar).read_bytes()
                    if record.calendar else None)
        return Edition(key=record.key,
                       communities=frozenset(record.communities)
                       if record.communities is not None else None,
                       subject=record.subject, preheader=record.preheader, html=html,
                       text=text, detail_level=record.detail_level, calendar=calendar)

    def block(self, key: str) -> PersonalBlock:
        for b in self.blocks:
            if b.key == key:
                return b
        raise DigestError(f"{self.period}: issue.json names a personal block {key!r} it does "
                          f"not list; run `digest build --period {self.period}` again")


def reader_fingerprint(reader: Recipient) -> str:
    """A short digest of what a reader's personal block depends on: their address, name and
    aliases (whose actions are theirs) and their communities (their edition, the other open
    actions). Not their line in the file: moving a row changes nothing."""
    communities = "*" if reader.communities is None else ";".join(sorted(reader.communities))
    row = "\x1f".join((reader.email.strip().lower(), reader.name, communities,
                       ";".join(sorted(reader.aliases))))
    return hashlib.sha256(row.encode("utf-8")).hexdigest()[:16]


def fill_slot(content: str, block: str) -> tuple[str, tuple[int, int] | None]:
    """`content` with its PERSONAL_SLOT replaced by `block`, and where the block now sits."""
    start = content.find(PERSONAL_SLOT)
    if start < 0:
        return content, None  # a custom template without the personal block
    return (content[:start] + block + content[start + len(PERSONAL_SLOT):],
            (start, start + len(block)))


def splice(content: str, slot: tuple[int, int] | None, block: str) -> str:
    """Put `block` where the default block sits."""
    if slot is None:
        return content
    return content[:slot[0]] + block + content[slot[1]:]


def _tuple(value: list | None) -> tuple | None:
    return tuple(value) if value is not None else None


def read_manifest(folder: Path) -> Manifest:
    """The manifest a build wrote into `folder` (out/<period>/ or out/site/<period>/)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise DigestError(f"{folder.name} has not been built: run `digest build --period "
                          f"{folder.name}` first")
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"), folder)
    except (ValueError, KeyError, TypeError) as e:
        raise DigestError(f"{path}: not an issue.json this release wrote ({e}); run "
                          f"`digest build --period {folder.name}` again") from None


def write_manifest(folder: Path, manifest: Manifest, root: Path) -> Path:
    """Write issue.json last (preview and send find the other files through it), atomically
    and never through a symlink below `root`."""
    return write_file(folder / MANIFEST, manifest.to_json() + "\n", root)
