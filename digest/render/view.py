"""The view of an issue for one edition: what both the HTML and the text templates show.

Both parts of the email are rendered from this one value, so they cannot
disagree about what the issue holds.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from ..addresses import parse_mailbox
from ..config import Config
from ..invites import CALENDAR_FOLDER, session_slug
from ..manifest import PERSONAL_SLOT
from ..models import Decision, Issue, Item, Section, Session, TrackedAction
from ..text import cut_at_word, plural
from ..urls import names_internal_host

ALL = "all"
HEADLINES_PER_COMMUNITY = 3
NEXT_UP = 3  # sessions at a glance
DECIDED_AT_A_GLANCE = 2  # decisions at a glance (a phone's first screen); the rest are in their
# community's section
GLANCE_CHARS = 110  # a decision or action at a glance is cut here; it links to the whole
SUBJECT_CHARS = 78
SUBJECT_NEWS_CHARS = 30  # the least a community's name in the subject leaves its news
# A community's name in the subject: whole while it leaves the news that much room (a
# bilingual "de / fr" name keeps both languages), else shortened by words at its end.
SUBJECT_NAME_CHARS = SUBJECT_CHARS - len(": ") - SUBJECT_NEWS_CHARS


def audience(communities: frozenset[str] | None, every: set[str]) -> frozenset[str] | None:
    """What a reader's set of communities means for rendering: None when it covers them all."""
    if communities is None or communities >= every:
        return None
    return frozenset(communities)


def edition_key(communities: frozenset[str] | None) -> str:
    """A short stable name for a set of communities: 'all', 'data+design', or a hash when long."""
    if communities is None:
        return ALL
    joined = "+".join(sorted(communities))
    if len(joined) <= 48:
        return joined
    return "set-" + hashlib.sha256(joined.encode()).hexdigest()[:12]


@dataclass
class Headline:
    """One line of the "Across the organisation" list."""

    title: str
    link: str | None
    kind: str


@dataclass
class OtherCommunity:
    section: Section
    headlines: list[Headline]
    more: int


@dataclass
class AlsoIn:
    """A one-line pointer left in a community for a post (or meeting notes) the edition shows
    in full under an earlier community of the reader's."""

    item: Item
    shown_in: Section  # the community that shows it in full


@dataclass(frozen=True)
class Detail:
    """How much of each item the email shows; lowered step by step to fit the size budget.

    The last rungs change the layout rather than trim it: at the scale of dozens of busy
    communities even titles alone are over the budget, so each community becomes a
    short summary (its counts, its first decisions, its next session) linking to its own
    page in the web archive, where everything is.
    """

    excerpt_chars: int
    excerpts_per_community: int  # posts that show an excerpt; the rest show title and byline
    outcomes_per_list: int  # decisions or actions shown per meeting; the rest are in the notes
    outcome_chars: int
    layout: Literal["full", "summary"] = "full"
    decisions_per_summary: int = 0  # in the summary layout: decisions shown per community
    headlines_per_other: int = HEADLINES_PER_COMMUNITY  # lines per "Across the organisation"


DETAIL_LEVELS = (
    Detail(excerpt_chars=220, excerpts_per_community=99, outcomes_per_list=5, outcome_chars=240),
    Detail(excerpt_chars=160, excerpts_per_community=3, outcomes_per_list=3, outcome_chars=160),
    Detail(excerpt_chars=120, excerpts_per_community=2, outcomes_per_list=3, outcome_chars=110),
    Detail(excerpt_chars=100, excerpts_per_community=1, outcomes_per_list=2, outcome_chars=90),
    Detail(excerpt_chars=0, excerpts_per_community=0, outcomes_per_list=2, outcome_chars=80),
    Detail(excerpt_chars=0, excerpts_per_community=0, outcomes_per_list=1, outcome_chars=80),
    # past here a meeting would show none of its decisions: a summary that shows some, and
    # links to the community's page for the rest, serves a reader of everything better
    Detail(excerpt_chars=0, excerpts_per_community=0, outcomes_per_list=0, outcome_chars=120,
           layout="summary", decisions_per_summary=5),
    Detail(excerpt_chars=0, excerpts_per_community=0, outcomes_per_list=0, outcome_chars=100,
           layout="summary", decisions_per_summary=3),
    Detail(excerpt_chars=0, excerpts_per_community=0, outcomes_per_list=0, outcome_chars=80,
           layout="summary", decisions_per_summary=1, headlines_per_other=1),
    Detail(excerpt_chars=0, excerpts_per_community=0, outcomes_per_list=0, outcome_chars=0,
           layout="summary", decisions_per_summary=0, headlines_per_other=0),
)


