"""The preview answers at once: editions render when asked for, the same bytes `digest build`
writes, the rest rendered ahead and written; the index is paged; edits re-render only what
they touch."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import urllib.request

import pytest
from click.testing import CliRunner
from waiting import wait_until

from digest.cli import cli
from digest.preview import PAGE_SIZE, Preview
from tests.support import Post, utc, write_org

ROW = r"<tr><td data-label=\"Issue\">2026-10"  # a row of the index of editions
COMMUNITIES = ("data", "design", "devops", "research", "security", "testing", "ux", "web")


def large_org(root):
    """Eight communities, a post each, and a reader for every set of one to three of them:
    92 editions and the full one, two pages of the index."""
    org = write_org(root, {
        c: [Post(f"News from the {c} guild", utc(2026, 10, 3 + i, 9),
                 link=f"https://{c}.example.org/1", guid=f"{c}-1")]
        for i, c in enumerate(COMMUNITIES)})
    readers = ["email,name,communities", "all@example.org,Ari Everyone,"]
    sets = [s for n in (1, 2, 3) for s in itertools.combinations(COMMUNITIES, n)]
    readers += [f"r{i}@example.org,Reader {i},{';'.join(s)}" for i, s in enumerate(sets)]
    (root / "recipients.csv").write_text("\n".join(readers) + "\n")
    return org, 1 + len(sets)


def digest(root, *args):
    result = CliRunner().invoke(cli, ["--config", str(root / "digest.toml"), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def built_copy(tmp_path, org_root):
    """The same organisation built by `digest build`, in a folder of its own."""
    copy = tmp_path / "built"
    shutil.copytree(org_root, copy)
    digest(copy, "collect")
    digest(copy, "build", "--period", "2026-10")
    return copy / "out" / "2026-10"


def get_bytes(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read()


def rendered(preview) -> list[str]:
    return [key for what, key in list(preview.events) if what == "rendered"]


def test_editions_render_when_asked_for_are_kept_and_match_digest_build(tmp_path):
    org, editions = large_org(tmp_path / "org")
    out = built_copy(tmp_path, org.root)
    manifest = json.loads((out / "issue.json").read_text())
    assert len(manifest["editions"]) == editions
    preview = Preview(org.config_path, "2026-10", port=0, poll_seconds=60,
                      render_ahead=False).start()
    try:
        index = get_bytes(preview.url).decode()
        # the index answered with only the full edition rendered (at start, for its errors)
        assert rendered(preview) == ["all"]
        assert len(re.findall(ROW, index)) == PAGE_SIZE
        assert index.count("not rendered yet") == PAGE_SIZE - 1
        assert f"Page 1 of 2 (editions 1 to {PAGE_SIZE} of {editions})" in index
        second = get_bytes(preview.url + "?page=2").decode()
        assert len(re.findall(ROW, second)) == editions - PAGE_SIZE
        assert 'rel="prev"' in second and 'rel="next"' not in second
        assert rendered(preview) == ["all"]  # paging renders nothing

        for record in manifest["editions"][1:4] + manifest["editions"][-2:]:
            key = record["key"]
            for kind in ("html", "txt"):
                served = get_bytes(f"{preview.url}raw/2026-10/{key}.{kind}")
                assert served == (out / record[kind if kind == "html" else "text"]).read_bytes()
            page = get_bytes(preview.url + "issue/2026-10/" + key).decode()
            assert f'src="/raw/2026-10/{key}.html"' in page
        asked = [r["key"] for r in manifest["editions"][1:4] + manifest["editions"][-2:]]
        assert rendered(preview) == ["all", *asked]  # each once, though asked for twice
        full = get_bytes(preview.url + "raw/2026-10/all.html")
        assert full == (out / "digest.html").read_bytes()
        assert rendered(preview) == ["all", *asked]
    finally:
        preview.stop()


def test_the_index_answers_first_and_the_rest_is_rendered_ahead_and_written(tmp_path):
    org, editions = large_org(tmp_path / "org")
    out = built_copy(tmp_path, org.root)
    preview = Preview(org.config_path, "2026-10", port=0, poll_seconds=60).start()
    try:
        get_bytes(preview.url)
        assert preview.wait_written(120)
        events = list(preview.events)
        keys = [key for what, key in events if what == "rendered"]
        assert len(keys) == len(set(keys)) == editions  # every edition, each once
        # the index was served before the last edition was rendered, not after all of them
        assert events.index(("index", "1")) < events.index(("rendered", keys[-1]))
        assert events[-1] == ("written", "2026-10")
    finally:
        preview.stop()
    written = org.root / "out" / "2026-10"
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(written) for p in written.rglob("*") if p.is_file())
    for name in files:
        if name.name != "issue.json":
            assert (written / name).read_bytes() == (out / name).read_bytes(), name
    ours, theirs = (json.loads((f / "issue.json").read_text()) for f in (written, out))
    assert {**ours, "built_at": ""} == {**theirs, "built_at": ""}


def test_a_new_reader_renders_only_the_edition_they_add(tmp_path):
    org = write_org(tmp_path, {
        "data": [Post("Our data catalogue is live", utc(2026, 10, 6, 9),
                      link="https://data.example.org/1", guid="d1")],
        "design": [Post("Service patterns for repairs", utc(2026, 10, 14),
                        link="https://design.example.org/a", guid="g1")],
        "web": [Post("A faster intranet", utc(2026, 10, 20),
                     link="https://web.example.org/a", guid="w1")]},
        recipients="email,name,communities\nann@example.org,Ann Reader,design\n")
    preview = Preview(org.config_path, "2026-10", port=0, poll_seconds=0.05,
                      render_ahead=False).start()
    try:
        before = get_bytes(preview.url + "raw/2026-10/design.html")
        assert rendered(preview) == ["all", "design"]
        version = preview.state.version
        with (org.root / "recipients.csv").open("a") as f:
            f.write("ben@example.org,Ben Reader,web\n")
        wait_until(lambda: preview.state.version > version and not preview.state.building,
                   timeout=60, interval=0.05, message="the preview never rebuilt")
        assert "/issue/2026-10/web" in get_bytes(preview.url).decode()
        assert get_bytes(preview.url + "raw/2026-10/design.html") == before
        assert get_bytes(preview.url + "raw/2026-10/web.html").startswith(b"<!doctype html>")
        assert rendered(preview) == ["all", "design", "web"]  # the others were kept
    finally:
        preview.stop()


@pytest.mark.parametrize("page", ["0", "99", "x"])
def test_a_page_out_of_range_shows_the_nearest_one(tmp_path, page):
    org = write_org(tmp_path, {"data": [Post("News", utc(2026, 10, 6, 9),
                                             link="https://data.example.org/1", guid="d1")]})
    preview = Preview(org.config_path, "2026-10", port=0, poll_seconds=60,
                      render_ahead=False).start()
    try:
        index = get_bytes(f"{preview.url}?page={page}").decode()
        assert "/issue/2026-10/all" in index and "Page " not in index
    finally:
        preview.stop()
