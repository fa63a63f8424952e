"""collect against a real HTTP server on 127.0.0.1 that misbehaves in every known way.

Each case runs a collect with one good feed and one bad one, and checks that
the bad feed's failure is recorded against it, the good feed was collected,
and memory stayed bounded.
"""

from __future__ import annotations

import gzip
import threading
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler

import pytest
from collect_helpers import community, make_config
from feedserver import FeedServer, rss, send
from waiting import run_within, wait_until

from digest.collect import collect
from digest.collect.state import load_states
from digest.store import Store

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
MIB = 1024 * 1024
GOOD = rss("Good", [{"title": "Hello", "link": "https://example.org/hello", "guid": "g-1",
                     "pubDate": "Mon, 12 Oct 2026 10:00:00 +0000",
                     "description": "A good post about things."}])


def good(h: BaseHTTPRequestHandler) -> None:
    send(h, 200, GOOD)


@pytest.fixture
def server():
    with FeedServer() as s:
        s.routes["/good.xml"] = good
        yield s


def run(tmp_path, server, bad_path, now=NOW, store=None, **settings):
    """One collect over the good feed and the bad one; returns (report, bad row, store, peak)."""
    cfg = make_config(tmp_path, [community("good", [server.url("/good.xml")]),
                                 community("bad", [server.url(bad_path)])], **settings)
    store = store or Store(tmp_path / "digest.db")
    tracemalloc.start()
    try:
        report = collect(cfg, store, now=now)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    rows = {r.community: r for r in report.feeds}
    assert rows["good"].status in ("ok", "unchanged"), rows["good"]
    assert peak < 16 * MIB, f"collect held {peak / MIB:.0f} MiB at its peak"
    return report, rows["bad"], store, peak


def stored_state(store, url):
    return load_states(store)[url]


def test_not_modified_sends_validators_back_and_parses_nothing(tmp_path, server):
    def conditional(h):
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        send(h, 200, GOOD, headers={"ETag": '"v1"',
                                    "Last-Modified": "Mon, 12 Oct 2026 10:00:00 GMT"})
    server.routes["/cond.xml"] = conditional
    report, row, store, _ = run(tmp_path, server, "/cond.xml")
    assert row.status == "ok" and row.new_items == 1
    report, row, store, _ = run(tmp_path, server, "/cond.xml", store=store,
                                now=NOW + timedelta(days=1))
    assert row.status == "unchanged" and row.new_items == 0
    sent = [hdrs for path, hdrs in server.requests if path == "/cond.xml"][-1]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Mon, 12 Oct 2026 10:00:00 GMT"
    assert "CoP-Digest" in sent["user-agent"]


def test_identical_body_without_validators_is_not_parsed_again(tmp_path, server):
    server.routes["/same.xml"] = good
    _, row, store, _ = run(tmp_path, server, "/same.xml")
    assert row.new_items == 1
    _, row, store, _ = run(tmp_path, server, "/same.xml", store=store)
    assert row.status == "unchanged"


def test_permanent_redirect_is_followed_reported_and_remembered(tmp_path, server):
    server.routes["/old.xml"] = lambda h: send(h, 301, b"", headers={"Location": "/new.xml"})
    server.routes["/new.xml"] = lambda h: send(h, 200, rss("New", [
        {"title": "Moved", "link": "https://example.org/m", "guid": "m"}]))
    _, row, store, _ = run(tmp_path, server, "/old.xml")
    assert row.status == "ok" and row.new_items == 1
    assert row.moved_to == server.url("/new.xml")
    assert stored_state(store, server.url("/old.xml")).moved_to == server.url("/new.xml")
    server.requests.clear()
    _, row, store, _ = run(tmp_path, server, "/old.xml", store=store)
    assert "/old.xml" not in server.paths() and "/new.xml" in server.paths()
    assert row.moved_to == server.url("/new.xml")


def test_temporary_redirect_is_not_remembered(tmp_path, server):
    server.routes["/tmp.xml"] = lambda h: send(h, 302, b"", headers={"Location": "/good.xml"})
    _, row, store, _ = run(tmp_path, server, "/tmp.xml")
    assert row.status == "ok" and row.moved_to is None


def test_redirect_loop(tmp_path, server):
    server.routes["/a.xml"] = lambda h: send(h, 302, b"", headers={"Location": "/b.xml"})
    server.routes["/b.xml"] = lambda h: send(h, 302, b"", headers={"Location": "/a.xml"})
    report, row, store, _ = run(tmp_path, server, "/a.xml")
    assert row.status == "error" and row.error_kind == "redirect-loop"
    assert "/b.xml" in row.error_message
    assert report.failed_communities == ["bad"]


