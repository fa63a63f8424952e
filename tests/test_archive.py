"""`digest build` writes a static web archive under out/site/ that the email links into."""

from __future__ import annotations

import json

import feedparser
import lxml.html
import pytest
from click.testing import CliRunner

from digest import checks
from digest.cli import cli
from tests.support import Post, utc, write_org

WEB = "https://intranet.example.org/cop-digest/"


@pytest.fixture
def org(tmp_path):
    return write_org(tmp_path, {
        "data": [Post(f"Data post {n}", utc(2026, 10, n + 1, 9),
                      link=f"https://data.example.org/{n}", guid=f"d{n}") for n in range(4)]
        + [Post("A September post", utc(2026, 9, 12), link="https://data.example.org/s",
                guid="s1")],
        "design": [Post("Service patterns for repairs", utc(2026, 10, 14),
                        link="https://design.example.org/a")],
    }, digest_extra="max_items = 2")


def digest(org, *args):
    result = CliRunner().invoke(cli, ["--config", str(org.config_path), *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def page(path):
    return lxml.html.document_fromstring(path.read_bytes())


def test_build_writes_an_issue_page_with_every_post_and_an_anchor_per_community(org):
    digest(org, "collect")
    digest(org, "build", "--period", "2026-10")
    site = org.root / "out" / "site"
    issue_page = page(site / "2026-10" / "index.html")
    ids = {a.get("id") for a in issue_page.iter("a") if a.get("id")}
    assert {"data", "design"} <= ids
    h3 = {h.text_content().strip() for h in issue_page.iter("h3")}
    # the email shows max_items posts; the web page shows them all
    assert {f"Data post {n}" for n in range(4)} <= h3
    email = (org.root / "out" / "2026-10" / "digest.html").read_text()
    assert "Data post 0" not in email and "Data post 1" not in email
    assert f'href="{WEB}2026-10/#data"' in email  # "See 2 more posts from Data on the web"
    assert f'href="{WEB}2026-10/"' in email  # View this issue in your browser
    # on the web: a way back to the archive, no "view in browser", no subscription footer
    html = (site / "2026-10" / "index.html").read_text()
    assert "View this issue in your browser" not in html and "You get" not in html
    assert 'href="../index.html"' in html and 'href="../feed.xml"' in html
    assert checks.lint(html) == []


def test_a_build_compiles_the_templates_once_for_the_editions_and_the_site(org, monkeypatch):
    from digest.render import Renderer

    made = []
    real_init = Renderer.__init__

    def counting_init(self, config):
        made.append(self)
        real_init(self, config)

    monkeypatch.setattr(Renderer, "__init__", counting_init)
    digest(org, "collect")
    digest(org, "build", "--period", "2026-10")
    assert len(made) == 1
    assert (org.root / "out" / "site" / "2026-10" / "index.html").is_file()


def test_a_build_reads_the_site_s_issues_once_for_the_index_and_the_feed(org, monkeypatch):
    from digest import archive

    reads = []
    real = archive.issues_in_site

    def counting(config):
        reads.append(config)
        return real(config)

    monkeypatch.setattr(archive, "issues_in_site", counting)
    digest(org, "collect")
    digest(org, "build", "--period", "2026-10")
    assert len(reads) == 1
    assert "2026-10/index.html" in (org.root / "out" / "site" / "index.html").read_text()
    assert "2026-10/" in (org.root / "out" / "site" / "feed.xml").read_text()


def test_the_index_lists_every_issue_newest_first(org):
    digest(org, "collect")
    digest(org, "build", "--period", "2026-09")
    digest(org, "build", "--period", "2026-10")
    index = page(org.root / "out" / "site" / "index.html")
    links = [a.get("href") for a in index.iter("a")]
    assert links[:2] == ["2026-10/index.html", "2026-09/index.html"]
    assert index.get("lang") == "en"
    assert len(index.findall(".//h1")) == 1
    assert checks.lint((org.root / "out" / "site" / "index.html").read_text()) == []


def test_the_atom_feed_has_one_entry_per_issue_pointing_at_its_page(org):
    digest(org, "collect")
    digest(org, "build", "--period", "2026-09")
    digest(org, "build", "--period", "2026-10")
    feed = feedparser.parse((org.root / "out" / "site" / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "CoP Digest · Example Housing Trust"
    assert [e.link for e in feed.entries] == [f"{WEB}2026-10/", f"{WEB}2026-09/"]
    october = feed.entries[0]
    assert october.id == f"{WEB}2026-10/"
    assert october.title == "CoP Digest · October 2026"
    assert "Data post 3" in october.content[0].value
    assert october.published_parsed and october.updated_parsed


def test_rebuilding_keeps_the_first_publication_date(org):
    digest(org, "collect")
    digest(org, "build", "--period", "2026-10")
    meta = org.root / "out" / "site" / "2026-10" / "issue.json"
    first = json.loads(meta.read_text())["published"]
    data = json.loads(meta.read_text())
    data["published"] = "2026-11-01T07:00:00+00:00"
    meta.write_text(json.dumps(data))
    digest(org, "build", "--period", "2026-10")
    assert json.loads(meta.read_text())["published"] == "2026-11-01T07:00:00+00:00" != first


def test_without_a_web_address_the_feed_ids_are_tag_uris(tmp_path):
    org = write_org(tmp_path, {"data": [Post("Hello", utc(2026, 10, 2), link="https://e.org/1")]})
    toml = org.config_path.read_text().replace(f'web_url = "{WEB}"\n', "")
    org.config_path.write_text(toml)
    digest(org, "run", "--period", "2026-10")
    feed = feedparser.parse((org.root / "out" / "site" / "feed.xml").read_bytes())
    assert feed.entries[0].id == "tag:example.org,2026:cop-digest/2026-10/"
    assert feed.entries[0].link == "2026-10/"
    email = (org.root / "out" / "2026-10" / "digest.html").read_text()
    assert "in your browser" not in email


def test_a_logo_in_the_templates_is_published_with_the_site_and_shown_on_a_plate(tmp_path):
    import shutil
    from pathlib import Path

    from tests.email_sample import png

    org = write_org(tmp_path, {"data": [Post("Hello", utc(2026, 10, 2), link="https://e.org/1")]},
                    digest_extra='templates = "templates"')
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", tmp_path / "templates")
    (tmp_path / "templates" / "logo.png").write_bytes(png(80, 80))
    digest(org, "run", "--period", "2026-10")
    email = (org.root / "out" / "2026-10" / "digest.html").read_text()
    assert f'<img src="{WEB}logo.png" alt=""' in email
    assert (org.root / "out" / "site" / "logo.png").read_bytes() == png(80, 80)
    assert '<img src="../logo.png"' in (org.root / "out" / "site" / "2026-10" / "index.html"
                                        ).read_text()
    assert checks.lint(email) == []


def test_without_a_logo_the_masthead_shows_the_initials(org):
    digest(org, "run", "--period", "2026-10")
    email = (org.root / "out" / "2026-10" / "digest.html").read_text()
    assert '<span class="monogram" aria-hidden="true"' in email
    assert ">EH</span>" in email
    assert not (org.root / "out" / "site" / "logo.png").exists()


def test_a_custom_templates_folder_restyles_the_site_index_too(tmp_path):
    import shutil
    from pathlib import Path

    org = write_org(tmp_path, {"data": [Post("Hello", utc(2026, 10, 2), link="https://e.org/1")]},
                    digest_extra='templates = "templates"')
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", tmp_path / "templates")
    index_template = tmp_path / "templates" / "site-index.html.j2"
    index_template.write_text(index_template.read_text().replace("#123c69", "#5a1e6b"))
    digest(org, "run", "--period", "2026-10")
    index = (org.root / "out" / "site" / "index.html").read_text()
    assert "#5a1e6b" in index and "#123c69" not in index
    assert "2026-10/index.html" in index


def test_a_custom_templates_folder_without_a_site_index_uses_the_packaged_one(tmp_path):
    import shutil
    from pathlib import Path

    org = write_org(tmp_path, {"data": [Post("Hello", utc(2026, 10, 2), link="https://e.org/1")]},
                    digest_extra='templates = "templates"')
    shutil.copytree(Path(__file__).resolve().parent.parent / "templates", tmp_path / "templates")
    (tmp_path / "templates" / "site-index.html.j2").unlink()
    digest(org, "run", "--period", "2026-10")
    index = (org.root / "out" / "site" / "index.html").read_text()
    assert "#123c69" in index and "2026-10/index.html" in index