@dataclass
class Decided:
    """One line of "Decided": a decision and the meeting whose notes hold it."""

    community: str  # the community's name
    meeting: Item
    decision: Decision


@dataclass
class Glance:
    """The block at the top of every edition: what a reader on a phone needs first.

    The reader's own actions and the other open actions depend on who reads, so the
    edition carries `PERSONAL_SLOT` where they go and `render.personal` fills it.
    """

    sessions: list[Session]  # next up, at most NEXT_UP, not over when the issue was built
    decided: list[Decided]
    more_decided: int
    done: list[TrackedAction]  # done since the last issue, in the reader's communities
    slot: str = PERSONAL_SLOT


@dataclass
class View:
    config: Config
    issue: Issue
    key: str
    communities: frozenset[str] | None
    own: list[Section]
    others: list[OtherCommunity]
    quiet: list[Section]
    subject: str
    preheader: str
    intro: str
    web_issue_url: str | None
    detail: Detail = DETAIL_LEVELS[0]
    toc: list[tuple[str, str, str]] = field(default_factory=list)  # (anchor, name, summary)
    web: bool = False  # the web archive's page of the issue, not an email
    community_page: bool = False  # the web archive's page of one community (web is True too)
    logo_url: str | None = None  # set by the renderer when the templates hold a logo.png
    glance: Glance | None = None
    also: dict[str, list[AlsoIn]] = field(default_factory=dict)  # community id -> pointers

    def also_in(self, section: Section) -> list[AlsoIn]:
        """The pointers the section carries for posts and notes shown under an earlier
        community of this edition."""
        return self.also.get(section.community_id, [])

    def calendar_url(self, session: Session) -> str | None:
        """The session's own .ics in the web archive (None without one: then the message
        carries the edition's sessions as a text/calendar attachment)."""
        if self.web:
            return f"{CALENDAR_FOLDER}/{session_slug(session)}.ics"
        if self.web_issue_url:
            return f"{self.web_issue_url}{CALENDAR_FOLDER}/{session_slug(session)}.ics"
        return None

    def community_name(self, community_id: str) -> str:
        for s in self.issue.sections:
            if s.community_id == community_id:
                return s.name
        return community_id

    @property
    def glance_chars(self) -> int:
        return GLANCE_CHARS

    @property
    def monogram(self) -> str:
        """The organisation's initials: the logo when the templates have no logo.png."""
        words = [w for w in self.issue.organisation.split() if w[:1].isalnum()]
        return "".join(w[0] for w in words[:2]).upper() or "CoP"

    @property
    def lang(self) -> str:
        return self.config.language

    @property
    def dir(self) -> str:
        return self.config.direction

    @property
    def contact_address(self) -> str:
        """Where a reader writes to change their communities when there is no preferences page."""
        return _address_of(self.config.delivery.sender)

    @property
    def text_excerpt_chars(self) -> int:
        """Excerpt length in the text part: Gmail clips only the HTML, so the text keeps full
        detail whatever level the HTML needed."""
        return DETAIL_LEVELS[0].excerpt_chars

    def hidden_outcomes(self, meeting: Item) -> int:
        """Decisions and actions this detail level leaves to the meeting notes."""
        shown = self.detail.outcomes_per_list
        return sum(max(0, len(outcomes) - shown)
                   for outcomes in (meeting.outcomes.decisions, meeting.outcomes.actions))

    def community_url(self, section: Section) -> str | None:
        return f"{self.web_issue_url}#{section.community_id}" if self.web_issue_url else None

    def community_page_url(self, section: Section) -> str | None:
        """The community's own page of this issue in the web archive: everything it posted,
        decided and planned, for the summary layout to link to."""
        page = community_page(section.community_id)
        if self.web:
            return page
        return f"{self.web_issue_url}{page}" if self.web_issue_url else None

    @property
    def page_title(self) -> str:
        """The <title>: the subject for an email, what the page is for a web archive page."""
        if not self.web:
            return self.subject
        issue = f"{self.issue.title} · {self.issue.period.title()}"
        if self.community_page and self.own:
            return f"{self.own[0].name} · {issue}"
        return f"{issue} · {self.issue.organisation}"

    def summary_decisions(self, section: Section) -> list[tuple[Item, Decision]]:
        """The first decisions of a community's meetings, for its summary."""
        found = [(m, d) for m in section.meetings for d in m.outcomes.decisions]
        return found[: self.detail.decisions_per_summary]

    def summary_of(self, section: Section) -> str:
        return section_summary(section, self.also_in(section))

    def next_session(self, section: Section) -> Session | None:
        """The community's next session not yet over when the issue was built (the glance's
        rule, coming_sessions)."""
        sessions = coming_sessions(self.issue, [section])
        return sessions[0] if sessions else None


