"""The send loop: ledger rows in, relay conversations out, every outcome recorded.

Order per message: wait for the rate limiter, make sure the transport has a
connection, commit `sending`, hand the message over, commit the outcome. A
crash anywhere leaves at most one row `sending` per connection, which the next
run treats as ambiguous and resends with the same Message-ID.

`[smtp] connections = N` runs N workers, one thread per relay connection, all
taking rows from one queue: a reader is in one worker's hands at a time, the
rate limiter and the circuit breaker are shared, so `rate` and `breaker` hold
for the run, not per connection. The first connection goes alone until the
relay has given a definite answer (accepted or refused a message): a relay
that refuses our login or our sender, or is throttling, sees one connection
and not N. A worker whose connection the relay turns away while others are
sending retires and leaves its reader to them (a relay allowing fewer than N
sessions still gets everything); the run stops only when no worker can connect.

Transient trouble (4xx, 552, a broken connection) is retried within the run
with a short exponential backoff, a bounded number of times, then left
deferred for the next run. A circuit breaker ends the run after N transient
errors in a row, so a throttling relay is not hammered. Messages handed over but never
confirmed (ambiguous) stop the run sooner, once as many in a row as there are live
connections (at least 2): each resend to a relay slower than the timeout is one more
copy in a reader's inbox.
"""

from __future__ import annotations

