"""OPML import edits the community list as text; export writes OPML 2.0."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from digest.collect.opml import export_opml, import_opml
from digest.config import load_communities
from digest.errors import ConfigError

OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>Subs</title></head><body>
  <outline text="Group">
    <outline type="rss" text="A" xmlUrl="https://a.example.org/feed"/>
    <outline type="rss" text="B" xmlUrl="https://b.example.org/rss.xml"/>
  </outline>
  <outline type="rss" text="Known" xmlUrl="https://known.example.org/feed"/>
  <outline text="Not a feed" htmlUrl="https://example.org/"/>
</body></opml>
"""

TOML = """# Our communities. Keep this list tidy!
[[community]]
id = "design"  # the design CoP
name = "Design"
posts = [
    "https://known.example.org/feed",  # the team blog
]

[[community]]
id = "data"
name = "Data"
posts = ["https://d.example.org/feed"]
"""


@pytest.fixture
def files(tmp_path):
    opml = tmp_path / "subs.opml"
    opml.write_text(OPML)
    toml = tmp_path / "communities.toml"
    toml.write_text(TOML)
    return opml, toml


def test_import_appends_new_feeds_and_keeps_comments(files):
    opml, toml = files
    added = import_opml(opml, "design", toml)
    assert added == ["https://a.example.org/feed", "https://b.example.org/rss.xml"]
    text = toml.read_text()
    assert "# Our communities. Keep this list tidy!" in text
    assert "# the team blog" in text and "# the design CoP" in text
    design, data = load_communities(toml)
    assert design.posts == ("https://known.example.org/feed", *added)
    assert data.posts == ("https://d.example.org/feed",)
    assert import_opml(opml, "design", toml) == []  # nothing twice


def test_import_into_a_one_line_list(files):
    opml, toml = files
    import_opml(opml, "data", toml)
    _, data = load_communities(toml)
    assert data.posts == ("https://d.example.org/feed", "https://a.example.org/feed",
                          "https://b.example.org/rss.xml", "https://known.example.org/feed")


def test_import_into_a_community_without_posts(tmp_path, files):
    opml, toml = files
    toml.write_text('[[community]]\nid = "ops"\nname = "Ops"\nmeetings = []\n')
    import_opml(opml, "ops", toml)
    [ops] = load_communities(toml)
    assert len(ops.posts) == 3


def test_unknown_community_is_a_clear_error(files):
    opml, toml = files
    with pytest.raises(ConfigError, match="no community with id 'nope'.*design, data"):
        import_opml(opml, "nope", toml)
    assert toml.read_text() == TOML


def test_export_is_opml_2(tmp_path, files):
    from collect_helpers import community, make_config
    cfg = make_config(tmp_path, [community("design", ["https://a.example.org/feed"],
                                           ["/srv/notes.xml"], "https://cal.example.org/x.ics")])
    root = ET.fromstring(export_opml(cfg))
    assert root.tag == "opml" and root.get("version") == "2.0"
    urls = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
    assert urls == ["https://a.example.org/feed", "file:///srv/notes.xml"]
    # and an export imports back
    out = tmp_path / "out.opml"
    out.write_text(export_opml(cfg))
    toml = tmp_path / "communities.toml"
    toml.write_text('[[community]]\nid = "x"\nname = "X"\n')
    assert import_opml(out, "x", toml) == ["https://a.example.org/feed"]


@pytest.mark.parametrize("prolog,refused", [
    ('<!-- <a> --><!DOCTYPE opml [<!ENTITY x "y">]>', True),
    ('<!DOCTYPE opml [<!ENTITY x "y">]>', True),
    ("", False),
])
def test_entity_declarations_are_refused_by_the_feeds_rule(files, prolog, refused):
    opml, toml = files
    # An outline whose title quotes <!ENTITY is text, not a declaration: it is read.
    opml.write_text(OPML.replace('<?xml version="1.0"?>', '<?xml version="1.0"?>' + prolog)
                    .replace('text="A"', 'text="about &lt;!ENTITY&gt;"'))
    if refused:
        with pytest.raises(ConfigError, match="entities"):
            import_opml(opml, "data", toml)
    else:
        assert "https://a.example.org/feed" in import_opml(opml, "data", toml)
