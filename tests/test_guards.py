"""Guards against sending the wrong thing, and the preview and address holes of issue 9.

Real files, the real CLI, the real preview server on 127.0.0.1.
"""

from __future__ import annotations

import base64
import http.client
import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.period import Period
from digest.preview import Preview
from digest.store import Store, utcnow
from tests.support import Post, rss, utc, write_org


def digest(org, *args):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), *args])


def current_period() -> Period:
    """The month we are in, in the sample organisation's timezone: it has not ended."""
    from zoneinfo import ZoneInfo

    return Period.of(utcnow(), ZoneInfo("Europe/London"), "monthly")


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {"data": [
        Post("Catalogue live", utc(2026, 10, 6), guid="d1", link="https://data.example.org/1"),
        Post("Dashboards", utc(2026, 10, 20), guid="d2", link="https://data.example.org/2"),
    ]})


# --- a period that has not ended --------------------------------------------------------------

@pytest.mark.parametrize("command", ["build", "send", "run"])
def test_a_period_that_has_not_ended_is_refused(org, command):
    period = current_period()
    result = digest(org, command, "--period", period.label)
    assert result.exit_code == 64, result.output
    [line] = result.output.strip().splitlines()
    assert f"{period} has not ended" in line
    assert not (org.root / "out" / period.label).exists()


def test_a_test_copy_of_an_unfinished_period_is_refused_too(org):
    period = current_period()
    result = digest(org, "send", "--period", period.label, "--to", "me@example.org")
    assert result.exit_code == 64 and "has not ended" in result.output


def test_preview_shows_the_current_period_as_a_draft_and_claims_nothing(tmp_path):
    period = current_period()
    org = write_org(tmp_path, {"data": [
        Post("This month's news", period.start(utc(2026, 1, 1).tzinfo) + timedelta(hours=30),
             guid="n1", link="https://data.example.org/n1")]})
    preview = Preview(org.config_path, period.label, port=0, poll_seconds=60).start()
    try:
        assert preview.state.error is None, preview.state.error
        assert preview.wait_written(60)  # editions render on demand; the rest then written
        manifest = json.loads((org.root / "out" / period.label / "issue.json").read_text())
        assert manifest["draft"] is True and manifest["posts"] == 1
        page = fetch(preview, f"/issue/{period.label}/all")[1].decode()
        assert 'id="draft"' in page and "cannot be sent" in page
        assert "(draft: not ended, never sent)" in fetch(preview, "/")[1].decode()
    finally:
        preview.stop()
    with Store(org.root / "var" / "digest.db") as store:
        assert store.issue(period.label) is None
        assert store.items("issue IS NOT NULL") == []  # nothing taken from a real issue
    assert not (org.root / "out" / "site" / period.label).exists()  # not published
    result = digest(org, "send", "--period", period.label)
    assert result.exit_code == 64 and "has not ended" in result.output


# --- an issue with nothing new ----------------------------------------------------------------

@pytest.fixture
def quiet_org(tmp_path):
    # the only post is from long before October: October's issue has nothing new
    return write_org(tmp_path, {"data": [Post("Old news", utc(2026, 5, 2), guid="o1",
                                              link="https://data.example.org/o1")]})