import heapq
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from ..addresses import InvalidAddress, clean_address
from ..manifest import PersonalBlock, splice
from ..models import Edition, Recipient
from ..store import utcnow
from .ledger import Ledger, Row, Slot
from .message import MessageFactory
from .transports import Envelope, RelayUnavailable, Result, Transport


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

    One Pace is shared by every connection of a run: each `wait` takes the next
    slot under a lock and sleeps outside it, so N connections together keep the rate.
    """

    def __init__(self, rate: float, catch_up: float = 0.5,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.catch_up = max(catch_up, self.interval)
        self.next: float | None = None
        self.clock, self.sleep = clock, sleep
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = self.clock()
            if self.next is None or now > self.next + self.catch_up:
                self.next = now
            slot = self.next
            self.next += self.interval
        if slot > now:
            self.sleep(slot - now)


@dataclass
class Worker:
    """One relay connection and the thread that drives it."""

    number: int  # 0 is the first connection, the one that goes alone until the relay answers
    transport: Transport
    retired: str | None = None  # why its connection gave up while others carried on


@dataclass
class Loop:
    """One run over the due rows of one period, over one or more relay connections."""

    ledger: Ledger
    period: str
    transport: Transport  # the first connection's
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
    consecutive: int = 0  # transient errors in a row, all connections together
    unanswered: int = 0  # messages in a row handed over and never confirmed (ambiguous)
    stopped: str | None = None
    relay_unavailable: bool = False  # stopped because no connection could be had
    missing_editions: set[str] = field(default_factory=set)
    workers: int = 0  # connections this run set out with
    retired: list[str] = field(default_factory=list)  # connections turned away, and why
    connections: int = 1  # at most this many at once; no more than there are rows
    open_transport: Callable[[], Transport] | None = None  # a further connection's transport

    # shared between the workers, under `_cond`
    _cond: threading.Condition = field(default_factory=threading.Condition, init=False,
                                       repr=False)
    _open: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _queue: deque[Row] = field(default_factory=deque, init=False, repr=False)
    _retries: list[tuple[float, int, str]] = field(default_factory=list, init=False,
                                                   repr=False)  # (due, seq, email_key)
    _tries: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _busy: int = field(default=0, init=False, repr=False)  # rows in a worker's hands
    _live: int = field(default=0, init=False, repr=False)  # workers started, not retired
    _error: BaseException | None = field(default=None, init=False, repr=False)

    def run(self, rows: list[Row]) -> None:
        self._queue = deque(rows)
        n = max(1, min(self.connections, len(rows)))
        if self.open_transport is None or not self.ledger.per_thread:
            n = 1
        pace = Pace(self.rate)
        workers = [Worker(0, self.transport)]
        workers += [Worker(i, self.open_transport()) for i in range(1, n)
                    if self.open_transport is not None]
        self.workers = len(workers)
        threads = [threading.Thread(target=self._work, args=(w, pace), daemon=True,
                                    name=f"send-{self.period}-{w.number + 1}") for w in workers]
        for t in threads:
            t.start()
        try:
            with self._stopped_by_sigterm():
                for t in threads:
                    t.join()
        except BaseException:  # Ctrl-C: each connection finishes and records its message
            self._stop("interrupted")
            for t in threads:
                t.join()
            raise
        if self._error is not None:
            raise self._error

    @contextmanager
    def _stopped_by_sigterm(self) -> Iterator[None]:
        """SIGTERM (systemd stopping the unit, `kill`, a shutdown) ends the run as Ctrl-C
        does: each connection finishes and records the message it has on the wire, so
        nothing is left `sending` to be resent as a duplicate. Only the main thread can
        take a signal; a run in any other thread keeps the process's own handling."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(signum: int, frame: object) -> None:
            self._stop("stopped by SIGTERM; each connection recorded the message it had on "
                       "the wire, and the next run sends the rest")

        previous = signal.signal(signal.SIGTERM, stop)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _work(self, worker: Worker, pace: Pace) -> None:
        try:
            if worker.number:
                self._open.wait()  # until the relay has answered the first connection
            with self._cond:
                self._live += 1
            while worker.retired is None and (row := self._take()) is not None:
                result: Result | None = None
                try:
                    result = self._attempt(row, pace, worker)
                finally:
                    self._settle(row, result, worker)
        except BaseException as e:  # a bug or a locked database: end the run, raise in run()
            with self._cond:
                self._error = self._error or e
            self._stop(f"{type(e).__name__}: {e}")
        finally:
            worker.transport.close()
            self.ledger.release()

    def _take(self) -> Row | None:
        """The next row for a worker: a due retry first, else the queue; None: the run is over."""
        while True:
            with self._cond:
                key: str | None = None
                while key is None:
                    if self.stopped is not None:
                        self._over()
                        return None
                    now = time.monotonic()
                    if self._retries and (not self._queue or self._retries[0][0] <= now):
                        due = self._retries[0][0]
                        if due > now:
                            self._cond.wait(due - now)
                            continue
                        key = heapq.heappop(self._retries)[2]
                    elif self._queue:
                        self._busy += 1
                        return self._queue.popleft()
                    elif self._busy == 0:  # nothing queued, and nobody holds a row to retry
                        self._over()
                        return None
                    else:
                        self._cond.wait()
                self._busy += 1
            row = self.ledger.row(self.period, key)
            if row is not None and row.state in ("deferred", "ambiguous"):
                return row
            with self._cond:
                self._busy -= 1
                self._cond.notify_all()

    def _over(self) -> None:
        """Called holding the lock: wake every worker, those still waiting to start too."""
        self._open.set()
        self._cond.notify_all()

    def _stop(self, why: str, unavailable: bool = False) -> None:
        with self._cond:
            if self.stopped is None:
                self.stopped, self.relay_unavailable = why, unavailable
            self._over()

    def _settle(self, row: Row, result: Result | None, worker: Worker) -> None:
        """A worker is done with `row`: count it, schedule its retry, or hand it back."""
        with self._cond:
            self._busy -= 1
            key = row.email_key
            if result is None:
                if worker.retired is not None and self.stopped is None:
                    self._queue.appendleft(row)  # never tried: the next worker free takes it
            else:
                first = key not in self._tries
                if result.fate in ("transient", "ambiguous"):
                    n = self._tries.get(key, 0) + 1
                    self._tries[key] = n
                    if n < self.retry.attempts:
                        heapq.heappush(self._retries, (time.monotonic() + self.retry.delay(n),
                                                       row.seq, key))
                else:
                    self._tries.setdefault(key, 1)
                if first and self.on_progress:
                    self.on_progress(1)
            self._cond.notify_all()

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

    def _attempt(self, row: Row, pace: Pace, worker: Worker) -> Result | None:
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
        if self.stopped is not None or not self._connect(worker):
            return None
        self.ledger.mark_sending(self.period, row.email_key, utcnow())
        result = worker.transport.send(Envelope(self.mail_from, rcpt, row.message_id, data))
        self._record(row, result)
        return result

    def _connect(self, worker: Worker) -> bool:
        """Get the worker's connection ready, retrying a relay that is down.

        False when the worker retires (the relay turned this connection away while
        others are sending: they take its readers) or when the run stops (no
        connection at all can be had).
        """
        for i in range(self.retry.connect_attempts):
            if i and self.stopped is not None:
                return False
            try:
                worker.transport.ready()
                return True
            except RelayUnavailable as e:
                with self._cond:
                    if self.stopped is not None:
                        return False
                    if self._live > 1:
                        self._live -= 1
                        worker.retired = str(e)
                        self.retired.append(str(e))
                        return False
                    if e.permanent:
                        self._stop(str(e), unavailable=True)
                        return False
                    self.consecutive += 1
                    if self.consecutive >= self.breaker:
                        self._stop(f"circuit breaker: {self.consecutive} transient errors in a "
                                   f"row; last: {e}", unavailable=True)
                        return False
                    if i + 1 == self.retry.connect_attempts:
                        self._stop(str(e), unavailable=True)
                        return False
                with self._cond:  # a stop elsewhere ends the wait
                    self._cond.wait_for(lambda: self.stopped is not None,
                                        self.retry.connect_delay(i + 1))
        return False

    def _record(self, row: Row, result: Result) -> None:
        now = utcnow()
        if result.fate in ("sent", "failed"):
            self.ledger.record(self.period, row.email_key, result.fate, now, result.code,
                               result.text)
            with self._cond:
                if result.fate == "sent":
                    self.sent_now += 1
                self.consecutive = self.unanswered = 0  # a definite answer: the relay works
            self._open.set()  # ... so the other connections may start
            return
        state = "deferred" if result.fate == "transient" else "ambiguous"
        # `row` was read before mark_sending counted this try
        delay = self.retry.delay(row.attempts + 1)
        self.ledger.record(self.period, row.email_key, state, now, result.code, result.text,
                           next_attempt=now + timedelta(seconds=delay))
        with self._cond:
            self.consecutive += 1
            if state == "ambiguous":
                self.unanswered += 1
            if state == "ambiguous" and self.unanswered >= max(2, self._live):
                # every connection handed over a message and heard nothing: a relay slower
                # than the timeout has probably stored each, and each resend is one more copy
                self._stop(f"the relay did not confirm {self.unanswered} messages in a row "
                           "(it may have stored them; the next run resends them under the "
                           "same Message-ID): if it is slow, raise [smtp] timeout; last: "
                           f"{result.text}")
            elif result.stop:
                self._stop(f"the relay refuses our sender {self.mail_from}: "
                           f"{result.code} {result.text}", unavailable=True)
            elif self.consecutive >= self.breaker:
                self._stop(f"circuit breaker: {self.consecutive} transient errors in a row; "
                           f"last: {result.code or ''} {result.text}".replace("  ", " "))
