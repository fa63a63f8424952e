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
from feedserver import FeedServer, reason, rss, send
from waiting import run_within

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


# -- 6. refusals cross the parser pool -----------------------------------------------------


def _errors():
    from digest.calendar import CalendarError
    from digest.collect.parse import FeedError
    from digest.errors import ConfigError

    return [FeedError("entities", "the document declares XML entities"),
            ConfigError("/srv/digest.toml", "collect.workers", "must be at least 0"),
            CalendarError("not an iCalendar file")]


@pytest.mark.parametrize("exc", _errors(), ids=lambda e: type(e).__name__)
def test_errors_survive_a_pickle_round_trip(exc):
    import pickle

    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is type(exc) and str(back) == str(exc)
    assert vars(back) == vars(exc)


def test_a_refused_feed_among_good_ones_in_the_real_pool(tmp_path, server, monkeypatch):
    entity_bomb = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">]>'
                   b"<rss><channel><title>&a;</title></channel></rss>")
    server.routes["/entities.xml"] = lambda h: send(h, 200, entity_bomb)
    for i in range(8):
        body = rss(f"Feed {i}", [{"title": f"Post {i}", "guid": f"p-{i}",
                                  "pubDate": "Mon, 12 Oct 2026 10:00:00 +0000"}])
        server.routes[f"/f{i}.xml"] = lambda h, body=body: send(h, 200, body)
    urls = [server.url("/entities.xml"), *(server.url(f"/f{i}.xml") for i in range(8))]
    cfg = make_config(tmp_path, [community("c", urls)], workers=2)
    import digest.collect as stage

    started = []
    real_start = stage._Run._start_pool

    def counting_start(self, feeds):
        pool = real_start(self, feeds)
        started.append(pool)
        return pool

    # observed, not replaced: the real pool runs
    monkeypatch.setattr(stage._Run, "_start_pool", counting_start)
    report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    rows = {r.url: r for r in report.feeds}
    refused = rows[server.url("/entities.xml")]
    assert refused.status == "error" and refused.error_kind == "entities", refused
    assert report.new_items == 8
    assert len(started) == 1 and started[0] is not None  # one pool, never rebuilt


# -- 3. control characters never stop the issue ----------------------------------------------

SEP = "\x1b\x00\x01\ufffe\u202e"  # ESC, NUL, U+0001, a noncharacter, a bidi override


def org_on(tmp_path, server, posts: list[str], calendar: str | None = None):
    """A real organisation on disk (digest.toml, readers) whose one community reads `server`."""
    from support import write_org

    org = write_org(tmp_path, {"web": []})
    listing = 'posts = [' + ", ".join(f'"{server.url(p)}"' for p in posts) + "]\n"
    if calendar:
        listing += f'calendar = "{server.url(calendar)}"\n'
    (tmp_path / "feeds" / "communities.toml").write_text(
        '[[community]]\nid = "web"\nname = "Web"\ndescription = "The web community."\n'
        + listing, encoding="utf-8")
    return org.config()


def collect_and_build(config):
    from digest import pipeline
    from digest.period import Period

    with Store(config.state_path) as store:
        report = pipeline.collect(config, store, now=NOW)
        result = pipeline.build(config, store, Period.parse("2026-10", "monthly"), now=NOW)
    return report, result


