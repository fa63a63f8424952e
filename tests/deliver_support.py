"""Set-up shared by the deliver tests and the crash runner: a config on disk, readers, editions."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import trustme
from smtp_relay import Relay

from digest.config import Config, load_config
from digest.deliver import RetryPolicy
from digest.models import Edition, Recipient

# retries in milliseconds so tests of flaky relays stay fast
FAST_RETRY = RetryPolicy(backoff=0.05, max_backoff=0.2, attempts=3, connect_attempts=3,
                         connect_backoff=0.05)


def write_config(folder: Path, *, method: str = "smtp", port: int = 25,
                 unsubscribe_url: str = "https://example.org/unsubscribe",
                 **smtp: object) -> Config:
    """A digest.toml (+ community list) in `folder`, loaded through the real loader."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "feeds").mkdir(exist_ok=True)
    (folder / "feeds" / "communities.toml").write_text(
        '[[community]]\nid = "data"\nname = "Data CoP"\nposts = ["https://example.org/feed"]\n')
    (folder / "recipients.csv").write_text("email,name,communities\n")  # the real header
    settings = {"host": "127.0.0.1", "port": port, "security": "none", "rate": 0,
                "timeout": 10, **smtp}
    lines = [
        "[digest]", 'title = "CoP Digest"', 'organisation = "Example Org"', "",
        "[delivery]", f'method = "{method}"', 'from = "CoP Digest <digest@example.org>"',
        'recipients = "recipients.csv"', 'unsubscribe_mailto = "leave@example.org"',
        f'unsubscribe_url = "{unsubscribe_url}"', "",
        "[smtp]",
    ]
    for key, value in settings.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value}")
    (folder / "digest.toml").write_text("\n".join(lines) + "\n")
    return load_config(folder / "digest.toml")


def edition(html_kb: int = 2) -> Edition:
    para = "<p>Nouvelles de la communauté — data, ops &amp; design.</p>\n"
    return Edition(key="all", communities=None, subject="CoP Digest — October 2026",
                   preheader="What happened in our communities",
                   html="<html><body>" + para * (html_kb * 1024 // len(para)) + "</body></html>",
                   text="What happened in our communities.\n" * 20)


def readers(n: int, start: int = 0) -> list[Recipient]:
    return [Recipient(email=f"reader{i:05d}@example.org", name=f"Reader {i}", communities=None)
            for i in range(start, start + n)]


def audience(n: int, ed: Edition | None = None, start: int = 0) -> list[tuple[Recipient, Edition]]:
    ed = ed or edition()
    return [(r, ed) for r in readers(n, start)]


@contextmanager
def relays() -> Iterator[Callable[..., Relay]]:
    """A maker of relays on 127.0.0.1 (arguments as Relay's); every one made is stopped at
    the end, whichever way the test ended."""
    started: list[Relay] = []

    def make(*args: object, **kwargs: object) -> Relay:
        relay = Relay(*args, **kwargs).start()  # type: ignore[arg-type]
        started.append(relay)
        return relay

    try:
        yield make
    finally:
        for relay in started:
            relay.stop()


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    """A relay's TLS context, its certificate issued by `ca` for 127.0.0.1 and localhost."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
    return ctx


def trust(ca: trustme.CA, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `ca` trusted the way an organisation would: SSL_CERT_FILE names its PEM."""
    pem = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(pem))
    monkeypatch.setenv("SSL_CERT_FILE", str(pem))
