"""What several benchmarks share: the code of an earlier commit, and loopback feed servers.

Imported as `_common` (a bench script's own folder is first on sys.path when it runs).
"""

from __future__ import annotations

import selectors
import socketserver
import subprocess
import sys
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def code_at(commit: str, target: Path) -> Path | str:
    """`target` holding digest/ and templates/ as they were at `commit` (extracted from git
    once, reused after), for a bench to run the old code beside the new; or why not."""
    if (target / "digest").is_dir():
        return target
    made = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "digest", "templates"],
                          capture_output=True)
    if made.returncode:
        return f"the code at {commit} is not available: {made.stderr.decode().strip()[:200]}"
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=BytesIO(made.stdout)) as tar:
        tar.extractall(target, filter="data")
    return target


def serve_until_stdin_closes(handler: type[BaseHTTPRequestHandler], port: int, hosts: int,
                             backlog: int) -> None:
    """Serve `handler` on 127.0.0.1..127.0.0.`hosts` at `port`, say "ready" on stdout, and
    stop when stdin closes (how the bench that started this process stops it).

    One thread accepts for every host (each connection then gets a thread of its own):
    a polling thread per host would cost the machine's CPU, which the collector under
    measurement shares, at two hundred hosts.
    """

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = backlog
        timeout = 0  # handle_request() is called only once a connection is waiting

        def server_bind(self) -> None:
            # HTTPServer's own looks up the address's host name (socket.getfqdn): a
            # reverse lookup each, ten seconds for two hundred loopback addresses
            socketserver.TCPServer.server_bind(self)
            self.server_name, self.server_port = "localhost", self.server_address[1]

        def handle_error(self, request: object, client_address: object) -> None:
            # the collector hanging up on a slow or oversized body is expected, not an error
            if not isinstance(sys.exc_info()[1], ConnectionError):
                super().handle_error(request, client_address)  # type: ignore[arg-type]

    servers = [Server((f"127.0.0.{i}", port), handler) for i in range(1, hosts + 1)]
    stop = threading.Event()

    def accept() -> None:
        with selectors.DefaultSelector() as waiting:
            for server in servers:
                waiting.register(server, selectors.EVENT_READ)
            while not stop.is_set():
                for key, _ in waiting.select(0.05):
                    key.fileobj.handle_request()  # type: ignore[union-attr]

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    print("ready", flush=True)
    sys.stdin.read()
    stop.set()
    acceptor.join()
    for server in servers:
        server.server_close()