def test_control_characters_in_feeds_and_calendars_do_not_stop_the_build(tmp_path, server):
    items = [{"title": f"Roadmap{SEP}review", "guid": "c-1", "link": "https://example.org/c1",
              "author": f"ann@example.org (Ann{SEP} Lee)",
              "pubDate": "Mon, 12 Oct 2026 10:00:00 +0000",
              "description": f"Notes{SEP} from the &amp;#x1b; review."},
             {"title": "Surrogate &#xD800; title", "guid": "c-2",
              "link": "https://example.org/c2", "pubDate": "Tue, 13 Oct 2026 10:00:00 +0000",
              "description": "Lone &#xD800; half of a pair."}]
    body = rss("Hostile", items).replace(b"&amp;#xD800;", b"&#xD800;")
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:s1\r\n"
           f"DTSTART:20261110T100000Z\r\nSUMMARY:Show{SEP} and tell\r\n"
           f"LOCATION:Room{SEP} 4\r\nDESCRIPTION:Facilitator: Bo{SEP} Ek\r\n"
           "END:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    server.routes["/hostile.xml"] = lambda h: send(h, 200, body)
    server.routes["/cal.ics"] = lambda h: send(h, 200, ics, "text/calendar")
    config = org_on(tmp_path, server, ["/hostile.xml"], "/cal.ics")
    report, result = collect_and_build(config)
    assert [r.status for r in report.feeds] == ["ok", "ok"], report.feeds
    html = result.html_path.read_text(encoding="utf-8")
    text = result.html_path.with_suffix(".txt").read_text(encoding="utf-8")
    for part in (html, text):
        assert "Roadmapreview" in part and "Surrogate title" in " ".join(part.split())
        assert "Show and tell" in part and "Room 4" in part and "Bo Ek" in part
        assert not any(ch in part for ch in SEP + "\ud800")


def test_the_renderer_strips_what_got_into_the_state_before_parsing_cleaned_it(tmp_path, server):
    from support import entry

    config = org_on(tmp_path, server, ["/good.xml"])
    with Store(config.state_path) as store:
        store.upsert_entries([entry("web", "old", datetime(2026, 10, 5, tzinfo=UTC),
                                    title=f"Stored{SEP}before")], seen_at=NOW)
    _, result = collect_and_build(config)
    html = result.html_path.read_text(encoding="utf-8")
    assert "Storedbefore" in html and "\x1b" not in html and "\x01" not in html


# -- 4. feeds never write into the organiser's terminal ---------------------------------------

OSC_LINK = "\x1b]8;;https://evil.example/\x1b\\"


def moved_to(target: str):
    def route(h):
        h.send_response(301)
        h.send_header("Location", target)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route


def test_reason_phrases_and_redirect_targets_are_printed_as_text(tmp_path, server):
    import io

    from rich.console import Console

    from digest.collect.health import print_report

    server.routes["/oops"] = reason(500, "Oops [/bogus]")
    server.routes["/link"] = reason(502, "[link=https://evil.example/]click me[/link]")
    server.routes["/esc"] = reason(500, f"Bad {OSC_LINK}here\x1b[2J")
    server.routes["/moved"] = moved_to("/new[bold]x[/bold].xml")
    server.routes["/new[bold]x[/bold].xml"] = lambda h: send(h, 200, GOOD)
    cfg = make_config(tmp_path, [community("c", [server.url(p) for p in
                                                 ("/oops", "/link", "/esc", "/moved")])])
    report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    for terminal in (True, False):
        out = io.StringIO()
        print_report(report, Console(file=out, force_terminal=terminal, width=400,
                                     color_system="truecolor" if terminal else None))
        printed = out.getvalue()
        assert "Oops [/bogus]" in printed
        assert "[link=https://evil.example/]click me[/link]" in printed
        assert "[bold]x[/bold]" in printed
        assert "\x1b]8" not in printed and "\x1b[2J" not in printed and "\x1b\\" not in printed
        assert "Bad here" in printed


# -- 5. images on internal hosts never reach readers -------------------------------------------

INTERNAL = ["http://127.0.0.1:8080/admin/chart.png", "http://169.254.169.254/latest/x.png",
            "http://[::1]/a.png", "http://10.0.0.7/a.png", "http://192.168.1.20/a.png",
            "http://172.16.5.5/a.png", "http://localhost/a.png", "http://wiki.localhost/a.png",
            "http://nas.local/a.png", "http://build.internal/a.png", "http://intranet/a.png",
            "http://2130706433/a.png", "http://127.1/a.png", "http://[::ffff:10.0.0.1]/a.png",
            "http://[fd00::1]/a.png"]


@pytest.mark.parametrize("url", INTERNAL)
def test_internal_hosts_are_not_public(url):
    from digest.urls import is_public_url

    assert not is_public_url(url)


@pytest.mark.parametrize("url", ["https://cdn.example.org/a.jpg", "http://93.184.216.34/a.png",
                                 "https://[2001:4860:1::1]/a.png"])
def test_public_hosts_are_public(url):
    from digest.urls import is_public_url

    assert is_public_url(url)


