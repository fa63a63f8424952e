"""`digest status`: what the state holds, for the organiser and (with --json) for monitoring.

Only the feeds of the current configuration count: a feed removed from the
community list keeps its row in the state (its items stay), but it is no longer
the organiser's concern and must not page anyone.
"""

from __future__ import annotations

from typing import Any

from .collect.state import FAILED_STATUSES, FLAG_AFTER, load_states
from .config import Config
from .store import Store, to_text


def status_data(config: Config, store: Store) -> dict[str, Any]:
    """Everything monitoring needs, as plain JSON values (times ISO-8601 UTC)."""
    from .deliver.ledger import exists, ledger_status

    states = load_states(store)
    feeds = [(c.id, role, url) for c in config.communities for role, url in c.sources()]
    known = [(community, role, url, states[url]) for community, role, url in feeds
             if url in states]
    attempts = [s.last_attempt for *_, s in known if s.last_attempt]
    failing = [{
        "url": url, "community": community, "role": role, "status": s.status,
        "error": s.error_kind, "message": s.error_message,
        "consecutive_failures": s.consecutive_failures,
        "flagged": s.consecutive_failures >= FLAG_AFTER,
        "last_success": to_text(s.last_success),
    } for community, role, url, s in known if s.status in FAILED_STATUSES]
    issues = store.issues()
    sent = [r for r in issues if r.sent_at]
    deferred = []
    if exists(store):
        for record in issues:
            for row in ledger_status(store, record.period).deferred:
                deferred.append({"period": record.period, "email": row.email,
                                 "attempts": row.attempts, "next_attempt": row.next_attempt,
                                 "code": row.code, "reply": row.reply})
    return {
        "state": str(config.state_path),
        "communities": len(config.communities),
        "items": store.item_count(),
        "feeds": len(feeds),
        "never_fetched": len(feeds) - len(known),
        "last_collect": to_text(max(attempts)) if attempts else None,
        "failing_feeds": failing,
        "last_sent_period": sent[-1].period if sent else None,
        "last_sent_at": to_text(sent[-1].sent_at) if sent else None,
        "issues": [{"period": r.period, "items": r.item_count, "built_at": to_text(r.built_at),
                    "sent_at": to_text(r.sent_at)} for r in issues],
        "deferred_readers": deferred,
    }
