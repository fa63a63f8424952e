"""The send loop: ledger rows in, relay conversations out, every outcome recorded.

Order per message: wait for the rate limiter, make sure the transport has a
connection, commit `sending`, hand the message over, commit the outcome. A
crash anywhere leaves at most that one row `sending`, which the next run
treats as ambiguous and resends with the same Message-ID.

Transient trouble (4xx, 552, a broken connection) is retried within the run
with a short exponential backoff, a bounded number of times, then left
deferred for the next run. A circuit breaker ends the run after N transient
errors in a row, so a throttling relay is not hammered.
"""

from __future__ import annotations

import heapq
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from ..addresses import InvalidAddress, clean_address
from ..manifest import PersonalBlock, splice
from ..models import Edition, Recipient
from ..store import utcnow
from .ledger import Ledger, Row
from .message import MessageFactory
from .transports import Envelope, RelayUnavailable, Result, Transport

Slot = tuple[int, int] | None


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one run tries. The defaults keep retries within seconds, not minutes:
    a relay that is still refusing after that is the next cron run's business."""

    backoff: float = 2.0  # delay before the first in-run retry of a reader; doubles each time
    max_backoff: float = 15.0
    attempts: int = 3  # tries per reader within one run
    connect_attempts: int = 3  # tries to (re)connect before the run gives up on the relay
    connect_backoff: float = 2.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retrying a reader after its `attempt`-th try (1, 2, ...).

        One formula for the retry within this run and for the `next_attempt` a
        deferred row is given for the runs after it.
        """
        return min(self.backoff * 2 ** (attempt - 1), self.max_backoff)

    def connect_delay(self, attempt: int) -> float:
        """Seconds to wait before reconnecting after the `attempt`-th failed connection."""
        return min(self.connect_backoff * 2 ** (attempt - 1), self.max_backoff)


class Pace:
    """Holds the send rate to `rate` messages per second.

    Slots are anchored (slot k = start + k/rate), so sleep overshoot and a slow
    reply now and then do not lower the rate: a lag of up to `catch_up` seconds
    is made up by sending without pause. A longer stall (a relay that took a
    minute to answer) restarts the schedule from now instead of bursting. In
    any window of W seconds at most rate * (W + catch_up) + 1 messages go out.
    """

    def __init__(self, rate: float, catch_up: float = 0.5,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.catch_up = max(catch_up, self.interval)
        self.next: float | None = None
        self.clock, self.sleep = clock, sleep

    def wait(self) -> None:
        if not self.interval:
            return
        now = self.clock()
        if self.next is None or now > self.next + self.catch_up:
            self.next = now
        if self.next > now:
            self.sleep(self.next - now)
        self.next += self.interval


@dataclass
class Loop:
    """One run over the due rows of one period."""

    ledger: Ledger
    period: str
    transport: Transport
    factory: MessageFactory
    editions: dict[str, Edition]
    mail_from: str
    rate: float = 0.0
    breaker: int = 20
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    on_progress: Callable[[int], None] | None = None
    # edition key -> (its default block, where that sits in the HTML and in the text)
    slots: dict[str, tuple[str | None, Slot, Slot]] = field(default_factory=dict)
    blocks: dict[str, PersonalBlock] = field(default_factory=dict)  # frozen with the audience
    date: datetime | None = None  # every message's Date: when the send was frozen
    _assembled: dict[tuple[str, str], Edition] = field(default_factory=dict)

    sent_now: int = 0
    consecutive: int = 0  # transient errors in a row
    stopped: str | None = None
    relay_unavailable: bool = False  # stopped because no connection could be had
    missing_editions: set[str] = field(default_factory=set)

    def run(self, rows: list[Row]) -> None:
        pace = Pace(self.rate)
        queue = deque(rows)
        retries: list[tuple[float, int, str]] = []  # (due, seq, email_key)
        tries: dict[str, int] = {}
        try:
            while (queue or retries) and self.stopped is None:
                if retries and (not queue or retries[0][0] <= time.monotonic()):
                    due, _, key = heapq.heappop(retries)
                    time.sleep(max(0.0, due - time.monotonic()))
                    row = self.ledger.row(self.period, key)
                    if row is None or row.state not in ("deferred", "ambiguous"):
                        continue
                else:
                    row = queue.popleft()
                first = row.email_key not in tries
                result = self._attempt(row, pace)
                if result is None:
                    continue
                if first and self.on_progress:
                    self.on_progress(1)
                if result.kind in ("transient", "ambiguous"):
                    n = tries.get(row.email_key, 0) + 1
                    tries[row.email_key] = n
                    if n < self.retry.attempts:
                        heapq.heappush(retries, (time.monotonic() + self.retry.delay(n),
                                                 row.seq, row.email_key))
                else:
                    tries.setdefault(row.email_key, 1)
        finally:
            self.transport.close()

    def edition_for(self, row: Row) -> Edition | None:
        """The reader's edition with their own block in it (assembled once per block)."""
        edition = self.editions.get(row.edition)
        if edition is None or row.block is None:
            return edition
        default, html_slot, text_slot = self.slots.get(row.edition, (None, None, None))
        if row.block == default:
            return edition
        block = self.blocks.get(row.block)
        if block is None:
            return None
        found = self._assembled.get((row.edition, row.block))
        if found is None:
            found = replace(edition, html=splice(edition.html, html_slot, block.html),
                            text=splice(edition.text, text_slot, block.text))
            self._assembled[(row.edition, row.block)] = found
        return found

    def _attempt(self, row: Row, pace: Pace) -> Result | None:
        edition = self.edition_for(row)
        if edition is None:
            # frozen for an edition this run was not given: leave the row for a run that has it
            self.missing_editions.add(row.edition)
            return None
        recipient = Recipient(email=row.email, name=row.name, communities=None)
        try:
            data = self.factory.message_bytes(edition, recipient, row.message_id, self.date)
            rcpt = clean_address(row.email)  # IDNA domain: smtplib speaks ASCII
        except InvalidAddress as e:
            self.ledger.record(self.period, row.email_key, "failed", utcnow(), None, str(e))
            return Result("failed", None, str(e))
        pace.wait()
        if not self._connect():
            return None
        self.ledger.mark_sending(self.period, row.email_key, utcnow())
        result = self.transport.send(Envelope(self.mail_from, rcpt, row.message_id, data))
        self._record(row, result)
        return result

    def _connect(self) -> bool:
        """Get the transport ready, retrying a relay that is down; False stops the run."""
        for i in range(self.retry.connect_attempts):
            try:
                self.transport.ready()
                return True
            except RelayUnavailable as e:
                if e.permanent:
                    self.stopped, self.relay_unavailable = str(e), True
                    return False
                self.consecutive += 1
                if self.consecutive >= self.breaker:
                    self.stopped = (f"circuit breaker: {self.consecutive} transient errors in a "
                                    f"row; last: {e}")
                    self.relay_unavailable = True
                    return False
                if i + 1 == self.retry.connect_attempts:
                    self.stopped, self.relay_unavailable = str(e), True
                    return False
                time.sleep(self.retry.connect_delay(i + 1))
        return False

    def _record(self, row: Row, result: Result) -> None:
        now = utcnow()
        if result.kind == "sent":
            self.ledger.record(self.period, row.email_key, "sent", now, result.code, result.text)
            self.sent_now += 1
            self.consecutive = 0
        elif result.kind == "failed":
            self.ledger.record(self.period, row.email_key, "failed", now, result.code,
                               result.text)
            self.consecutive = 0  # a definite answer: the relay is working
        else:
            state = "deferred" if result.kind == "transient" else "ambiguous"
            # `row` was read before mark_sending counted this try
            delay = self.retry.delay(row.attempts + 1)
            self.ledger.record(self.period, row.email_key, state, now, result.code, result.text,
                               next_attempt=now + timedelta(seconds=delay))
            self.consecutive += 1
            if result.stop:
                self.stopped = (f"the relay refuses our sender {self.mail_from}: "
                                f"{result.code} {result.text}")
                self.relay_unavailable = True
            elif self.consecutive >= self.breaker:
                self.stopped = (f"circuit breaker: {self.consecutive} transient errors in a row; "
                                f"last: {result.code or ''} {result.text}".replace("  ", " "))
