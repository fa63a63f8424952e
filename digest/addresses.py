"""Email addresses: one rule, everywhere, for what a usable address is.

recipients.csv, `[delivery] from`, `unsubscribe_mailto`, `envelope_from` and the
SMTP envelope all need the same thing: a plain addr-spec that cannot split or
inject a header and that this sender can deliver to. Checking them with one rule
means a reader the CSV accepts is a reader the relay conversation accepts too.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

# whitespace, controls and the characters that make an address something else
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f<>()\[\],;:\\\"]")


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
