"""Deliver (interim: replaced by the ledger-backed sender on the `smtp` branch)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from ..config import Config
from ..models import Edition, Recipient
from ..store import Store, utcnow


def message_id_for(period_label: str, email: str, sender: str) -> str:
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(f"{period_label}\x1f{email.lower()}".encode()).hexdigest()[:24]
    return f"<cop-digest.{period_label}.{digest}@{domain}>"


def build_message(config: Config, period_label: str, edition: Edition, recipient: Recipient,
                  message_id: str, *, date: datetime | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = edition.subject
    msg["From"] = config.delivery.sender
    msg["To"] = formataddr((recipient.name, recipient.email))
    msg["Date"] = format_datetime(date or utcnow())
    msg["Message-ID"] = message_id
    msg.set_content(edition.text, charset="utf-8")
    msg.add_alternative(edition.html, subtype="html", charset="utf-8")
    return msg


@dataclass
class SendReport:
    planned: int = 0
    sent: int = 0
    skipped: int = 0
    seconds: float = 0.0
    exit_code: int = 0

    def summary_line(self) -> str:
        return f"planned {self.planned}, sent {self.sent}, already sent {self.skipped}"


def send_period(config: Config, store: Store, period_label: str,
                audience: list[tuple[Recipient, Edition]], *, dry_run: bool = False,
                progress: bool = False, now: datetime | None = None) -> SendReport:
    folder = config.out_path / "outbox" / period_label
    report = SendReport(planned=len(audience))
    for recipient, edition in audience:
        path = folder / (re.sub(r"[^a-zA-Z0-9@._-]", "_", recipient.email.lower()) + ".eml")
        if path.exists():
            report.skipped += 1
            continue
        if dry_run:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        mid = message_id_for(period_label, recipient.email, config.delivery.sender)
        path.write_bytes(bytes(build_message(config, period_label, edition, recipient, mid)))
        report.sent += 1
    if not dry_run:
        store.mark_sent(period_label, now or utcnow())
    return report
