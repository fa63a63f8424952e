"""`digest preview` serves what will go out and rebuilds on change; `send --to` sends one copy."""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from waiting import wait_until

from digest import checks
from digest.cli import cli
from digest.preview import Preview, size_note
from tests.support import Post, utc, write_org

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
READERS = ("email,name,communities\n"
           "ann@example.org,Ann Reader,\n"
           "ada@example.org,Ada Okafor,design\n")


def make_org(root: Path):
    org = write_org(root, {
        "data": [Post("Our data catalogue is live", utc(2026, 10, 6, 9),
                      link="https://data.example.org/1", guid="d1")],
        "design": [Post("Service patterns for repairs", utc(2026, 10, 14),
                        link="https://design.example.org/a")],
    }, recipients=READERS, digest_extra='templates = "templates"')
    shutil.copytree(TEMPLATES, root / "templates")
    return org


@pytest.fixture
def org(tmp_path):
    return make_org(tmp_path)


def digest(org, *args):
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), *args],
                                catch_exceptions=False)
    return result


@pytest.fixture
def preview(org):
    p = Preview(org.config_path, "2026-10", port=0, poll_seconds=0.1).start()
    yield p
    p.stop()


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read().decode()


def version_after(preview, before: int) -> dict:
    """The preview's state once it has rebuilt since `before`."""
    def state():
        s = json.loads(get(preview.url + "version"))
        return s["version"] > before and s
    return wait_until(state, timeout=60, interval=0.05, message="the preview never rebuilt")


def test_index_lists_the_built_editions_and_each_edition_page_has_everything(preview):
    index = get(preview.url)
    assert "/issue/2026-10/all" in index and "/issue/2026-10/design" in index
    page = get(preview.url + "issue/2026-10/design")
    assert 'id="subject">October at a glance: 1 post' in page
    assert 'id="preheader">Design: 1 post.' in page
    assert 'title="Desktop view"' in page and 'title="Mobile view"' in page
    assert 'id="plain-text"' in page and "Service patterns for repairs" in page
    assert 'id="source">&lt;!doctype html&gt;' in page
    assert "no accessibility findings" in page
    if checks.caniemail_available():  # make test installs it; the client notes are reviewed
        assert "all accepted in the reviewed baseline" in page
        assert "In Outlook for Windows (2007-2019 and classic) and Windows Mail: rounded " \
            "corners show square (border-radius). Accepted: " in page
    assert " KB</dd>" in page
    raw = get(preview.url + "raw/2026-10/design.html")
    assert raw.startswith("<!doctype html>") and "Service patterns for repairs" in raw
    assert "Service patterns" in get(preview.url + "raw/2026-10/design.txt")
    assert "CoP Digest" in get(preview.url + "site/")


def test_unknown_pages_and_paths_outside_the_site_are_not_found(preview):
    for path in ("issue/2026-10/nope", "raw/2026-10/all.eml", "site/../../digest.toml",
                 "issue/..%2F..%2Fx/all", "nothing"):
        with pytest.raises(urllib.error.HTTPError) as e:
            get(preview.url + path)
        assert e.value.code == 404, path


def test_a_template_change_rebuilds_and_bumps_the_version(preview, org):
    before = json.loads(get(preview.url + "version"))["version"]
    template = org.root / "templates" / "digest.mjml.j2"
    template.write_text(template.read_text().replace("In this issue", "Inside this month"))
    version_after(preview, before)
    assert "Inside this month" in get(preview.url + "raw/2026-10/all.html")


def test_a_broken_template_shows_the_error_and_the_preview_keeps_running(preview, org):
    before = json.loads(get(preview.url + "version"))["version"]
    template = org.root / "templates" / "digest.mjml.j2"
    template.write_text(template.read_text().replace("{% endfor %}", "{% endfro %}", 1))
    state = version_after(preview, before)
    assert "digest.mjml.j2" in state["error"]
    assert "The last build failed" in get(preview.url)


def test_a_feed_change_collects_and_rebuilds(preview, org):
    before = json.loads(get(preview.url + "version"))["version"]
    feed = org.root / "feeds" / "data.xml"
    feed.write_text(feed.read_text().replace("<item>", (
        "<item><title>Fresh from the feed</title><link>https://data.example.org/9</link>"
        "<guid>d9</guid><pubDate>Tue, 20 Oct 2026 10:00:00 +0000</pubDate>"
        "<description>New.</description></item><item>"), 1))
    version_after(preview, before)
    assert "Fresh from the feed" in get(preview.url + "raw/2026-10/all.html")


def test_a_taken_port_moves_the_preview_to_the_next_free_one(org):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        p = Preview(org.config_path, "2026-10", port=port)
        try:
            assert p.server.server_address[0] == "127.0.0.1"
            assert p.server.server_address[1] > port
        finally:
            p.server.server_close()


def test_size_note_warns_near_the_gmail_clip():
    assert size_note(40 * 1024) == "40.0 KB"
    assert "close to Gmail" in size_note(95 * 1024)
    assert "will clip" in size_note(103 * 1024)


def test_send_to_writes_one_copy_and_leaves_the_real_send_alone(org):
    digest(org, "collect")
    digest(org, "build", "--period", "2026-10")
    result = digest(org, "send", "--period", "2026-10", "--to", "Me <me@example.org>",
                    "--edition", "design")
    assert result.exit_code == 0, result.output
    assert "sent a test copy of edition design to Me <me@example.org>" in result.output
    tests = list((org.root / "out" / "outbox" / "test").glob("*.eml"))
    assert len(tests) == 1
    msg = email.message_from_bytes(tests[0].read_bytes(), policy=email.policy.default)
    assert msg["To"].addresses[0].addr_spec == "me@example.org"
    assert msg["Subject"].startswith("[TEST] October at a glance")
    text, html = msg.get_payload()
    assert "Service patterns for repairs" in html.get_content()
    # a copy to a colleague is a second file, and the real send still reaches every reader
    digest(org, "send", "--period", "2026-10", "--to", "colleague@example.org")
    assert len(list((org.root / "out" / "outbox" / "test").glob("*.eml"))) == 2
    assert "not sent" in digest(org, "status").output
    real = digest(org, "send", "--period", "2026-10")
    assert real.exit_code == 0
    assert len(list((org.root / "out" / "outbox" / "2026-10").glob("*.eml"))) == 2


def test_send_to_names_the_editions_when_the_key_is_wrong(org):
    digest(org, "collect")
    digest(org, "build", "--period", "2026-10")
    result = digest(org, "send", "--period", "2026-10", "--to", "me@example.org",
                    "--edition", "nope")
    assert result.exit_code != 0
    assert "has no edition 'nope'; it has: all, design" in result.output
    bad = digest(org, "send", "--period", "2026-10", "--to", "not-an-address")
    assert bad.exit_code != 0 and "not a usable email address" in bad.output


def test_the_preview_command_serves_until_stopped(org):
    import os
    import signal
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "digest", "--config", str(org.config_path), "preview",
         "--period", "2026-10", "--port", str(port), "--no-open"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"previewing 2026-10 at http://127.0.0.1:{port}/"), line
        assert "/issue/2026-10/all" in get(f"http://127.0.0.1:{port}/")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