def image_feed() -> bytes:
    items = [{"title": f"Post {n}", "guid": f"img-{n}", "link": f"https://example.org/{n}",
              "pubDate": f"Mon, {n + 1:02d} Oct 2026 10:00:00 +0000",
              "<media>": f'<media:content url="{url}" medium="image"/>'}
             for n, url in enumerate(INTERNAL)]
    items.append({"title": "Falls back", "guid": "img-fb", "link": "https://example.org/fb",
                  "pubDate": "Mon, 19 Oct 2026 10:00:00 +0000",
                  "<media>": '<media:content url="http://10.1.1.1/x.png" medium="image"/>',
                  "description": '&lt;img src="https://cdn.example.org/public.png" alt="A"&gt;'})
    return rss("Images", items)


@pytest.mark.parametrize("images", [None, "public", "none"])
def test_only_images_on_public_hosts_reach_the_email_and_the_archive(tmp_path, server, images):
    server.routes["/images.xml"] = lambda h: send(h, 200, image_feed())
    config = org_on(tmp_path, server, ["/images.xml"])
    if images:
        from digest.config import load_config

        text = config.path.read_text().replace("[digest]\n", f'[digest]\nimages = "{images}"\n')
        config.path.write_text(text)
        config = load_config(config.path)
    _, result = collect_and_build(config)
    with Store(config.state_path) as store:
        stored = {i.title: i.image for i in store.items()}
    assert stored.pop("Falls back") == "https://cdn.example.org/public.png"
    assert set(stored.values()) == {None}
    pages = [result.html_path, config.out_path / "site" / "2026-10" / "index.html"]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert ("https://cdn.example.org/public.png" in html) is (images != "none")
        for url in INTERNAL:
            assert "//" + url.split("/")[2] + "/" not in html, url


def test_images_setting_is_validated(tmp_path, server):
    from digest.config import load_config
    from digest.errors import ConfigError

    config = org_on(tmp_path, server, ["/good.xml"])
    config.path.write_text(config.path.read_text().replace("[digest]\n",
                                                           '[digest]\nimages = "all"\n'))
    with pytest.raises(ConfigError) as caught:
        load_config(config.path)
    assert "images" in str(caught.value) and "'public', 'none'" in str(caught.value)


# -- 7. JSON Feed -----------------------------------------------------------------------------


def json_feed(version: str, items: list[dict]) -> bytes:
    import json

    return json.dumps({"version": f"https://jsonfeed.org/version/{version}",
                       "title": "Pottery guild", "home_page_url": "https://guild.example.org/",
                       "items": items}).encode()


JSON_ITEMS_11 = [
    {"id": "j-1", "url": "https://guild.example.org/kiln", "title": "Kiln  rota\u0001 agreed",
     "content_html": "<p>We fire on <b>Thursdays</b>.</p>"
                     "<img src='https://cdn.example.org/kiln.jpg' alt='Kiln'>",
     "summary": "Thursdays from now on.", "date_published": "2026-10-08T09:30:00+02:00",
     "authors": [{"name": "Rhea Moss"}]},
    {"id": 42, "url": "/glazes", "content_text": "Glaze notes\n\nSecond paragraph",
     "date_modified": "2026-10-09T10:00:00Z", "image": "http://10.0.0.3/glaze.png",
     "banner_image": "https://cdn.example.org/glaze-banner.png"},
    {"id": "j-3", "title": "Dated in the future", "url": "https://guild.example.org/f",
     "date_published": "2031-01-01T00:00:00Z", "content_text": "later"},
    "not an object",
]


