"""collect against a network that fails the way real ones do: a host's address going dark,
a host with several addresses, a name that does not resolve, IPv6 literals, TLS closes.

Every server is real and on loopback (127.0.0.x, ::1); only the resolver is ours where a
test needs a name with several addresses, as a zone file would give it.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from collect_helpers import community, make_config
from feedserver import FeedServer, rss, send

from digest.collect import collect
from digest.store import Store

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def feed(path: str) -> bytes:
    return rss("Net", [{"title": path, "guid": path,
                        "pubDate": "Mon, 02 Nov 2026 09:00:00 +0000"}])  # dated: no note


def resolving(monkeypatch, name: str, addresses: list[str]) -> list[str]:
    """`name` resolves to `addresses`, in that order; returns the list of its lookups."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def resolve(host, port, *args, **kwargs):
        if host != name:
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, int(port)))
                for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    return lookups


@contextlib.contextmanager
def dark_address(address: str, port: int) -> Iterator[None]:
    """(address, port) listens, accepts no one and its queue is full: a connection attempt
    neither succeeds nor is refused."""
    with socket.socket() as listening:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((address, port))
        listening.listen(0)
        with socket.create_connection((address, port)):  # the queue's one place
            yield


class AnswersOnceThenDark:
    """A server on (address, port) that answers one request (Connection: close), then
    accepts no one and keeps its queue full: a connection attempt neither succeeds nor is
    refused, as when a host's address goes dark."""

    def __init__(self, address: str = "127.0.0.1", port: int = 0) -> None:
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.listen(0)
        self.port = self.sock.getsockname()[1]
        self.answered: list[bytes] = []
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                request += chunk
            # the one place in the queue, taken before answering: later attempts hang
            self._held.append(socket.create_connection(self.sock.getsockname()))
            body = feed(request.split()[1].decode())
            conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
                         b"Content-Type: application/rss+xml\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.answered.append(request.split()[1])

    def __enter__(self) -> AnswersOnceThenDark:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for held in self._held:
            held.close()
        self.sock.close()


def test_an_address_gone_dark_gives_way_to_the_names_other_addresses(tmp_path, monkeypatch):
    # dark.test has two addresses; the run connects to the first, which answers once and
    # then goes dark. The host's next connection must not spend its whole connect timeout
    # on that address and fail: the name's other address still answers.
    with AnswersOnceThenDark("127.0.0.1") as first, \
            FeedServer("127.0.0.2", first.port) as second:
        second.routes["/two.xml"] = lambda h: send(h, 200, feed("/two.xml"))
        lookups = resolving(monkeypatch, "dark.test", ["127.0.0.1", "127.0.0.2"])
        urls = [f"http://dark.test:{first.port}/{name}.xml" for name in ("one", "two")]
        cfg = make_config(tmp_path, [community("c", urls)], per_host=1, connect_timeout=3.0,
                          timeout=10.0)
        report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    assert first.answered == [b"/one.xml"]
    assert [(f.status, f.error_message) for f in report.feeds] == [("ok", None), ("ok", None)]
    assert second.paths() == ["/two.xml"]
    assert len(lookups) == 2  # once for the run, once more when its address went dark


def test_a_redirect_or_an_error_with_a_small_body_keeps_its_connection(tmp_path):
    # an unchanged collect meets feeds behind a temporary redirect and feeds that answer an
    # error, every run: each must not cost its host a new connection (a TLS handshake)
    ports: list[tuple[str, int]] = []

    def noted(route):
        def handler(h):
            ports.append((h.path, h.client_address[1]))
            route(h)
        return handler

    with FeedServer() as server:
        server.routes["/moved.xml"] = noted(lambda h: send(
            h, 302, b"", headers={"Location": "/here.xml"}))
        server.routes["/here.xml"] = noted(lambda h: send(h, 200, feed("/here.xml")))
        server.routes["/missing.xml"] = noted(lambda h: send(
            h, 404, b"<html><body>No such page</body></html>", "text/html"))
        server.routes["/busy.xml"] = noted(lambda h: send(
            h, 503, b"Try later", "text/plain", headers={"Retry-After": "60"}))
        server.routes["/last.xml"] = noted(lambda h: send(h, 200, feed("/last.xml")))
        urls = [server.url(p) for p in ("/moved.xml", "/missing.xml", "/busy.xml", "/last.xml")]
        cfg = make_config(tmp_path, [community("c", urls)], per_host=1)
        report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    assert [f.status for f in report.feeds] == ["ok", "error", "deferred", "ok"]
    assert [p for p, _ in ports] == ["/moved.xml", "/here.xml", "/missing.xml", "/busy.xml",
                                     "/last.xml"]
    assert len({port for _, port in ports}) == 1, ports


