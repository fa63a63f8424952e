"""`digest report` on 50 communities and five years of history (72,000 items, a weekly
calendar each): how long the report takes, and compose's quiet/back lookup before and
after grouped queries. Prints its figures; `make bench` runs it."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest.compose import activity_status, status_boundaries  # noqa: E402
from digest.config import load_config  # noqa: E402
from digest.models import Action, Decision, Entry, MeetingOutcomes  # noqa: E402
from digest.period import Period  # noqa: E402
from digest.render import Renderer  # noqa: E402
from digest.report import build_report, email_edition, write_page  # noqa: E402
from digest.report.formats import to_json  # noqa: E402
from digest.store import Store  # noqa: E402
from tests.report_org import calendar, event, write_config  # noqa: E402

COMMUNITIES = 50
ITEMS = 72_000
START = datetime(2021, 11, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
PEOPLE = [f"Person {i}" for i in range(40)]


def weekly_calendar(cid: str, rng: random.Random) -> bytes:
    uid = f"{cid}-weekly@example.org"
    events = [event(uid, "20211102T120000Z", rng.choice(PEOPLE), rrule="FREQ=WEEKLY")]
    for week in rng.sample(range(1, 250), 6):  # a few cancelled occurrences
        moment = datetime(2021, 11, 2, 12, tzinfo=UTC) + timedelta(weeks=week)
        stamp = moment.strftime("%Y%m%dT%H%M%SZ")
        events.append(event(uid, stamp, "x", recurrence_id=stamp, status="CANCELLED"))
    return calendar(events)


def make(root: Path) -> Path:
    rng = random.Random(5)
    names = {f"cop-{i:02d}": f"Community of Practice {i:02d}" for i in range(COMMUNITIES)}
    config_path = write_config(root, extra_communities=names, known=False)
    config = load_config(config_path)
    ids = [c.id for c in config.communities]
    span = (END - START).total_seconds()
    entries = []
    for n in range(ITEMS):
        cid = ids[n % len(ids)]
        when = START + timedelta(seconds=rng.random() * span)
        meeting = n % 6 == 0
        outcomes = MeetingOutcomes(
            decisions=(Decision("Agreed"),),
            actions=(Action("Do it", rng.choice(PEOPLE), when.date() + timedelta(days=14),
                            None, done=rng.random() < 0.5),)) if meeting else MeetingOutcomes()
        entries.append(Entry(identity=f"{cid}-{n}", community=cid,
                             kind="meeting" if meeting else "post",
                             feed_url=f"https://{cid}.example.org/feed", title=f"Item {n}",
                             link=None, author=rng.choice(PEOPLE), published=when, updated=None,
                             excerpt="", outcomes=outcomes))
    with Store(config.state_path) as store:
        store.upsert_entries(entries, seen_at=END + timedelta(days=20))
        feeds = (root / "feeds").resolve()
        for cid in ids:
            store.save_calendar(str(feeds / f"{cid}.ics"), cid, weekly_calendar(cid, rng), END)
        store.db.execute("ANALYZE")
    # the config names each community's calendar
    text = (root / "feeds" / "communities.toml").read_text(encoding="utf-8")
    for cid in ids:
        text = text.replace(f'posts = ["{cid}.xml"]\n',
                            f'posts = ["{cid}.xml"]\ncalendar = "{cid}.ics"\n')
    (root / "feeds" / "communities.toml").write_text(text, encoding="utf-8")
    return config_path


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        t = time.perf_counter()
        config = load_config(make(root))
        print(f"made {ITEMS:,} items and {COMMUNITIES} weekly calendars in "
              f"{time.perf_counter() - t:.1f} s")
        period = Period.parse("2026-10", "monthly")
        with Store(config.state_path) as store:
            timings = []
            for _ in range(3):
                t = time.perf_counter()
                report = build_report(config, store, period)
                timings.append(time.perf_counter() - t)
            t = time.perf_counter()
            to_json(report)
            renderer = Renderer(config)
            write_page(config, report, renderer)
            edition = email_edition(config, report, renderer)
            render = time.perf_counter() - t

            tz, ids = config.timezone, [c.id for c in config.communities]
            t = time.perf_counter()
            walked = {c: activity_status(store.activity_dates(c, period.end(tz)), period,
                                         config.quiet_after, tz) for c in ids}
            walk = time.perf_counter() - t
            t = time.perf_counter()
            marks = store.activity_marks(ids, status_boundaries(period, config.quiet_after, tz))
            grouped = {c: activity_status(marks.get(c, []), period, config.quiet_after, tz)
                       for c in ids}
            lookup = time.perf_counter() - t
            assert walked == grouped
        print(f"report, {len(report.communities)} communities x 12 months: "
              f"{min(timings):.2f} s best, {max(timings):.2f} s worst of 3 (budget 2 s)")
        held = sum(c.total("sessions") for c in report.communities)
        print(f"sessions held counted over the 12 months: {held:,} (a weekly calendar each: "
              f"~52 a community less its cancelled ones; none cut by the digest's caps)")
        print(f"page + email + JSON rendering: {render:.2f} s; email "
              f"{len(edition.html.encode()) / 1024:.1f} KB (budget 90 KB)")
        print(f"compose's quiet/back: walking each community {walk * 1000:.0f} ms, "
              f"grouped lookups {lookup * 1000:.0f} ms (same statuses)")
        command = [str(Path(sys.executable).with_name("digest")), "--config", str(config.path),
                   "report", "--period", "2026-10", "--format", "json"]
        walls = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            walls.append(time.perf_counter() - t)
        print(f"`digest report --format json` as a command, page included: {min(walls):.2f} s "
              f"best, {max(walls):.2f} s worst of 3 (budget 2 s)")
        print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