def test_redirect_to_an_address_that_cannot_be_read(tmp_path, server):
    server.routes["/odd.xml"] = lambda h: send(
        h, 301, b"", headers={"Location": "http://[not-an-address/feed.xml"})
    _, row, _, _ = run(tmp_path, server, "/odd.xml")
    assert (row.status, row.error_kind) == ("error", "redirect")
    assert "[not-an-address" in row.error_message


def test_too_many_redirects(tmp_path, server):
    for i in range(8):
        server.routes[f"/r{i}.xml"] = (lambda n: lambda h: send(
            h, 307, b"", headers={"Location": f"/r{n + 1}.xml"}))(i)
    _, row, _, _ = run(tmp_path, server, "/r0.xml")
    assert row.status == "error" and row.error_kind == "redirect"


@pytest.mark.parametrize("code,kind,status", [(404, "http-404", "error"),
                                              (500, "http-500", "error"),
                                              (410, "gone", "gone")])
def test_http_errors(tmp_path, server, code, kind, status):
    server.routes["/x.xml"] = lambda h: send(h, code, b"<h1>no</h1>", "text/html")
    report, row, store, _ = run(tmp_path, server, "/x.xml")
    assert (row.status, row.error_kind) == (status, kind)
    assert not report.healthy
    st = stored_state(store, server.url("/x.xml"))
    assert st.status == status and st.error_kind == kind and st.error_at == NOW
    assert st.consecutive_failures == 1


def test_failures_in_a_row_are_counted_and_flagged(tmp_path, server):
    server.routes["/x.xml"] = lambda h: send(h, 500, b"oops", "text/plain")
    store = None
    for day in range(3):
        _, row, store, _ = run(tmp_path, server, "/x.xml", store=store,
                               now=NOW + timedelta(days=day))
    assert row.consecutive_failures == 3 and row.flagged
    server.routes["/x.xml"] = good
    _, row, store, _ = run(tmp_path, server, "/x.xml", store=store, now=NOW + timedelta(days=4))
    assert row.consecutive_failures == 0 and not row.flagged and row.status == "ok"


def test_429_with_retry_after_defers_and_is_not_asked_again_early(tmp_path, server):
    server.routes["/busy.xml"] = lambda h: send(h, 429, b"slow down", "text/plain",
                                                headers={"Retry-After": "7200"})
    _, row, store, _ = run(tmp_path, server, "/busy.xml")
    assert row.status == "deferred" and row.retry_after == NOW + timedelta(hours=2)
    assert "retry" in row.error_message
    server.requests.clear()
    _, row, store, _ = run(tmp_path, server, "/busy.xml", store=store,
                           now=NOW + timedelta(hours=1))
    assert "/busy.xml" not in server.paths() and row.status == "deferred"
    _, row, store, _ = run(tmp_path, server, "/busy.xml", store=store,
                           now=NOW + timedelta(hours=3))
    assert "/busy.xml" in server.paths()


def test_503_with_http_date_retry_after(tmp_path, server):
    server.routes["/down.xml"] = lambda h: send(
        h, 503, b"down", "text/plain", headers={"Retry-After": "Mon, 02 Nov 2026 12:00:00 GMT"})
    _, row, _, _ = run(tmp_path, server, "/down.xml")
    assert row.status == "deferred" and row.retry_after == datetime(2026, 11, 2, 12, tzinfo=UTC)


@pytest.mark.parametrize("value", ["999999999", "Fri, 01 Jan 2100 00:00:00 GMT",
                                   "Fri, 31 Dec 9999 23:00:00 -0100"])  # past datetime's end
def test_retry_after_is_capped_at_30_days_in_either_form(tmp_path, server, value):
    server.routes["/down.xml"] = lambda h: send(h, 503, b"down", "text/plain",
                                                headers={"Retry-After": value})
    _, row, _, _ = run(tmp_path, server, "/down.xml")
    assert row.status == "deferred" and row.retry_after == NOW + timedelta(days=30)


