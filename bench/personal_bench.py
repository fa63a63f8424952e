"""Personal blocks cost: building for 10,000 readers over 100 editions, with and without them.

Each reader's own block (their actions, the other open actions) is rendered once per
distinct content and put into their edition at send time, so a build should cost about
what it did before personal blocks: one render per edition, not one per reader. Prints
both builds, their ratio (the target is at most 2x), the distinct blocks, and what
putting each reader's message together at send time costs.

    python bench/personal_bench.py [--readers 10000] [--communities 10] [--editions 100]
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest.config import Config  # noqa: E402
from digest.deliver.message import MessageFactory, message_id_for  # noqa: E402
from digest.manifest import read_manifest  # noqa: E402
from digest.models import (  # noqa: E402
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
from digest.period import Period  # noqa: E402
from digest.render import Renderer, write_editions  # noqa: E402
from digest.render.personal import PersonalBlocks  # noqa: E402
from tests.support import write_org  # noqa: E402

OCT = Period.parse("2026-10", "monthly")
FIRST = ("Ada", "Ben", "Chloé", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jo", "Kemi",
         "Lars", "Mei", "Nia", "Omar", "Pia", "Quinn", "Rui", "Sade", "Tom")
LAST = ("Okafor", "Hollis", "Nowak", "Lal", "Kaur", "Mensah", "Lloyd", "Morgan", "Ferreira",
        "Ashworth", "Brennan", "Wolny", "Adeyemi", "McBride", "Qureshi")


def write_config(folder: Path, communities: int) -> Config:
    """An organisation of `communities` communities on disk (the issue is made here, not
    collected; the readers are passed to the build, not read from recipients.csv)."""
    ids = [f"c{i:02d}" for i in range(communities)]
    return write_org(folder, dict.fromkeys(ids, []), recipients="email,name,communities\n",
                     names={cid: f"Community {i}" for i, cid in enumerate(ids)}).config()


def issue(config: Config, rng: random.Random) -> Issue:
    """Each community: 3 posts, 2 meetings of 3 decisions and 4 actions, 2 sessions; plus 6
    actions followed up from earlier issues, owned by people who read the digest."""
    tz = config.timezone
    nov = OCT.next().start(tz)
    people = [f"{f} {la}" for f, la in itertools.product(FIRST, LAST)]
    sections, actions = [], []
    for n, community in enumerate(config.communities):
        cid = community.id
        posts = [Item(key=f"{cid}-p{i}", community=cid, kind="post", feed_url="f",
                      title=f"{community.name}: what we learnt about topic {i}",
                      link=f"https://{cid}.example.org/{i}", author=rng.choice(people),
                      published=datetime(2026, 10, 3 + i, tzinfo=UTC), updated=None,
                      first_seen=datetime(2026, 10, 3 + i, 1, tzinfo=UTC),
                      excerpt="A paragraph about what the community did and why. " * 3)
                 for i in range(3)]
        meetings = [Item(key=f"{cid}-m{i}", community=cid, kind="meeting", feed_url="f",
                         title=f"{community.name} meeting {i + 1}",
                         link=f"https://wiki.example.org/{cid}/{i}", author=None,
                         published=datetime(2026, 10, 10 + i, tzinfo=UTC), updated=None,
                         first_seen=datetime(2026, 10, 10 + i, 1, tzinfo=UTC), excerpt="",
                         outcomes=MeetingOutcomes(
                             decisions=tuple(Decision(f"Decision {d} of meeting {i}")
                                             for d in range(3)),
                             actions=tuple(Action(f"Action {a} of meeting {i}",
                                                  owner=rng.choice(people)) for a in range(4))))
                    for i in range(2)]
        sessions = [Session(community=cid, uid=f"{cid}-s{i}", title=f"{community.name} clinic",
                            start=nov + timedelta(days=3 + 7 * i, hours=14),
                            end=nov + timedelta(days=3 + 7 * i, hours=15),
                            join_url=f"https://meet.example.org/{cid}")
                    for i in range(2)]
        sections.append(Section(community_id=cid, name=community.name, description="",
                                posts=posts, meetings=meetings, sessions=sessions))
        for m in meetings:
            for a in m.outcomes.actions:
                actions.append(TrackedAction(cid, f"{m.key}{a.text}", a.text, a.owner, None,
                                             None, m.title, m.link, date(2026, 10, 12),
                                             "2026-10", "open"))
        for k in range(6):
            actions.append(TrackedAction(cid, f"{cid}-old{k}", f"Earlier action {k} of {cid}",
                                         rng.choice(people), date(2026, 10, 20 + k % 5), None,
                                         "September meeting", None, date(2026, 9, 15),
                                         "2026-09", "overdue" if k % 2 else "open"))
        del n
    return Issue(period=OCT, title=config.title, organisation=config.organisation,
                 sections=sections, quiet=[], web_url=config.web_url, coming_period=OCT.next(),
                 actions=actions, built_at=datetime(2026, 11, 1, 7, tzinfo=UTC))


def readers(config: Config, count: int, editions: int, rng: random.Random) -> list[Recipient]:
    ids = [c.id for c in config.communities]
    sets: list[frozenset[str]] = []
    for size in range(1, len(ids)):
        for combo in itertools.combinations(ids, size):
            sets.append(frozenset(combo))
    rng.shuffle(sets)
    chosen = sets[: editions - 1]  # and the full edition
    people = [f"{f} {la}" for f, la in itertools.product(FIRST, LAST)]
    out = []
    for i in range(count):
        name = people[i % len(people)] if i < len(people) else f"Reader {i}"
        communities = None if i % editions == 0 else chosen[i % len(chosen)]
        out.append(Recipient(email=f"reader{i:05d}@example.org", name=name,
                             communities=communities))
    return out


def build(config: Config, the_issue: Issue, audience: list[Recipient], personal: bool
          ) -> tuple[float, int]:
    started = time.perf_counter()
    renderer = Renderer(config)
    if personal:
        blocks = PersonalBlocks(renderer, the_issue, {c.id for c in config.communities},
                                web_issue_url=f"{config.web_url}{OCT.label}/#glance")
        blocks.assign(audience)
        editions = renderer.render_editions(the_issue, (r.communities for r in audience),
                                            extra_bytes=blocks.largest)
        write_editions(config, the_issue, editions, blocks=blocks.blocks.values(),
                       default_blocks=blocks.default, readers=blocks.readers)
        count = len(blocks.blocks)
    else:
        editions = renderer.render_editions(the_issue, (r.communities for r in audience))
        write_editions(config, the_issue, editions)
        count = 0
    return time.perf_counter() - started, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readers", type=int, default=10_000)
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--editions", type=int, default=100)
    args = parser.parse_args()
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), args.communities)
        the_issue = issue(config, rng)
        audience = readers(config, args.readers, args.editions, rng)
        without = replace(the_issue, actions=[])
        build(config, without, audience, personal=False)  # warm the templates and imports
        plain, _ = build(config, without, audience, personal=False)
        with_blocks, blocks = build(config, the_issue, audience, personal=True)
        manifest = read_manifest(config.out_path / OCT.label)
        print(f"personal blocks: {args.readers} readers, {len(manifest.editions)} editions, "
              f"{args.communities} communities, {len(the_issue.actions)} open actions")
        print(f"  build without personal blocks: {plain:6.2f} s")
        print(f"  build with personal blocks:    {with_blocks:6.2f} s "
              f"({with_blocks / plain:.2f}x; target at most 2x), {blocks} distinct blocks, "
              f"{len(manifest.readers)} readers with their own actions")
        # send time: every reader's message put together from edition + block
        factory = MessageFactory(config, OCT.label)
        editions = {e.key: manifest.edition(e.key) for e in manifest.editions}
        from digest.render.view import audience as audience_of
        from digest.render.view import edition_key
        every = {c.id for c in config.communities}
        started = time.perf_counter()
        assembled: dict[tuple[str, str | None], object] = {}
        for r in audience:
            key = edition_key(audience_of(r.communities, every))
            block = manifest.block_for(manifest.record(key), r.email)
            edition = assembled.get((key, block))
            if edition is None:
                edition = manifest.edition(key, block) if block else editions[key]
                assembled[(key, block)] = edition
            factory.message_bytes(edition, r, message_id_for(OCT.label, r.email,  # type: ignore[arg-type]
                                                             config.delivery.sender))
        put_together = time.perf_counter() - started
        print(f"  putting {args.readers} messages together at send time: {put_together:6.2f} s "
              f"({args.readers / put_together:.0f} msg/s)")
        print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
