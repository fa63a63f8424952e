"""A feed that answered 410 rests until the config changes; a URL in two communities is
fetched once and still feeds both."""

from __future__ import annotations

import os
import time

from digest.collect import collect
from digest.store import Store
from tests.feedserver import FeedServer, rss, send
from tests.support import write_org


def run(org):
    config = org.config()
    with Store(config.state_path) as store:
        report = collect(config, store)
        items = store.items()
    return report, items


def point_at(org, community: str, urls: list[str]) -> None:
    listing = org.root / "feeds" / "communities.toml"
    quoted = ", ".join(f'"{u}"' for u in urls)
    listing.write_text(listing.read_text().replace(f'posts = ["{community}.xml"]',
                                                   f"posts = [{quoted}]"))


def age(path, seconds: float) -> None:
    """Make `path` look edited `seconds` ago (the collect compares it with the 410's time)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_gone_feed_is_not_fetched_again_until_the_config_changes(tmp_path):
    with FeedServer() as server:
        server.routes["/gone.xml"] = lambda h: send(h, 410, b"gone", "text/plain")
        org = write_org(tmp_path, {"data": []})
        point_at(org, "data", [server.url("/gone.xml")])
        listing = tmp_path / "feeds" / "communities.toml"
        age(listing, 60)
        age(org.config_path, 60)

        first, _ = run(org)
        second, _ = run(org)
        assert server.paths().count("/gone.xml") == 1
        (row,) = second.feeds
        assert row.status == "gone" and "not fetched: it answered 410 Gone" in row.error_message
        assert row.consecutive_failures == 2 and first.feeds[0].status == "gone"

        os.utime(listing)  # the organiser edits the community list: worth one more try
        run(org)
        assert server.paths().count("/gone.xml") == 2


def test_a_url_under_two_communities_is_fetched_once_and_feeds_both(tmp_path):
    with FeedServer() as server:
        body = rss("shared", [{"title": "Joint post", "guid": "j1",
                               "pubDate": "Tue, 06 Oct 2026 09:00:00 GMT"}])
        server.routes["/shared.xml"] = lambda h: send(h, 200, body)
        org = write_org(tmp_path, {"data": [], "design": []})
        point_at(org, "data", [server.url("/shared.xml")])
        point_at(org, "design", [server.url("/shared.xml")])
        report, items = run(org)
    assert server.paths().count("/shared.xml") == 1
    assert [r.status for r in report.feeds] == ["ok", "ok"]
    assert sorted((i.community, i.title) for i in items) == [("data", "Joint post"),
                                                            ("design", "Joint post")]
