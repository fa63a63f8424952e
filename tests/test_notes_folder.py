"""A community's `notes` folder of Markdown files, collected like a feed."""

from __future__ import annotations

import os
from datetime import date

import pytest
from click.testing import CliRunner

from digest.cli import cli
from digest.collect import collect
from digest.errors import ConfigError
from digest.store import Store
from tests.support import notes_org, utc

MEETING = """---
title: Product CoP, 14 October
date: 2026-10-14
kind: meeting
author: Nia Osei
link: https://wiki.example.org/product/2026-10-14
---
# Product CoP, 14 October

Present: Nia Osei, Tomas Berg, Ruth Adebayo

## Decisions
- We move the show-and-tell to the first Thursday of the month.

## Actions
- [ ] @Tomas Berg: draft the onboarding checklist by 2026-10-28
"""

UNDATED_POST = """# Why we pair on discovery

Pairing a researcher with a product manager halves the time to a first test.
"""


@pytest.fixture
def org(tmp_path):
    return notes_org(tmp_path)


def notes(org):
    return org.root / "feeds" / "notes" / "product"


def run_collect(org, now=None):
    config = org.config()
    with Store(config.state_path) as store:
        report = collect(config, store, now=now or utc(2026, 11, 1, 6))
        items = {i.title: i for i in store.items()}
    return report, items


def notes_row(report):
    (row,) = [r for r in report.feeds if r.role == "notes"]
    return row


def test_a_file_with_front_matter_is_an_item_with_its_outcomes(org):
    (notes(org) / "product-2026-10-14.md").write_text(MEETING, encoding="utf-8")
    report, items = run_collect(org)
    assert notes_row(report).status == "ok" and notes_row(report).new_items == 1
    item = items["Product CoP, 14 October"]
    assert item.kind == "meeting" and item.author == "Nia Osei"
    assert item.link == "https://wiki.example.org/product/2026-10-14"
    assert item.published.date() == date(2026, 10, 13)  # local midnight, Europe/London (BST)
    assert [d.text for d in item.outcomes.decisions] == [
        "We move the show-and-tell to the first Thursday of the month."]
    (action,) = item.outcomes.actions
    assert action.owner == "Tomas Berg" and action.due == date(2026, 10, 28)
    assert item.outcomes.held_on == date(2026, 10, 14)
    assert "Product CoP, 14 October" not in item.excerpt  # the heading is the title, not text
    assert "Present: Nia Osei" in item.excerpt


def test_a_file_without_front_matter_takes_its_heading_and_the_date_in_its_name(org):
    (notes(org) / "2026-10-20-pairing.md").write_text(UNDATED_POST, encoding="utf-8")
    report, items = run_collect(org)
    item = items["Why we pair on discovery"]
    assert item.kind == "post"
    assert item.published == utc(2026, 10, 19, 23)  # midnight in London
    assert item.excerpt.startswith("Pairing a researcher")
    assert notes_row(report).problems == []


def test_a_file_with_neither_front_matter_nor_a_dated_name_is_named_as_a_problem(org):
    (notes(org) / "pairing.md").write_text(UNDATED_POST, encoding="utf-8")
    (notes(org) / "2026-10-20-kept.md").write_text("# Kept\n\nText.\n", encoding="utf-8")
    report, items = run_collect(org)
    row = notes_row(report)
    assert list(items) == ["Kept"]
    assert len(row.problems) == 1
    assert row.problems[0].startswith("pairing.md: no date")
    assert row.status == "ok" and row.error_kind == "notes"


def test_an_edited_file_updates_its_item_without_making_it_new(org):
    path = notes(org) / "product-2026-10-14.md"
    path.write_text(MEETING, encoding="utf-8")
    run_collect(org)
    edited = MEETING.replace("title: Product CoP, 14 October", "title: Product CoP (October)")
    edited += "- [ ] @Ruth Adebayo: book the large room by 2026-11-02\n"
    path.write_text(edited, encoding="utf-8")
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 60))
    report, items = run_collect(org, now=utc(2026, 11, 2, 6))
    row = notes_row(report)
    assert (row.new_items, row.updated_items) == (0, 1)
    assert list(items) == ["Product CoP (October)"]
    item = items["Product CoP (October)"]
    assert [a.owner for a in item.outcomes.actions] == ["Tomas Berg", "Ruth Adebayo"]
    assert item.first_seen == utc(2026, 11, 1, 6)  # still the first sighting


def test_an_unchanged_folder_is_not_read_again(org):
    (notes(org) / "2026-10-20-pairing.md").write_text(UNDATED_POST, encoding="utf-8")
    run_collect(org)
    report, _ = run_collect(org, now=utc(2026, 11, 2, 6))
    assert notes_row(report).status == "unchanged"


