"""Which addresses may reach every reader: images on public hosts only.

A lead image on `http://127.0.0.1:8080/admin/…`, `169.254.169.254` or an
intranet name would make every reader's mail client (and the web archive's
visitors) ask a host inside someone's network. Decided by the address as
written, never by resolving it: DNS answers change, and the build must not
reach out.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

# Names that only mean something inside a network (RFC 6761, RFC 6762, RFC 8375, and
# the suffixes intranets use in practice).
_PRIVATE_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa",
                     ".corp", ".localdomain")
_NUMERIC = frozenset("0123456789abcdefx.")


def is_public_url(url: str | None) -> bool:
    """Whether `url` is http(s) on a host that is public by its name or literal address."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    host = host.rstrip(".").lower()
    address = _literal_address(host)
    if address is not None:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return address.is_global and not address.is_multicast
    # localhost and single-label names are local by definition
    return "." in host and not host.endswith(_PRIVATE_SUFFIXES)


def names_internal_host(url: str) -> bool:
    """Whether `url` names a host that is not public (or a scheme other than http/https).

    A relative URL names no host: it resolves against the page that holds it, so
    it stays wherever that page is (the web archive's own images, a custom
    template's local files).
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return True
    if not parts.scheme and not parts.netloc:
        return False
    return not is_public_url(url)


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host written as a number stands for, as browsers read it.

    Besides dotted quads and IPv6, browsers read `2130706433`, `0x7f.1` and `127.1`
    as 127.0.0.1; `inet_aton` reads the same forms without touching DNS.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if "%" in host or ":" in host:  # an IPv6 zone or a broken literal: not public either way
        return ipaddress.ip_address("::1")
    if set(host) <= _NUMERIC and host.split(".")[-1][:1].isdigit():  # the WHATWG rule
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None
