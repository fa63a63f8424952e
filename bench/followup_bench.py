"""Actions followed up across issues, at scale: 50 communities, 4 meetings a month of 5
actions each (one a recurring task, ticked the next month), over 24 monthly issues (24,000
actions). Each build reads every note of the issues so far against what it last read, so
the cost grows with the history: this prints the last builds' times, a rebuild with
nothing changed, and one after a tenth of the notes were edited. Prints its figures;
`make bench` runs it."""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from digest.config import load_config  # noqa: E402
from digest.followup import follow_up  # noqa: E402
from digest.models import Action, Entry, MeetingOutcomes  # noqa: E402
from digest.period import Period  # noqa: E402
from digest.store import Store, item_key  # noqa: E402
from tests.report_org import write_config  # noqa: E402

COMMUNITIES = 50
MONTHS = 24
MEETINGS = 4
PEOPLE = [f"Person {i}" for i in range(90)]
TASKS = ["Write up", "Review", "Draft", "Publish", "Ask the team about", "Summarise",
         "Share", "Check", "Update", "Plan"]
TOPICS = ["the rota", "the data catalogue", "the accessibility baseline", "the tenant survey",
          "the runbook", "the glossary", "the budget", "the roadmap", "the pattern library"]


def notes(cid: str, month: Period, n: int, rng: random.Random) -> Entry:
    held = month.first_day + timedelta(days=2 + 7 * n)
    actions = [Action("Book the room for the next session", owner=f"Lead of {cid}",
                      due=held + timedelta(days=10), done=False)]
    for k in range(4):
        due = held + timedelta(days=rng.choice([7, 14, 30, 45])) if rng.random() < 0.8 else None
        actions.append(Action(f"{rng.choice(TASKS)} {rng.choice(TOPICS)} ({month.label}-{n}-{k})",
                              owner=rng.choice(PEOPLE), due=due))
    if n == 0:  # the first meeting of a month reports last month's room booked
        actions.append(Action("Book the room for the next session", owner=f"Lead of {cid}",
                              done=True))
    moment = datetime(held.year, held.month, held.day, 18, tzinfo=UTC)
    return Entry(identity=f"{cid}-{month.label}-{n}", community=cid, kind="meeting",
                 feed_url=f"https://{cid}.example.org/notes", title=f"{cid} {held}",
                 link=f"https://{cid}.example.org/{month.label}/{n}", author="Sam",
                 published=moment, updated=None, excerpt="Notes.",
                 outcomes=MeetingOutcomes(actions=tuple(actions), held_on=held))


def main() -> None:
    rng = random.Random(11)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = {f"cop-{i:02d}": f"Community {i:02d}" for i in range(COMMUNITIES)}
        config = load_config(write_config(root, extra_communities=names, known=False))
        first = Period.parse("2024-11", "monthly")
        months = [first.shift(i) for i in range(MONTHS)]
        builds: list[float] = []
        written: dict[str, Entry] = {}
        shown = 0
        with Store(config.state_path) as store:
            for month in months:
                entries = [notes(cid, month, n, rng) for cid in names for n in range(MEETINGS)]
                store.upsert_entries(entries, datetime(month.next().first_day.year,
                                                       month.next().first_day.month, 1, tzinfo=UTC))
                written |= {e.identity: e for e in entries}
                keys = [item_key(e.community, e.kind, e.identity) for e in entries]
                built = datetime.combine(month.next().first_day, datetime.min.time(), UTC)
                store.claim(month.label, "monthly", keys, built)
                start = time.perf_counter()
                shown = len(follow_up(config, store, month, frozen=False).actions)
                builds.append(time.perf_counter() - start)
                if month != months[-1]:
                    store.mark_sent(month.label, built)
            last = months[-1]
            start = time.perf_counter()
            follow_up(config, store, last, frozen=False)
            unchanged = time.perf_counter() - start
            edited = rng.sample(sorted(written.values(), key=lambda e: e.identity),
                                len(written) // 10)
            store.upsert_entries([replace(e, outcomes=replace(e.outcomes, actions=tuple(
                replace(a, due=(a.due or date(2026, 12, 1)) + timedelta(days=14))
                for a in e.outcomes.actions))) for e in edited])
            start = time.perf_counter()
            follow_up(config, store, last, frozen=False)
            after_edits = time.perf_counter() - start
            tracked = store.db.execute("SELECT count(*) FROM tracked_actions").fetchone()[0]
        size = os.path.getsize(config.state_path)
    print(f"follow-up: {COMMUNITIES} communities, {MONTHS} monthly issues, {tracked:,} actions"
          f" tracked ({size / 1e6:.1f} MB state)")
    print(f"  build of issue 1 / 12 / 24: {builds[0] * 1000:.0f} / {builds[11] * 1000:.0f} /"
          f" {builds[-1] * 1000:.0f} ms; issue 24 shows {shown:,} actions")
    print(f"  issue 24 rebuilt, nothing changed: {unchanged * 1000:.0f} ms;"
          f" after {len(edited):,} notes edited: {after_edits * 1000:.0f} ms")
    print(f"  load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
