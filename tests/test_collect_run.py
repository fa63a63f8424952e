"""collect and check end to end: local files, calendars, health, the report table."""

from __future__ import annotations

import io
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer

import pytest
from collect_helpers import community, make_config
from feedserver import FeedServer, rss, send
from rich.console import Console

from digest.collect import check, collect
from digest.collect.health import print_report
from digest.collect.state import load_states
from digest.store import Store

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ICS = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
       b"DTSTART:20261110T100000Z\r\nSUMMARY:Sync\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def write_feed(path, items):
    path.write_bytes(rss("Local", items))
    return str(path)


def test_local_files_go_through_the_same_path(tmp_path):
    posts = write_feed(tmp_path / "posts.xml", [
        {"title": "Local post", "guid": "lp", "link": "https://example.org/lp",
         "pubDate": "Mon, 12 Oct 2026 10:00:00 +0000"}])
    notes = write_feed(tmp_path / "notes.xml", [
        {"title": "October sync", "guid": "n1",
         "description": "&lt;h2&gt;Decisions&lt;/h2&gt;&lt;ul&gt;&lt;li&gt;Ship it&lt;/li&gt;"
                        "&lt;/ul&gt;"}])
    cal = tmp_path / "cal.ics"
    cal.write_bytes(ICS)
    cfg = make_config(tmp_path, [community("web", [posts], [notes], str(cal)),
                                 community("gone", [str(tmp_path / "missing.xml")])])
    store = Store(tmp_path / "digest.db")
    report = collect(cfg, store, now=NOW)
    rows = {(r.community, r.role): r for r in report.feeds}
    assert rows["web", "posts"].status == "ok" and rows["web", "posts"].new_items == 1
    assert rows["web", "calendar"].status == "ok"
    assert rows["gone", "posts"].error_kind == "not-found"
    assert report.failed_communities == ["gone"] and not report.healthy
    [meeting] = store.items("kind = 'meeting'")
    assert [o.text for o in meeting.outcomes.decisions] == ["Ship it"]
    assert store.calendars() == [(str(cal), "web", ICS)]
    # unchanged files are not parsed again
    again = collect(cfg, store, now=NOW + timedelta(days=1))
    assert {r.status for r in again.feeds if r.community == "web"} == {"unchanged"}


def test_entry_whose_body_changes_every_fetch_is_not_new(tmp_path):
    path = tmp_path / "nonce.xml"

    def write(n):
        write_feed(path, [{"title": "Stable", "guid": "s1", "link": "https://example.org/s",
                           "pubDate": "Mon, 12 Oct 2026 10:00:00 +0000",
                           "description": f"Body rendered at request {n}"}])
    cfg = make_config(tmp_path, [community("c", [str(path)])])
    store = Store(tmp_path / "digest.db")
    write(1)
    assert collect(cfg, store, now=NOW).new_items == 1
    write(2)
    second = collect(cfg, store, now=NOW + timedelta(hours=1))
    assert second.new_items == 0 and second.updated_items == 0


def test_check_stores_nothing(tmp_path):
    posts = write_feed(tmp_path / "p.xml", [{"title": "A", "guid": "a"}])
    cfg = make_config(tmp_path, [community("c", [posts])])
    store = Store(tmp_path / "digest.db")
    report = check(cfg, store)
    assert report.healthy and report.feeds[0].new_items == 1 and not report.stored
    assert store.item_count() == 0 and load_states(store) == {}
    assert check(cfg).healthy  # works without a store at all


def test_check_reports_this_run_not_the_stored_history(tmp_path):
    path = tmp_path / "p.xml"
    cfg = make_config(tmp_path, [community("c", [str(path)])])
    store = Store(tmp_path / "digest.db")
    failed = collect(cfg, store, now=NOW)  # the file is missing: one failure stored
    assert failed.feeds[0].consecutive_failures == 1 and failed.feeds[0].last_success is None
    write_feed(path, [{"title": "A", "guid": "a"}])
    before = datetime.now(UTC)
    [row] = check(cfg, store).feeds
    assert row.status == "ok" and row.consecutive_failures == 0
    assert row.last_success is not None and row.last_success >= before
    assert load_states(store)[str(path)].consecutive_failures == 1  # history untouched


