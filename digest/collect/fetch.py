"""Getting feed bytes: per host, at most `per_host` kept-alive connections (httpcore's
connections, held in slots of our own, see HostPools), bounded and polite.

Each fetch runs under a per-host limit (the run's slots bound the total),
with a connect timeout and a total budget (so a server dripping a byte a second cannot hold
the run), a body cap applied while streaming and again to the decompressed
size, conditional GET, and redirects followed by hand so that a permanent move
can be reported and a loop detected.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import ssl
import sys
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import ModuleType
from typing import Literal
from urllib.parse import unquote, urljoin, urlparse, urlsplit

import httpcore

from ..config import CollectSettings
from . import host_of
from .asyncio_backend import AsyncioBackend
from .parsed import FeedError

USER_AGENT = "CoP-Digest/0.1 (Communities of Practice digest; feed collector)"
ACCEPT = ("application/atom+xml, application/rss+xml, application/feed+json, "
          "application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, "
          "text/calendar;q=0.8, */*;q=0.5")
MAX_REDIRECTS = 5
MAX_IDLE = 1024  # connections kept open between requests, over all hosts, unless told
MAX_RETRY_AFTER = timedelta(days=30)  # the longest a server can make us wait
_PERMANENT = frozenset({301, 308})
_REDIRECT = frozenset({301, 302, 303, 307, 308})
_RETRYABLE = (httpcore.ReadError, httpcore.WriteError, httpcore.RemoteProtocolError)
# A body we do not use (a redirect's, an error's) is read when it is this small and comes this
# quickly, so its connection stays open: one closed unread is closed. Waiting longer costs
# more than the new connection it saves.
DRAIN_MAX_BYTES = 64 * 1024
DRAIN_WAIT = 0.25
# What a URL may hold as it is sent; anything else goes through httpx's parser (IDNA hosts,
# percent-encoding), as before.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?"
                        r"([/?][A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]*)?")

FetchStatus = Literal["ok", "unchanged", "error", "gone", "deferred"]


@dataclass
class Validators:
    """What we remember about a feed between runs, to ask only for changes."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass
class FetchResult:
    """The result of asking for one feed location."""

    outcome: FetchStatus
    url: str  # the location asked for
    final_url: str = ""  # where the body came from after redirects
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None  # the target of a permanent redirect
    error_kind: str | None = None
    error_message: str | None = None
    retry_after: datetime | None = None


class _LazyTrust(ssl.SSLContext):
    """A verifying TLS context that loads the CA bundle on its first TLS connection.

    Loading the bundle costs ~0.13 s, a tenth of an unchanged run, and a list
    of plain-http or local feeds never needs it. Verification is on from the
    start (CERT_REQUIRED, hostname checks); only the loading waits.
    """

    _loaded = False

    def _trust(self) -> None:
        if not self._loaded:
            self._loaded = True
            try:
                import certifi
                self.load_verify_locations(cafile=certifi.where())
            except ImportError:
                self.load_default_certs()

    def wrap_socket(self, *args, **kwargs):
        self._trust()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args, **kwargs):
        self._trust()
        return super().wrap_bio(*args, **kwargs)