def test_json_feed_1_1_is_read_like_rss(tmp_path, server):
    server.routes["/feed.json"] = lambda h: send(h, 200, json_feed("1.1", JSON_ITEMS_11),
                                                 "application/feed+json")
    bad, store = collect_one(tmp_path, server, "/feed.json")
    assert bad.status == "ok" and bad.new_items == 3, bad
    items = {i.key.split(":", 1)[-1]: i for i in store.items("community = 'bad'")}
    kiln = next(i for i in items.values() if i.link == "https://guild.example.org/kiln")
    assert kiln.title == "Kiln rota agreed" and kiln.author == "Rhea Moss"
    assert kiln.excerpt == "Thursdays from now on."
    assert kiln.published == datetime(2026, 10, 8, 7, 30, tzinfo=UTC)
    assert kiln.image == "https://cdn.example.org/kiln.jpg" and kiln.image_alt == "Kiln"
    glaze = next(i for i in items.values() if i.link == server.url("/glazes"))
    assert glaze.title == "Glaze notes Second paragraph"
    assert glaze.updated == datetime(2026, 10, 9, 10, 0, tzinfo=UTC) and glaze.published is None
    assert glaze.image == "https://cdn.example.org/glaze-banner.png"  # the internal one dropped
    future = next(i for i in items.values() if i.title == "Dated in the future")
    assert future.published is None


def test_json_feed_1_0_by_its_body_alone(tmp_path, server):
    items = [{"id": "old-1", "url": "https://guild.example.org/o", "title": "One point oh",
              "content_text": "Plain <b>not</b> markup", "author": {"name": "Ivo Brand"},
              "date_published": "2026-10-03T12:00:00Z"}]
    server.routes["/feed"] = lambda h: send(h, 200, json_feed("1", items), "text/plain")
    bad, store = collect_one(tmp_path, server, "/feed")
    assert bad.status == "ok", bad
    [item] = store.items("community = 'bad'")
    assert item.author == "Ivo Brand" and item.excerpt == "Plain <b>not</b> markup"


