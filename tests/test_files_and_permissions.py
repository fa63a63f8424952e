"""What the job writes: atomically, never through a symlink, and private where it holds addresses.

A symlink planted in out/ (feed.xml -> a file elsewhere, outbox -> another folder)
used to be written through; the state database and the outbox were readable by
everyone under umask 022. Real builds and sends on real files.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.collect.opml import import_opml
from digest.config import load_communities
from digest.errors import ConfigError
from digest.files import UnsafePathError, write_file
from digest.store import Store
from tests.support import Post, utc, write_org

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def org(tmp_path, umask_022):
    return write_org(tmp_path, {"data": [Post("Catalogue live", utc(2026, 10, 6), guid="d1",
                                              link="https://data.example.org/1")]})


def digest(org, *args):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), *args])


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# --- symlinks ---------------------------------------------------------------------------------

def test_a_symlinked_feed_xml_is_refused_and_its_target_untouched(org, tmp_path):
    assert digest(org, "collect").exit_code == 0
    victim = tmp_path / "elsewhere.txt"
    victim.write_text("not the digest's\n")
    site = org.root / "out" / "site"
    site.mkdir(parents=True)
    (site / "feed.xml").symlink_to(victim)
    result = digest(org, "build", "--period", "2026-10")
    assert result.exit_code == 78, result.output
    assert "feed.xml is a symbolic link" in result.output
    assert victim.read_text() == "not the digest's\n"
    assert (site / "feed.xml").is_symlink()


def test_a_symlinked_period_folder_is_refused(org, tmp_path):
    assert digest(org, "collect").exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (org.root / "out").mkdir()
    (org.root / "out" / "2026-10").symlink_to(elsewhere, target_is_directory=True)
    result = digest(org, "build", "--period", "2026-10")
    assert result.exit_code == 78, result.output
    assert "2026-10 is a symbolic link" in result.output
    assert list(elsewhere.iterdir()) == []


def test_a_symlinked_outbox_is_refused_and_nothing_is_written_there(org, tmp_path):
    assert digest(org, "collect").exit_code == 0
    assert digest(org, "build", "--period", "2026-10").exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (org.root / "out" / "outbox").symlink_to(elsewhere, target_is_directory=True)
    result = digest(org, "send", "--period", "2026-10")
    assert result.exit_code == 69, result.output
    assert "outbox is a symbolic link" in result.output
    assert list(elsewhere.rglob("*")) == []


def test_a_symlinked_eml_is_not_written_through(org, tmp_path):
    from digest.deliver.transports import Envelope, OutboxTransport, outbox_name

    folder = org.root / "out" / "outbox" / "2026-10"
    box = OutboxTransport(folder, root=org.root / "out")
    box.ready()
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (folder / outbox_name("ann@example.org")).symlink_to(victim)
    result = box.send(Envelope("d@example.org", "ann@example.org", "<1@example.org>", b"x"))
    assert result.fate == "transient" and "symbolic link" in result.text
    assert victim.read_text() == "keep"


def test_the_root_itself_may_be_a_symlink_the_organiser_made(org, tmp_path):
    published = tmp_path / "srv-www"
    published.mkdir()
    (org.root / "out").symlink_to(published, target_is_directory=True)
    assert digest(org, "collect").exit_code == 0
    result = digest(org, "build", "--period", "2026-10")
    assert result.exit_code == 0, result.output
    assert (published / "site" / "feed.xml").is_file()


def test_writes_are_atomic_renames_that_leave_no_temporary_files(tmp_path):
    root = tmp_path / "out"
    target = root / "site" / "feed.xml"
    write_file(target, "old", root)
    with open(target) as reader:  # a web server mid-read keeps the whole old file
        write_file(target, "new", root)
        assert reader.read() == "old"
    assert target.read_text() == "new"
    assert [p.name for p in target.parent.iterdir()] == ["feed.xml"]


def test_dot_dot_and_paths_outside_the_root_are_refused(tmp_path):
    with pytest.raises(UnsafePathError):
        write_file(tmp_path / "out" / ".." / "x", "x", tmp_path / "out")
    with pytest.raises(UnsafePathError):
        write_file(tmp_path / "x", "x", tmp_path / "out")


# --- permissions ------------------------------------------------------------------------------

def test_state_lock_and_outbox_are_for_the_owner_only(org):
    assert digest(org, "run", "--period", "2026-10").exit_code == 0
    var = org.root / "var"
    assert mode(var) == 0o700
    assert mode(var / "digest.db") == 0o600
    with Store(var / "digest.db"):  # WAL and SHM exist while a connection is open
        for name in ("digest.db-wal", "digest.db-shm"):
            assert mode(var / name) == 0o600, name
    assert mode(var / "digest.db.lock") == 0o600
    outbox = org.root / "out" / "outbox"
    assert mode(outbox) == 0o700 and mode(outbox / "2026-10") == 0o700
    emls = list((outbox / "2026-10").glob("*.eml"))
    assert emls and all(mode(p) == 0o600 for p in emls)
    # what is published stays readable
    assert mode(org.root / "out" / "site" / "feed.xml") == 0o644


def test_the_backup_a_migration_makes_is_for_the_owner_only(tmp_path, umask_022):
    db = tmp_path / "var" / "digest.db"
    db.parent.mkdir()
    shutil.copyfile(FIXTURES / "state" / "digest-0.1.0.db", db)
    with Store(db):
        pass
    [backup] = db.parent.glob("digest.db.v0.bak")
    assert mode(backup) == 0o600


# --- OPML import through tomlkit --------------------------------------------------------------

COMMUNITIES = """# Our communities
[[community]]
id = "data"  # the data CoP
name = "Data"
posts = [
    "https://d.example.org/feed",  # the team blog
]
"""


def opml(*urls: str) -> str:
    outlines = "".join(f'<outline type="rss" text="x" xmlUrl="{u}"/>' for u in urls)
    return f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'


@pytest.mark.parametrize("url", [
    "https://e.example.org/feed&#10;[[community]]",  # a newline in the attribute
    "https://e.example.org/feed&quot;]",  # "] would close the string and the array
    "https://e.example.org/a b",
])
def test_opml_urls_that_no_url_holds_are_refused_and_the_list_is_untouched(tmp_path, url):
    toml = tmp_path / "communities.toml"
    toml.write_text(COMMUNITIES)
    source = tmp_path / "subs.opml"
    source.write_text(opml(url))
    with pytest.raises(ConfigError) as caught:
        import_opml(source, "data", toml)
    assert "subs.opml" in str(caught.value) and "outline 1" in str(caught.value)
    assert toml.read_text() == COMMUNITIES


def test_import_is_exit_78_with_one_line(org, tmp_path):
    source = tmp_path / "subs.opml"
    source.write_text(opml("https://e.example.org/x&quot;]"))
    result = digest(org, "feeds", "import", str(source), "--community", "data")
    assert result.exit_code == 78, result.output
    assert len(result.output.strip().splitlines()) == 1


def test_urls_with_toml_specials_round_trip_through_repeated_imports(tmp_path):
    toml = tmp_path / "communities.toml"
    toml.write_text(COMMUNITIES)
    first, second = "https://e.example.org/f?q=a]&amp;b='c'#x", "https://f.example.org/#]]"
    for url in (first, second):
        (tmp_path / "subs.opml").write_text(opml(url))
        assert len(import_opml(tmp_path / "subs.opml", "data", toml)) == 1
    [data] = load_communities(toml)
    assert data.posts == ("https://d.example.org/feed", "https://e.example.org/f?q=a]&b='c'#x",
                          "https://f.example.org/#]]")
    text = toml.read_text()
    assert "# Our communities" in text and "# the team blog" in text and "# the data CoP" in text


def test_import_refuses_to_replace_a_symlinked_list(tmp_path):
    real = tmp_path / "real.toml"
    real.write_text(COMMUNITIES)
    toml = tmp_path / "communities.toml"
    toml.symlink_to(real)
    (tmp_path / "subs.opml").write_text(opml("https://e.example.org/feed"))
    with pytest.raises(UnsafePathError):
        import_opml(tmp_path / "subs.opml", "data", toml)
    assert toml.is_symlink() and real.read_text() == COMMUNITIES


def test_import_keeps_the_lists_own_permissions(tmp_path, umask_022):
    toml = tmp_path / "communities.toml"
    toml.write_text(COMMUNITIES)
    toml.chmod(0o640)
    (tmp_path / "subs.opml").write_text(opml("https://e.example.org/feed"))
    assert import_opml(tmp_path / "subs.opml", "data", toml)
    assert mode(toml) == 0o640


def test_a_symlinked_lock_is_a_clear_error(org, tmp_path):
    (org.root / "var").mkdir()
    (org.root / "var" / "digest.db.lock").symlink_to(tmp_path / "victim")
    result = digest(org, "run", "--period", "2026-10")
    assert result.exit_code == 78, result.output
    assert "digest.db.lock" in result.output and not (tmp_path / "victim").exists()
