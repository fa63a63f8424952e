"""A hostile Markdown notes file is contained like a hostile feed (issue 9, re-checked).

Notes folders came after the feed defences: their text skipped the cleaning that
feed entries get, and their YAML front matter is a second parser an author
controls. Real folders on disk, real collects, builds and `digest outcomes` runs.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from support import notes_org, utc
from waiting import run_within

from digest.cli import cli
from digest.store import Store

# Escapes YAML's double-quoted strings turn into the characters themselves: a lone
# surrogate, an OSC 8 hyperlink, a screen clear, a bidi override, U+0001.
HOSTILE_FRONT_MATTER = r'''---
title: "Retro \uD800 \x1B]8;;https://evil.example/\x1B\\ here \x1B[2J \u202E end"
date: 2026-10-14
kind: meeting
author: "Ann \x01 Lee \x1B[31m"
---
# Retro

## Decisions
- We adopt the new rota.

## Actions
- [ ] @Bo Ek: write it up by 2026-10-28
'''

UNSAFE = ("\ud800", "\x1b", "\x01", "\u202e")


@pytest.fixture
def org(tmp_path):
    return notes_org(tmp_path)


def notes(org):
    return org.root / "feeds" / "notes" / "product"


def digest(org, *args):
    return CliRunner().invoke(cli, ["--config", str(org.config_path), *args])


def test_escapes_in_front_matter_neither_stop_collect_nor_reach_the_issue(org):
    (notes(org) / "2026-10-14-retro.md").write_text(HOSTILE_FRONT_MATTER, encoding="utf-8")
    (notes(org) / "2026-10-20-hello.md").write_text("# Hello all\n\nA plain post.\n",
                                                   encoding="utf-8")
    collected = digest(org, "collect")
    assert collected.exit_code == 0, collected.output
    with Store(org.config().state_path) as store:
        items = {i.title: i for i in store.items()}
    assert "Hello all" in items  # the rest of the folder is stored
    [retro] = [i for t, i in items.items() if t.startswith("Retro")]
    assert " ".join(retro.title.split()) == "Retro here end"
    assert " ".join((retro.author or "").split()) == "Ann Lee"
    built = digest(org, "build", "--period", "2026-10")
    assert built.exit_code == 0, built.output
    out = org.root / "out" / "2026-10"
    for part in (out / "digest.html", out / "digest.txt"):
        text = part.read_text(encoding="utf-8")
        assert "Retro" in text and not any(ch in text for ch in UNSAFE)


def test_digest_outcomes_prints_a_hostile_note_as_plain_text(tmp_path):
    note = tmp_path / "retro.md"
    note.write_text(HOSTILE_FRONT_MATTER, encoding="utf-8")
    for args in ([str(note)], ["--json", str(note)]):
        run = subprocess.run([sys.executable, "-m", "digest", "outcomes", *args],
                             capture_output=True, timeout=120)
        assert run.returncode == 0, run.stderr.decode(errors="replace")
        printed = run.stdout.decode("utf-8")  # strict: a lone surrogate cannot be printed
        assert "Retro" in printed and "We adopt the new rota" in printed
        assert not any(ch in printed for ch in UNSAFE)


def billion_laughs(key: str) -> str:
    """Front matter whose `key` is nine levels of ten aliases: 10^9 strings once expanded."""
    lines = ["---", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol",'
             ' "lol"]']
    lines += [f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 10) + "]" for n in range(1, 9)]
    lines += [f"{key}: *l8", "date: 2026-10-14", "---", "# Bomb", "", "Text."]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("key", ["title", "kind", "link", "author"])
def test_a_yaml_alias_bomb_is_one_skipped_file(org, key):
    from digest.collect import collect

    (notes(org) / "2026-10-14-bomb.md").write_text(billion_laughs(key), encoding="utf-8")
    (notes(org) / "2026-10-20-hello.md").write_text("# Hello all\n\nA plain post.\n",
                                                   encoding="utf-8")
    config = org.config()

    def work():
        with Store(config.state_path) as store:
            report = collect(config, store, now=utc(2026, 11, 1, 6))
            return report, [i.title for i in store.items()]

    report, titles = run_within(60, work)
    assert titles == ["Hello all"]
    [row] = [r for r in report.feeds if r.url == str(notes(org))]
    [problem] = row.problems
    assert problem.startswith("2026-10-14-bomb.md: ") and "alias" in problem, problem
    assert len(problem) < 300


def test_digest_outcomes_refuses_a_yaml_alias_bomb_quickly(tmp_path):
    note = tmp_path / "bomb.md"
    note.write_text(billion_laughs("title"), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "digest", "outcomes", str(note)],
                         capture_output=True, timeout=60)
    assert run.returncode == 1
    assert f"{note}: " in run.stderr.decode() and "alias" in run.stderr.decode()


def test_a_symlinked_note_is_not_read_through(org, tmp_path):
    """A notes folder is often a git checkout, and git commits symbolic links."""
    secret = tmp_path / "private.md"
    secret.write_text("# Salary bands\n\nNot for the digest.\n", encoding="utf-8")
    (notes(org) / "2026-10-20-bands.md").symlink_to(secret)
    (notes(org) / "2026-10-21-config.md").symlink_to(org.config_path)
    (notes(org) / "2026-10-22-hello.md").write_text("# Hello all\n\nA plain post.\n",
                                                   encoding="utf-8")
    collected = digest(org, "collect")
    assert collected.exit_code == 0, collected.output
    with Store(org.config().state_path) as store:
        assert [i.title for i in store.items()] == ["Hello all"]
    checked = digest(org, "check")
    assert "2026-10-20-bands.md: a symbolic link" in checked.output
    assert "2026-10-21-config.md: a symbolic link" in checked.output