# a build asks this of the same image for every edition and detail level
_names_internal_host = functools.lru_cache(maxsize=4096)(names_internal_host)


@functools.lru_cache(maxsize=16)
def _address_of(mailbox: str) -> str:
    """The address of a checked mailbox: read strictly once, not once per edition."""
    return parse_mailbox(mailbox)[1]


def community_page(community_id: str) -> str:
    """The file of a community's page, beside the issue's index.html in the web archive
    (community ids are lower-case letters, digits, - and _, so this is a safe file name)."""
    return f"community-{community_id}.html"


def section_summary(section: Section, also: list[AlsoIn] | None = None) -> str:
    """"2 posts, 1 meeting, 1 session coming up": what the section shows; then what it shares
    with earlier communities of the edition ("1 post also in Data"), counted there."""
    parts = []
    posts = len(section.posts) + section.more_posts
    if posts:
        parts.append(plural(posts, "post"))
    if section.meetings:
        parts.append(plural(len(section.meetings), "meeting"))
    if section.sessions:
        parts.append(plural(len(section.sessions), "session") + " coming up")
    shared: dict[tuple[str, str], int] = {}
    for a in also or []:
        where = (a.item.kind, a.shown_in.name)
        shared[where] = shared.get(where, 0) + 1
    parts += [f"{plural(n, kind)} also in {name}" for (kind, name), n in shared.items()]
    return ", ".join(parts)


def edition_sections(issue: Issue, sections: list[Section],
                     shown: dict[str, Section] | None = None
                     ) -> tuple[list[Section], dict[str, list[AlsoIn]]]:
    """`sections` as one edition shows them: each post (and meeting's notes) in full under the
    first of them that lists it, a pointer (`AlsoIn`) under each later one.

    What is the same post is the issue's (compose.same_posts, `Issue.post_key`); where the
    reader meets it is the edition's, since it depends on the reader's communities: a reader
    of Design alone gets the shared post in Design, a reader of Data and Design gets it in
    Data and a line in Design. The sections' own counts then count each post once, so the
    subject, preheader, intro and contents need nothing more. `shown` (post key -> section)
    carries what earlier sections of the edition show in full (the reader's own communities,
    for "Across the organisation"), and is updated.

    Posts beyond `max_items` (`more_post_keys`) are counted under the first section that has
    them hidden, and not at all when a section shows them in full.
    """
    shown = {} if shown is None else shown
    out: list[Section] = []
    also: dict[str, list[AlsoIn]] = {}
    for s in sections:
        kept: dict[str, list[Item]] = {"post": [], "meeting": []}
        pointers: list[AlsoIn] = []
        here: set[str] = set()  # a section may list a post twice (two of its feeds carry it)
        for item in (*s.posts, *s.meetings):
            post = issue.post_key(item)
            if post in here:
                continue
            here.add(post)
            first = shown.setdefault(post, s)
            if first is s:
                kept[item.kind].append(item)
            else:
                pointers.append(AlsoIn(item, first))
        out.append(replace(s, posts=kept["post"], meetings=kept["meeting"]))
        if pointers:
            also[s.community_id] = pointers
    hidden: set[str] = set()
    for n, s in enumerate(out):
        if not s.more_post_keys:
            continue
        more = [k for k in s.more_post_keys
                if issue.post_key(k) not in shown and issue.post_key(k) not in hidden]
        hidden.update(issue.post_key(k) for k in more)
        unnamed = max(0, s.more_posts - len(s.more_post_keys))
        out[n] = replace(s, more_posts=len(more) + unnamed, more_post_keys=tuple(more))
    return out, also


