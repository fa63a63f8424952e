"""A state database written by an earlier release upgrades in place, losing nothing.

`fixtures/state/digest-0.1.0.db` was made by release 0.1.0 (main at 636c80b)
running the sample organisation: the September and October 2026 issues built
and sent through the outbox. Never regenerate it with a newer release.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from digest.errors import ConfigError
from digest.store import SCHEMA_VERSION, Store
from tests.support import copy_state

OLD = Path(__file__).parent / "fixtures" / "state" / "digest-0.1.0.db"


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    return copy_state(OLD, tmp_path)


def _snapshot(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        return {
            "issues": db.execute("SELECT period, sent_at, item_count FROM issues ORDER BY 1"
                                 ).fetchall(),
            "items": db.execute("SELECT key, title, issue, first_seen FROM items ORDER BY 1"
                                ).fetchall(),
            # the columns release 0.1.0 wrote (later releases add some)
            "ledger": db.execute(
                "SELECT period, email_key, seq, email, name, edition, message_id, state, attempts,"
                " next_attempt, code, reply, updated_at FROM send_ledger ORDER BY 1, 2").fetchall(),
            "feeds": db.execute("SELECT url, etag, body_hash FROM feeds ORDER BY 1").fetchall(),
        }
    finally:
        db.close()


def test_a_release_0_1_database_upgrades_with_its_history_and_sends_intact(old_db: Path) -> None:
    before = _snapshot(old_db)
    assert sqlite3.connect(old_db).execute("PRAGMA user_version").fetchone()[0] == 0

    with Store(old_db) as store:
        assert store.migrated_from == 0
        assert [(r.period, r.sent_at is not None) for r in store.issues()] == [
            ("2026-09", True), ("2026-10", True)]
        meetings = [i for i in store.items() if i.outcomes.actions]
        assert meetings, "the sample's meeting notes had actions"

    assert _snapshot(old_db) == before
    assert sqlite3.connect(old_db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert (old_db.parent / "digest.db.v0.bak").exists()


def test_old_outcome_rows_become_named_fields_with_dates_resolved_where_written_iso(
        old_db: Path) -> None:
    with Store(old_db) as store:
        actions = [a for i in store.items() for a in i.outcomes.actions]
    summaries = {a.text: a for a in actions}
    written = summaries["Write one-page summaries for the seven slide-deck write-ups"]
    assert written.owner == "Hannah Okoye"
    assert written.due == date(2026, 11, 20) and written.due_text == "2026-11-20"
    assert not written.done
    assert all(a.due is None for a in actions if a.due_text is None)


def test_opening_an_upgraded_database_again_changes_nothing(old_db: Path) -> None:
    Store(old_db).close()
    after_first = _snapshot(old_db)
    with Store(old_db) as store:
        assert store.migrated_from == SCHEMA_VERSION
    assert _snapshot(old_db) == after_first


def test_a_new_database_starts_at_the_current_version(tmp_path: Path) -> None:
    with Store(tmp_path / "new.db") as store:
        assert store.migrated_from == 0
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert not list(tmp_path.glob("*.bak"))  # nothing to keep from an empty file


def test_a_database_from_a_newer_release_is_refused_and_left_alone(old_db: Path) -> None:
    Store(old_db).close()
    db = sqlite3.connect(old_db)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = old_db.read_bytes()
    with pytest.raises(ConfigError, match="newer CoP Digest"):
        Store(old_db)
    assert old_db.read_bytes() == before


def test_a_release_0_1_database_gains_followed_up_actions_and_its_sent_issues_stay_as_sent(
        old_db: Path, tmp_path: Path) -> None:
    """The tables for actions followed up appear; the sent October reads back without any
    follow-up it never showed, and November follows October's open actions up."""
    from digest.compose import compose
    from digest.config import load_config
    from digest.period import Period

    repo = Path(__file__).resolve().parent.parent
    toml = (repo / "digest.toml").read_text(encoding="utf-8")
    (tmp_path / "digest.toml").write_text(
        toml.replace('feeds = "feeds/communities.toml"', f'feeds = "{repo}/feeds/communities.toml"')
        .replace('recipients = "feeds/recipients.csv"',
                 f'recipients = "{repo}/feeds/recipients.csv"'), encoding="utf-8")
    config = load_config(tmp_path / "digest.toml")
    before = _snapshot(old_db)
    with Store(old_db) as store:
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
        assert {"tracked_actions", "issue_actions"} <= tables
        october = compose(config, store, Period.parse("2026-10", "monthly")).issue
        assert october.actions == []  # sent before actions were followed up: unchanged
        assert _snapshot(old_db)["items"] == before["items"]
        november = compose(config, store, Period.parse("2026-11", "monthly")).issue
    followed = {a.text: a.state for a in november.actions}
    assert followed["Write one-page summaries for the seven slide-deck write-ups"] == "overdue"
    assert all(a.first_issue == "2026-10" for a in november.actions if a.state != "done")
def test_a_0_1_0_database_gains_the_note_html_column(old_db: Path) -> None:
    with Store(old_db) as store:
        columns = {r[1] for r in store.db.execute("PRAGMA table_info(items)")}
        assert "note_html" in columns
        # stored meetings have no HTML yet: re-extraction leaves them as they are
        assert store.unsent_meeting_notes() == []
