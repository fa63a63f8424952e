"""How many feeds a collect fetches at once: sized from the hosts unless the config says."""

from __future__ import annotations

import threading
from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
from collect_helpers import community, make_config
from feedserver import FeedServer, rss, send

from digest.collect import AUTO_CONCURRENCY_CEILING, auto_concurrency, collect
from digest.config import load_config
from digest.errors import ConfigError
from digest.store import Store

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_sized_from_the_hosts_and_their_per_host_limit():
    urls = [f"https://blog{h}.example.org/feed{i}.xml" for h in range(20) for i in range(10)]
    assert auto_concurrency(urls, per_host=8) == 160
    # more feeds per host do not need more at once: the per-host limit bounds each host
    assert auto_concurrency(urls * 10 + [u + "?x" for u in urls], per_host=8) == 160
    assert auto_concurrency(urls[:3], per_host=8) == 3  # one host, three feeds
    assert auto_concurrency(urls, per_host=1) == 20


def test_hosts_are_told_apart_by_port_and_without_case():
    urls = ["http://Feeds.Example.org/a", "http://feeds.example.org/b",
            "http://feeds.example.org:8080/c"]
    assert auto_concurrency(urls, per_host=1) == 2


def test_local_files_and_folders_count_as_one_host():
    local = [f"/srv/feeds/f{i}.xml" for i in range(30)] + ["/srv/notes/design"]
    assert auto_concurrency(local, per_host=8) == 8
    assert auto_concurrency([*local, "https://a.example.org/f"], per_host=8) == 9


def test_a_ceiling_bounds_a_very_large_list():
    urls = [f"https://h{h}.example.org/f" for h in range(1000)]
    assert auto_concurrency(urls, per_host=8) == AUTO_CONCURRENCY_CEILING
    assert auto_concurrency([], per_host=8) == 1


def _held_until(count: int, state: dict, full: threading.Condition):
    """A route that holds each request until `count` are in flight at once, then for a short
    window in which one more (were the limit broken) would arrive and be counted."""
    def route(h):
        with full:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            full.notify_all()
            assert full.wait_for(lambda: state["now"] >= min(count, state["left"]), timeout=60)
            full.wait_for(lambda: state["max"] > count, timeout=0.05)
            state["now"] -= 1
            state["left"] -= 1
            full.notify_all()
        send(h, 200, rss("S", [{"title": h.path, "guid": h.path}]))
    return route


@pytest.mark.parametrize("concurrency,expected", [(None, 40), (5, 5)])
def test_the_default_runs_every_host_at_its_limit_and_an_explicit_one_wins(
        tmp_path, concurrency, expected):
    # four hosts (one server per port) of ten feeds, ten at once per host: 40 at once is
    # more than the old fixed default of 32
    hosts, per_host = 4, 10
    state = {"now": 0, "max": 0, "left": hosts * per_host}
    full = threading.Condition()
    route = _held_until(expected, state, full)
    with ExitStack() as stack:
        urls = []
        for h in range(hosts):
            server = stack.enter_context(FeedServer())
            for i in range(per_host):
                server.routes[f"/h{h}-{i}.xml"] = route
                urls.append(server.url(f"/h{h}-{i}.xml"))
        settings = {"per_host": per_host}
        if concurrency is not None:
            settings["concurrency"] = concurrency
        cfg = make_config(tmp_path, [community("c", urls)], **settings)
        report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    assert report.healthy and report.new_items == hosts * per_host
    assert state["max"] == expected


def _config(tmp_path, collect_table: str):
    (tmp_path / "communities.toml").write_text(
        '[[community]]\nid = "a"\nname = "A"\ndescription = ""\nposts = ["a.xml"]\n')
    (tmp_path / "recipients.csv").write_text("email,name,communities\n")
    path = tmp_path / "digest.toml"
    path.write_text('[digest]\norganisation = "Org"\nfeeds = "communities.toml"\n\n'
                    '[delivery]\nmethod = "outbox"\nfrom = "Digest <d@example.org>"\n'
                    'recipients = "recipients.csv"\n\n' + collect_table)
    return load_config(path)


