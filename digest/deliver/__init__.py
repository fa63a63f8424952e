"""Deliver (interim: replaced by the ledger-backed sender on the `smtp` branch)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from ..config import Config
from ..errors import DigestError
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


def send_test(config: Config, edition: Edition, address: str) -> Path:
    """One copy of an edition to `address`, for a check by eye before the real send.

    It goes through the same message builder and outbox as the real send, but
    into out/outbox/test/, with a fresh Message-ID, and it records nothing: the
    period is not marked sent and no reader is skipped later because of it.
    """
    name, addr = parseaddr(address)
    if "@" not in addr or any(ch in address for ch in "\r\n"):
        raise DigestError(f"--to: {address!r} is not an email address")
    folder = config.out_path / "outbox" / "test"
    folder.mkdir(parents=True, exist_ok=True)
    domain = parseaddr(config.delivery.sender)[1].rpartition("@")[2] or "localhost"
    reader = Recipient(email=addr, name=name, communities=edition.communities)
    message = build_message(config, "test", edition, reader, make_msgid("cop-digest-test", domain))
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    safe = re.sub(r"[^a-zA-Z0-9@._+-]", "_", f"{stamp}-{edition.key}-{addr.lower()}")
    path = folder / f"{safe}.eml"
    path.write_bytes(bytes(message))
    return path