def test_run_does_not_send_an_empty_issue_and_says_so(quiet_org):
    result = digest(quiet_org, "run", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert "2026-10 has nothing new" in result.output and "send_empty" in result.output
    assert "error" not in result.output
    assert list((quiet_org.root / "out").glob("outbox/2026-10/*.eml")) == []
    with Store(quiet_org.root / "var" / "digest.db") as store:
        assert store.issue("2026-10").sent_at is None


def test_quiet_runs_say_an_empty_issue_once_not_every_hour(quiet_org):
    """cron runs `digest --quiet run` hourly on days 1-3: the first run says the issue was
    not sent; the later ones, finding the same empty issue, stay silent (nothing new)."""
    first = digest(quiet_org, "--quiet", "run", "--period", "2026-10")
    assert first.exit_code == 0 and "2026-10 has nothing new" in first.output
    for _ in range(2):
        again = digest(quiet_org, "--quiet", "run", "--period", "2026-10")
        assert (again.exit_code, again.output) == (0, "")
    loud = digest(quiet_org, "run", "--period", "2026-10")
    assert "2026-10 has nothing new" in loud.output  # without --quiet it is always said
    quiet_org.root.joinpath("feeds", "data.xml").write_text(
        rss([Post("Fresh news", utc(2026, 10, 20), guid="f1",
                  link="https://data.example.org/f1")], "data blog"), encoding="utf-8")
    late = digest(quiet_org, "--quiet", "run", "--period", "2026-10")
    assert (late.exit_code, late.output) == (0, "")  # news arrived: sent, quietly
    assert list((quiet_org.root / "out").glob("outbox/2026-10/*.eml"))


def test_send_of_an_empty_built_issue_refuses_too(quiet_org):
    assert digest(quiet_org, "collect").exit_code == 0
    assert digest(quiet_org, "build", "--period", "2026-10").exit_code == 0
    result = digest(quiet_org, "send", "--period", "2026-10")
    assert result.exit_code == 0 and "nothing new" in result.output
    assert not (quiet_org.root / "out" / "outbox").exists()


def test_send_empty_true_sends_it(tmp_path):
    org = write_org(tmp_path, {"data": [Post("Old news", utc(2026, 5, 2), guid="o1")]},
                    digest_extra="send_empty = true")
    result = digest(org, "run", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert len(list((org.root / "out" / "outbox" / "2026-10").glob("*.eml"))) == 1


# --- a sent issue is frozen -------------------------------------------------------------------

def test_build_of_a_sent_period_says_where_the_frozen_copy_is_and_writes_nothing(org):
    assert digest(org, "run", "--period", "2026-10").exit_code == 0
    out = org.root / "out"
    files = [out / "2026-10" / "digest.html", out / "2026-10" / "issue.json",
             out / "site" / "2026-10" / "index.html", out / "site" / "feed.xml"]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    # the feed changes after the send: a rebuild would show readers something else
    feed = org.root / "feeds" / "data.xml"
    feed.write_text(feed.read_text().replace("Catalogue live", "Catalogue renamed"))
    assert digest(org, "collect").exit_code == 0
    result = digest(org, "build", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert "2026-10 was sent on" in result.output
    assert str(out / "2026-10" / "digest.html") in result.output
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before


# --- preview: Host header, odd paths, sandboxed frames ----------------------------------------

@pytest.fixture
def preview(org):
    assert digest(org, "collect").exit_code == 0
    p = Preview(org.config_path, "2026-10", port=0, poll_seconds=60).start()
    yield p
    p.stop()


def fetch(preview, path: str, host: str | None = None) -> tuple[int, bytes, dict]:
    port = preview.server.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read(), dict(r.getheaders())
    finally:
        conn.close()


@pytest.mark.parametrize("host", ["evil.example.org", "evil.example.org:{port}", "127.0.0.2:{port}",
                                  "localhost.evil.example.org:{port}", ""])
def test_preview_refuses_other_hosts(preview, host):
    port = preview.server.server_address[1]
    status, body, _ = fetch(preview, "/", host.format(port=port))
    assert status == 421
    assert b"Digest preview" not in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_preview_answers_its_own_names(preview, host):
    port = preview.server.server_address[1]
    assert fetch(preview, "/", host.format(port=port))[0] == 200


@pytest.mark.parametrize("path,status", [
    ("/site/%00", 400), ("/site/%0a", 400), ("/raw/2026-10/%ff.html", 400),
    ("/site/a%5c..%5c..%5cetc", 400), ("/issue/%00/all", 400),
    ("/site/" + "x" * 5000, 404), ("/raw/..%2f..%2f/all.html", 404), ("/site/%2e%2e/", 404),
])
def test_odd_paths_get_an_answer_and_the_server_keeps_serving(preview, path, status):
    assert fetch(preview, path)[0] == status
    assert fetch(preview, "/")[0] == 200


class _Frames(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.frames: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "iframe":
            self.frames.append(dict(attrs))


def test_the_email_frames_are_sandboxed(preview):
    status, body, _ = fetch(preview, "/issue/2026-10/all")
    assert status == 200
    parser = _Frames()
    parser.feed(body.decode())
    assert len(parser.frames) == 2
    for frame in parser.frames:
        assert "sandbox" in frame
        tokens = frame["sandbox"].split()
        assert "allow-scripts" not in tokens and "allow-same-origin" not in tokens
    _, _, headers = fetch(preview, "/raw/2026-10/all.html")
    assert headers["Content-Security-Policy"].startswith("sandbox")


# --- addresses --------------------------------------------------------------------------------

def set_from(org, value: str) -> None:
    text = org.config_path.read_text()
    org.config_path.write_text(text.replace('from = "CoP Digest <cop-digest@example.org>"',
                                            f"from = {json.dumps(value)}"))


@pytest.mark.parametrize("sender", [
    '"ceo@example.org" <digest@example.org>',  # CVE-2023-27043: parseaddr took ceo@
    "ceo@example.org <digest@example.org>",
    "=?utf-8?q?ceo=40example.org?= <digest@example.org>",
    "CoP Digest <digest@example.org>, other@example.org",
    "Team: digest@example.org;",
    "CoP Digest <digest@example.org> trailing",
])
def test_a_from_the_standard_library_misreads_is_refused_at_load(org, sender):
    set_from(org, sender)
    result = digest(org, "build", "--period", "2026-10")
    assert result.exit_code == 78, result.output
    [line] = result.output.strip().splitlines()
    assert "delivery.from" in line


@pytest.mark.parametrize("sender", ["CoP Digest <digest@example.org>", "digest@example.org",
                                    '"Digest, the" <digest@example.org>',
                                    "Zoë's Digest <digest@example.org>"])
def test_ordinary_froms_still_load_and_send_as_themselves(org, sender):
    set_from(org, sender)
    assert digest(org, "run", "--period", "2026-10").exit_code == 0
    import email
    import email.policy

    [eml] = (org.root / "out" / "outbox" / "2026-10").glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    [addr] = msg["From"].addresses
    assert addr.addr_spec == "digest@example.org"


def test_a_recipient_name_with_an_encoded_line_break_is_skipped_with_its_line(tmp_path):
    crlf = "=?utf-8?b?" + base64.b64encode(b"Ann\r\nBcc: x@example.net").decode() + "?="
    org = write_org(tmp_path, {"data": [Post("News", utc(2026, 10, 6), guid="d1")]},
                    recipients=("email,name,communities\n"
                                f"ann@example.org,{crlf},\n"
                                "bob@example.org,Bob Ünal,\n"))
    result = digest(org, "run", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert "line 2" in result.output and "encoded word" in result.output
    import email
    import email.policy

    [eml] = (org.root / "out" / "outbox" / "2026-10").glob("*.eml")  # Bob only
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    [to] = msg["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Bob Ünal", "bob@example.org")