def test_an_error_whose_body_never_comes_is_reported_as_that_error(tmp_path):
    # the body of an error is read only to keep the connection: one that is promised and
    # never sent must not turn a 404 into a timeout, nor hold a redirect to a good feed
    release = threading.Event()

    def promised(code, headers=None):
        def handler(h):
            h.send_response(code)
            h.send_header("Content-Length", "100")
            for name, value in (headers or {}).items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.flush()
            release.wait(30)
        return handler

    with FeedServer() as server:
        server.routes["/missing.xml"] = promised(404)
        server.routes["/moved.xml"] = promised(302, {"Location": "/here.xml"})
        server.routes["/here.xml"] = lambda h: send(h, 200, feed("/here.xml"))
        cfg = make_config(tmp_path, [community("c", [server.url("/missing.xml"),
                                                     server.url("/moved.xml")])],
                          timeout=20.0)
        try:
            report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
        finally:
            release.set()
    assert [(f.status, f.error_kind) for f in report.feeds] == [("error", "http-404"),
                                                                ("ok", None)]


def test_one_host_however_its_address_is_spelled_shares_one_limit():
    # the per-host limit holds for a host whatever the spelling: its default port written
    # out, capitals, user information for a password-protected feed
    from digest.collect import host_of
    from digest.collect.fetch import Fetcher, make_client
    from digest.config import CollectSettings

    settings = CollectSettings(per_host=2)
    fetcher = Fetcher(make_client(settings), settings)
    spellings = [["http://feeds.example.org/a", "http://Feeds.Example.org:80/b",
                  "http://reader:secret@feeds.example.org/c"],
                 ["https://feeds.example.org/a", "https://feeds.example.org:443/b"],
                 ["http://[::1]:8080/a", "http://reader@[::1]:8080/b"]]
    for same in spellings:
        assert len({host_of(url) for url in same}) == 1, same
        assert len({id(fetcher._host_limit(url)) for url in same}) == 1, same
    different = ["http://feeds.example.org/a", "http://feeds.example.org:8080/a",
                 "https://feeds.example.org/a", "http://other.example.org/a"]
    assert len({host_of(url) for url in different}) == 4


def test_the_parser_is_loaded_before_the_workers_fork_when_every_feed_will_be_parsed(tmp_path):
    # a first collect and `check` parse every feed: the run loads the parser once, for the
    # workers it forks to share; an unchanged collect never loads it
    import subprocess
    import sys
    from pathlib import Path

    feeds = []
    for i in range(8):
        path = tmp_path / f"f{i}.xml"
        path.write_bytes(feed(f"/f{i}"))
        feeds.append(str(path))
    script = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
