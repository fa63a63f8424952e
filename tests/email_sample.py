"""A realistic issue that reaches every branch of the email template.

Checks of the email (accessibility, contrast, client support, browser layout)
run on this, so each part of the template is looked at: a lead image, a
community back after a quiet spell, one whose feeds failed, more posts than
fit, meetings with decisions and actions, sessions, other communities'
headlines and a quiet community with a session coming up.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from digest.config import Config
from digest.manifest import fill_slot
from digest.models import (
    Action,
    Decision,
    Edition,
    Issue,
    Item,
    MeetingOutcomes,
    Recipient,
    Section,
    Session,
    TrackedAction,
)
from digest.period import Period
from digest.render import Renderer
from digest.render.personal import PersonalBlocks
from tests.support import utc, write_org

OCT = Period.parse("2026-10", "monthly")
COMMUNITIES = {"data": "Data", "design": "Service Design", "research": "User Research",
               "security": "Security", "content": "Content Design"}
IMAGE = "lead-image.png"


def sample_org(root: Path, **kwargs: object) -> Config:
    """The organisation on disk (config and community list) the sample issue belongs to."""
    return write_org(root, dict.fromkeys(COMMUNITIES, []), names=COMMUNITIES, **kwargs).config()


def _post(cid: str, n: int, title: str, excerpt: str, day: int, image: str | None = None,
          alt: str = "") -> Item:
    return Item(key=f"{cid}-{n}", community=cid, kind="post", feed_url=f"https://{cid}.ex/feed",
                title=title, link=f"https://{cid}.example.org/posts/{n}", author="Priya Shah",
                published=utc(2026, 10, day, 9), updated=None, first_seen=utc(2026, 10, day, 10),
                excerpt=excerpt, image=image, image_alt=alt)


def sample_issue(config: Config, image: str | None = IMAGE) -> Issue:
    tz = config.timezone
    nov = OCT.next().start(tz)
    data = Section(
        community_id="data", name="Data", description="Data people across the trust.",
        posts=[
            _post("data", 1, "Our data catalogue is live", "After six months of discovery the "
                  "catalogue lists 240 datasets, each with an owner, a refresh date and a plain "
                  "description of what it can and cannot tell you.", 6, image,
                  "Screenshot of the data catalogue search page"),
            _post("data", 2, "Dashboards that people use & trust", "We interviewed twelve "
                  "housing officers about the dashboards they open every morning, and the ones "
                  "they stopped opening. Three patterns stood out.", 20),
            _post("data", 3, "A glossary for repairs data", "Twenty terms that mean different "
                  "things in different teams, and the definitions we agreed.", 27),
        ],
        more_posts=4,
        meetings=[
            Item(key="data-m1", community="data", kind="meeting", feed_url="f",
                 title="October data community meeting",
                 link="https://wiki.example.org/data/october", author=None,
                 published=utc(2026, 10, 15, 14), updated=None,
                 first_seen=utc(2026, 10, 15, 16), excerpt="",
                 outcomes=MeetingOutcomes(
                decisions=(Decision("Adopt the shared glossary for all repairs reporting"),
                           Decision("Retire the weekly spreadsheet export at the end of the year")),
                actions=(Action("Publish the catalogue guide", owner="Sam", due_text="31 Oct"),
                         Action("Book the November show and tell", owner="Priya"))))],
        sessions=[Session(community="data", uid="d-s1", title="Data show and tell",
                          start=nov + timedelta(days=4, hours=10),
                          end=nov + timedelta(days=4, hours=11), location="Room 4.12",
                          join_url="https://teams.example.org/l/data",
                          facilitator="Priya Shah")],
    )
    design = Section(
        community_id="design", name="Service Design", description="Designing services.",
        status="back",
        posts=[_post("design", 1, "Service patterns for repairs", "The repairs journey has "
                     "seven steps where tenants tell us the same thing twice; here is how the "
                     "new patterns remove four of them.", 14)],
        sessions=[Session(community="design", uid="s-s1", title="Journey mapping clinic",
                          start=nov + timedelta(days=11), end=None, all_day=True)],
    )
    research = Section(
        community_id="research", name="User Research", description="Research ops and craft.",
        feeds_failed=True,
        posts=[_post("research", 1, "Recruiting tenants for research, fairly", "How we pay "
                     "participants, and why we stopped using gift cards.", 9)],
    )
    quiet = [Section(community_id="security", name="Security",
                     description="Security champions meet to share threats and fixes.",
                     join_url="https://intranet.example.org/security",
                     last_activity=utc(2026, 7, 2), status="quiet",
                     sessions=[Session(community="security", uid="sec-s1",
                                       title="Threat modelling drop-in",
                                       start=nov + timedelta(days=17, hours=14),
                                       end=nov + timedelta(days=17, hours=15))])]
    def tracked(text: str, owner: str, state: str, due: date | None = None,
                community: str = "data") -> TrackedAction:
        return TrackedAction(community=community, key=text, text=text, owner=owner, due=due,
                             due_text=None, meeting_title="September data community meeting",
                             meeting_link="https://wiki.example.org/data/september",
                             held_on=date(2026, 9, 17), first_issue="2026-09",
                             state=state)  # type: ignore[arg-type]

    actions = [
        tracked("Publish the catalogue guide", "Sam Okoro", "overdue", date(2026, 10, 31)),
        tracked("Book the November show and tell", "Priya Shah", "open", date(2026, 11, 2)),
        tracked("Write up the repairs journey map", "Lee Tran", "open", community="design"),
        tracked("Share the dashboard interview notes", "Priya Shah", "done"),
    ]
    return Issue(period=OCT, title=config.title, organisation=config.organisation,
                 sections=[data, design, research], quiet=quiet, web_url=config.web_url,
                 coming_period=OCT.next(), actions=actions, built_at=utc(2026, 11, 1, 7))


READER = Recipient(email="priya.shah@example.org", name="Priya Shah", communities=None)


def sample_editions(config: Config, image: str | None = IMAGE) -> dict[str, Edition]:
    """The full edition and one for a reader of Service Design only (shows the others)."""
    renderer = Renderer(config)
    issue = sample_issue(config, image)
    editions = renderer.render_editions(issue, [None, frozenset({"design"})])
    # the full edition as Priya Shah gets it (her own actions), the other as nobody's
    personal = PersonalBlocks(renderer, issue, set(COMMUNITIES))
    out = {}
    for e in editions:
        mine = personal.owned(READER) if e.key == "all" else []
        block = personal.blocks[personal.block(e.communities, mine)]
        out[e.key] = replace(e, html=fill_slot(e.html, block.html)[0],
                             text=fill_slot(e.text, block.text)[0])
    return out


def png(width: int, height: int) -> bytes:
    """A small gradient PNG, so layout tests have a real image with a real size."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width)
                        for v in (30 + 150 * x // width, 90 + 100 * y // height, 160))
        for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