def test_a_deleted_file_stays_in_the_state_like_an_entry_that_scrolled_off(org):
    (notes(org) / "2026-10-20-pairing.md").write_text(UNDATED_POST, encoding="utf-8")
    (notes(org) / "2026-10-21-other.md").write_text("# Other\n\nText.\n", encoding="utf-8")
    run_collect(org)
    (notes(org) / "2026-10-20-pairing.md").unlink()
    report, items = run_collect(org, now=utc(2026, 11, 2, 6))
    assert notes_row(report).status == "ok"
    assert set(items) == {"Why we pair on discovery", "Other"}


@pytest.mark.parametrize("front, expected", [
    ("date: next week", "bad.md: date: 'next week' is not a date"),
    ("date: 2026-13-45", "bad.md: line 3: front matter holds an impossible date"),
    ("date: 2026-10-02\nkind: minutes", "bad.md: kind: expected post or meeting, got 'minutes'"),
    ("date: 2026-10-02\nlink: javascript:alert(1)",
     "bad.md: link: 'javascript:alert(1)' is not an http"),
])
def test_a_bad_front_matter_value_is_named_with_the_file(org, front, expected):
    (notes(org) / "bad.md").write_text(f"---\ntitle: A note\n{front}\n---\nText.\n",
                                       encoding="utf-8")
    report, items = run_collect(org)
    assert items == {}
    (problem,) = notes_row(report).problems
    assert problem.startswith(expected), problem


def test_bad_yaml_is_named_with_its_line(org):
    (notes(org) / "2026-10-01-broken.md").write_text(
        "---\ntitle: Fine\nauthor: [Nia\ndate: 2026-10-01\n---\nText.\n", encoding="utf-8")
    report, _ = run_collect(org)
    (problem,) = notes_row(report).problems
    assert problem.startswith("2026-10-01-broken.md: line ") and "not valid YAML" in problem


@pytest.mark.parametrize("front, line, said", [
    ("title: Depot walk: North yard", 2, "mapping values are not allowed here"),
    ('title: "Winter prep\ndate: 2026-11-02', 2, "while scanning a quoted scalar"),
])
def test_bad_yaml_says_what_yaml_found_and_how_to_fix_it(org, front, line, said):
    """The parser's own words and the usual fix, never a class name like ScannerError."""
    (notes(org) / "depot.md").write_text(f"---\n{front}\n---\nText.\n", encoding="utf-8")
    report, _ = run_collect(org)
    (problem,) = notes_row(report).problems
    assert problem.startswith(f"depot.md: line {line}: front matter is not valid YAML ("), problem
    assert said in problem and "in quotes" in problem and "Error" not in problem


def test_hidden_underscored_and_readme_files_are_not_items(org):
    (notes(org) / "README.md").write_text("# How to write notes\n", encoding="utf-8")
    (notes(org) / "_template.md").write_text("# Template\n", encoding="utf-8")
    (notes(org) / ".git").mkdir()
    (notes(org) / ".git" / "2026-10-01-x.md").write_text("# Hidden\n", encoding="utf-8")
    (notes(org) / "2026").mkdir()
    (notes(org) / "2026" / "2026-10-02-nested.md").write_text("# Nested\n", encoding="utf-8")
    report, items = run_collect(org)
    assert list(items) == ["Nested"] and notes_row(report).problems == []


def test_a_missing_folder_fails_that_source_only(org):
    notes(org).rmdir()
    report, _ = run_collect(org)
    row = notes_row(report)
    assert row.failed and row.error_kind == "not-found"
    assert all(not r.failed for r in report.feeds if r.role != "notes")


def test_a_url_as_notes_folder_is_a_config_error(org):
    listing = org.root / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace('"notes/product/"',
                                                   '"https://git.example.org/notes/"'))
    with pytest.raises(ConfigError, match=r"community\[1\] \(product\)\.notes: .* is a URL"):
        org.config()


