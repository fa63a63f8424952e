"""Nothing a feed says can reach into the machine or stop the issue (issue 9).

Each test serves hostile documents from a real HTTP server on 127.0.0.1 beside a
good feed, runs a real collect (and, where it matters, a build), and checks the
hostile part is contained: named in feed health or the build's warnings, while
the rest is stored and built.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from collect_helpers import community, make_config
from feedserver import FeedServer, rss, send

from digest.collect import collect
from digest.store import Store

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
GOOD = rss("Good", [{"title": "Hello", "link": "https://example.org/hello", "guid": "g-1",
                     "pubDate": "Mon, 12 Oct 2026 10:00:00 +0000",
                     "description": "A good post about things."}])


@pytest.fixture
def server():
    with FeedServer() as s:
        s.routes["/good.xml"] = lambda h: send(h, 200, GOOD)
        yield s


def collect_one(tmp_path, server, bad_path, **settings):
    """Collect the good feed beside `bad_path`; returns (bad row, store)."""
    cfg = make_config(tmp_path, [community("good", [server.url("/good.xml")]),
                                 community("bad", [server.url(bad_path)])], **settings)
    store = Store(tmp_path / "digest.db")
    report = collect(cfg, store, now=NOW)
    rows = {r.community: r for r in report.feeds}
    assert rows["good"].status == "ok", rows["good"]
    return rows["bad"], store


# -- 1. a body that is a path is never opened --------------------------------------------


def test_a_body_that_names_a_local_file_is_not_read_from_disk(tmp_path, server):
    secret = tmp_path / "secret.xml"
    secret.write_bytes(rss("Secret", [{"title": "Payroll export", "guid": "s-1"}]))
    server.routes["/path"] = lambda h: send(h, 200, str(secret).encode(), "application/xml")
    bad, store = collect_one(tmp_path, server, "/path")
    assert bad.status == "error" and bad.error_kind == "not-a-feed", bad
    assert [i.title for i in store.items("community = 'bad'")] == []


def test_a_body_that_names_a_fifo_does_not_hang_collect(tmp_path, server):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes
    server.routes["/fifo"] = lambda h: send(h, 200, str(fifo).encode(), "text/xml")
    bad, _ = collect_one(tmp_path, server, "/fifo", timeout=5.0)
    assert bad.status == "error" and bad.error_kind == "not-a-feed", bad