def test_the_config_leaves_concurrency_to_the_run_unless_it_is_set(tmp_path):
    assert _config(tmp_path, "").collect.concurrency is None
    assert _config(tmp_path, "[collect]\nper_host = 4\n").collect.concurrency is None
    assert _config(tmp_path, "[collect]\nconcurrency = 12\n").collect.concurrency == 12
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, "[collect]\nconcurrency = 0\n")
    assert caught.value.key == "collect.concurrency"


def test_hosts_take_turns_when_there_are_more_feeds_than_slots(tmp_path):
    # four hosts of six feeds, listed host by host, and four slots: the first round holds
    # one feed of each host (listed order would give the first host all four slots, and
    # four connections), and each host ends up with fewer connections than feeds
    hosts, feeds = 4, 6
    state = {"now": 0, "max": 0, "left": hosts * feeds}
    full = threading.Condition()
    held = _held_until(hosts, state, full)  # nothing is answered before four are in flight
    arrivals: list[int] = []
    seen: dict[int, set[int]] = {h: set() for h in range(hosts)}

    def route_of(h):
        def route(handler):
            with full:
                arrivals.append(h)
                seen[h].add(handler.client_address[1])
            held(handler)
        return route

    with ExitStack() as stack:
        urls = []
        for h in range(hosts):
            server = stack.enter_context(FeedServer())
            for i in range(feeds):
                server.routes[f"/h{h}-{i}.xml"] = route_of(h)
                urls.append(server.url(f"/h{h}-{i}.xml"))
        cfg = make_config(tmp_path, [community("c", urls)], concurrency=hosts)
        report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    assert report.healthy and report.new_items == hosts * feeds
    assert [f.url for f in report.feeds] == urls  # the report keeps the listed order
    assert sorted(arrivals[:hosts]) == list(range(hosts))
    assert all(len(ports) < feeds for ports in seen.values())  # kept alive, reused


def test_in_turn_takes_one_feed_of_each_host_per_round():
    from digest.collect import _Source, by_host_in_turn
    from digest.collect.state import FeedState

    def source(url):
        return _Source("c", "posts", url, FeedState(url, "c", "posts"))

    listed = [source(u) for u in ("https://a.org/1", "https://a.org/2", "https://a.org/3",
                                  "https://B.org/1", "/srv/notes/x", "https://b.org/2")]
    assert [s.url for s in by_host_in_turn(listed)] == [
        "https://a.org/1", "https://B.org/1", "/srv/notes/x",
        "https://a.org/2", "https://b.org/2", "https://a.org/3"]


def test_a_slow_host_never_holds_the_slots_another_host_could_use(tmp_path):
    # two hosts, one feed at a time each, two slots: while the slow host's first feed
    # waits, its next feeds must not take the second slot from the quick host's feeds
    quick_done = threading.Event()
    quick_seen: list[str] = []
    quick_first: list[bool] = []

    def slow(h):
        # answers once the quick host is through, or gives up waiting for it
        quick_first.append(quick_done.wait(timeout=30))
        send(h, 200, rss("S", [{"title": h.path, "guid": h.path}]))

    def quick(h):
        quick_seen.append(h.path)
        if len(quick_seen) == 3:
            quick_done.set()
        send(h, 200, rss("Q", [{"title": h.path, "guid": h.path}]))

    with FeedServer() as a, FeedServer() as b:
        urls = []
        for i in range(3):
            a.routes[f"/slow{i}.xml"] = slow
            b.routes[f"/quick{i}.xml"] = quick
            urls += [a.url(f"/slow{i}.xml"), b.url(f"/quick{i}.xml")]
        cfg = make_config(tmp_path, [community("c", urls)], per_host=1, concurrency=2,
                          timeout=30.0)
        report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    assert report.healthy
    assert quick_first == [True] * 3, "the quick host's feeds waited behind the slow host's"