def _counts(sections: list[Section]) -> list[str]:
    posts = sum(len(s.posts) + s.more_posts for s in sections)
    meetings = sum(len(s.meetings) for s in sections)
    sessions = sum(len(s.sessions) for s in sections)
    return [c for n, c in ((posts, plural(posts, "post")), (meetings, plural(meetings, "meeting")),
                           (sessions, plural(sessions, "session"))) if n]


def coming_sessions(issue: Issue, sections: list[Section]) -> list[Session]:
    """The sections' sessions not yet over when the issue was built, soonest first."""
    return sorted((x for s in sections for x in s.sessions
                   if issue.built_at is None or not x.over_by(issue.built_at)),
                  key=lambda x: x.start)


def _lead(issue: Issue, sections: list[Section]) -> tuple[str | None, Session | None]:
    """The edition's most important line (its first decision) and its next session."""
    decision = next((f"{cut_at_word(s.name, SUBJECT_NAME_CHARS)}: {' '.join(d.text.split())}"
                     for s in sections
                     for m in s.meetings for d in m.outcomes.decisions), None)
    sessions = coming_sessions(issue, sections)
    return decision, (sessions[0] if sessions else None)


def _session_short(session: Session, sections: list[Section], named: bool) -> str:
    title = session.title
    if named:
        name = next((s.name for s in sections if s.community_id == session.community), "")
        if name and not title.lower().startswith(name.lower()):
            title = f"{cut_at_word(name, SUBJECT_NAME_CHARS)}: {title}"
    return f"{title} {session_day(session)}"


def subject_line(issue: Issue, own: list[Section] | None = None,
                 quiet: list[Section] | None = None) -> str:
    """The edition's own subject: its communities' most important item first (a decision,
    else the next session), then the next session and the counts of the edition as room
    allows; at most SUBJECT_CHARS characters.

    `quiet` are the edition's communities that have gone quiet: one that only holds
    sessions (no blog, no notes) is quiet, and its sessions are still its readers' news."""
    sections = _edition_sections(issue, own, quiet)
    decision, session = _lead(issue, sections)
    counts = ", ".join(_counts(sections))
    if decision is None and session is None:
        head = f"{issue.period.short_title()} at a glance"
        return cut_at_word(f"{head}: {counts}" if counts else head, SUBJECT_CHARS)
    if decision is None:
        assert session is not None
        parts = [_session_short(session, sections, True)]
    else:
        parts = [decision]
        if session is not None:
            when = _session_short(session, sections, False)
            # the decision gives up words so the next session fits, down to 30 characters
            room = SUBJECT_CHARS - 3 - len(when)
            parts = [cut_at_word(decision, room), when] if room >= 30 else [decision]
    if counts:
        parts.append(counts)
    subject = cut_at_word(parts[0], SUBJECT_CHARS)
    for part in parts[1:]:
        if len(subject) + 3 + len(part) <= SUBJECT_CHARS:
            subject += " · " + part
    return subject


def _edition_sections(issue: Issue, own: list[Section] | None,
                      quiet: list[Section] | None) -> list[Section]:
    """What a subject or preheader speaks of: the edition's own communities (the quiet ones
    with sessions coming included), else, for a reader whose communities have nothing at
    all, the organisation's, as "Across the organisation" shows it."""
    mine = [*(own or []), *(q for q in quiet or [] if q.sessions)]
    return mine or edition_sections(issue, list(issue.sections))[0]


def preheader_text(issue: Issue, own: list[Section],
                   quiet: list[Section] | None = None) -> str:
    """The inbox preview: the edition's communities and what they hold, then the next session,
    so the reader knows why to open."""
    sections = _edition_sections(issue, own, quiet)
    names = [s.name for s in sections]
    if not names:
        return f"A quiet {issue.period.short_title()} across {issue.organisation}."
    if len(names) == 1:
        who = names[0]
    elif len(names) <= 3:
        who = f"{', '.join(names[:-1])} and {names[-1]}"
    else:
        who = f"{', '.join(names[:3])} and {len(names) - 3} more"
    decisions = sum(len(m.outcomes.decisions) for s in sections for m in s.meetings)
    held = [plural(decisions, "decision")] if decisions else []
    news = f"{who}: {', '.join(held + _counts(sections))}."
    sessions = coming_sessions(issue, sections)
    if sessions:
        news += f" Next up: {sessions[0].title}, {session_day(sessions[0])}."
    return news


def session_day(session: Session) -> str:
    return f"{session.start:%a} {session.start.day} {session.start:%b}"