from collect_helpers import community, make_config
from digest.collect import check, collect
from digest.store import Store
tmp = Path({str(tmp_path)!r})
cfg = make_config(tmp, [community("c", {feeds!r})], workers=2)
store = Store(tmp / "d.db")
report = {{"collect": collect, "check": check}}[sys.argv[1]](cfg, store)
assert report.healthy, report.feeds
print("digest.collect.parse" in sys.modules)
"""

    def loaded(command: str) -> bool:
        done = subprocess.run([sys.executable, "-c", script, command], capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip() == "True"

    assert loaded("collect")  # never read: a first collect
    assert not loaded("collect")  # unchanged
    assert loaded("check")  # every feed parsed afresh


@pytest.mark.parametrize("failure", ["refused", "dark", "no-such-name"])
def test_a_hosts_connections_waiting_on_a_failed_first_fail_in_time_and_a_later_feed_retries(
        monkeypatch, failure):
    # eight feeds of flaky.test at once: the first connection looks its name up and fails,
    # the other seven wait on it; each fails within the connect timeout (not the total
    # budget), and the host's next feed tries again and gets through once the host is back
    import asyncio

    from digest.collect.fetch import Fetcher, make_client
    from digest.config import CollectSettings

    with FeedServer() as back, contextlib.ExitStack() as stack:
        back.routes["/f.xml"] = lambda h: send(h, 200, feed("/f.xml"))
        if failure == "dark":
            stack.enter_context(dark_address("127.0.0.2", back.port))
        answer = {"addresses": ["127.0.0.2"]}
        real = socket.getaddrinfo
        lookups: list[str] = []

        def resolve(host, port, *args, **kwargs):
            if host != "flaky.test":
                return real(host, port, *args, **kwargs)
            lookups.append(host)
            if failure == "no-such-name" and answer["addresses"] == ["127.0.0.2"]:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (a, int(port)))
                    for a in answer["addresses"]]

        monkeypatch.setattr(socket, "getaddrinfo", resolve)
        settings = CollectSettings(per_host=8, connect_timeout=1.0, timeout=20.0)
        url = f"http://flaky.test:{back.port}/f.xml"

        async def run():
            async with make_client(settings) as client:
                fetcher = Fetcher(client, settings)
                failed = await asyncio.gather(*(fetcher.fetch(url) for _ in range(8)))
                looked_up = len(lookups)
                answer["addresses"] = ["127.0.0.1"]  # the host is back
                return failed, looked_up, await fetcher.fetch(url)

        failed, looked_up, later = asyncio.run(run())
    kind = "timeout" if failure == "dark" else "connect"
    assert {(r.outcome, r.error_kind) for r in failed} == {("error", kind)}
    if failure == "dark":
        assert {r.error_message for r in failed} == {"could not connect within 1 s"}
    if failure == "no-such-name":  # the seven waiting were told, not sent to the resolver
        assert looked_up == 1
    assert later.outcome == "ok" and later.body == feed("/f.xml")


def test_a_name_whose_first_address_refuses_is_reached_at_the_next_and_looked_up_once(
        tmp_path, monkeypatch):
    # multi.test: 127.0.0.2 first (nothing listens there: refused), then 127.0.0.1; eight
    # feeds at once, each on a connection of its own, all reach the second address
    arrived = threading.Barrier(8)

    def together(h):
        arrived.wait(timeout=30)
        send(h, 200, feed(h.path))

    with FeedServer() as server:
        lookups = resolving(monkeypatch, "multi.test", ["127.0.0.2", "127.0.0.1"])
        urls = []
        for i in range(8):
            server.routes[f"/m{i}.xml"] = together
            urls.append(f"http://multi.test:{server.port}/m{i}.xml")
        cfg = make_config(tmp_path, [community("c", urls)], per_host=8)
        report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    assert report.healthy and report.new_items == 8, report.feeds
    assert lookups == ["multi.test"]
    assert {headers["host"] for _, headers in server.requests} == {f"multi.test:{server.port}"}


def test_an_ipv6_literal_host(tmp_path):
    with FeedServer("::1") as server:
        for name in ("a", "b"):
            server.routes[f"/{name}.xml"] = lambda h: send(h, 200, feed(h.path))
        cfg = make_config(tmp_path, [community("c", [server.url("/a.xml"),
                                                     server.url("/b.xml")])], per_host=1)
        report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    assert server.base.startswith("http://[::1]:")
    assert report.healthy and report.new_items == 2, report.feeds
    assert {headers["host"] for _, headers in server.requests} == {f"[::1]:{server.port}"}


@pytest.mark.parametrize("close", ["tls-close-notify", "connection-close", "http-1.0"])
def test_a_connection_the_server_ends_after_answering_is_not_used_again(tmp_path, monkeypatch,
                                                                         close):
    # each answer ends its connection: with a TLS close_notify (TCP left open), with
    # "Connection: close", or as an HTTP/1.0 server does; the host's next feed, one
    # connection at a time, gets a new connection and no error
    import trustme
    from test_collect_run import over_https

    from digest.collect import fetch

    ca = trustme.CA()

    def trusting() -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ca.configure_trust(ctx)
        return ctx

    monkeypatch.setattr(fetch, "_tls_context", trusting)
    ports: list[int] = []
    kept: list[socket.socket] = []

    def answer(h):
        ports.append(h.client_address[1])
        if close == "connection-close":
            send(h, 200, feed(h.path), headers={"Connection": "close"})
            h.close_connection = True
        elif close == "http-1.0":
            h.protocol_version = "HTTP/1.0"  # no length: the body ends with the connection
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.end_headers()
            h.wfile.write(feed(h.path))
            h.close_connection = True
        else:
            send(h, 200, feed(h.path))
            h.wfile.flush()
            kept.append(h.connection.dup())  # the TCP connection outlives the TLS session
            h.connection.unwrap()
            h.close_connection = True

    with FeedServer() as server, contextlib.ExitStack() as stack:
        for name in ("a", "b", "c"):
            server.routes[f"/{name}.xml"] = answer
        base = server.base
        if close == "tls-close-notify":
            base = stack.enter_context(over_https(server, ca.issue_cert("127.0.0.1")))
        cfg = make_config(tmp_path, [community("c", [f"{base}/{n}.xml" for n in "abc"])],
                          per_host=1)
        report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
        for sock in kept:
            sock.close()
    assert [(f.status, f.error_message) for f in report.feeds] == [("ok", None)] * 3
    assert len(ports) == len(set(ports)) == 3  # one connection each, none asked twice


def test_a_run_keeps_within_the_open_files_it_may_hold(tmp_path):
    # 80 hosts, a feed each, in a process that may hold 64 open files and cannot raise
    # that: a connection kept open per host until the run ends would pass the limit
    # ("Too many open files") and fail every feed after
    import resource
    import subprocess
    import sys
    from pathlib import Path

    hosts = 80
    with contextlib.ExitStack() as stack:
        urls = []
        for h in range(hosts):
            server = stack.enter_context(FeedServer())
            server.routes[f"/h{h}.xml"] = lambda handler: send(handler, 200,
                                                                feed(handler.path))
            urls.append(server.url(f"/h{h}.xml"))
        script = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
from collect_helpers import community, make_config
from digest.collect import collect
from digest.store import Store
tmp = Path({str(tmp_path)!r})
cfg = make_config(tmp, [community("c", {urls!r})], workers=1)
report = collect(cfg, Store(tmp / "d.db"))
failed = [(f.url, f.error_message) for f in report.feeds if f.failed]
assert not failed, failed[:3]
print(report.new_items)
"""

        def low_limit() -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=120, preexec_fn=low_limit)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == str(hosts)


