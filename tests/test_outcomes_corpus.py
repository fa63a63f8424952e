"""The extractor against the labelled minutes: the targets of issue 10.

The corpus is checked for shape first; then the extractor must meet every
target on the labelled set and on the held-out one. Timing is a bench
figure (`make bench`), not asserted here: a test does not depend on the
machine's speed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.outcomes_score import extractor, load_set, run_set, score_set

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "minutes"
HOLDOUT = FIXTURES / "minutes-holdout"


def test_the_corpus_is_large_and_varied_and_every_label_is_well_formed() -> None:
    corpus, holdout = load_set(CORPUS), load_set(HOLDOUT)  # raises on a bad label
    assert len(corpus) >= 60
    assert len({n.shape for n in corpus}) >= 12
    assert len(holdout) >= 15
    for notes in (corpus, holdout):
        assert any(not n.truth["decisions"] and not n.truth["actions"] for n in notes)
        assert any(d["prose"] for n in notes for d in n.truth["decisions"])
        assert any(a["done"] for n in notes for a in n.truth["actions"])
    names = {n.source.stem for n in corpus}
    assert not names & {n.source.stem for n in holdout}, "holdout notes must be other notes"


@pytest.mark.parametrize("folder", [CORPUS, HOLDOUT], ids=["corpus", "holdout"])
def test_the_extractor_meets_the_targets(folder: Path) -> None:
    notes = load_set(folder)
    _, extract = extractor()
    scores = score_set(notes, run_set(notes, extract))
    assert scores.failed_targets() == []