def test_report_as_plain_lines_and_as_a_table(tmp_path):
    with FeedServer() as server:
        dated = {"title": "A", "guid": "a", "pubDate": "Mon, 02 Nov 2026 09:00:00 +0000"}
        server.routes["/ok.xml"] = lambda h: send(h, 200, rss("Ok", [dated]))
        server.routes["/down.xml"] = lambda h: send(h, 500, b"x", "text/plain")
        cfg = make_config(tmp_path, [community("alpha", [server.url("/ok.xml")]),
                                     community("beta", [server.url("/down.xml")])])
        report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    plain = io.StringIO()
    print_report(report, Console(file=plain, force_terminal=False, width=200))
    text = plain.getvalue()
    assert "ok  " + server.url("/ok.xml") in text
    assert "error (http-500)" in text and "community=beta" in text
    assert "community beta: every feed failed" in text
    table = io.StringIO()
    print_report(report, Console(file=table, force_terminal=True, width=200))
    assert "┃" in table.getvalue() or "│" in table.getvalue()
    assert "http-500" in table.getvalue()


@pytest.mark.parametrize("quiet", [False, True])
def test_plain_lines_without_rich_are_what_rich_prints(capsys, quiet):
    """Off a terminal (cron), the health lines are written without loading rich: the same
    bytes rich's Console prints, hostile text included, and nothing is wrapped."""
    from digest.collect import CollectReport, FeedReport

    long_url = "https://feeds.example.org/" + "very-long-path/" * 12 + "feed.xml"
    report = CollectReport(feeds=[
        FeedReport(long_url, "alpha", "posts", "ok", new_items=3, last_success=NOW),
        FeedReport("https://b.example.org/f\x1b[31m.xml", "beta", "posts", "error",
                   consecutive_failures=4, flagged=True, error_kind="http-500",
                   error_message="HTTP 500 Server\tError \x07[bold]loud[/bold]"),
        FeedReport("https://c.example.org/old.xml", "gamma", "meetings", "unchanged",
                   last_success=NOW, moved_to="https://c.example.org/new\u202e.xml")],
        new_items=3, failed_communities=["beta"])
    print_report(report, quiet=quiet)
    direct = capsys.readouterr().out
    through_rich = io.StringIO()
    print_report(report, Console(file=through_rich, force_terminal=False), quiet=quiet)
    assert direct == through_rich.getvalue()
    assert "\x1b" not in direct and "\x07" not in direct and "\t" not in direct
    assert "community beta: every feed failed" in direct and "[bold]loud[/bold]" in direct
    if not quiet:
        assert f"ok  {long_url}  community=alpha" in direct  # one line, however long


