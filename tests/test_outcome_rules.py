"""Each rule and note shape of the extractor, through the real collect path and the command.

Every note in fixtures/minutes_rules/ is served in a meetings feed by a local
HTTP server and collected into a real state database; the same note is read
by `digest outcomes --json`. Both must give what a careful reader of the note
would write down (`EXPECTED`): the meeting's date from the notes (the feed says
the notes were published later), decisions, and actions with owner, due and
done state.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest
from click.testing import CliRunner
from collect_helpers import community, make_config
from feedserver import FeedServer, rss, send

from digest.cli import cli
from digest.collect import collect
from digest.markdown import read_markdown
from digest.outcomes.stored import reextract
from digest.store import Store

RULES = Path(__file__).parent / "fixtures" / "minutes_rules"
NOW = datetime(2026, 11, 2, tzinfo=UTC)
PUBLISHED = "Wed, 28 Oct 2026 09:00:00 GMT"  # later than every meeting: dates come from notes


def a(text: str, owner: str | None = None, due: str | None = None, done: bool = False) -> dict:
    return {"text": text, "owner": owner, "due": due, "done": done}


EXPECTED: dict[str, tuple[str | None, list[str], list[dict]]] = {
    "markers_at_depth.md": ("2026-10-14", ["We publish manylinux wheels only."], [
        a("Packaging: revisit next week", due="2026-10-21"),  # too short alone: carries its topic
        a("Comment on the style RFC", "moss", "2026-10-16"),  # lower-case nick, "by Friday"
        a("Documentation: as noted above"),
    ]),
    "owners.html": ("2026-10-06", [], [
        a("Draft the glossary page", "Ines Romero"),
        a("Publish the survey results", "AL"),
        a("Tidy the dashboard catalogue", "Wanjiru"),
        a("Archive the old channel", "kofi.mensah"),
        a("Plan the November session", "Ana, Ben"),
        a("Send the invitations", "Priya Nair"),
        a("Order the badges"),  # "TBD" is nobody
        a("Test the new loader", "Olu"),
    ]),
    "relative_dues.md": ("2026-10-14", [], [
        a("Send the recruitment brief", "Mira", "2026-10-16"),
        a("Book participants", "Theo", "2026-10-21"),
        a("Write up the findings", "Sam", "2026-10-31"),
        a("Merge the consent form", "Joss", "2027-05-22"),
        a("Revisit the panel", "Dana", "2026-10-22", done=True),
    ]),
    "prose.html": ("2026-10-02", [
        "After a long debate, the group decided to make the error summary mandatory on every "
        "form.",
        "It was resolved that audits run each quarter.",
        "The new colour palette was approved by the chairs.",
    ], []),
    "chrome_and_status.html": ("2026-10-20", [], [
        a("Rewrite the arrears letter", "Ngozi"), a("Share the checklist", "Lee")]),
    "languages_fr.html": ("2026-10-03", ["Le glossaire commun devient la référence."],
                          [a("Envoyer le compte rendu", "Marie Dupont", "2026-10-09")]),
    "languages_de.html": ("2026-10-05", ["Das gemeinsame Glossar wird verbindlich."],
                          [a("Protokoll verteilen", "Jonas Weber", "2026-10-09")]),
    "languages_es.html": ("2026-10-07", ["El glosario común pasa a ser la referencia."],
                          [a("Enviar el acta", "Lucía Gómez", "2026-10-09")]),
    "confluence_tasks.html": ("2026-10-08", ["The roadmap is public"], [
        a("Publish the roadmap", "Rui Costa", done=True),
        a("Book the venue", "Eva Lind", "2026-10-30"),
    ]),
    "gemini.html": ("2026-10-12", [], [
        a("Circulate the journey maps", "Amara Obi", "2026-10-15"),
        a("Set up the feedback board.", "Felix Brandt"),
    ]),
    "zoom.html": ("2026-10-13", [], [
        a("Draft the release train calendar", "Hana Sato", "2026-10-19"),
        a("Ask the platform team about on-call cover.", "Marco Ruiz"),
    ]),
    "teams.html": ("2026-10-15", ["The group agreed to publish the Q1 roadmap."], [
        a("Share the roadmap deck with the wider team", "Zoe Adams"),
        a("Collect feedback from the support leads", "Raj Patel"),
    ]),
    "meetbot.html": ("2026-10-16", ["Retire the x86 runners in December"],
                     [a("Write the migration notice", "tomas")]),
    "no_outcomes.html": ("2026-10-09", [], []),
    "scribed_w3c.html": ("2026-09-03", ["The group publishes the tile note as a draft."], [
        a("Update the examples", "Tove Lund", done=True),  # "— done" is its state
        a("Ask the registry about media types", "Joaquim Reis"),
    ]),
    "table_status.html": ("2026-02-04", [], [  # German headers, day-first dates, a Status column
        a("Leitfaden für Schnittstellen schreiben", "Mara Bach", "2026-02-18"),
        a("Kosten des Nachrichtenbusses schätzen", "Timo Keller", "2026-02-06", done=True),
    ]),
    "plain_text_scribe.md": ("2026-03-11", [], [  # markers inside one pasted paragraph
        a("Count the legacy archives again in November", "Anja"),
        a("Poll the group about the venue", "Bo"),
    ]),
}


def note_html(name: str) -> str:
    text = (RULES / name).read_text(encoding="utf-8")
    return read_markdown(text).html if name.endswith(".md") else text


def as_record(held_on, outcomes) -> tuple[str | None, list[str], list[dict]]:
    return (held_on.isoformat() if held_on else None,
            [d.text for d in outcomes.decisions],
            [a(x.text, x.owner, x.due.isoformat() if x.due else None, x.done)
             for x in outcomes.actions])


def test_every_rule_fixture_has_an_expectation() -> None:
    assert sorted(p.name for p in RULES.iterdir()) == sorted(EXPECTED)


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """Every note collected from a meetings feed over HTTP into a real state database."""
    tmp = tmp_path_factory.mktemp("rules")
    items = [{"title": name, "guid": f"urn:rules:{name}", "link": f"https://notes.example.org/{name}",
              "pubDate": PUBLISHED, "description": escape(note_html(name))} for name in EXPECTED]
    with FeedServer() as server:
        server.routes["/meetings.xml"] = lambda h: send(h, 200, rss("Notes", items))
        config = make_config(tmp, [community("rules", meetings=[server.url("/meetings.xml")])])
        with Store(config.state_path) as store:
            report = collect(config, store, now=NOW)
            assert report.new_items == len(EXPECTED)
            return {item.title: as_record(item.outcomes.held_on, item.outcomes)
                    for item in store.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_collected_notes_read_as_a_careful_reader_would(collected: dict, name: str) -> None:
    assert collected[name] == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_digest_outcomes_reads_the_same_note_the_same_way(name: str) -> None:
    result = CliRunner().invoke(cli, ["outcomes", "--json", str(RULES / name)])
    assert result.exit_code == 0, result.output
    [meeting] = json.loads(result.stdout)
    date, decisions, actions = EXPECTED[name]
    assert meeting["date"] == date
    assert [d["text"] for d in meeting["decisions"]] == decisions
    assert meeting["actions"] == actions


def test_reextract_rereads_unsent_notes_and_leaves_sent_issues_alone(tmp_path: Path) -> None:
    html = note_html("owners.html")
    items = [{"title": "October notes", "guid": "urn:n:1", "pubDate": PUBLISHED,
              "description": escape(html)}]
    with FeedServer() as server:
        server.routes["/m.xml"] = lambda h: send(h, 200, rss("Notes", items))
        config = make_config(tmp_path, [community("c", meetings=[server.url("/m.xml")])])
        with Store(config.state_path) as store:
            collect(config, store, now=NOW)
            [item] = store.items()
            right = item.outcomes
            # as an older release would have stored it: no outcomes read
            store.db.execute("UPDATE items SET outcomes = ''")
            assert reextract(store).changed == 1
            assert store.items()[0].outcomes == right
            # once the issue holding it is sent, nothing changes any more
            store.db.execute("UPDATE items SET outcomes = ''")
            store.claim("2026-10", "monthly", [item.key], NOW)
            store.mark_sent("2026-10", NOW)
            assert reextract(store).changed == 0
            assert not store.items()[0].outcomes