def test_idle_connections_are_kept_for_at_most_max_idle_slots_over_all_hosts():
    import asyncio

    from digest.collect.fetch import Fetcher, make_client
    from digest.config import CollectSettings

    with contextlib.ExitStack() as stack:
        urls = []
        for _ in range(5):
            server = stack.enter_context(FeedServer())
            server.routes["/f.xml"] = lambda handler: send(handler, 200, feed(handler.path))
            urls.append(server.url("/f.xml"))

        async def run() -> tuple[list[str], int]:
            settings = CollectSettings(per_host=2)
            async with make_client(settings, max_idle=2) as client:
                fetcher = Fetcher(client, settings)
                outcomes = [(await fetcher.fetch(url)).outcome for url in urls]
                return outcomes, sum(1 for slot in client.slots if slot.connection is not None)

        outcomes, open_connections = asyncio.run(run())
    assert outcomes == ["ok"] * 5
    assert open_connections == 2


def test_a_run_raises_its_own_soft_limit_of_open_files_as_far_as_the_hard_one_lets_it():
    import resource
    import subprocess
    import sys

    script = ("import resource\nfrom digest.collect import open_files_allowed\n"
              "print(open_files_allowed(), resource.getrlimit(resource.RLIMIT_NOFILE)[0])")

    def limited(soft: int, hard: int):
        return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    def allowed(soft: int, hard: int) -> str:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60, preexec_fn=limited(soft, hard))
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    assert allowed(100, 200) == "200 200"  # raised to the hard limit
    if hard == resource.RLIM_INFINITY or hard > 4096:
        assert allowed(256, hard) == "4096 4096"  # raised to what a run wants, no further
    assert allowed(128, 128) == "128 128"  # nothing to raise
