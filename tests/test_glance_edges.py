"""At a glance on an organisation unlike the sample: an owner of forty open actions, a meeting
of twenty decisions, a community with a name longer than a subject, and a community that only
holds sessions (no blog, no notes), so it counts as gone quiet.

Real parts: the organisation on disk, SQLite, collect, build and send to the outbox.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from digest import pipeline
from digest.manifest import read_manifest
from digest.models import Action, Decision, MeetingOutcomes
from digest.period import Period
from digest.render.personal import MINE_AT_A_GLANCE
from digest.store import Store
from tests.support import Post, entry, utc, write_org
from tests.test_personal import parts, your_actions

OCT = Period.parse("2026-10", "monthly")
BUILT = utc(2026, 11, 1, 7)
LONG_NAME = ("The Extraordinarily Long-Named Community of Practice for Asset Management "
             "and Compliance")
BUSY = "Bartholomew Featherstonehaugh-Cholmondeley"
READERS = ("email,name,communities,aliases\n"
           f"busy@example.org,{BUSY},alpha,@bart\n"
           "solo@example.org,Solo Reader,rota,\n"
           "idle@example.org,Idle Reader,zero,\n")


def calendar(count: int) -> str:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:rota-{i}\r\nDTSTAMP:20261001T000000Z\r\n"
        f"DTSTART:202611{10 + i}T140000Z\r\nDTEND:202611{10 + i}T150000Z\r\n"
        f"SUMMARY:Rota session {i}\r\nLOCATION:Room {i}\r\nEND:VEVENT\r\n" for i in range(count))
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n"


@pytest.fixture(scope="module")
def sent(tmp_path_factory) -> dict[str, tuple[str, str, object]]:
    root: Path = tmp_path_factory.mktemp("odd")
    org = write_org(root, {"alpha": [Post("A post", utc(2026, 10, 5),
                                          link="https://alpha.example.org/1")],
                           "rota": [], "zero": []},
                    recipients=READERS,
                    names={"alpha": LONG_NAME, "rota": "Rota", "zero": "Zero"})
    (root / "feeds" / "rota.ics").write_text(calendar(4))
    listing = root / "feeds" / "communities.toml"
    listing.write_text(listing.read_text().replace(
        'posts = ["rota.xml"]', 'posts = ["rota.xml"]\ncalendar = "rota.ics"'))
    config = org.config()
    actions = tuple(Action(f"Task number {i} of the busy owner", owner=BUSY,
                           due=date(2026, 11, 2 + i % 25)) for i in range(40))
    decisions = tuple(Decision(f"Decision {i}: we do thing {i} this way") for i in range(20))
    notes = replace(entry("alpha", "review", utc(2026, 10, 14, 10), kind="meeting",
                          title="Quarterly review"),
                    outcomes=MeetingOutcomes(decisions=decisions, actions=actions,
                                             held_on=date(2026, 10, 14)))
    with Store(config.state_path) as store:
        store.upsert_entries([notes], utc(2026, 10, 14, 12))
        pipeline.collect(config, store, now=BUILT)
        pipeline.build(config, store, OCT, now=BUILT)
        assert pipeline.send(config, store, OCT).exit_code == 0
    out = {p.name.split("@")[0]: parts(p.read_bytes())
           for p in (root / "out" / "outbox" / "2026-10").glob("*.eml")}
    out["manifest"] = read_manifest(root / "out" / "2026-10")  # type: ignore[assignment]
    return out


def test_your_actions_are_capped_with_a_link_to_the_rest(sent):
    text, html, _ = sent["busy"]
    mine = your_actions(text)
    assert mine.count("Task number") == MINE_AT_A_GLANCE
    assert f"And {40 - MINE_AT_A_GLANCE} more actions of yours" in text
    assert "https://intranet.example.org/cop-digest/2026-10/#glance" in mine
    own_html = html.split("Your actions", 1)[1].split("<h2", 1)[0]
    assert own_html.count("Task number") == MINE_AT_A_GLANCE
    assert f"And {40 - MINE_AT_A_GLANCE} more actions of yours" in own_html
    # the busy owner's block is small, so it does not cost the edition its detail
    manifest = sent["manifest"]
    block = next(b for b in manifest.blocks if b.key == manifest.readers["busy@example.org"])
    assert len(block.html.encode()) < 3_000
    assert next(e for e in manifest.editions if e.key == "alpha").detail_level == 0


def test_a_reader_of_a_community_that_only_holds_sessions_sees_them_first(sent):
    text, html, msg = sent["solo"]
    glance = text.split("AT A GLANCE", 1)[1].split("Across the organisation", 1)[0]
    assert "Next up:" in glance and "Rota session 0" in glance
    assert "Rota session 0, Tue 10 Nov, 14:00–15:00 GMT" in glance
    # the subject is this reader's news, not another community's decision
    assert "Rota" in msg["Subject"] and "Decision" not in msg["Subject"]
    assert "quiet for Rota" in text and "Example Housing Trust's communities" not in \
        text.split("AT A GLANCE", 1)[1].split("ACROSS", 1)[0]


def test_a_glance_with_nothing_says_so_rather_than_showing_an_empty_heading(sent):
    text, html, _ = sent["idle"]
    glance = text.split("AT A GLANCE", 1)[1].split("\n\n", 2)
    assert "No decisions and no sessions coming up in your communities" in glance[1]
    assert "No decisions and no sessions coming up in your communities" in html


def test_a_long_community_name_leaves_the_subject_room_for_its_news(sent):
    subject = " ".join(sent["busy"][2]["Subject"].split())
    assert "Decision 0" in subject and len(subject) <= 78


def test_one_community_decisions_are_not_prefixed_and_their_notes_linked_once(sent):
    text, _, _ = sent["busy"]
    decided = text.split("Decided:", 1)[1].split("\n\n", 1)[0]
    assert "Decision 0" in decided and LONG_NAME.split()[1] not in decided
    assert decided.count("Notes:") == 1  # six decisions of one meeting: one link to its notes


def test_sessions_in_a_community_section_carry_the_zone(sent):
    text, html, _ = sent["idle"]  # Rota is gone quiet: its next session is shown there
    assert "Rota session 0, Tue 10 Nov, 14:00–15:00 GMT" in text
    assert "14:00–15:00 GMT" in html
