"""Coming sessions (interim: replaced by the full calendar reader on the `content` branch)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from .models import Session


class CalendarError(ValueError):
    pass


def sessions(ics: bytes, community: str, start: datetime, end: datetime, tz: ZoneInfo
             ) -> list[Session]:
    return []
