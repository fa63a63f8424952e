"""The view of an issue for one edition: what both the HTML and the text templates show.

Both parts of the email are rendered from this one value, so they cannot
disagree about what the issue holds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal

from ..addresses import parse_mailbox
from ..config import Config
from ..models import Decision, Issue, Item, Section, Session

ALL = "all"
HEADLINES_PER_COMMUNITY = 3


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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
        return parse_mailbox(self.config.delivery.sender)[1]

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
        return section_summary(section)

    def next_session(self, section: Section) -> Session | None:
        return min(section.sessions, key=lambda x: x.start) if section.sessions else None


def community_page(community_id: str) -> str:
    """The file of a community's page, beside the issue's index.html in the web archive
    (community ids are lower-case letters, digits, - and _, so this is a safe file name)."""
    return f"community-{community_id}.html"


def section_summary(section: Section) -> str:
    parts = []
    posts = len(section.posts) + section.more_posts
    if posts:
        parts.append(plural(posts, "post"))
    if section.meetings:
        parts.append(plural(len(section.meetings), "meeting"))
    if section.sessions:
        parts.append(plural(len(section.sessions), "session") + " coming up")
    return ", ".join(parts)


def subject_line(issue: Issue) -> str:
    counts = [plural(issue.post_count, "post"), plural(issue.meeting_count, "meeting"),
              plural(issue.session_count, "session") + " coming up"]
    return f"{issue.period.short_title()} at a glance: {', '.join(counts)}"


def preheader_text(issue: Issue, own: list[Section]) -> str:
    """The inbox preview: who has news, and the next session, so the reader knows why to open."""
    names = [s.name for s in own] or [s.name for s in issue.sections]
    if not names:
        news = f"A quiet {issue.period.short_title()} across {issue.organisation}."
    elif len(names) == 1:
        news = f"News from {names[0]}."
    elif len(names) <= 3:
        news = f"News from {', '.join(names[:-1])} and {names[-1]}."
    else:
        news = f"News from {', '.join(names[:3])} and {len(names) - 3} more."
    sessions = sorted((s for sec in (own or issue.sections) for s in sec.sessions),
                      key=lambda s: s.start)
    if sessions:
        news += f" Next up: {sessions[0].title}, {session_day(sessions[0])}."
    return news


def session_day(session: Session) -> str:
    return f"{session.start:%a} {session.start.day} {session.start:%b}"


def session_when(session: Session) -> str:
    if session.all_day:
        return f"{session_day(session)}, all day"
    end = f"–{session.end:%H:%M}" if session.end else ""
    return f"{session_day(session)}, {session.start:%H:%M}{end}"


def item_date(item: Item, config: Config) -> str:
    moment = item.dated.astimezone(config.timezone)
    return f"{moment.day} {moment:%b %Y}"


def build_view(config: Config, issue: Issue, communities: frozenset[str] | None,
               detail: Detail = DETAIL_LEVELS[0]) -> View:
    """Split the issue for a reader of `communities` (None: everything, in full)."""
    if communities is None:
        own, rest = list(issue.sections), []
    else:
        own = [s for s in issue.sections if s.community_id in communities]
        rest = [s for s in issue.sections if s.community_id not in communities]
    others = [_headlines(s, detail.headlines_per_other) for s in rest]
    web_issue_url = f"{config.web_url}{issue.period.label}/" if config.web_url else None
    toc = [(s.community_id, s.name, section_summary(s)) for s in own]
    if others:
        toc.append(("across", "Across the organisation",
                    plural(len(others), "more community") if len(others) == 1 else
                    f"{len(others)} more communities"))
    if issue.quiet:
        toc.append(("quiet", "Gone quiet", ", ".join(s.name for s in issue.quiet)))
    intro = intro_text(issue)
    return View(
        config=config, issue=issue, key=edition_key(communities), communities=communities,
        own=own, others=others, quiet=list(issue.quiet), subject=subject_line(issue),
        preheader=preheader_text(issue, own), intro=intro, web_issue_url=web_issue_url,
        detail=detail, toc=toc,
    )


def intro_text(issue: Issue) -> str:
    """One sentence with the issue's counts, leaving out what did not happen."""
    shared = []
    if issue.post_count:
        shared.append(plural(issue.post_count, "post"))
    if issue.meeting_count:
        shared.append(f"notes from {plural(issue.meeting_count, 'meeting')}")
    who = f"{issue.organisation}'s communities of practice"
    text = (f"In {issue.period.title()}, {who} shared {' and '.join(shared)}." if shared
            else f"{issue.period.title()} was quiet for {who}.")
    if issue.session_count and issue.coming_period:
        verb = "is" if issue.session_count == 1 else "are"
        text += (f" {plural(issue.session_count, 'session')} {verb} coming up in "
                 f"{issue.coming_period.title()}.")
    return text


def _headlines(section: Section, limit: int = HEADLINES_PER_COMMUNITY) -> OtherCommunity:
    lines = [Headline(i.title, i.link, "post") for i in section.posts]
    lines += [Headline(m.title, m.link, "meeting") for m in section.meetings]
    lines += [Headline(f"{s.title} ({session_day(s)})", s.join_url, "session")
              for s in section.sessions]
    total = len(lines) + section.more_posts
    shown = lines[:limit]
    return OtherCommunity(section=section, headlines=shown, more=total - len(shown))
