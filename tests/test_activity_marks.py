"""Compose decides quiet and back from a few dates per community (`Store.activity_marks`),
found by grouped index lookups; it must decide exactly what the whole history decides."""

from __future__ import annotations

import random
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.compose import activity_status, status_boundaries
from digest.period import Period
from digest.store import Store
from tests.support import entry, utc

TZ = ZoneInfo("Europe/London")
OLD = Path(__file__).parent / "fixtures" / "state" / "digest-0.1.0.db"


def test_marks_decide_the_same_status_and_last_activity_as_the_whole_history(tmp_path):
    rng = random.Random(12)
    communities = [f"c{i}" for i in range(40)]
    entries = []
    start = utc(2024, 1, 1)
    for i, c in enumerate(communities):
        # every shape: dense, sparse, a gap, silent lately, nothing at all
        for n in range(rng.choice([0, 1, 3, 20, 80])):
            moment = start + timedelta(hours=rng.randrange(0, 24 * 1000))
            if i % 5 == 0 and moment >= utc(2026, 6, 1):
                continue  # a gap before the end for a fifth of them
            entries.append(entry(c, f"{c}-{n}", moment))
    with Store(tmp_path / "digest.db") as store:
        store.upsert_entries(entries, seen_at=utc(2027, 1, 1))
        checked = 0
        for label in ("2026-03", "2026-07", "2026-08", "2026-09", "2026-10"):
            period = Period.parse(label, "monthly")
            for quiet_after in (1, 2, 3):
                end = period.end(TZ)
                marks = store.activity_marks(communities,
                                             status_boundaries(period, quiet_after, TZ))
                for c in communities:
                    full = store.activity_dates(c, before=end)
                    few = marks.get(c, [])
                    assert activity_status(few, period, quiet_after, TZ) == \
                        activity_status(full, period, quiet_after, TZ), (c, label, quiet_after)
                    assert (few[-1] if few else None) == (full[-1] if full else None)
                    assert len(few) <= 2 * (quiet_after + 2)
                    checked += 1
        assert checked == 40 * 5 * 3


def test_the_grouped_query_uses_the_activity_index(tmp_path):
    with Store(tmp_path / "digest.db") as store:
        plan = " ".join(r[3] for r in store.db.execute(
            "EXPLAIN QUERY PLAN SELECT community, min(dated) FROM items"
            " WHERE community IN ('a', 'b') AND dated >= '2026' AND dated < '2027'"
            " GROUP BY community"))
    assert "items_activity" in plan and "COVERING" in plan, plan


def test_a_release_0_1_database_gains_the_activity_index(tmp_path):
    path = tmp_path / "digest.db"
    shutil.copyfile(OLD, path)
    Store(path).close()
    names = {r[0] for r in sqlite3.connect(path).execute(
        "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "items_activity" in names
