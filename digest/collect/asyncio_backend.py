"""httpcore's network layer on asyncio's own streams.

httpcore reaches asyncio through anyio by default: every read and write opens a cancel
scope, and before each request the pool asks every idle connection whether its socket
became readable, which anyio answers by building a dictionary of socket attributes. For an
unchanged collect, where each feed is one small request and one empty answer, that was a
sixth of the run's CPU. This backend implements httpcore's documented
`AsyncNetworkBackend` interface with asyncio streams and `asyncio.timeout`, mapping errors
to httpcore's exceptions as its anyio backend does.
"""

from __future__ import annotations

import asyncio
import ipaddress
import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

SocketOption = (tuple[int, int, int] | tuple[int, int, bytes | bytearray]
                | tuple[int, int, None, int])

# RFC 8305's "Connection Attempt Delay": a host whose first address does not answer
# quickly gets its next one tried alongside, as anyio's connect does.
HAPPY_EYEBALLS_DELAY = 0.25
READ_LIMIT = 2**16  # the stream's buffer before the socket is paused; httpcore reads 64 KiB


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection: a StreamReader/StreamWriter pair, plain or TLS."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout("timed out reading") from None
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError:
            raise httpcore.WriteTimeout("timed out writing") from None
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        # abort(), not close(): a TLS close waits for the peer's close_notify, which a
        # hostile or broken server never sends; nothing of ours is left unsent here.
        self._writer.transport.abort()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            await self.aclose()
            raise httpcore.ConnectTimeout("timed out during the TLS handshake") from None
        except (OSError, ssl.SSLError) as exc:  # ssl.SSLError is an OSError; named for clarity
            await self.aclose()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        transport = self._writer.transport
        if info == "ssl_object":
            return transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return transport.get_extra_info("sockname")
        if info == "server_addr":
            return transport.get_extra_info("peername")
        if info == "socket":
            return transport.get_extra_info("socket")
        if info == "is_readable":
            # Data or EOF from an idle kept-alive connection: the server closed it. asyncio
            # reads in the background, so look at the stream's buffer, then the socket.
            if self._reader.at_eof() or transport.is_closing():
                return True
            sock = transport.get_extra_info("socket")
            return sock is None or _readable_now(sock.fileno())
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens `AsyncioStream`s; see the module's docstring for why.

    A host's name is looked up once a run, not once a connection: asyncio resolves every
    connection afresh, in a pool of a few threads, and a collect opens `per_host`
    connections to each host at once, so a slow resolver was paid over and over while the
    feeds queued behind it. The first connection to a host resolves its name (and races
    its addresses, happy eyeballs); the host's other connections wait for it and go to the
    address that answered, and by name again if that address refuses or stays silent for
    half the time left to connect (an address gone dark must not cost the connect timeout
    while the name's other addresses answer).
    """

    def __init__(self) -> None:
        self._answered: dict[tuple[str, int], str] = {}  # (host, port) -> address
        # settled when a host's first connection is made, with the lookup's error if its
        # name did not resolve
        self._resolving: dict[tuple[str, int], asyncio.Future[socket.gaierror | None]] = {}

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[SocketOption] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout) as budget:
                reader, writer = await self._open(host, port, local_address, budget.when())
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"timed out connecting to {host}:{port}") from None
        except OSError as exc:  # refused, unreachable, no such host (socket.gaierror)
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        sock = writer.transport.get_extra_info("socket")  # asyncio sets TCP_NODELAY itself
        for option in socket_options or ():
            sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def _open(self, host: str, port: int, local_address: str | None,
                    deadline: float | None) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to `host`; `deadline` (the event loop's clock) is when the caller
        gives up."""
        key = (host, port)
        if _is_address(host):
            return await _connect(host, port, local_address)
        resolving = self._resolving.get(key)
        if resolving is None:  # the first connection to this host: by name
            resolving = self._resolving[key] = asyncio.get_running_loop().create_future()
            unresolved: socket.gaierror | None = None
            connected = False
            try:
                reader, writer = await _connect(host, port, local_address)
                connected = True
            except socket.gaierror as exc:
                unresolved = exc
                raise
            finally:
                if not connected:
                    del self._resolving[key]  # a later connection tries by name again
                resolving.set_result(unresolved)
            self._remember(key, writer)
            return reader, writer
        unresolved = await asyncio.shield(resolving)
        if unresolved is not None:
            # the name did not resolve a moment ago: the host's waiting connections do not
            # each ask the resolver again (its threads are shared with every other host)
            raise socket.gaierror(*unresolved.args)
        address = self._answered.get(key)
        if address is not None:
            now = asyncio.get_running_loop().time()
            try:
                async with asyncio.timeout_at(None if deadline is None else (now + deadline) / 2):
                    return await _connect(address, port, local_address)
            except OSError:  # refused, unreachable, or silent (TimeoutError)
                if self._answered.get(key) == address:
                    del self._answered[key]
        reader, writer = await _connect(host, port, local_address)
        self._remember(key, writer)
        return reader, writer

    def _remember(self, key: tuple[str, int], writer: asyncio.StreamWriter) -> None:
        """The address that answered for `key`'s name: where its next connections go."""
        peer = writer.transport.get_extra_info("peername")
        if isinstance(peer, tuple) and peer:
            self._answered[key] = str(peer[0])

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[SocketOption] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise httpcore.UnsupportedProtocol("feeds are fetched over TCP only")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _connect(host: str, port: int, local_address: str | None
                   ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(
        host, port, limit=READ_LIMIT, happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY,
        local_addr=(local_address, 0) if local_address else None)


def _is_address(host: str) -> bool:
    """Whether `host` is an IP address already (nothing to look up)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _readable_now(fd: int) -> bool:
    """Whether the socket has data or EOF waiting (or is broken), without waiting."""
    if fd < 0:
        return True
    if not hasattr(select, "poll"):  # Windows: select() takes sockets there
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))
