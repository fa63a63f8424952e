"""A real HTTP server on 127.0.0.1 whose routes misbehave on purpose.

Each route is a function taking the request handler; it writes whatever bytes
it likes, slowly if it likes. Threaded, so a dripping route cannot stall the
others, and it records each request's path and headers for assertions.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # as real servers (nginx: 511); 5 drops SYNs of a burst

    def handle_error(self, request, client_address) -> None:
        # the collector hanging up on a slow or oversized feed is the behaviour under test
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class FeedServer:
    """`address` and `port`: where it listens (an IPv6 address such as "::1" too)."""

    def __init__(self, address: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path)
                if route is None:
                    send(self, 404, b"not found", "text/plain")
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = (_Server6 if ":" in address else _Server)((address, port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def base(self) -> str:
        address = self.httpd.server_address[0]
        host = f"[{address}]" if ":" in address else address
        return f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def send(h: BaseHTTPRequestHandler, code: int, body: bytes, ctype: str = "application/rss+xml",
         headers: dict[str, str] | None = None) -> None:
    h.send_response(code)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(body)


def rss(title: str, items: list[dict[str, str]], *, encoding: str = "utf-8",
        declare: str | None = None, prolog: str = "") -> bytes:
    """A small RSS 2.0 document; `declare` overrides the encoding it claims."""
    parts = [f'<?xml version="1.0" encoding="{declare or encoding}"?>', prolog,
             '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>',
             f"<title>{title}</title><link>https://example.org/</link>"]
    for it in items:
        parts.append("<item>" + "".join(f"<{k}>{v}</{k}>" if not k.startswith("<") else v
                                         for k, v in it.items()) + "</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode(encoding)


def reason(code: int, phrase: str) -> Route:
    """A route answering `code` with its own reason phrase (a server's words, not ours)."""
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(code, phrase)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route