@pytest.mark.parametrize("body,ctype,kind", [
    (b'{"version": "1.1", "items": []}', "application/json", "not-a-feed"),
    (b'{"title": "config"}', "application/json", "not-a-feed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "application/feed+json",
     "malformed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "application/feed+json",
     "malformed"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": ' + b"[" * 100_000
     + b"]" * 100_000 + b"}", "application/feed+json", "malformed"),  # nested too deep
])
def test_json_that_is_not_a_json_feed_is_named(tmp_path, server, body, ctype, kind):
    server.routes["/x.json"] = lambda h: send(h, 200, body, ctype)
    bad, _ = collect_one(tmp_path, server, "/x.json")
    assert bad.status == "error" and bad.error_kind == kind, bad


# -- 2. calendar recurrence bombs -------------------------------------------------------------


def vcalendar(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + body
            + "END:VCALENDAR\r\n").encode()


WEEKLY = ("UID:weekly\r\nDTSTART:20260902T100000Z\r\nDTEND:20260902T110000Z\r\n"
          "RRULE:FREQ=WEEKLY\r\nSUMMARY:Weekly clinic")


def build_within(config, seconds: float = 120.0):
    """collect and build on a thread; fail if they have not finished by the deadline."""
    return run_within(seconds, lambda: collect_and_build(config),
                      "collect and build still running")


def sessions_in(result, title: str) -> int:
    """Sessions of that title the issue lists under their communities."""
    return sum(1 for section in result.composition.issue.sections
               for session in section.sessions if session.title == title)


@pytest.mark.parametrize("bomb", [
    "RRULE:FREQ=SECONDLY",  # no end, since a year before the window
    "RRULE:FREQ=MINUTELY;COUNT=1000000000",
    "RRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11;BYMINUTE=0,5,10,15,20,25,30,35,40,45,50"
    ";BYSECOND=0,30",
])
def test_a_recurrence_bomb_is_left_out_and_named_and_the_issue_is_built(tmp_path, server, bomb):
    ics = vcalendar(f"UID:bomb\r\nDTSTART:20251101T000000Z\r\n{bomb}\r\nSUMMARY:Tick", WEEKLY)
    server.routes["/cal.ics"] = lambda h: send(h, 200, ics, "text/calendar")
    config = org_on(tmp_path, server, ["/good.xml"], "/cal.ics")
    _, result = build_within(config)
    assert sessions_in(result, "Weekly clinic") == 4  # the Wednesdays of November 2026
    assert "Tick" not in result.html_path.read_text(encoding="utf-8")
    [warning] = [w for w in result.warnings if "calendar of web" in w]
    assert server.url("/cal.ics") in warning and "'bomb'" in warning


def test_an_endless_series_in_the_window_is_capped(tmp_path, server):
    hourly = "UID:hourly\r\nDTSTART:20261101T000000Z\r\nRRULE:FREQ=HOURLY;COUNT=1000000000\r\n" \
             "SUMMARY:On the hour"
    ics = vcalendar(hourly, WEEKLY)
    server.routes["/cal.ics"] = lambda h: send(h, 200, ics, "text/calendar")
    config = org_on(tmp_path, server, ["/good.xml"], "/cal.ics")
    _, result = build_within(config)
    from digest.calendar import MAX_SESSIONS_SHOWN

    assert sessions_in(result, "On the hour") == MAX_SESSIONS_SHOWN
    warnings = " ".join(result.warnings)
    assert "'hourly' has more than" in warnings and "are shown" in warnings


def test_thousands_of_events_do_not_make_a_huge_edition(tmp_path, server):
    from digest.calendar import MAX_PER_CALENDAR
    from digest.render import SIZE_BUDGET_BYTES

    many = [f"UID:e{n}\r\nDTSTART:202611{1 + n % 28:02d}T{n % 24:02d}{n % 60:02d}00Z\r\n"
            f"SUMMARY:Drop-in {n}" for n in range(MAX_PER_CALENDAR + 500)]
    ics = vcalendar(*many)
    server.routes["/cal.ics"] = lambda h: send(h, 200, ics, "text/calendar")
    config = org_on(tmp_path, server, ["/good.xml"], "/cal.ics")
    _, result = build_within(config)
    assert result.html_path.stat().st_size < SIZE_BUDGET_BYTES
    # the occurrence cap, or on a loaded machine the time cap, whichever comes first
    capped = [w for w in result.warnings if w.startswith("calendar of web") and "left out" in w]
    assert capped and server.url("/cal.ics") in capped[0]
    assert "sessions in the period; the first 30 are shown" in " ".join(result.warnings)


def test_exchange_spaces_in_byday_are_read(tmp_path, server):
    exchange = ("UID:ex\r\nDTSTART:20261102T090000Z\r\nDTEND:20261102T093000Z\r\n"
                "RRULE:FREQ=WEEKLY;BYDAY=MO, TU;\r\n UNTIL=20261111T000000Z\r\nSUMMARY:Stand-up")
    ics = vcalendar(exchange)
    server.routes["/cal.ics"] = lambda h: send(h, 200, ics, "text/calendar")
    config = org_on(tmp_path, server, ["/good.xml"], "/cal.ics")
    _, result = build_within(config)
    assert sessions_in(result, "Stand-up") == 4  # 2, 3, 9 and 10 November
    assert not [w for w in result.warnings if "calendar" in w]


@pytest.mark.parametrize("url,internal", [
    ("lead-image.png", False), ("/img/a.png", False), ("https://cdn.example.org/a.png", False),
    ("//127.0.0.1/a.png", True), ("http://10.0.0.1/a.png", True), ("javascript:x", True),
])
def test_the_render_guard_drops_only_images_naming_an_internal_host(url, internal):
    from digest.urls import names_internal_host

    assert names_internal_host(url) is internal


def test_digest_collect_on_a_terminal_prints_hostile_reasons_as_text(tmp_path, server):
    """The real command on a pseudo-terminal: rich draws its table and progress bar."""
    import pty
    import select
    import subprocess
    import sys
    import time

    server.routes["/oops"] = reason(500, "Oops [/bogus] [link=https://evil.example/]x[/link]")
    server.routes["/esc"] = reason(500, f"Bad {OSC_LINK}here")
    config = org_on(tmp_path, server, ["/good.xml", "/oops", "/esc"])
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "digest", "--config", str(config.path),
                             "collect"], stdin=follower, stdout=follower, stderr=follower,
                            env={**os.environ, "COLUMNS": "300", "TERM": "xterm-256color"})
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the command exited and closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif proc.poll() is not None:
            break
    os.close(leader)
    assert proc.wait(60) == 0, output.decode(errors="replace")
    printed = output.decode(errors="replace")
    assert "MarkupError" not in printed and "Oops [/bogus]" in " ".join(printed.split())
    assert "\x1b]8;;https://evil.example" not in printed and "Bad here" in printed
