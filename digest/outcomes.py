"""Meeting outcomes (interim: replaced by the full extractor on the `content` branch)."""

from __future__ import annotations

from .models import MeetingOutcomes


def extract_outcomes(html: str) -> MeetingOutcomes:
    return MeetingOutcomes()
