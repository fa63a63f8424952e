"""The yardstick itself: matching, owners and every figure on hand-made pairs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.outcomes_score import (
    LabelError,
    is_match,
    load_set,
    match,
    owners,
    read_label,
    report,
    score,
)


def meeting(decisions: list[dict[str, Any]] | None = None,
            actions: list[dict[str, Any]] | None = None, day: str | None = None) -> dict:
    return {"title": "t", "link": None, "date": day, "decisions": decisions or [],
            "actions": actions or []}


def act(text: str, owner: str | None = None, due: str | None = None, done: bool = False) -> dict:
    return {"text": text, "owner": owner, "due": due, "done": done}


@pytest.mark.parametrize(("emitted", "label"), [
    # what an extractor legitimately adds or keeps around the labelled words
    ("Ana Lima to book the Civic Centre room by Friday", "book the Civic Centre room"),
    ("Action: book the Civic Centre room (AL)", "book the Civic Centre room"),
    ("Packaging: revisit the wheel naming next week", "Packaging: revisit the wheel naming"),
    ("Réserver la salle pour l'atelier", "reserver la salle pour l’atelier"),
    ("Publish the draft charter for comment…", "Publish the draft charter for comment"),
    ("organize the spring sprint", "organise the spring sprint"),
    ("invite the speaker", "invite the speakers"),
])
def test_variants_of_one_item_match(emitted: str, label: str) -> None:
    assert is_match(emitted, label)


@pytest.mark.parametrize(("emitted", "label"), [
    ("review the draft budget", "review the draft charter"),  # a sibling item
    ("review", "review the draft charter before the vote"),  # a fragment
    ("Revisit next week", "Packaging: revisit next week"),  # the topic was not carried
    ("Attendees: Ana Lima, Ben Okafor", "Ana Lima to book the room"),
    ("Agenda", "Agree the agenda for the autumn summit"),
    ("send the minutes", "send the minutes to the board"),  # the board is the point
])
def test_different_items_do_not_match(emitted: str, label: str) -> None:
    assert not is_match(emitted, label)


def test_one_emitted_item_matches_at_most_one_label_best_pair_first() -> None:
    labels = ["send the survey to members", "send the survey results to the board"]
    emitted = ["send the survey results to the board", "send the survey results to the board"]
    mapping = match(emitted, labels)
    assert mapping == {0: 1}  # the duplicate does not take the other label


def test_owners_ignore_case_accents_at_and_order() -> None:
    assert owners("@ana.lima") == owners("Ana.Lima")
    assert owners("José Núñez & Ben") == owners("ben, jose nunez")
    assert owners("Ana and Ben") == owners("Ben/Ana")
    assert owners("E. Ruiz") == frozenset({"e ruiz"})  # an initial is not "and"
    assert owners(None) == frozenset()
    assert owners("Ana") != owners("Ana Lima")


def test_perfect_extraction_scores_full_marks() -> None:
    truth = meeting(
        [{"text": "Adopt the new charter", "prose": False},
         {"text": "The group agreed to move the meetup to Thursdays", "prose": True}],
        [act("book the room", "Ana", "2026-03-06"), act("send the minutes", None, None, True)],
        "2026-03-02",
    )
    emitted = meeting([{"text": "Adopt the new charter"},
                       {"text": "The group agreed to move the meetup to Thursdays"}],
                      [act("Ana to book the room by Friday", "@ana", "2026-03-06"),
                       act("send the minutes", None, None, True)], "2026-03-02")
    s = score([("n", truth, emitted)])
    for key in ("decision_recall", "decision_precision", "prose_recall", "prose_precision",
                "action_recall", "action_precision", "owner_accuracy", "due_accuracy",
                "done_accuracy", "date_accuracy"):
        assert s.value(key) == 1.0, key
    assert s.value("junk_share") == 0.0
    assert s.failed_targets() == []
    assert s.misses == []


def test_each_error_lands_in_its_own_figure() -> None:
    truth = meeting(
        [{"text": "Adopt the new charter", "prose": False},
         {"text": "Retire the old wiki", "prose": False},
         {"text": "It was resolved that dues stay at ten euros", "prose": True}],
        [act("book the room", "Ana", "2026-03-06"),
         act("update the roadmap page", None),
         act("draft the budget", "Ben", None, True),
         act("invite the speakers", "Chidi")],
        "2026-03-02",
    )
    emitted = meeting(
        [{"text": "Adopt the new charter"}, {"text": "Attendees: Ana, Ben, Chidi"}],
        [act("book the room", "Ana", "2026-03-13"),  # wrong due
         act("update the roadmap page", "All"),  # an owner where the label has none
         act("draft the budget", "ben", None, False),  # wrong done
         act("Bumped to next meeting")],  # junk
        "2026-03-01",
    )
    s = score([("n", truth, emitted)])
    assert (s.ratios["decision_recall"].hit, s.ratios["decision_recall"].total) == (1, 2)
    # the attendance line counts against marked and prose precision: the command
    # does not say which rule emitted it
    assert (s.ratios["decision_precision"].hit, s.ratios["decision_precision"].total) == (1, 2)
    assert (s.ratios["prose_recall"].hit, s.ratios["prose_recall"].total) == (0, 1)
    assert (s.ratios["prose_precision"].hit, s.ratios["prose_precision"].total) == (0, 1)
    assert (s.ratios["action_recall"].hit, s.ratios["action_recall"].total) == (3, 4)
    assert (s.ratios["action_precision"].hit, s.ratios["action_precision"].total) == (3, 4)
    assert (s.ratios["owner_accuracy"].hit, s.ratios["owner_accuracy"].total) == (2, 3)
    assert (s.ratios["due_accuracy"].hit, s.ratios["due_accuracy"].total) == (0, 1)
    assert (s.ratios["done_accuracy"].hit, s.ratios["done_accuracy"].total) == (2, 3)
    assert (s.ratios["junk_share"].hit, s.ratios["junk_share"].total) == (2, 6)
    assert (s.ratios["date_accuracy"].hit, s.ratios["date_accuracy"].total) == (0, 1)
    assert len(s.failed_targets()) >= 8


def test_an_emitted_prose_flag_charges_only_its_own_rule() -> None:
    truth = meeting([{"text": "Adopt the new charter", "prose": False}])
    emitted = meeting([{"text": "Adopt the new charter"},
                       {"text": "We discussed whether to move", "prose": True}])
    s = score([("n", truth, emitted)])
    assert s.value("decision_precision") == 1.0
    assert s.value("prose_precision") == 0.0


def test_notes_without_outcomes_that_gave_some_are_named() -> None:
    s = score([("agenda.md", meeting(), meeting(actions=[act("Welcome and introductions")])),
               ("talk.md", meeting(), meeting())])
    assert s.empty_notes == 2
    assert s.empty_notes_with_output == ["agenda.md"]
    assert "notes without outcomes that gave some: 1" in s.failed_targets()


def test_report_shows_every_figure_beside_its_target() -> None:
    s = score([("n", meeting(actions=[act("book the room")]),
                meeting(actions=[act("book the room")]))], ms=[1.0, 2.0, 30.0])
    text = report("corpus", s, shapes=1)
    assert "actions recall" in text and "≥ 90%" in text and "100.0%" in text
    assert "median ms per note" in text and "2.00" in text
    assert "p95 ms per note" in text and "30.00" in text


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_bad_labels_name_the_file_and_key(tmp_path: Path) -> None:
    bad_key = write(tmp_path / "a.json", {**meeting(), "extra": 1})
    with pytest.raises(LabelError, match=r"a\.json: top level: .*unknown keys \['extra'\]"):
        read_label(bad_key)
    bad_due = write(tmp_path / "b.json", meeting(actions=[act("x y", due="Friday")]))
    with pytest.raises(LabelError, match=r"b\.json: actions\[0\]\.due must be an ISO date"):
        read_label(bad_due)
    no_prose = write(tmp_path / "c.json", meeting([{"text": "Adopt it"}]))
    with pytest.raises(LabelError, match=r"c\.json: decisions\[0\]: missing keys \['prose'\]"):
        read_label(no_prose)
    broken = tmp_path / "d.json"
    broken.write_text('{"title": "t",\n "link": nul}', encoding="utf-8")
    with pytest.raises(LabelError, match=r"d\.json: line 2: not valid JSON"):
        read_label(broken)


def test_a_note_without_its_label_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "shape").mkdir()
    (tmp_path / "shape" / "n.md").write_text("# Notes\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"n\.md: no label; write n\.json beside it"):
        load_set(tmp_path)
    (tmp_path / "shape" / "n.md").unlink()
    write(tmp_path / "shape" / "m.json", meeting())
    with pytest.raises(LabelError, match=r"m\.json: a label without notes"):
        load_set(tmp_path)