def session_when(session: Session) -> str:
    if session.all_day:
        return f"{session_day(session)}, all day"
    end = ""  # none when it has no length (a DTSTART alone ends when it starts)
    if session.end is not None and session.end > session.start:
        local_end = session.end.astimezone(session.start.tzinfo)
        on_day = "" if local_end.date() == session.start.date() else \
            f"{local_end:%a} {local_end.day} {local_end:%b} "
        end = f"–{on_day}{local_end:%H:%M}"
    return f"{session_day(session)}, {session.start:%H:%M}{end}"


def session_local(session: Session) -> str:
    """Day and local time with the zone's abbreviation: "Wed 18 Nov, 14:00–15:00 GMT"."""
    if session.all_day:
        return f"{session_day(session)}, all day"
    return f"{session_when(session)} {session.start:%Z}".rstrip()


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def title_has_date(title: str, day: int, month: int, year: int) -> bool:
    """Whether a title already carries this date ("Data CoP, 14 October", "2026-10-14")."""
    low = title.lower()
    if f"{year}-{month:02d}-{day:02d}" in low or f"{day:02d}/{month:02d}" in low \
            or f"{day}/{month}/" in low:
        return True
    month_name = _MONTHS[month - 1]
    return bool(re.search(rf"\b{day}(st|nd|rd|th)?\s+(of\s+)?{month_name}", low)
                or re.search(rf"\b{month_name}[a-z]*\.?\s+{day}(st|nd|rd|th)?\b", low))


def meeting_date(item: Item, config: Config) -> str | None:
    """The meeting's own date (its notes', else its item's), or None when the title says it."""
    day = item.outcomes.held_on or item.dated.astimezone(config.timezone).date()
    if title_has_date(item.title, day.day, day.month, day.year):
        return None
    return f"{day.day} {day:%b %Y}"


def item_date(item: Item, config: Config) -> str:
    """The day shown with an item: a meeting's own date when its notes say it."""
    if item.kind == "meeting" and item.outcomes.held_on is not None:
        held = item.outcomes.held_on
        return f"{held.day} {held:%b %Y}"
    moment = item.dated.astimezone(config.timezone)
    return f"{moment.day} {moment:%b %Y}"


def build_view(config: Config, issue: Issue, communities: frozenset[str] | None,
               detail: Detail = DETAIL_LEVELS[0]) -> View:
    """Split the issue for a reader of `communities` (None: everything, in full)."""
    issue = shown_images(issue, config.images)
    if communities is None:
        own, rest = list(issue.sections), []
    else:
        own = [s for s in issue.sections if s.community_id in communities]
        rest = [s for s in issue.sections if s.community_id not in communities]
    # a post listed under two of the reader's communities is shown once, under the first
    shown: dict[str, Section] = {}
    own, also = edition_sections(issue, own, shown)
    rest, also_rest = edition_sections(issue, rest, shown)
    others = [_headlines(s, detail.headlines_per_other, also_rest.get(s.community_id, []))
              for s in rest]
    web_issue_url = f"{config.web_url}{issue.period.label}/" if config.web_url else None
    toc = [(s.community_id, s.name, section_summary(s, also.get(s.community_id)))
           for s in own]
    if others:
        toc.append(("across", "Across the organisation",
                    plural(len(others), "more community")))
    if issue.quiet:
        toc.append(("quiet", "Gone quiet", ", ".join(s.name for s in issue.quiet)))
    # the reader's communities that have gone quiet: one that holds only sessions is quiet,
    # and its sessions still belong at a glance and in the subject
    own_quiet = [q for q in issue.quiet if communities is None or q.community_id in communities]
    # a reader whose communities all went quiet hears of them, not of the organisation
    intro = intro_text(issue, None if communities is None else own or own_quiet)
    return View(
        config=config, issue=issue, key=edition_key(communities), communities=communities,
        own=own, others=others, quiet=list(issue.quiet),
        subject=subject_line(issue, own, own_quiet),
        preheader=preheader_text(issue, own, own_quiet), intro=intro,
        web_issue_url=web_issue_url, detail=detail, toc=toc,
        glance=glance(issue, own, communities, own_quiet), also=also,
    )


