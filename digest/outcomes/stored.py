"""`digest collect --reextract`: read stored meeting notes again with today's rules.

A stored item keeps the outcomes extracted when it was collected, so an
issue that was sent never changes. Notes of items in no sent issue are read
again from their stored HTML, so an improved extractor (or a fixed notes
template, once re-collected) shows in the next build.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..store import Store
from . import extract_outcomes


@dataclass(frozen=True)
class Reextracted:
    read: int  # stored notes read again
    changed: int  # whose outcomes differ from what was stored


def reextract(store: Store, *, language: str | None = None) -> Reextracted:
    from ..collect.parse import cleaned_outcomes

    notes = store.unsent_meeting_notes()
    changed = 0
    for key, title, html, moment in notes:
        # cleaned as at collect time: `&#27;` in the stored HTML reads as an ESC
        outcomes = cleaned_outcomes(extract_outcomes(
            html, title=title, language=language, meeting_date=moment.date() if moment else None))
        changed += store.set_outcomes(key, outcomes)
    return Reextracted(len(notes), changed)