def _tls_context() -> ssl.SSLContext:
    ctx = _LazyTrust(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname and CERT_REQUIRED by default
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    return ctx


def user_agent(contact: str | None = None) -> str:
    """Our User-Agent; with the digest's web address so a feed's owner can find us."""
    return USER_AGENT[:-1] + f"; +{contact})" if contact else USER_AGENT


def make_client(settings: CollectSettings, contact: str | None = None,
                max_idle: int = MAX_IDLE) -> HostPools:
    """The run's one HTTP client; limits are enforced above it, per host. At most
    `max_idle` connections are kept open between requests, over all hosts."""
    return HostPools(settings, user_agent(contact), max_idle)


class HostPools:
    """Per host, `per_host` connection slots: the run's HTTP client.

    httpx's client adds, per request, URL merging, cookie extraction and three layers
    of wrappers that cost an unchanged collect of 2,000 feeds about a second of CPU; we use
    none of what they give (redirects are followed by hand, bodies decoded by hand). And
    httpcore's pool takes locks and rescans its connections and queued requests whenever
    a request starts or ends, a fifth of an unchanged request's CPU. A slot here is what
    a pool of one connection would be: a request takes a free slot of its host (the most
    recently used: its connection is the likeliest to be alive) and gives it back once
    its response is closed, so a host never has more than `per_host` connections. The
    connection itself is httpcore's (`AsyncHTTPConnection`); as httpcore's pool does, a
    slot replaces it when it is closed, failed to connect, or expired (the server hung up
    on it while it was idle).

    Idle connections are kept for at most `max_idle` slots over all hosts, the least
    recently used closed first: kept until the run ends, one per host of a list of
    thousands would pass the process's limit of open files (often 1,024) and every later
    connection would fail.
    """

    def __init__(self, settings: CollectSettings, agent: str, max_idle: int = MAX_IDLE
                 ) -> None:
        self.per_host = max(1, settings.per_host)
        self.max_idle = max(0, max_idle)
        self.idle: dict[_Slot, None] = {}  # slots holding an open connection, oldest first
        self.tls = _tls_context()
        self.network = AsyncioBackend()
        self.headers = [(b"User-Agent", agent.encode()), (b"Accept", ACCEPT.encode()),
                        (b"Accept-Encoding", b"gzip, deflate")]
        self.extensions = {"timeout": {"connect": settings.connect_timeout,
                                       "read": settings.timeout, "write": settings.timeout,
                                       "pool": settings.timeout}}
        self.free: dict[tuple[bytes, bytes, int], asyncio.LifoQueue[_Slot]] = {}
        self.slots: list[_Slot] = []

    async def __aenter__(self) -> HostPools:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @contextlib.asynccontextmanager
    async def get(self, url: str, headers: list[tuple[bytes, bytes]]
                  ) -> AsyncIterator[httpcore.Response]:
        """A GET for `url` with our headers and `headers`, its body left to stream; the
        response is closed, and its connection free for the next request, on leaving."""
        target, extra = _request_url(url)
        origin = target.origin
        key = (origin.scheme, origin.host, origin.port)  # the default port filled in
        free = self.free.get(key)
        if free is None:
            free = self.free[key] = asyncio.LifoQueue()
            for _ in range(self.per_host):  # connections are opened on first use
                slot = _Slot()
                self.slots.append(slot)
                free.put_nowait(slot)
        slot = await free.get()
        self.idle.pop(slot, None)
        try:
            request = httpcore.Request(b"GET", target, headers=[*extra, *self.headers, *headers],
                                       extensions=self.extensions)
            connection = await slot.connection_for(origin, self)
            try:
                response = await connection.handle_async_request(request)
            except httpcore.ConnectionNotAvailable:
                # It closed between the check and the request: once more on a new one.
                connection = await slot.connection_for(origin, self, fresh=True)
                response = await connection.handle_async_request(request)
            try:
                yield response
            finally:
                await response.aclose()
        finally:
            free.put_nowait(slot)
            if slot.connection is not None:
                self.idle[slot] = None
                while len(self.idle) > self.max_idle:
                    oldest = next(iter(self.idle))
                    del self.idle[oldest]
                    await oldest.aclose()

    async def aclose(self) -> None:
        for slot in self.slots:
            await slot.aclose()


class _Slot:
    """One of a host's `per_host` places for a connection, kept alive between requests."""

    connection: httpcore.AsyncHTTPConnection | None = None

    async def connection_for(self, origin: httpcore.Origin, pools: HostPools,
                             fresh: bool = False) -> httpcore.AsyncHTTPConnection:
        """The slot's connection if it can take a request, or a new one (opened on use)."""
        old = self.connection
        if old is not None and not fresh and not (old.is_closed() or old.has_expired()):
            return old
        if old is not None:
            await old.aclose()
        self.connection = httpcore.AsyncHTTPConnection(
            origin, ssl_context=pools.tls, network_backend=pools.network, http1=True,
            http2=False)
        return self.connection

    async def aclose(self) -> None:
        """Close the slot's connection; the slot opens a new one when next used."""
        connection, self.connection = self.connection, None
        if connection is not None:
            await connection.aclose()


class InvalidURL(Exception):
    """A feed location that cannot be sent as an HTTP request."""


def _import_httpx_without_its_cli() -> ModuleType:
    """Import httpx without its command-line client.

    httpx imports `httpx._main` (click, rich's syntax and progress, pygments: a tenth of a
    second) whenever those are installed; we never run it. A None in sys.modules makes that
    import fail the way httpx expects when they are not.
    """
    blocked = "httpx" not in sys.modules and "httpx._main" not in sys.modules
    if blocked:
        sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        if blocked and sys.modules.get("httpx._main", ...) is None:
            del sys.modules["httpx._main"]  # `python -m httpx` elsewhere still works
    return httpx


def _request_url(url: str) -> tuple[httpcore.URL, list[tuple[bytes, bytes]]]:
    """The URL as httpcore sends it, and its Host (and Authorization, for a user:password@
    address) header.

    A plain ASCII address is split by the standard library; any other (IDNA host,
    characters to percent-encode, user information) goes through httpx's parser, as it did
    when httpx sent every request.
    """
    if _PLAIN_URL.fullmatch(url):
        parts = urlsplit(url)
        try:
            host, port = parts.hostname or "", parts.port
        except ValueError as exc:  # a port past 65535
            raise InvalidURL(str(exc)) from None
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        scheme = parts.scheme
        authority = host if port is None else f"{host}:{port}"
        userinfo = ""
    else:
        httpx = _import_httpx_without_its_cli()
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise InvalidURL(str(exc)) from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise InvalidURL(f"not a web address: {url!r}")
        scheme, port = parsed.scheme, parsed.port
        host = parsed.raw_host.decode("ascii")
        target = parsed.raw_path.decode("ascii")
        bracketed = f"[{host}]" if ":" in host else host
        authority = bracketed if port is None else f"{bracketed}:{port}"
        userinfo = parsed.userinfo.decode("ascii")
    headers = [(b"Host", authority.encode("ascii"))]
    if userinfo:
        user, _, password = userinfo.partition(":")
        token = base64.b64encode(f"{unquote(user)}:{unquote(password)}".encode()).decode()
        headers.append((b"Authorization", f"Basic {token}".encode("ascii")))
    return httpcore.URL(scheme=scheme, host=host, port=port, target=target), headers


class Fetcher:
    """Fetches many locations concurrently, at most `per_host` at a time per host.

    The total is bounded by the caller: collect's run holds one of
    `concurrency` slots around each fetch, and its parse and store too. The host's
    limit is taken here, before the fetch's time budget starts, so a feed queued behind
    its host's other feeds is not timed out for waiting; `HostPools` enforces the same
    limit per request, which only matters for a redirect to another host.

    A Fetcher and its client serve one run, on one event loop: their limits, connections
    and looked-up addresses belong to it (asyncio refuses a semaphore bound to another
    loop), and a name looked up in one run is looked up afresh in the next.
    """

    def __init__(self, client: HostPools, settings: CollectSettings) -> None:
        self.client = client
        self.settings = settings
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _host_limit(self, url: str) -> asyncio.Semaphore:
        host = host_of(url)
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(max(1, self.settings.per_host))
        return sem

    async def fetch(self, url: str, validators: Validators | None = None,
                    now: datetime | None = None) -> FetchResult:
        """Fetch one location (http(s) URL or absolute path); never raises for feed trouble."""
        now = now or datetime.now(UTC)
        if not url.startswith(("http://", "https://")):
            return await asyncio.to_thread(read_local, url, self.settings.max_bytes)
        async with self._host_limit(url):
            try:
                async with asyncio.timeout(self.settings.timeout):
                    try:
                        return await self._fetch(url, validators or Validators(), now)
                    except _RETRYABLE:
                        # A connection dropped under us (often a kept-alive one the
                        # server had just closed): one more try on a fresh one.
                        return await self._fetch(url, validators or Validators(), now)
            except TimeoutError:
                return _error(url, "timeout", f"no complete answer within "
                              f"{self.settings.timeout:g} s")
            except FeedError as exc:
                return _error(url, exc.kind, exc.message)
            except httpcore.ConnectTimeout:
                return _error(url, "timeout", f"could not connect within "
                              f"{self.settings.connect_timeout:g} s")
            except httpcore.ConnectError as exc:
                why = str(exc) or type(exc).__name__
                kind = "tls" if "CERTIFICATE" in why or "SSL" in why else "connect"
                return _error(url, kind, f"could not connect: {why}")
            except httpcore.TimeoutException as exc:
                return _error(url, "timeout", f"timed out: {exc or type(exc).__name__}")
            except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol,
                    httpcore.ProxyError, InvalidURL) as exc:
                return _error(url, "http", f"{type(exc).__name__}: {exc}")

    async def _fetch(self, url: str, v: Validators, now: datetime) -> FetchResult:
        seen = [url]
        current = url
        moved_to: str | None = None
        permanent_chain = True
        for _ in range(MAX_REDIRECTS + 1):
            asked = []
            if v.etag:
                asked.append((b"If-None-Match", v.etag.encode("latin-1", "replace")))
            if v.last_modified:
                asked.append((b"If-Modified-Since",
                              v.last_modified.encode("latin-1", "replace")))
            async with self.client.get(current, asked) as response:
                code = response.status
                headers = _Headers(response.headers)
                if code != 304 and not 200 <= code < 300:
                    await _drain(response, headers)
                if code in _REDIRECT:
                    target = headers.get("location")
                    if not target:
                        raise FeedError("http", f"HTTP {code} redirect without a Location")
                    try:
                        target = urljoin(current, target)
                        scheme = urlparse(target).scheme
                    except ValueError:  # "http://[x": urllib refuses to split it
                        raise FeedError("redirect", f"redirect to an address that cannot "
                                        f"be read: {target!r}") from None
                    if scheme not in ("http", "https"):
                        raise FeedError("redirect", f"redirect to a non-web address {target!r}")
                    if target in seen:
                        raise FeedError("redirect-loop", "redirect loop: "
                                       + " -> ".join([*seen, target]))
                    permanent_chain = permanent_chain and code in _PERMANENT
                    if permanent_chain:
                        moved_to = target
                    seen.append(target)
                    current = target
                    continue
                base = FetchResult("ok", url, final_url=current, moved_to=moved_to)
                if code == 304:
                    # Read the (empty) body: a response closed unread closes its connection
                    # too, and every later feed of that host would pay a new one.
                    await _read_capped(response, headers, self.settings.max_bytes)
                    base.outcome = "unchanged"
                    base.etag = headers.get("etag") or v.etag
                    base.last_modified = headers.get("last-modified") or v.last_modified
                    return base
                if code == 410:
                    base.outcome, base.error_kind = "gone", "gone"
                    base.error_message = "HTTP 410 Gone: the feed was removed; drop it"
                    return base
                if code in (429, 503):
                    base.outcome, base.error_kind = "deferred", f"http-{code}"
                    base.retry_after = _retry_after(headers.get("retry-after"), now)
                    when = f"after {base.retry_after:%Y-%m-%d %H:%M} UTC" \
                        if base.retry_after else "later"
                    base.error_message = f"HTTP {code}: the server asks us to retry {when}"
                    return base
                if code >= 400:
                    base.outcome, base.error_kind = "error", f"http-{code}"
                    reason = response.extensions.get("reason_phrase", b"")
                    base.error_message = f"HTTP {code} {reason.decode('latin-1')}".strip()
                    return base
                if not 200 <= code < 300:
                    raise FeedError("http", f"unexpected HTTP {code}")
                base.body = await _read_capped(response, headers, self.settings.max_bytes)
                base.headers = headers.as_dict()
                base.etag = headers.get("etag")
                base.last_modified = headers.get("last-modified")
                return base
        raise FeedError("redirect", f"more than {MAX_REDIRECTS} redirects from {url}")