@contextmanager
def over_https(server: FeedServer, cert) -> Iterator[str]:
    """`server`'s routes served over HTTPS too, with `cert` (a trustme leaf for 127.0.0.1),
    on a port of their own; yields that server's base URL and stops it at the end."""
    tls = ThreadingHTTPServer(("127.0.0.1", 0), server.httpd.RequestHandlerClass)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(ctx)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    threading.Thread(target=tls.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"https://127.0.0.1:{tls.server_address[1]}"
    finally:
        tls.shutdown()
        tls.server_close()


def test_https_with_an_untrusted_certificate_is_refused(tmp_path):
    import trustme
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    with FeedServer() as server:
        server.routes["/ok.xml"] = lambda h: send(h, 200, rss("Ok", [{"title": "A", "guid": "a"}]))
        with over_https(server, cert) as base:
            cfg = make_config(tmp_path, [community("c", [base + "/ok.xml",
                                                         server.url("/ok.xml")])])
            report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    bad, good = report.feeds
    assert bad.status == "error" and bad.error_kind == "tls"
    assert good.status == "ok"


def test_https_with_a_trusted_certificate_is_read_and_its_connection_kept(tmp_path,
                                                                          monkeypatch):
    """The TLS handshake, a body and a 304 over the same kept-alive connection."""
    import trustme

    from digest.collect import fetch
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")

    def trusting() -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies, hostname included
        ca.configure_trust(ctx)
        return ctx

    monkeypatch.setattr(fetch, "_tls_context", trusting)
    ports = []

    def conditional(h):
        ports.append(h.client_address[1])
        if h.headers.get("If-None-Match") == '"v1"':
            send(h, 304, b"", headers={"ETag": '"v1"'})
        else:
            send(h, 200, rss("Secure", [{"title": "A", "guid": h.path}]), headers={"ETag": '"v1"'})
    with FeedServer() as server:
        server.routes["/ok.xml"] = conditional
        server.routes["/again.xml"] = conditional
        with over_https(server, cert) as base:
            cfg = make_config(tmp_path, [community("c", [base + "/ok.xml", base + "/again.xml"])],
                              per_host=1)
            store = Store(tmp_path / "d.db")
            first = collect(cfg, store, now=NOW)
            second = collect(cfg, store, now=NOW)
    assert [f.status for f in first.feeds] == ["ok", "ok"] and first.new_items == 2
    assert [f.status for f in second.feeds] == ["unchanged", "unchanged"]
    assert server.requests[-1][1].get("if-none-match") == '"v1"'
    assert len(ports) == 4 and ports[2] == ports[3]  # the two 304s came over one connection


def test_per_host_limit_bounds_requests_in_flight(tmp_path):
    full = threading.Condition()
    state = {"now": 0, "max": 0, "done": 0}

    def slow(h):
        # each request is held until three are in flight at once (or all that are left), so
        # the limit is reached on any machine; then a short window in which a fourth, were the
        # limit broken, would arrive and be counted (a window for what must not happen)
        with full:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            full.notify_all()
            assert full.wait_for(lambda: state["now"] >= min(3, 12 - state["done"]), timeout=60), \
                "three requests were never in flight at once"
            full.wait_for(lambda: state["max"] > 3, timeout=0.05)
            state["now"] -= 1
            state["done"] += 1
            full.notify_all()
        send(h, 200, rss("S", [{"title": h.path, "guid": h.path}]))

    with FeedServer() as server:
        urls = []
        for i in range(12):
            server.routes[f"/s{i}.xml"] = slow
            urls.append(server.url(f"/s{i}.xml"))
        cfg = make_config(tmp_path, [community("c", urls)], per_host=3, concurrency=32)
        report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    assert report.healthy and report.new_items == 12
    assert state["max"] == 3


def _crash_on(url_part):
    import os

    from digest.collect.parse import parse_feed

    def parse(body, headers, **kw):
        if url_part in kw["url"]:
            os._exit(3)  # the parser process dies, as a segfault in a C parser would
        return parse_feed(body, headers, **kw)
    return parse


def test_a_dying_parser_process_fails_only_its_feeds(tmp_path, monkeypatch):
    import digest.collect.parse as parse_module  # the workers look parse_feed up there
    monkeypatch.setattr(parse_module, "parse_feed", _crash_on("crash"))
    paths = [write_feed(tmp_path / f"f{i}.xml", [{"title": f"T{i}", "guid": f"g{i}"}])
             for i in range(8)]
    crash = write_feed(tmp_path / "crash.xml", [{"title": "boom", "guid": "b"}])
    cfg = make_config(tmp_path, [community("c", [crash, *paths])], workers=2)
    report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    rows = {r.url: r for r in report.feeds}
    assert rows[crash].status == "error" and rows[crash].error_kind == "parse"
    ok = [r for r in report.feeds if r.status == "ok"]
    # feeds queued beside the crash hear of it too, and are parsed again on their own
    assert len(ok) == 8 and report.new_items == 8


def test_a_calendar_the_build_cannot_read_is_an_error_in_feed_health(tmp_path):
    page = b"<!doctype html><html><body>Sign in. BEGIN:VCALENDAR</body></html>"
    broken = ICS.replace(b"END:VEVENT\r\n", b"")  # BEGIN/END do not balance
    with FeedServer() as server:
        server.routes["/login"] = lambda h: send(h, 200, page, "text/html")
        server.routes["/broken.ics"] = lambda h: send(h, 200, broken, "text/calendar")
        server.routes["/good.ics"] = lambda h: send(h, 200, ICS, "text/calendar")
        cfg = make_config(tmp_path, [
            community("a", calendar=server.url("/login")),
            community("b", calendar=server.url("/broken.ics")),
            community("c", calendar=server.url("/good.ics"))])
        store = Store(tmp_path / "d.db")
        report = collect(cfg, store, now=NOW)
    login, bad, good = report.feeds
    assert login.status == bad.status == "error"
    assert login.error_kind == bad.error_kind == "calendar"
    assert "should start with BEGIN:VCALENDAR" in login.error_message
    assert "cannot be parsed" in bad.error_message
    assert good.status == "ok"
    assert store.calendars() == [(server.url("/good.ics"), "c", ICS)]


def test_feeds_check_exit_code_says_whether_every_feed_is_healthy(tmp_path):
    from click.testing import CliRunner
    from support import Post, write_org

    from digest.cli import cli

    org = write_org(tmp_path, {"web": [Post("Hello", NOW, link="https://example.org/h")]})

    def feeds_check():
        return CliRunner().invoke(cli, ["--config", str(org.config_path), "feeds", "check"],
                                  catch_exceptions=False)

    good = feeds_check()
    assert good.exit_code == 0, good.output
    assert "1 feed, 0 failed" in good.output
    listing = tmp_path / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace('posts = ["web.xml"]',
                                                   'posts = ["web.xml", "missing.xml"]'))
    bad = feeds_check()
    assert bad.exit_code == 1, bad.output
    assert "2 feeds, 1 failed" in bad.output and "not-found" in bad.output
