"""A state database from before actions followed their edits upgrades in place.

`fixtures/state/digest-0.2-dev.db` was made by main at ddc94d9 (schema 6) running the
sample organisation with `send_empty = true`: the September, October and November 2026
issues built and sent through the outbox, their follow-up recorded in `tracked_actions`
and `issue_actions` (then read back by joining the two). Never regenerate it with a newer
release.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from digest.compose import compose
from digest.config import Config, load_config
from digest.models import TrackedAction
from digest.period import Period
from digest.store import SCHEMA_VERSION, Store, utcnow
from tests.support import copy_state

FIXTURE = Path(__file__).parent / "fixtures" / "state" / "digest-0.2-dev.db"
REPO = Path(__file__).resolve().parent.parent
SENT = ("2026-09", "2026-10", "2026-11")


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    return copy_state(FIXTURE, tmp_path)


@pytest.fixture
def config(tmp_path: Path) -> Config:
    toml = (REPO / "digest.toml").read_text(encoding="utf-8")
    (tmp_path / "digest.toml").write_text(
        toml.replace('feeds = "feeds/communities.toml"', f'feeds = "{REPO}/feeds/communities.toml"')
        .replace('recipients = "feeds/recipients.csv"',
                 f'recipients = "{REPO}/feeds/recipients.csv"'), encoding="utf-8")
    return load_config(tmp_path / "digest.toml")


def shown_by_schema_6(path: Path, period: str) -> list[TrackedAction]:
    """What the sent issue showed, read the way schema 6's release read it back."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        rows = db.execute(
            "SELECT t.*, i.state FROM issue_actions i JOIN tracked_actions t"
            " ON t.community = i.community AND t.key = i.key WHERE i.period = ?"
            " ORDER BY t.held_on, t.meeting_item, t.text", (period,)).fetchall()
    finally:
        db.close()
    return [TrackedAction(
        community=r["community"], key=r["key"], text=r["text"], owner=r["owner"],
        due=date.fromisoformat(r["due"]) if r["due"] else None, due_text=r["due_text"],
        meeting_title=r["meeting_title"], meeting_link=r["meeting_link"],
        held_on=date.fromisoformat(r["held_on"]), first_issue=r["first_issue"],
        state=r["state"]) for r in rows]


def test_the_fixture_is_schema_6_with_sent_issues_that_followed_actions_up() -> None:
    db = sqlite3.connect(FIXTURE)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 6
        assert [r[0] for r in db.execute("SELECT period FROM issues WHERE sent_at IS NOT NULL"
                                         " ORDER BY 1")] == list(SENT)
    finally:
        db.close()
    assert {a.state for a in shown_by_schema_6(FIXTURE, "2026-11")} == {"open", "overdue"}


def test_sent_issues_read_back_as_they_were_shown_after_the_upgrade(
        old_db: Path, config: Config) -> None:
    before = {p: shown_by_schema_6(old_db, p) for p in SENT}
    assert all(before.values())
    with Store(old_db) as store:
        assert store.migrated_from == 6
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        for period in SENT:
            issue = compose(config, store, Period.parse(period, "monthly"), now=utcnow()).issue
            assert issue.actions == before[period], period
    assert (old_db.parent / "digest.db.v6.bak").exists()


def test_the_next_issue_follows_the_upgraded_actions_and_their_later_edits(
        old_db: Path, config: Config) -> None:
    november = {(a.community, a.key): a for a in shown_by_schema_6(old_db, "2026-11")}
    with Store(old_db) as store:
        # a later version of one October note ticks one action November showed open and
        # moves another's due date
        by_note: dict[tuple[str, str], list[TrackedAction]] = {}
        for a in november.values():
            by_note.setdefault((a.community, a.meeting_title), []).append(a)
        (community, title), followed = next(n for n in sorted(by_note.items()) if len(n[1]) > 1)
        notes = next(i for i in store.items("kind = 'meeting' AND community = ? AND title = ?",
                                            (community, title)))
        raw = json.loads(store.db.execute("SELECT outcomes FROM items WHERE key = ?",
                                          (notes.key,)).fetchone()[0])
        ticked = next(a for a in raw["actions"] if a["text"] == followed[0].text)
        moved = next(a for a in raw["actions"] if a["text"] == followed[1].text)
        ticked["done"] = True
        moved["due"], moved["due_text"] = "2027-01-29", "29 January"
        store.db.execute("UPDATE items SET outcomes = ? WHERE key = ?",
                         (json.dumps(raw, ensure_ascii=False), notes.key))

        december = compose(config, store, Period.parse("2026-12", "monthly"),
                           now=utcnow()).issue
        again = compose(config, store, Period.parse("2026-11", "monthly"), now=utcnow()).issue
    assert list(again.actions) == list(november.values())  # sent: as it was shown
    shown = {a.text: a for a in december.actions if a.community == notes.community}
    assert shown[ticked["text"]].state == "done"
    assert shown[moved["text"]].due == date(2027, 1, 29)
    assert shown[moved["text"]].state == "open"
    # actions Nov showed keep their identity: each one December shows was known by its key
    followed = [a for a in december.actions if a.first_issue < "2026-12"]
    assert followed and all((a.community, a.key) in november for a in followed)


def test_notes_edited_before_the_upgrade_are_matched_to_the_actions_sent_so_far(
        old_db: Path, config: Config) -> None:
    """Schema 6 kept each action as first seen. Notes edited since (a task reworded, one
    deleted) are read against those actions at the first build after the upgrade: the
    reworded one keeps its identity, the deleted one is no longer followed up."""
    november = shown_by_schema_6(old_db, "2026-11")
    by_note: dict[tuple[str, str], list[TrackedAction]] = {}
    for a in november:
        if a.due is not None and a.due >= date(2026, 11, 1):  # not yet dropped in December
            by_note.setdefault((a.community, a.meeting_title), []).append(a)
    (community, title), (kept, gone) = next(
        (note, actions[:2]) for note, actions in sorted(by_note.items()) if len(actions) > 1)
    db = sqlite3.connect(old_db)
    key, text = db.execute("SELECT key, outcomes FROM items WHERE community = ? AND title = ?",
                           (community, title)).fetchone()
    raw = json.loads(text)
    reworded = next(a for a in raw["actions"] if a["text"] == kept.text)
    reworded["text"] = kept.text.rstrip(".") + " soon"
    raw["actions"] = [a for a in raw["actions"] if a["text"] != gone.text]
    db.execute("UPDATE items SET outcomes = ? WHERE key = ?", (json.dumps(raw), key))
    db.commit()
    db.close()

    with Store(old_db) as store:
        december = compose(config, store, Period.parse("2026-12", "monthly"),
                           now=utcnow()).issue
    shown = {(a.community, a.key): a for a in december.actions}
    assert shown[(community, kept.key)].text == reworded["text"]
    assert (community, gone.key) not in shown
    assert not [a for a in december.actions if a.text == gone.text]