def test_slow_drip_is_cut_at_the_total_budget(tmp_path, server):
    hung_up = threading.Event()
    test_over = threading.Event()

    def drip(h):
        # a body that never ends unless the client gives up: only the budget can end it.
        # A byte each 50 ms is the server's behaviour under test; the wait also ends the
        # thread when the test is over, whatever the client did
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.end_headers()
        try:
            while not test_over.wait(0.05):
                h.wfile.write(b" ")
                h.wfile.flush()
        except OSError:
            hung_up.set()
    server.routes["/drip.xml"] = drip
    try:
        _, row, _, _ = run_within(60, lambda: run(tmp_path, server, "/drip.xml", timeout=1.0),
                                  "the drip was never cut: no total budget")
        assert row.status == "error" and row.error_kind == "timeout"
        wait_until(hung_up.is_set, message="the collect never hung up on the drip")
    finally:
        test_over.set()


@pytest.mark.parametrize("declared", [True, False])
def test_body_over_the_cap(tmp_path, server, declared):
    big = b"<rss>" + b"x" * (2 * MIB) + b"</rss>"

    def huge(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        if declared:
            h.send_header("Content-Length", str(len(big)))
        else:
            h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        if declared:
            h.wfile.write(big)
            return
        for i in range(0, len(big), 65536):
            piece = big[i:i + 65536]
            h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        h.wfile.write(b"0\r\n\r\n")
    server.routes["/huge.xml"] = huge
    _, row, _, peak = run(tmp_path, server, "/huge.xml", max_bytes=MIB)
    assert row.status == "error" and row.error_kind == "too-large"
    assert peak < 8 * MIB


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compression_bomb_is_stopped_at_the_cap(tmp_path, server, encoding):
    zeros = b"\0" * (64 * MIB)
    bomb = gzip.compress(zeros, 9) if encoding == "gzip" else zlib.compress(zeros, 9)
    del zeros
    assert len(bomb) < MIB // 4
    server.routes["/bomb.xml"] = lambda h: send(h, 200, bomb,
                                                headers={"Content-Encoding": encoding})
    _, row, _, peak = run(tmp_path, server, "/bomb.xml", max_bytes=MIB)
    assert row.status == "error" and row.error_kind == "too-large"
    assert "decompressed" in row.error_message
    assert peak < 8 * MIB


def test_gzip_feed_within_the_cap_is_read(tmp_path, server):
    server.routes["/z.xml"] = lambda h: send(h, 200, gzip.compress(GOOD),
                                             headers={"Content-Encoding": "gzip"})
    _, row, _, _ = run(tmp_path, server, "/z.xml")
    assert row.status == "ok" and row.new_items == 1


BILLION_LAUGHS = (
    '<!DOCTYPE rss [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
              for i in range(1, 10))
    + "]>")
QUADRATIC = '<!DOCTYPE rss [<!ENTITY big "' + "A" * 10_000 + '">]>'


@pytest.mark.parametrize("prolog,ref", [(BILLION_LAUGHS, "&lol9;"), (QUADRATIC, "&big;" * 3000)])
def test_entity_declarations_are_refused(tmp_path, server, prolog, ref):
    body = rss("Evil", [{"title": "boom", "guid": "e", "description": ref}], prolog=prolog)
    server.routes["/evil.xml"] = lambda h: send(h, 200, body)
    _, row, _, peak = run(tmp_path, server, "/evil.xml")
    assert row.status == "error" and row.error_kind == "entities"
    assert peak < 8 * MIB


def test_html_page_instead_of_a_feed(tmp_path, server):
    page = b"<!doctype html><html><head><title>Blog</title></head><body><p>Hi</p></body></html>"
    server.routes["/blog/"] = lambda h: send(h, 200, page, "text/html; charset=utf-8")
    _, row, _, _ = run(tmp_path, server, "/blog/")
    assert row.status == "error" and row.error_kind == "not-a-feed"
    assert "HTML page" in row.error_message


@pytest.mark.parametrize("title", ["R\u00e9sum\u00e9 na\u00efve", "R\u00e9sum\u00e9 na\u00efve!"])
def test_wrong_encoding_declaration_is_read_and_warned(tmp_path, server, title):
    # Two lengths: feedparser's UTF-16 misreading differs with the byte count's parity.
    body = rss("Caf\u00e9", [{"title": title, "guid": "u", "link": "https://example.org/u"}],
               declare="utf-16")
    server.routes["/enc.xml"] = lambda h: send(h, 200, body)
    _, row, store, _ = run(tmp_path, server, "/enc.xml")
    assert row.status == "ok" and row.new_items == 1
    assert row.error_kind == "encoding"
    [item] = store.items("community = ?", ("bad",))
    assert item.title == title


