"""A large organisation for the size budget: N communities, each with 20 posts, 4 meetings of
5 decisions and 5 actions, and 4 sessions in the coming period. Every action is open and
followed up (the issue's tracked actions), owned by one of 90 people, so each reader's own
block at a glance is as large as a busy person's would be.

Shared by tests/test_size_budget.py and bench/size_bench.py, so the figures the bench
prints are for the issue the test pins.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from digest.config import Config
from digest.models import (
    Action,
    Decision,
    Issue,
    Item,
    MeetingOutcomes,
    Recipient,
    Section,
    Session,
    TrackedAction,
)
from digest.period import Period
from tests.support import utc, write_org

OCT = Period.parse("2026-10", "monthly")
WORDS = ("tenant repairs portal discovery accessibility audit findings pattern library "
         "roadmap research interview synthesis data catalogue lineage incident review "
         "onboarding guidance retention licensing migration backlog").split()
PEOPLE = ("Jordan Example", "Riley Sample", "Morgan Placeholder", "Casey Fictional",
          "Avery Madeup", "Quinn Invented")
SURNAMES = ("Ashdown", "Bellweather", "Coldharbour", "Dunmore", "Eastleigh", "Fairhaven",
            "Greystoke", "Hollowell", "Ivybridge", "Juniper", "Kestrel", "Larkspur", "Millbrook",
            "Northcott", "Oakridge")
# 90 action owners: each owns about 11 of the 1,000 actions of 50 communities, spread over
# several communities (a busy person's own block, not an average one)
OWNERS = tuple(f"{p.split()[0]} {s}" for s in SURNAMES for p in PEOPLE)
# real-world-ish community names, so headings are as long as real ones
NAMES = ("Product", "Design", "Data", "Engineering", "User research", "Content design",
         "Security", "Architecture", "Delivery", "Analytics", "Accessibility", "Platform",
         "Service ownership", "Performance", "Finance partners", "Procurement", "Legal ops",
         "People partners", "Learning", "Knowledge management", "Customer support",
         "Repairs", "Asset management", "Housing officers", "Income", "Lettings",
         "Community safety", "Sustainability", "Digital inclusion", "Interaction design")


def sentence(seed: int, n: int) -> str:
    return " ".join(WORDS[(seed * 7 + i * 3) % len(WORDS)] for i in range(n)).capitalize()


def community_ids(n: int) -> list[str]:
    return [f"cop-{i:02d}" for i in range(n)]


def community_name(i: int) -> str:
    base = NAMES[i % len(NAMES)]
    return base if i < len(NAMES) else f"{base} {i // len(NAMES) + 1}"


def large_config(root: Path, n: int, *, web_url: bool = True) -> Config:
    """An organisation of `n` communities on disk (no feeds are read: the issue is made here)."""
    ids = community_ids(n)
    org = write_org(root, {cid: [] for cid in ids},
                    names={cid: community_name(i) for i, cid in enumerate(ids)})
    if not web_url:
        path = org.config_path
        text = path.read_text(encoding="utf-8")
        path.write_text("\n".join(line for line in text.splitlines()
                                  if not line.startswith("web_url")) + "\n", encoding="utf-8")
    return org.config()


def community_section(config: Config, cid: str, name: str, *, posts: int = 20, meetings: int = 4,
                      outcomes: int = 5, sessions: int = 4) -> Section:
    tz = config.timezone
    n = int(cid.removeprefix("cop-"))
    host = f"https://{cid}.example.org"
    made = [Item(key=f"{cid}-p{i}", community=cid, kind="post", feed_url="f",
                 title=sentence(i, 9), link=f"{host}/posts/{i}-"
                 + sentence(i, 4).lower().replace(" ", "-"),
                 author=PEOPLE[i % len(PEOPLE)], published=utc(2026, 10, 1 + i % 28),
                 updated=None, first_seen=utc(2026, 10, 1 + i % 28), excerpt=sentence(i, 60),
                 image=f"{host}/img/{i}.png" if i % 3 == 0 else None,
                 image_alt="A photo from the session")
            for i in range(posts)]
    notes = [
        Item(key=f"{cid}-m{i}", community=cid, kind="meeting", feed_url="f",
             title=f"{name} monthly meeting {i + 1}",
             link=f"https://wiki.example.org/display/{cid.upper()}/Meeting+notes+{i + 1}",
             author=None, published=utc(2026, 10, 3 + 7 * i), updated=None,
             first_seen=utc(2026, 10, 3 + 7 * i), excerpt=sentence(i, 40),
             outcomes=MeetingOutcomes(
                 decisions=tuple(Decision(sentence(i + k, 16)) for k in range(outcomes)),
                 actions=tuple(Action(sentence(i + k, 12),
                                      owner=OWNERS[(n * 20 + i * 5 + k) * 7 % len(OWNERS)],
                                      due=date(2026, 11, 14), due_text="14 Nov 2026")
                               for k in range(outcomes)),
                 held_on=date(2026, 10, 3 + 7 * i)))
        for i in range(meetings)]
    start = OCT.next().start(tz)
    coming = [Session(community=cid, uid=f"{cid}-s{i}", title=f"{name} session",
                      start=start + timedelta(days=3 + 7 * i, hours=10),
                      end=start + timedelta(days=3 + 7 * i, hours=11),
                      location="Room 4.12, Riverside House",
                      join_url="https://teams.example.org/l/meetup-join/abcdef1234567890",
                      facilitator=PEOPLE[i % len(PEOPLE)])
              for i in range(sessions)]
    return Section(community_id=cid, name=name, description=f"The {name} community.",
                   posts=made[: config.max_items], more_posts=max(0, posts - config.max_items),
                   meetings=notes, sessions=coming)


def large_issue(config: Config, **sizes: int) -> Issue:
    """Every community of `config` with a busy month (sizes as in `community_section`), every
    action of its meetings open and followed up."""
    sections = [community_section(config, c.id, c.name, **sizes) for c in config.communities]
    actions = [TrackedAction(community=s.community_id, key=f"{m.key}-a{k}", text=a.text,
                             owner=a.owner, due=a.due, due_text=a.due_text,
                             meeting_title=m.title, meeting_link=m.link,
                             held_on=m.outcomes.held_on or m.dated.date(), first_issue=OCT.label,
                             state="open")
               for s in sections for m in s.meetings for k, a in enumerate(m.outcomes.actions)]
    return Issue(period=OCT, title=config.title, organisation=config.organisation,
                 sections=sections, quiet=[], web_url=config.web_url, coming_period=OCT.next(),
                 actions=actions)


def large_readers(audiences: list[frozenset[str] | None]) -> list[Recipient]:
    """For each set of communities, a reader under each owner's name (most own actions in
    it), so the build's largest own block per edition is a busy person's."""
    return [Recipient(f"{owner.lower().replace(' ', '.')}.{i}@example.org", owner, communities)
            for i, communities in enumerate(audiences) for owner in OWNERS]

