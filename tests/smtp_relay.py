"""A real SMTP relay on 127.0.0.1 (aiosmtpd) that misbehaves on request, for the deliver tests.

Every message the relay stores is kept with its Message-ID, so a test can
check that nobody was mailed twice under two different ids.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from waiting import wait_until

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.MULTILINE | re.IGNORECASE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Stored:
    message_id: str
    rcpt: str
    mail_from: str
    data: bytes
    peer: tuple  # the client's (host, port): tells connections apart


@dataclass
class Behaviour:
    """How the relay misbehaves. Message numbers count DATA commands from 1."""

    tempfail_every: int = 0  # 451 after the data of every k-th message (not stored)
    always: str | None = None  # this reply after the data of every message (not stored)
    mail_reply: str | None = None  # answer every MAIL FROM with this
    close_at: frozenset[int] = frozenset()  # 421 and hang up when message n starts (MAIL)
    drop_after_store: frozenset[int] = frozenset()  # store message n, hang up without replying
    refuse: Callable[[str], bool] = lambda rcpt: False  # 550 at RCPT for these addresses
    hangup_after: frozenset[int] = frozenset()  # reply 250 to message n, then hang up
    slow_after_store: frozenset[int] = frozenset()  # store message n, reply after `slow` s
    slow: float = 0.0
    stop_after: int | None = None  # the whole relay goes down after storing this many
    on_store: Callable[[int], None] | None = None  # called with the count stored, before the reply
    on_mail: Callable[[int], None] | None = None  # called with n at MAIL n, before the reply
    delay: float = 0.0  # every message: stored, then the reply waits this long (a real relay)
    max_connections: int | None = None  # a connection beyond this many open gets 421 at once


@dataclass
class Handler:
    behaviour: Behaviour = field(default_factory=Behaviour)
    stored: list[Stored] = field(default_factory=list)
    data_count: int = 0
    mail_count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    relay: Relay | None = None
    # connections and messages at once, as the relay saw them (its event loop counts them)
    open_connections: int = 0
    peak_connections: int = 0
    refused_connections: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0

    def admit(self) -> bool:
        """A client connects: False when it is one too many (it gets 421 and is hung up on)."""
        limit = self.behaviour.max_connections
        if limit is not None and self.open_connections >= limit:
            self.refused_connections += 1
            return False
        self.open_connections += 1
        self.peak_connections = max(self.peak_connections, self.open_connections)
        return True

    def connection_closed(self) -> None:
        self.open_connections -= 1

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        self.mail_count += 1
        if self.behaviour.on_mail:
            self.behaviour.on_mail(self.mail_count)
        if self.behaviour.mail_reply:
            return self.behaviour.mail_reply
        if self.mail_count in self.behaviour.close_at:
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.3.2 service shutting down, closing channel"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.behaviour.refuse(address):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        b = self.behaviour
        self.data_count += 1
        n = self.data_count
        if b.always:
            return b.always
        if b.tempfail_every and n % b.tempfail_every == 0:
            return "451 4.7.1 slow down, try again later"
        m = _MESSAGE_ID.search(envelope.content)
        mid = m.group(1).decode() if m else ""
        with self.lock:
            if b.stop_after is not None and len(self.stored) >= b.stop_after:
                # going down: another connection's message arrived before the stop took effect
                return "421 4.3.2 shutting down"
            for rcpt in envelope.rcpt_tos:
                self.stored.append(Stored(mid, rcpt, envelope.mail_from, envelope.content,
                                          tuple(session.peer)))
            count = len(self.stored)
        if b.on_store:
            b.on_store(count)
        # `delay` and `slow` are the relay's behaviour under test (a slow relay), not waits
        if b.delay:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                await asyncio.sleep(b.delay)
            finally:
                self.in_flight -= 1
        if n in b.hangup_after:  # like a relay closing a connection it finds idle
            asyncio.get_running_loop().call_soon(server.transport.close)
        if n in b.slow_after_store:
            await asyncio.sleep(b.slow)
        if n in b.drop_after_store:
            server.transport.abort()  # stored, but the client never hears so
            return "250 OK"
        if b.stop_after is not None and count >= b.stop_after and self.relay is not None:
            threading.Thread(target=self.relay.stop, daemon=True).start()
        return "250 OK"

    def ids_by_rcpt(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for s in self.stored:
            out.setdefault(s.rcpt, set()).add(s.message_id)
        return out

    def connections(self) -> int:
        return len({s.peer for s in self.stored})

    def duplicates(self) -> int:
        """Messages stored more than once (same recipient and Message-ID)."""
        counts = Counter((s.rcpt, s.message_id) for s in self.stored)
        return sum(n - 1 for n in counts.values())


class _TooMany(asyncio.Protocol):
    """What a connection beyond `max_connections` talks to: a 421 greeting, then goodbye."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(b"421 4.7.0 too many connections from your host, try later\r\n")
        transport.close()


class _CountedSMTP(SMTP):
    def connection_lost(self, error: Exception | None) -> None:
        try:
            super().connection_lost(error)
        finally:
            self.event_handler.connection_closed()


class _Controller(Controller):
    """aiosmtpd's controller, counting open connections and turning away those over the cap."""

    def factory(self):
        if not self.handler.admit():
            return _TooMany()
        return _CountedSMTP(self.handler, **self.SMTP_kwargs)


class Relay:
    """An aiosmtpd relay in a thread of the test process; `stop()`/`start()` to flap it."""

    def __init__(self, behaviour: Behaviour | None = None, *, port: int | None = None,
                 tls_context: ssl.SSLContext | None = None,
                 smtps_context: ssl.SSLContext | None = None,
                 credentials: tuple[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.handler = Handler(behaviour or Behaviour(), relay=self)
        self.tls_context = tls_context  # offered through STARTTLS, and required
        self.smtps_context = smtps_context  # implicit TLS from the first byte
        self.credentials = credentials
        self.logins: list[tuple[str, bool, tuple]] = []  # (user, accepted, client peer)
        self.controller: Controller | None = None
        self._stop_lock = threading.Lock()

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword) or self.credentials is None:
            return AuthResult(success=False, handled=False)
        ok = (auth_data.login.decode(), auth_data.password.decode()) == self.credentials
        self.logins.append((auth_data.login.decode(), ok, tuple(session.peer)))
        return AuthResult(success=ok, handled=False)

    def start(self) -> Relay:
        kwargs: dict = {}
        if self.tls_context is not None:
            kwargs.update(tls_context=self.tls_context, require_starttls=True)
        if self.smtps_context is not None:
            kwargs.update(ssl_context=self.smtps_context)
        if self.credentials is not None:
            kwargs.update(authenticator=self._authenticate, auth_required=True)
        with self._stop_lock:  # a stop under way (stop_after) ends before the restart
            self.handler.open_connections = 0  # a stopped relay's connections died with it
            self.controller = _Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                          ready_timeout=5, **kwargs)
            self.controller.start()
        # the controller's own probe connection is not a client's: wait until it is gone
        wait_until(lambda: self.handler.open_connections == 0, timeout=10,
                   message="the relay's own start-up probe never disconnected")
        return self

    def stop(self) -> None:
        with self._stop_lock:
            controller, self.controller = self.controller, None
            if controller is not None:
                controller.stop()

    @property
    def stored(self) -> list[Stored]:
        return self.handler.stored
