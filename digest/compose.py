"""Compose: decide what the issue for a period holds, and group it by community.

The inclusion rule lives here and nowhere else. An issue holds the items dated
in its period, plus earlier items that no issue holds yet, back at most
`late_window` periods and never before the first issue's period. Items are
claimed in the store, so no item is ever in two issues, and a sent issue is
read back as it was. A post listed under several communities is one post of the issue
(`same_posts`); each edition's view decides where its reader meets it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

from .calendar import CalendarError, community_calendars
from .calendar import sessions as calendar_sessions
from .collect.state import load_states
from .config import Config
from .followup import follow_up
from .models import Issue, Item, Section, Session
from .period import Period
from .store import Store, to_text, utcnow


@dataclass
class Composition:
    """The issue and what the organiser should hear about how it was made."""

    issue: Issue
    frozen: bool  # read back from a sent issue
    warnings: list[str] = field(default_factory=list)


def select_items(config: Config, store: Store, period: Period) -> list[Item]:
    """The items the (unsent) issue for `period` should hold, by the inclusion rule."""
    tz = config.timezone
    periods = [Period.parse(r.period, config.cadence) for r in store.issues()
               if r.cadence == config.cadence]
    first = min([period, *periods])
    earliest = max(period.shift(-config.late_window), first)
    return store.items(
        "dated >= ? AND dated < ? AND (issue IS NULL OR issue = ?)",
        (to_text(earliest.start(tz)), to_text(period.end(tz)), period.label),
    )


def compose(config: Config, store: Store, period: Period, *, now: datetime | None = None,
            failed_communities: Iterable[str] = (), claim: bool = True) -> Composition:
    """Build the issue for `period`, claiming its items unless it was already sent.

    `claim=False` (a draft of a period not yet ended) reads the items the issue would hold
    and writes nothing: a draft must not take items from the issue still to be sent."""
    now = now or utcnow()
    failed = set(failed_communities)
    record = store.issue(period.label)
    frozen = record is not None and record.sent_at is not None
    if frozen:
        items = store.items("issue = ?", (period.label,))
        store.touch_issue(period.label, now)
    else:
        items = select_items(config, store, period)
        if claim:
            store.claim(period.label, config.cadence, [i.key for i in items], now)

    warnings: list[str] = []
    sessions = _coming_sessions(config, store, period.next(), warnings, now)
    same = same_posts(items, [c.id for c in config.communities])
    by_community: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_community[item.community].append(item)

    sections: list[Section] = []
    quiet: list[Section] = []
    activity = store.activity_marks((c.id for c in config.communities),
                                    status_boundaries(period, config.quiet_after, config.timezone))
    for community in config.communities:
        own = _once(sorted(by_community.get(community.id, []), key=lambda i: i.dated,
                           reverse=True), same)
        posts = [i for i in own if i.kind == "post"]
        section = Section(
            community_id=community.id,
            name=community.name,
            description=community.description,
            join_url=community.join_url,
            posts=posts[: config.max_items],
            more_posts=max(0, len(posts) - config.max_items),
            more_post_keys=tuple(i.key for i in posts[config.max_items:]),
            meetings=[i for i in own if i.kind == "meeting"],
            sessions=sessions.get(community.id, []),
            feeds_failed=community.id in failed,
        )
        dates = activity.get(community.id, [])
        section.last_activity = dates[-1] if dates else None
        section.status = activity_status(dates, period, config.quiet_after, config.timezone)
        if section.status == "quiet" and not section.posts and not section.meetings:
            quiet.append(section)
        elif section.has_news:
            sections.append(section)
        if section.feeds_failed:
            warnings.append(f"every feed of {community.name} failed at the last collect: "
                            f"its news may be missing from this issue")

    issue = Issue(
        period=period,
        title=config.title,
        organisation=config.organisation,
        sections=sections,
        quiet=quiet,
        web_url=config.web_url,
        coming_period=period.next(),
        actions=follow_up(config, store, period, frozen=frozen).actions,
        built_at=now,
        same_post=same,
    )
    return Composition(issue=issue, frozen=frozen, warnings=warnings)


def same_posts(items: Sequence[Item], communities: Sequence[str]) -> dict[str, str]:
    """Which of an issue's items are the same post: item key -> the key of the post's first
    item (in `communities`' order, newest first), for every other item of that post.

    The same post reaches an issue more than once when one feed is listed under two
    communities (collect fetches it once but stores its entries per community, and item
    keys include the community), or when two feeds carry it (a blog's feed and one of its
    categories', a mirror, shared meeting notes). This is the issue's one notion of "the
    same post", decided here rather than in each edition's view because the issue's own
    figures need it as much as the editions do: `Issue.post_count` and `meeting_count` (the
    manifest, the web archive, the build's line), the full edition, the glance's decisions,
    the personal blocks. What it cannot decide is where a reader meets the post: that
    depends on the reader's communities, so each edition's view keeps it in the first of
    them and points to it from the others (render.view.edition_sections).

    Two items of one kind are the same post when they come from the same feed with the same
    identity; when their identity means the same thing in any feed (a tag: or urn: id, the
    hash of the title and body of an entry with no id or link; not a feed's own "42", nor
    a notes file's name, which another feed may have too); or when they link to the same
    page (scheme, `www.`, default port, trailing slash and utm_ parameters aside). A link
    is no evidence when it is a site's root, or when one feed gives it to entries of
    different identities (a feed whose every entry links its home page).
    """
    order = {c: n for n, c in enumerate(communities)}
    ranked = sorted(items, key=lambda i: (order.get(i.community, len(order)), -i.dated.timestamp(),
                                          i.key))
    parent = {i.key: i.key for i in ranked}
    rank = {i.key: n for n, i in enumerate(ranked)}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:  # the earlier item names the post
            first, second = (ra, rb) if rank[ra] < rank[rb] else (rb, ra)
            parent[second] = first

    links: dict[tuple[str, str], set[str]] = defaultdict(set)  # (feed, link) -> identities
    for i in ranked:
        link = link_key(i.link)
        if link is not None:
            links[(i.feed_url, link)].add(i.identity)
    ambiguous = {link for (_, link), identities in links.items() if len(identities) > 1}

    seen: dict[tuple[str, ...], str] = {}
    for i in ranked:
        marks: list[tuple[str, ...]] = []
        if i.identity:
            marks.append((i.kind, "feed", i.feed_url, i.identity))
            if _global_identity(i):
                marks.append((i.kind, "id", i.identity))
        link = link_key(i.link)
        if link is not None and link not in ambiguous:
            marks.append((i.kind, "link", link))
        for mark in marks:
            if mark in seen:
                join(seen[mark], i.key)
            else:
                seen[mark] = i.key
    # the first item of each post is its own key, left out like every item that is unique
    return {i.key: root(i.key) for i in ranked if root(i.key) != i.key}


def link_key(link: str | None) -> str | None:
    """A post's link as compared across feeds, or None when it cannot tell posts apart (not
    http(s), or the site's root)."""
    if not link:
        return None
    try:
        parts = urlsplit(link.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return None
    host = host.removeprefix("www.")
    if port is not None and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not k.lower().startswith("utm_")])
    if not path and not query and not parts.fragment:
        return None  # the site's home page: some feeds link every entry there
    return f"{host}{path}" + (f"?{query}" if query else "") + (
        f"#{parts.fragment}" if parts.fragment else "")


def _global_identity(item: Item) -> bool:
    """Whether an item's identity names the same post in any feed: a tag: or urn: URI
    (RFC 4151, RFC 8141), or parse's hash of a title and a body (`h:`) when there was a body
    (two feeds' bodiless "Weekly update"s are not one post).

    Not a URL: feedparser resolves an RSS guid such as "42" against the feed's address, so
    two feeds on one host both give "https://host/42" for different posts; a post's URL is
    compared as its link. Nor a feed's own "post-7" or a notes folder's file name."""
    if item.identity.startswith("h:"):
        return bool(item.excerpt.strip())
    return item.identity.lower().startswith(("tag:", "urn:"))


def _once(items: list[Item], same: dict[str, str]) -> list[Item]:
    """`items` of one community with each post once: two of its feeds may carry the same."""
    seen: set[str] = set()
    out = []
    for item in items:
        post = same.get(item.key, item.key)
        if post not in seen:
            seen.add(post)
            out.append(item)
    return out


def status_boundaries(period: Period, quiet_after: int, tz: ZoneInfo) -> list[datetime]:
    """The period starts `activity_status` compares dates with, and the end of `period`:
    what `Store.activity_marks` needs so that its few dates decide the same status."""
    return [period.shift(-n).start(tz) for n in range(quiet_after, -1, -1)] + [period.end(tz)]


def activity_status(dates: list[datetime], period: Period, quiet_after: int, tz: ZoneInfo
                    ) -> Literal["quiet", "back", "active"]:
    """'quiet', 'back' or 'active' for a community with items on `dates` (all before the end
    of `period`).

    Quiet: nothing in the last `quiet_after` periods up to and including this one.
    Back: something in this period after `quiet_after` silent periods before it, having been
    active before that.
    """
    window_start = period.shift(-(quiet_after - 1)).start(tz)
    if not any(d >= window_start for d in dates):
        return "quiet"
    this_start = period.start(tz)
    gap_start = period.shift(-quiet_after).start(tz)
    in_this = any(d >= this_start for d in dates)
    in_gap = any(gap_start <= d < this_start for d in dates)
    before_gap = any(d < gap_start for d in dates)
    if in_this and not in_gap and before_gap:
        return "back"
    return "active"


def coming_window(coming: Period, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Where an issue looks for its coming sessions: the period after the issue's, or,
    for an issue built once that period has begun, from the start of the build's day (a
    session under way, or all day, when cron builds on the 1st at 07:30 is still to be
    shown) to a period's length after the build (October's built in December shows
    December's, so a reader who gets it late still sees when they meet next). Sessions
    over at the build are left out by the query (`not_over_at`)."""
    start, end = coming.start(tz), coming.end(tz)
    if now <= start:
        return start, end
    now = now.astimezone(tz)
    return max(start, datetime.combine(now.date(), time(), tzinfo=tz)), now + (end - start)


def _coming_sessions(config: Config, store: Store, coming: Period, warnings: list[str],
                     now: datetime) -> dict[str, list[Session]]:
    """Each community's sessions in `coming` (see `coming_window`), from the calendar
    body last collected.

    A calendar that failed at the last collect still shows what it last said (the
    rota rarely changes overnight), but not one that is gone (HTTP 410).
    """
    tz = config.timezone
    gone = {url for url, state in load_states(store).items() if state.status == "gone"}
    out: dict[str, list[Session]] = {}
    for community, url, body in community_calendars(config, store):
        if url in gone:
            continue  # removed by its owner
        try:
            capped: list[str] = []
            start, end = coming_window(coming, now, tz)
            out[community] = calendar_sessions(body, community, start, end, tz, capped,
                                               not_over_at=now)
            warnings += [f"calendar of {community} ({url}): {problem}" for problem in capped]
        except CalendarError as e:
            warnings.append(f"calendar of {community} ({url}) could not be read: {e}")
    return out