def shown_images(issue: Issue, images: str) -> Issue:
    """The issue with only the lead images `[digest] images` lets every reader load.

    Collect keeps only images on public hosts; this also covers items stored
    before it did, and "none".
    """
    def shown(item: Item) -> Item:
        keep = images == "public" and not _names_internal_host(item.image or "")
        return item if keep or item.image is None else replace(item, image=None, image_alt="")

    # a section (and the issue) is copied only when one of its images goes: a build asks
    # this for every edition and detail level, and most issues lose none
    sections = []
    for s in issue.sections:
        posts = [shown(i) for i in s.posts]
        sections.append(s if all(a is b for a, b in zip(posts, s.posts, strict=True))
                        else replace(s, posts=posts))
    if all(a is b for a, b in zip(sections, issue.sections, strict=True)):
        return issue
    return replace(issue, sections=sections)


def glance(issue: Issue, own: list[Section], communities: frozenset[str] | None,
           quiet: list[Section] | None = None) -> Glance:
    """At a glance for readers of `own` (and of `quiet`, their communities gone quiet, whose
    sessions count too): next sessions, decisions, actions done since."""
    sessions = coming_sessions(issue, [*own, *(quiet or [])])[:NEXT_UP]
    # meeting notes listed under two of the reader's communities are decided once, under the
    # first: callers may pass the issue's sections as they are (render.personal does)
    seen: set[str] = set()
    decided: list[Decided] = []
    for s in own:
        for m in s.meetings:
            if issue.post_key(m) not in seen:
                seen.add(issue.post_key(m))
                decided += [Decided(s.name, m, d) for d in m.outcomes.decisions]
    done = distinct_actions([a for a in issue.actions if a.state == "done"
                             and (communities is None or a.community in communities)])
    return Glance(sessions=sessions, decided=decided[:DECIDED_AT_A_GLANCE],
                  more_decided=max(0, len(decided) - DECIDED_AT_A_GLANCE), done=done)


def distinct_actions(actions: list[TrackedAction]) -> list[TrackedAction]:
    """`actions` with each action once: meeting notes listed under two communities are
    followed up in each (tracked actions are per community), and a reader of both should
    read the action once. The same action is the same words, owner and due date from the
    same meeting."""
    seen: set[tuple[object, ...]] = set()
    out = []
    for a in actions:
        same = (a.text, a.owner, a.due, a.due_text, a.meeting_link or a.meeting_title,
                a.held_on)
        if same not in seen:
            seen.add(same)
            out.append(a)
    return out


def intro_text(issue: Issue, own: list[Section] | None = None) -> str:
    """One sentence with the counts of what this edition holds (its own communities; all of
    them for the full edition), leaving out what did not happen. `own` are the edition's
    sections as `edition_sections` leaves them; for the full edition each post is counted
    once however many communities list it."""
    sections = edition_sections(issue, list(issue.sections))[0] if own is None else own
    posts = sum(len(s.posts) + s.more_posts for s in sections)
    meetings = sum(len(s.meetings) for s in sections)
    sessions = sum(len(s.sessions) for s in sections)
    shared = []
    if posts:
        shared.append(plural(posts, "post"))
    if meetings:
        shared.append(f"notes from {plural(meetings, 'meeting')}")
    names = [s.name for s in sections]
    if own is None or len(names) > 3 or not names:
        who = f"{issue.organisation}'s communities of practice"
    elif len(names) == 1:
        who = names[0]
    else:
        who = f"{', '.join(names[:-1])} and {names[-1]}"
    text = (f"In {issue.period.title()}, {who} shared {' and '.join(shared)}." if shared
            else f"{issue.period.title()} was quiet for {who}.")
    if sessions and issue.coming_period:
        verb = "is" if sessions == 1 else "are"
        text += (f" {plural(sessions, 'session')} {verb} coming up in "
                 f"{issue.coming_period.title()}.")
    return text


def _headlines(section: Section, limit: int = HEADLINES_PER_COMMUNITY,
               also: list[AlsoIn] | None = None) -> OtherCommunity:
    lines = [Headline(i.title, i.link, "post") for i in section.posts]
    lines += [Headline(m.title, m.link, "meeting") for m in section.meetings]
    lines += [Headline(f"{s.title} ({session_day(s)})", s.join_url, "session")
              for s in section.sessions]
    # what the reader's own communities (or an earlier one here) already show in full
    lines += [Headline(f"{a.item.title} (also in {a.shown_in.name})", a.item.link, "also")
              for a in also or []]
    total = len(lines) + section.more_posts
    shown = lines[:limit]
    return OtherCommunity(section=section, headlines=shown, more=total - len(shown))