def test_collect_prints_the_skipped_files_even_when_quiet(org):
    (notes(org) / "pairing.md").write_text(UNDATED_POST, encoding="utf-8")
    result = CliRunner().invoke(cli, ["collect", "--quiet", "--config", str(org.config_path)],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert "pairing.md: no date" in result.output


def test_a_meetings_relative_dues_count_from_its_date_and_its_title_may_date_it(org):
    (notes(org) / "product-sync.md").write_text("""---
title: Product CoP sync, 21 October 2026
date: 2026-10-23
kind: meeting
---
## Actions
- Tomas to draft the onboarding checklist by Friday
- Ruth to book the room next week
""", encoding="utf-8")
    (notes(org) / "2026-10-14-retro.md").write_text("""---
kind: meeting
---
# Product CoP retro

## Actions
- Nia to send the survey by Friday
""", encoding="utf-8")
    _report, items = run_collect(org)
    sync = items["Product CoP sync, 21 October 2026"]
    assert sync.outcomes.held_on == date(2026, 10, 21)  # the title's date, not the file's
    assert [a.due for a in sync.outcomes.actions] == [date(2026, 10, 23), date(2026, 10, 28)]
    (survey,) = items["Product CoP retro"].outcomes.actions
    assert survey.due == date(2026, 10, 16)  # the Friday after the 14th (the name's date)


def test_a_note_keeps_a_public_lead_image_and_drops_one_on_an_internal_host(org):
    (notes(org) / "2026-10-20-public.md").write_text(
        "# Public\n\n![Board](https://img.example.org/board.png)\n", encoding="utf-8")
    (notes(org) / "2026-10-21-internal.md").write_text(
        "# Internal\n\n![Admin](http://169.254.169.254/latest.png)\n", encoding="utf-8")
    _, items = run_collect(org)
    assert (items["Public"].image, items["Public"].image_alt) == (
        "https://img.example.org/board.png", "Board")
    assert items["Internal"].image is None


HUGO_TOML_POST = """+++
title = "Open day at the filter works"
date = 2026-10-17T10:00:00-05:00
author = "Ines Carvalho"
draft = false
+++

Three hundred visitors toured the filter beds.
"""


def test_toml_front_matter_as_hugo_writes_it_is_read(org):
    (notes(org) / "open-day.md").write_text(HUGO_TOML_POST, encoding="utf-8")
    report, items = run_collect(org)
    item = items["Open day at the filter works"]
    assert item.author == "Ines Carvalho" and item.kind == "post"
    assert item.published == utc(2026, 10, 17, 15)
    assert item.excerpt.startswith("Three hundred visitors")
    assert notes_row(report).problems == []


def test_bad_toml_front_matter_is_named_with_its_line(org):
    broken = '+++\ntitle = "Open day\ndate = 2026-10-17\n+++\n\nText.\n'
    (notes(org) / "broken.md").write_text(broken, encoding="utf-8")
    report, items = run_collect(org)
    (problem,) = notes_row(report).problems
    assert problem.startswith("broken.md: line 2: front matter is not valid TOML"), problem


NOTION_EXPORT = """# Outreach sync 22 Oct 2026

Date: October 22, 2026 4:30 PM
Type: Meeting
Attendees: Lena Brandt, Yusuf Adeyemi
Created by: Lena Brandt

## Decisions

- The spring tour visits the two western reservoirs.

## Action items

- [ ] @Yusuf Adeyemi: book the coaches by 2026-11-06
"""


def test_a_notion_export_takes_its_date_kind_and_author_from_its_property_lines(org):
    # Notion names a page's file after its title and a 32-hex id, and writes its
    # database properties as "Name: value" lines under the title, not front matter
    (notes(org) / "Outreach sync 22 Oct 2026 3f2a9c1e8b7d4e6fa1b2c3d4e5f60718.md").write_text(
        NOTION_EXPORT, encoding="utf-8")
    report, items = run_collect(org)
    assert notes_row(report).problems == []
    item = items["Outreach sync 22 Oct 2026"]
    assert item.kind == "meeting" and item.author == "Lena Brandt"
    assert item.published == utc(2026, 10, 22, 15, 30)  # 16:30 in London (BST)
    assert [d.text for d in item.outcomes.decisions] == [
        "The spring tour visits the two western reservoirs."]
    (action,) = item.outcomes.actions
    assert action.owner == "Yusuf Adeyemi" and action.due == date(2026, 11, 6)


def test_a_notion_date_property_that_is_no_date_is_named(org):
    (notes(org) / "sync.md").write_text("# Sync\n\nDate: Octember 40, 2026\n\nText.\n",
                                        encoding="utf-8")
    report, items = run_collect(org)
    (problem,) = notes_row(report).problems
    assert problem.startswith("sync.md: Date: 'Octember 40, 2026' is not a date"), problem


def test_a_notion_export_from_a_workspace_in_another_language(org):
    # the property names are the workspace's own: Spanish "Fecha", "Tipo", "Autor"; a
    # meeting's type says "Reunión"
    (notes(org) / "Reunión de enlace 2b4c6d8e0f1a2b3c4d5e6f7a8b9c0d1e.md").write_text(
        "# Reunión de enlace\n\nFecha: October 22, 2026 4:30 PM (UTC)\nTipo: Reunión mensual\n"
        "Autor: Inés Ferrer\n\n## Decisiones\n\n- La visita de primavera empieza en abril.\n",
        encoding="utf-8")
    # a German one whose date is written in German: named, not "no date"
    (notes(org) / "Treffen.md").write_text(
        "# Treffen\n\nDatum: 22. Oktober 2026\nTyp: Besprechung\n\nText.\n", encoding="utf-8")
    report, items = run_collect(org)
    (problem,) = notes_row(report).problems
    assert problem.startswith("Treffen.md: Datum: '22. Oktober 2026' is not a date"), problem
    item = items["Reunión de enlace"]
    assert item.kind == "meeting" and item.author == "Inés Ferrer"
    assert item.published == utc(2026, 10, 22, 16, 30)  # "(UTC)": no offset
    assert "Fecha" not in item.excerpt and "Tipo" not in item.excerpt
