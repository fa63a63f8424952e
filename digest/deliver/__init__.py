"""DELIVER: send each reader their edition, exactly once as far as SMTP allows.

Over SMTP exactly-once is impossible: a connection can break after the relay
stored a message but before it said so. The promise instead: nobody is lost,
and the only duplicates are the in-flight message of a crash, resent with the
same Message-ID so mail clients fold it. The ledger (`ledger.py`) makes that
possible; `sender.py` runs the relay conversation; transports are swappable.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ..addresses import InvalidAddress, clean_address, parse_mailbox
from ..config import Config
from ..errors import (
    EXIT_OK,
    EXIT_TEMPFAIL,
    ConfigError,
    DigestError,
    TemporaryFailure,
    Unavailable,
)
from ..manifest import Manifest
from ..models import Edition, Recipient
from ..store import Store, utcnow
from ..text import plural
from .ledger import (
    OPEN_STATES,
    STATES,
    FrozenEdition,
    Ledger,
    LedgerStatus,
    Planned,
    key_of,
    ledger_status,
)
from .lock import run_lock
from .message import MessageFactory, build_message, message_id_for, sender_address
from .sender import Loop, RetryPolicy
from .transports import Envelope, OutboxTransport, RelayUnavailable, transport_for

__all__ = [
    "OPEN_STATES", "STATES", "LedgerStatus", "RetryPolicy", "SendReport",
    "build_message", "ledger_status", "message_id_for", "run_lock", "send_period", "send_test",
]


@dataclass
class SendReport:
    """What a send run did and where the period stands (counts are for the whole period)."""

    period: str
    method: str
    total: int = 0  # readers frozen into the ledger (or that would be, in a dry run)
    planned: int = 0  # not tried yet (still planned, or left `sending` by a crash)
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    ambiguous: int = 0
    sent_now: int = 0  # sent by this run
    seconds: float = 0.0
    # the ledger after the run: who failed, is deferred or is ambiguous, and why (None in a
    # dry run, which reads no more than the counts)
    status: LedgerStatus | None = None
    stopped: str | None = None  # why the run ended early (breaker, relay lost)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def done(self) -> bool:
        return not (self.planned or self.deferred or self.ambiguous)

    @property
    def exit_code(self) -> int:
        """0 done or nothing to do; 75 readers remain to be sent.

        Failed readers do not fail the run: they are in the summary and in status.
        A relay unavailable before anything was sent never gets here: `send_period`
        raises Unavailable (69) instead of returning a report.
        """
        if self.dry_run:
            return EXIT_OK
        return EXIT_OK if self.done else EXIT_TEMPFAIL

    def summary_line(self) -> str:
        if self.dry_run:
            return (f"{self.period}: dry run, would send {self.planned} of {self.total} "
                    f"via {self.method}; nothing written")
        line = (f"{self.period}: planned {self.total}, sent {self.sent} "
                f"({self.sent_now} this run), deferred {self.deferred}, failed {self.failed}, "
                f"ambiguous {self.ambiguous}")
        if self.planned:
            line += f", not yet tried {self.planned}"
        line += f", {self.seconds:.1f} s"
        if self.stopped:
            line += f"; stopped early: {self.stopped}"
        return line


def _report(ledger: Ledger, period: str, method: str) -> SendReport:
    status = ledger_status(ledger.store, period)
    c = status.counts
    return SendReport(
        period=period, method=method, total=status.total, planned=c["planned"] + c["sending"],
        sent=c["sent"], deferred=c["deferred"], failed=c["failed"], ambiguous=c["ambiguous"],
        status=status)


def _planned(config: Config, period_label: str,
             audience: list[tuple[Recipient, Edition]],
             manifest: Manifest | None) -> list[Planned]:
    records = {x.key: x for x in manifest.editions} if manifest else {}

    def block(r: Recipient, e: Edition) -> str | None:
        record = records.get(e.key)
        return manifest.block_for(record, r.email) if manifest and record else None

    return [Planned(email=r.email.strip(), name=r.name, edition=e.key, block=block(r, e),
                    message_id=message_id_for(period_label, r.email, config.delivery.sender))
            for r, e in audience]


def _mail_from(config: Config) -> str:
    smtp = config.delivery.smtp
    if smtp is not None and smtp.envelope_from:
        try:
            return clean_address(smtp.envelope_from)
        except InvalidAddress as e:
            raise ConfigError(config.path, "smtp.envelope_from", str(e)) from None
    return sender_address(config)[1]


@contextmanager
def _progress_bar(enabled: bool, total: int, period: str
                  ) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on a terminal; nothing otherwise (cron mails stdout)."""
    if not enabled or not sys.stderr.isatty() or total == 0:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(TextColumn(f"sending {period}"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("send", total=total)
        yield lambda n: bar.advance(task, n)


def send_period(config: Config, store: Store, period_label: str,
                audience: list[tuple[Recipient, Edition]], *,
                editions: Iterable[Edition] = (), dry_run: bool = False,
                progress: bool = False, now: datetime | None = None,
                retry: RetryPolicy | None = None,
                manifest: Manifest | None = None) -> SendReport:
    """Send the period's edition to every reader who has not had it yet.

    The first call for a period freezes `audience` into the ledger (one row per
    reader, with its Message-ID, committed before anything is sent). Later calls
    use the frozen ledger: readers added to the CSV after a period's send started
    are NOT added to it (they get the next period). A ledger row names its edition
    by key; it is looked up in `editions` and in `audience`, so pass every built
    edition: a frozen reader who has since left the CSV is still owed theirs.
    Rows already sent or failed are never sent again; planned, ambiguous and due
    deferred rows are.

    `dry_run` reports what would be sent and writes nothing, not even the ledger.
    Raises TemporaryFailure (75) if another run holds the lock, and Unavailable
    (69) if the relay could not be reached, refused the login or refused our
    sender before anything was sent in this run; a relay lost mid-run gives a
    report with exit code 75. An empty audience freezes nothing.
    `now` is the moment recorded as frozen/sent and the cut-off for due rows.

    `manifest` (the build's) says which personal block each reader gets and where it
    goes in their edition; the blocks are frozen into the ledger with the audience,
    and every message carries the moment of freezing as its Date, so a resumed send
    gives a reader the same bytes under the same Message-ID.
    """
    started = time.monotonic()
    now = now or utcnow()
    method = config.delivery.method
    if dry_run:
        return _dry_run(config, store, period_label, audience, now)
    with run_lock(config.state_path):
        # configuration errors (password, sender) surface before anything is written
        transport = transport_for(config, period_label)
        factory, mail_from = MessageFactory(config, period_label), _mail_from(config)
        ledger = Ledger(store)
        by_key = {e.key: e for e in editions} | {e.key: e for _, e in audience}
        slots = ({r.key: (r.default_block, r.html_slot, r.text_slot) for r in manifest.editions}
                 if manifest else {})
        if audience:  # an empty recipients file must not freeze the period empty
            ledger.freeze(period_label, _planned(config, period_label, audience, manifest), now,
                          blocks=manifest.blocks if manifest else (),
                          editions=[FrozenEdition(e, *slots.get(k, (None, None, None)))
                                    for k, e in by_key.items()])
        # what the first readers got, whatever became of out/ since
        for key, frozen in ledger.editions(period_label).items():
            by_key[key] = frozen.edition
            slots[key] = (frozen.default_block, frozen.html_slot, frozen.text_slot)
        recovered = ledger.recover(period_label, now)
        # a `now` in the past must not hide deferred rows whose time has come
        rows = list(ledger.due(period_label, max(now, utcnow())))
        smtp = config.delivery.smtp
        loop = Loop(ledger=ledger, period=period_label, transport=transport,
                    factory=factory, editions=by_key, mail_from=mail_from,
                    connections=smtp.connections if smtp else 1,  # each its own transport:
                    open_transport=lambda: transport_for(config, period_label),
                    rate=smtp.rate if smtp else 0.0, breaker=smtp.breaker if smtp else 20,
                    retry=retry or RetryPolicy(), slots=slots,
                    blocks=ledger.blocks(period_label), date=ledger.frozen_at(period_label))
        if rows:
            with _progress_bar(progress, len(rows), period_label) as advance:
                loop.on_progress = advance
                loop.run(rows)
        if loop.relay_unavailable and loop.sent_now == 0:
            raise Unavailable(f"nothing sent for {period_label}: {loop.stopped}")
        report = _report(ledger, period_label, method)
        report.sent_now, report.stopped = loop.sent_now, loop.stopped
        if recovered:
            report.notes.append(f"{plural(recovered, 'message was', 'messages were')} "
                                "interrupted by a crash: sent again under the original "
                                "Message-ID")
        if loop.retired:
            report.notes.append(
                f"the relay turned away {plural(len(loop.retired), 'connection')} of "
                f"{loop.workers} and the run went on over the others (lower [smtp] "
                f"connections to match the relay): {loop.retired[0]}")
        if loop.missing_editions:
            report.notes.append("no edition given for " + ", ".join(sorted(loop.missing_editions))
                                + "; those readers stay planned")
        if report.total and report.done:
            store.mark_sent(period_label, now)
        report.seconds = time.monotonic() - started
        return report


def _dry_run(config: Config, store: Store, period_label: str,
             audience: list[tuple[Recipient, Edition]], now: datetime) -> SendReport:
    report = SendReport(period=period_label, method=config.delivery.method, dry_run=True)
    ledger = Ledger(store, create=False)
    if ledger.frozen(period_label):
        report.total = sum(ledger.counts(period_label).values())
        due = list(ledger.due(period_label, now))
        report.planned = len(due) + ledger.counts(period_label)["sending"]
    else:
        report.total = report.planned = len({key_of(r.email) for r, _ in audience})
    return report


def send_test(config: Config, edition: Edition, address: str) -> Path | None:
    """Send one copy of `edition` to `address` through the configured transport,
    without touching the ledger (for `digest send --to ADDRESS`).

    Returns the file written when the delivery is the outbox, so the organiser can open it.

    Raises Unavailable (69) when the relay cannot be reached, TemporaryFailure
    (75) when it defers the message, DigestError when it refuses it.
    """
    try:  # "Me <me@example.org>" works as well as the bare address
        name, address = parse_mailbox(address)
    except InvalidAddress as e:
        raise DigestError(f"--to {address!r}: {e}") from None
    label = "test-" + utcnow().strftime("%Y%m%dT%H%M%S")
    message_id = message_id_for(label, address, config.delivery.sender)
    factory = MessageFactory(config, label)
    edition = replace(edition, subject=f"[TEST] {edition.subject}")
    try:
        data = factory.message_bytes(edition, Recipient(email=address, name=name,
                                                        communities=None), message_id)
    except InvalidAddress as e:
        raise DigestError(f"--to: {e}") from None
    transport = transport_for(config, "test")
    try:
        transport.ready()
        result = transport.send(Envelope(_mail_from(config), clean_address(address), message_id,
                                         data))
    except RelayUnavailable as e:
        raise Unavailable(str(e)) from None
    finally:
        transport.close()
    detail = f"{result.code or ''} {result.text}".strip()
    if result.fate == "sent":
        if isinstance(transport, OutboxTransport):
            return transport.path_for(clean_address(address))
        return None
    if result.fate == "failed":
        raise DigestError(f"the relay refused the test message to {address}: {detail}")
    raise TemporaryFailure(f"the test message to {address} was not confirmed: {detail}")


