"""Email addresses: one rule, everywhere, for what a usable address is.

recipients.csv, `[delivery] from`, `unsubscribe_mailto`, `envelope_from` and the
SMTP envelope all need the same thing: a plain addr-spec that cannot split or
inject a header and that this sender can deliver to. Checking them with one rule
means a reader the CSV accepts is a reader the relay conversation accepts too.
"""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import HeaderRegistry
from email.utils import formataddr, parseaddr

# whitespace, controls and the characters that make an address something else
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f<>()\[\],;:\\\"]")


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
_HEADERS = HeaderRegistry()


class InvalidAddress(ValueError):
    """An address that cannot be put in a header or an SMTP envelope safely."""


def address_problem(address: str) -> str | None:
    """Why `address` is not a usable plain address, or None when it is.

    Refused rather than repaired: an address with a CR or a space in it is not
    somebody's address, and guessing could mail a stranger.
    """
    if not address:
        return "the email address is empty"
    bad = f"{address!r} is not a usable email address"
    if _FORBIDDEN.search(address):
        return f"{bad}: it contains a space, control character, comma, quote or bracket"
    if address.count("@") != 1:
        return f"{bad}: it must contain exactly one @"
    if parseaddr(address)[1] != address:
        return f"{bad}: it is not a plain address"
    local, domain = address.split("@")
    if not local:
        return f"{bad}: there is nothing before the @"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return f"{bad}: a dot is misplaced before the @"
    if not local.isascii():
        return f"{bad}: a non-ASCII mailbox name needs SMTPUTF8, which this sender does not use"
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels) or domain.startswith("-"):
        return f"{bad}: it needs a domain such as example.org after the @"
    try:
        domain.encode("idna")
    except UnicodeError:
        return f"{bad}: the domain is not a valid internationalised domain name"
    return None


def clean_address(address: str) -> str:
    """The address as it goes into headers and the envelope: the domain in IDNA, lower case.

    Raises InvalidAddress with the reason when `address` is not usable.
    """
    address = address.strip()
    problem = address_problem(address)
    if problem:
        raise InvalidAddress(problem)
    local, _, domain = address.partition("@")
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain.lower()}"


def display_name_problem(name: str) -> str | None:
    """Why `name` cannot be a display name in a header, or None when it can.

    An RFC 2047 encoded word (`=?utf-8?...?=`) is refused because it is decoded by the
    reader's client, not by us: it can hide a line break or another address. Write the
    name in plain text; the message encodes it.
    """
    if _CONTROL.search(name):
        return f"the name {name!r} holds a line break or control character"
    if "=?" in name:
        return (f"the name {name!r} holds an encoded word (=?...?=); write the name as plain "
                "text, it is encoded when sent")
    return None


def _read_back(header: str) -> tuple[str, str] | None:
    """(display name, address) of a From/To value as a strict parser reads it, or None
    when it is not exactly one mailbox without defects."""
    try:
        parsed = _HEADERS("To", header)
    except (ValueError, IndexError, HeaderParseError):
        return None
    addresses = parsed.addresses  # type: ignore[attr-defined]
    groups = parsed.groups  # type: ignore[attr-defined]
    if parsed.defects or len(addresses) != 1 or len(groups) != 1 or groups[0].display_name:
        return None  # a group ("Team: a@example.org;") is not one mailbox either
    return addresses[0].display_name, addresses[0].addr_spec


def round_trips(name: str, address: str) -> bool:
    """Whether `name <address>`, as the message writes it, reads back as the same mailbox."""
    return _read_back(formataddr((name, address), charset="utf-8")) == (name, address)


def parse_mailbox(text: str) -> tuple[str, str]:
    """`Name <user@example.org>` (or a bare address) read strictly: (name, address).

    The standard library's parseaddr mis-reads display names holding `@` or encoded
    words (the CVE-2023-27043 class), so a `from` of `"ceo@example.org" <x@...>` could be
    sent as somebody else. Here the value must parse as exactly one mailbox without
    defects, its name must hold no `@`, no encoded word and no control character, and it
    must read back unchanged once written into a header. Raises InvalidAddress saying why.
    """
    if _CONTROL.search(text):
        raise InvalidAddress("it holds a line break or control character")
    if "=?" in text:
        raise InvalidAddress("it holds an encoded word (=?...?=); write the name as plain text")
    found = _read_back(text)
    if found is None and "<" not in text and (problem := address_problem(text.strip())):
        raise InvalidAddress(problem)  # a bare address: say what is wrong with it
    if found is None:
        raise InvalidAddress("it is not exactly one address of the form Name <user@example.org>"
                             " (quote a name that holds a comma)")
    name, address = found
    if "@" in name:
        raise InvalidAddress(f"the name {name!r} holds an @, so readers could take it for the "
                             "sender's address")
    if problem := address_problem(address):
        raise InvalidAddress(problem)
    if problem := display_name_problem(name):
        raise InvalidAddress(problem)
    if not round_trips(name, address):
        raise InvalidAddress(f"{text!r} does not read back as the same name and address")
    return name, address


# RFC 2606 and RFC 6761: names that never reach anybody. The scaffold and the README use them
# for examples, so one still there when the digest goes out for real is a slip.
_RESERVED_DOMAINS = ("example.org", "example.com", "example.net")
_RESERVED_TLDS = ("example", "test", "invalid", "localhost")


def reserved_domain(address: str) -> str | None:
    """The reserved (example) domain of `address`, or None when it may be a real one."""
    domain = address.rpartition("@")[2].strip().rstrip(".").lower()
    if not domain:
        return None
    if domain.rsplit(".", 1)[-1] in _RESERVED_TLDS:
        return domain
    if any(domain == d or domain.endswith("." + d) for d in _RESERVED_DOMAINS):
        return domain
    return None