def _error(url: str, kind: str, message: str) -> FetchResult:
    return FetchResult("error", url, error_kind=kind, error_message=message)


def _retry_after(value: str | None, now: datetime) -> datetime | None:
    """When a Retry-After (seconds or an HTTP date) lets us ask again.

    Either form is capped at MAX_RETRY_AFTER from now: a server that says
    "next year" must not silence a feed for a year without anyone noticing.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + min(timedelta(seconds=int(value)), MAX_RETRY_AFTER)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return min(moment.astimezone(UTC), now + MAX_RETRY_AFTER)
    except OverflowError:  # past either end of datetime's range once in UTC
        return now + MAX_RETRY_AFTER if moment.year > 1 else None


class _Inflater:
    """Decompresses gzip/deflate chunk by chunk, never producing more than the cap."""

    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.total = 0
        wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.encoding = encoding
        self._z = zlib.decompressobj(wbits)
        self._raw_deflate_tried = False

    def feed(self, data: bytes) -> bytes:
        out = []
        while data:
            try:
                # max_length: a bomb is stopped one cap's worth in, not after inflating.
                piece = self._z.decompress(data, self.cap + 1 - self.total)
            except zlib.error:
                if self.encoding == "deflate" and not self._raw_deflate_tried and not self.total:
                    # Some servers send raw deflate without the zlib header.
                    self._raw_deflate_tried = True
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise FeedError("encoding", f"corrupt {self.encoding} body") from None
            self.total += len(piece)
            out.append(piece)
            if self.total > self.cap:
                raise FeedError("too-large", f"body larger than {self.cap} bytes once "
                               f"decompressed ({self.encoding})")
            data = self._z.unconsumed_tail
            if self._z.eof:
                break
        return b"".join(out)


class _Headers:
    """A response's headers by lower-cased name, decoded as HTTP/1.1 allows (Latin-1)."""

    def __init__(self, raw: list[tuple[bytes, bytes]]) -> None:
        self.raw = raw

    def get(self, name: str) -> str | None:
        """The value of `name`; several lines of it joined with commas, as RFC 9110 reads them."""
        key = name.encode("ascii")
        values = [v.decode("latin-1") for k, v in self.raw if k.lower() == key]
        return ", ".join(values) if values else None

    def as_dict(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in self.raw:
            name, value = k.decode("latin-1").lower(), v.decode("latin-1")
            out[name] = f"{out[name]}, {value}" if name in out else value
        return out


async def _drain(response: httpcore.Response, headers: _Headers) -> None:
    """Read and drop a small body that comes at once (see DRAIN_MAX_BYTES); anything else
    is left to close with its connection."""
    length = headers.get("content-length")
    if length is None or not length.strip().isdigit() or int(length) > DRAIN_MAX_BYTES:
        return
    with contextlib.suppress(TimeoutError, httpcore.TimeoutException, httpcore.NetworkError,
                             httpcore.ProtocolError):
        async with asyncio.timeout(DRAIN_WAIT):
            async for _ in response.aiter_stream():
                pass


async def _read_capped(response: httpcore.Response, headers: _Headers, cap: int) -> bytes:
    """The body, decompressed, refusing as soon as it passes `cap` either way."""
    length = headers.get("content-length")
    if length and length.isdigit() and int(length) > cap:
        raise FeedError("too-large", f"body of {int(length)} bytes is over the {cap}-byte cap")
    encoding = (headers.get("content-encoding") or "identity").strip().lower()
    inflater = _Inflater(encoding, cap) if encoding in ("gzip", "x-gzip", "deflate") else None
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise FeedError("encoding", f"unsupported Content-Encoding {encoding!r}")
    parts: list[bytes] = []
    raw_total = total = 0
    async for chunk in response.aiter_stream():
        raw_total += len(chunk)
        if raw_total > cap:
            raise FeedError("too-large", f"body over the {cap}-byte cap")
        data = inflater.feed(chunk) if inflater else chunk
        total += len(data)
        if total > cap:
            raise FeedError("too-large", f"body over the {cap}-byte cap")
        parts.append(data)
    return b"".join(parts)


def read_local(path: str, cap: int) -> FetchResult:
    """A local feed file, read through the same result type as a fetch."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > cap:
            return _error(path, "too-large", f"file of {size} bytes is over the {cap}-byte cap")
        body = p.read_bytes()
    except FileNotFoundError:
        return _error(path, "not-found", f"no such file: {path}")
    except OSError as exc:
        return _error(path, "io", f"cannot read {path}: {exc.strerror or exc}")
    return FetchResult("ok", path, final_url=path, body=body)
