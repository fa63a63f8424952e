"""Recipients (interim: replaced by the validating reader on the `content` branch)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError
from .models import Recipient


@dataclass
class RowProblem:
    line: int
    message: str


@dataclass
class RecipientList:
    recipients: list[Recipient] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)


def load_recipients(path: Path, known_communities: set[str]) -> RecipientList:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(path, None, "recipients file not found") from None
    out = RecipientList()
    for n, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        ids = frozenset(x.strip() for x in (row.get("communities") or "").split(";") if x.strip())
        out.recipients.append(Recipient(row["email"].strip(), (row.get("name") or "").strip(),
                                        ids or None, n))
    return out
