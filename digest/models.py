"""The typed values that pass between the pipeline's stages.

collect produces `Entry` values, store turns them into `Item` rows, compose
builds an `Issue`, render turns an issue into `Edition`s, deliver sends them.
Each stage takes and returns these plain values so stages can be tested alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from .period import Period

Kind = Literal["post", "meeting"]
FeedRole = Literal["posts", "meetings", "calendar", "notes"]
ActionState = Literal["open", "overdue", "done"]


@dataclass(frozen=True)
class Decision:
    """A decision taken in a meeting, as the notes word it."""

    text: str


@dataclass(frozen=True)
class Action:
    """Something a meeting asked someone to do.

    `due` is resolved against the meeting's own date, so "by Friday" means the
    Friday after that meeting; `due_text` keeps the words as written, for the
    reader and for when no date could be resolved.
    """

    text: str
    owner: str | None = None  # as written: "Ana Lima", "@alima", "AL", "Ana & Ben"
    due: date | None = None
    due_text: str | None = None
    done: bool = False  # ticked in the notes


@dataclass(frozen=True)
class MeetingOutcomes:
    """What one meeting's notes say was decided and who does what next."""

    decisions: tuple[Decision, ...] = ()
    actions: tuple[Action, ...] = ()
    held_on: date | None = None  # the meeting's date when the notes say it

    def __bool__(self) -> bool:
        return bool(self.decisions or self.actions or self.held_on)


@dataclass(frozen=True)
class TrackedAction:
    """A meeting's action as one issue shows it: followed up until done or dropped
    (digest/followup.py)."""

    community: str
    key: str
    text: str
    owner: str | None
    due: date | None
    due_text: str | None
    meeting_title: str
    meeting_link: str | None
    held_on: date
    first_issue: str  # the issue whose meeting notes set it
    state: ActionState

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    def action(self) -> Action:
        """As the render filters expect it (`due` shows the date or the words)."""
        return Action(text=self.text, owner=self.owner, due=self.due, due_text=self.due_text,
                      done=self.state == "done")


@dataclass(frozen=True)
class Entry:
    """One feed entry, normalised, before the store has seen it.

    `identity` is stable across fetches (entry id, else link, else a hash);
    datetimes are aware UTC or None. Meeting notes carry their outcomes, taken
    from the raw HTML at parse time: sanitising drops what the extractor reads
    (Confluence's decision states, Google Docs' bold classes), and a sent issue
    must not change when the extractor's rules do.
    """

    identity: str
    community: str
    kind: Kind
    feed_url: str
    title: str
    link: str | None
    author: str | None
    published: datetime | None
    updated: datetime | None
    excerpt: str
    outcomes: MeetingOutcomes = field(default_factory=MeetingOutcomes)  # meeting notes only
    image: str | None = None
    image_alt: str = ""
    note_html: str = ""  # meeting notes: the raw HTML, kept so `collect --reextract` can re-read it


@dataclass(frozen=True)
class Item:
    """An entry as the store keeps it: with the time it was first seen and its issue."""

    key: str
    community: str
    kind: Kind
    feed_url: str
    title: str
    link: str | None
    author: str | None
    published: datetime | None
    updated: datetime | None
    first_seen: datetime
    excerpt: str
    outcomes: MeetingOutcomes = field(default_factory=MeetingOutcomes)
    image: str | None = None
    image_alt: str = ""
    issue: str | None = None  # period label of the issue that holds it
    identity: str = ""  # the entry's identity in its feed (Entry.identity), for compose.same_posts

    @property
    def dated(self) -> datetime:
        """The date that places the item in a period.

        Published, else updated, else first seen; a date in the future of the
        moment we first saw the item is not believed.
        """
        for candidate in (self.published, self.updated):
            if candidate is not None and candidate <= self.first_seen:
                return candidate
        return self.first_seen


@dataclass(frozen=True)
class Session:
    """One occurrence of a community's meeting, from its calendar."""

    community: str
    uid: str
    title: str
    start: datetime  # aware, in the organisation's timezone (midnight for all-day)
    end: datetime | None
    all_day: bool = False
    location: str | None = None
    join_url: str | None = None
    facilitator: str | None = None

    def over_by(self, moment: datetime) -> bool:
        """Whether it has ended by `moment`: an all-day one at the end of its last day,
        one without an end once it has started."""
        end = self.end or (self.start + timedelta(days=1) if self.all_day else self.start)
        return end <= moment


@dataclass
class Section:
    """Everything the issue says about one community."""

    community_id: str
    name: str
    description: str
    join_url: str | None = None
    posts: list[Item] = field(default_factory=list)
    more_posts: int = 0  # posts beyond the email's budget, on the web
    meetings: list[Item] = field(default_factory=list)  # meeting notes, with their outcomes
    sessions: list[Session] = field(default_factory=list)
    last_activity: datetime | None = None
    status: Literal["active", "back", "quiet", "silent"] = "active"
    feeds_failed: bool = False  # every feed of the community failed at the last collect
    # the item keys of the posts beyond max_items (more_posts of them): counts across
    # communities name them to count a post listed under two communities once
    more_post_keys: tuple[str, ...] = ()

    @property
    def has_news(self) -> bool:
        return bool(self.posts or self.meetings or self.sessions)


@dataclass
class Issue:
    """The composed digest for one period, before rendering."""

    period: Period
    title: str
    organisation: str
    sections: list[Section]  # communities with news, in a useful order
    quiet: list[Section]  # communities that went quiet
    web_url: str | None = None
    coming_period: Period | None = None
    actions: list[TrackedAction] = field(default_factory=list)  # followed up (followup.py)
    built_at: datetime | None = None  # when composed: sessions over by then are left out
    # item key -> the key of the post it is, for items that are the same post as another
    # (a feed shared by two communities: compose.same_posts); other items are their own post
    same_post: dict[str, str] = field(default_factory=dict)

    def post_key(self, item: Item | str) -> str:
        """What the issue calls the post `item` (an Item or its key) is: one key for every
        item that is the same post under another community or from another feed."""
        key = item if isinstance(item, str) else item.key
        return self.same_post.get(key, key)

    @property
    def post_count(self) -> int:
        """Posts in the issue, each once however many communities list it."""
        keys: set[str] = set()
        unnamed = 0  # posts beyond max_items of a section built without their keys
        for s in self.sections:
            keys.update(self.post_key(i) for i in s.posts)
            keys.update(self.post_key(k) for k in s.more_post_keys)
            unnamed += max(0, s.more_posts - len(s.more_post_keys))
        return len(keys) + unnamed

    @property
    def meeting_count(self) -> int:
        """Meetings in the issue, each once however many communities list its notes."""
        return len({self.post_key(m) for s in self.sections for m in s.meetings})

    @property
    def session_count(self) -> int:
        return sum(len(s.sessions) for s in self.sections)

    def items(self) -> list[Item]:
        out: list[Item] = []
        for s in self.sections:
            out.extend(s.posts)
            out.extend(s.meetings)
        return out


@dataclass(frozen=True)
class Edition:
    """One rendering of an issue for a set of communities (None: all of them)."""

    key: str  # "all", or a short stable name for the set
    communities: frozenset[str] | None
    subject: str
    preheader: str
    html: str
    text: str
    detail_level: int = 0  # index in render's DETAIL_LEVELS: 0 is full detail
    calendar: bytes | None = None  # text/calendar attachment: the readers' coming sessions

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    communities: frozenset[str] | None  # None: every community
    line: int = 0  # line in recipients.csv, for error messages
    aliases: tuple[str, ...] = ()  # other names actions may give them: @handles, initials