def test_empty_body(tmp_path, server):
    server.routes["/empty.xml"] = lambda h: send(h, 200, b"")
    _, row, _, _ = run(tmp_path, server, "/empty.xml")
    assert row.status == "error" and row.error_kind == "empty"


def test_duplicated_id_keeps_both_entries(tmp_path, server):
    body = rss("Dup", [
        {"title": "First", "guid": "same", "link": "https://example.org/1"},
        {"title": "Second", "guid": "same", "link": "https://example.org/2"},
        {"title": "First", "guid": "same", "link": "https://example.org/1"},
    ])
    server.routes["/dup.xml"] = lambda h: send(h, 200, body)
    _, row, store, _ = run(tmp_path, server, "/dup.xml")
    assert row.status == "ok" and row.new_items == 2 and row.error_kind == "duplicate-id"
    assert sorted(i.title for i in store.items("community = ?", ("bad",))) == ["First", "Second"]


def test_connection_refused(tmp_path, server):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    cfg = make_config(tmp_path, [community("good", [server.url("/good.xml")]),
                                 community("bad", [f"http://127.0.0.1:{port}/feed"])])
    report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    rows = {r.community: r for r in report.feeds}
    assert rows["bad"].error_kind == "connect" and rows["good"].status == "ok"


def test_a_dropped_connection_is_tried_once_more(tmp_path, server):
    calls = []

    def flaky(h):
        calls.append(1)
        if len(calls) == 1:
            h.close_connection = True
            h.connection.shutdown(2)  # gone without a word, mid-conversation
            return
        good(h)
    server.routes["/flaky.xml"] = flaky
    _, row, _, _ = run(tmp_path, server, "/flaky.xml")
    assert row.status == "ok" and len(calls) == 2


def test_a_kept_alive_connection_the_server_closed_is_replaced(tmp_path, server):
    """The server closes each connection after answering, without saying so: the next
    feed of that host gets a new connection, not an error."""
    ports = []

    def answer_then_hang_up(h):
        ports.append(h.client_address[1])
        good(h)
        h.close_connection = True  # no "Connection: close": the client finds out itself
    for name in ("a", "b", "c"):
        server.routes[f"/{name}.xml"] = answer_then_hang_up
    cfg = make_config(tmp_path, [community(n, [server.url(f"/{n}.xml")]) for n in "abc"],
                      per_host=1)
    report = collect(cfg, Store(tmp_path / "digest.db"), now=NOW)
    assert [r.status for r in report.feeds] == ["ok", "ok", "ok"], report.feeds
    assert len(set(ports)) >= 3


def test_a_connection_that_always_drops_is_an_error(tmp_path, server):
    def dead(h):
        h.close_connection = True
        h.connection.shutdown(2)
    server.routes["/dead.xml"] = dead
    _, row, _, _ = run(tmp_path, server, "/dead.xml")
    assert row.status == "error" and row.error_kind == "http"
    assert "disconnected" in row.error_message.lower()


def test_addresses_are_sent_as_http_expects(tmp_path, server):
    """A space is percent-encoded, a fragment stays ours, user:password@ becomes Basic auth,
    and the Host header names the address's host and port."""
    server.routes["/a%20b.xml"] = good
    server.routes["/secret.xml"] = good
    port = server.httpd.server_address[1]
    cfg = make_config(tmp_path, [
        community("spaced", [server.url("/a b.xml#top")]),
        community("locked", [f"http://reader:p%40ss@127.0.0.1:{port}/secret.xml"])])
    report = collect(cfg, Store(tmp_path / "digest.db"), now=NOW)
    assert [r.status for r in report.feeds] == ["ok", "ok"], report.feeds
    sent = dict(server.requests)
    assert "/a%20b.xml" in sent
    assert sent["/secret.xml"]["authorization"] == "Basic cmVhZGVyOnBAc3M="  # reader:p@ss
    assert sent["/secret.xml"]["host"] == f"127.0.0.1:{port}"


def test_an_address_that_cannot_be_sent_is_an_error_of_its_own(tmp_path, server):
    cfg = make_config(tmp_path, [community("bad", ["http://127.0.0.1:99999/feed.xml"]),
                                 community("good", [server.url("/good.xml")])])
    bad, fine = collect(cfg, Store(tmp_path / "digest.db"), now=NOW).feeds
    assert bad.status == "error" and bad.error_kind == "http"
    assert "port" in bad.error_message.lower()
    assert fine.status == "ok"
