"""Whose action is it: matching an action's owner, as the notes wrote it, to a reader.

Showing someone another person's action as theirs is worse than showing nothing,
so matching is exact on whole identities: the reader's full name, one of their
aliases (recipients.csv `aliases`), or the local part of their address, each
compared without case or accents. A first name alone never matches, not even
through an address like ana@example.org, since two people share first names all
the time; a reader whose colleagues write just "Ana" adds "Ana" to their aliases.
"""

from __future__ import annotations

import re
import unicodedata

from .models import Recipient

# "Ana & Ben", "Ana and Ben", "Ana, Ben", "Ana / Ben", "Ana; Ben", "Ana + Ben"
_SEPARATORS = re.compile(r"\s*(?:&|\+|/|;|,|\band\b|\bet\b|\bund\b|\by\b)\s*", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_PUNCTUATION = re.compile(r"[^\w\s'-]+")
_LOCAL_WORDS = re.compile(r"[._+-]+")
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise(name: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name or handle ('@Zoë.M' -> 'zoe.m')."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    bare = bare.casefold().strip().lstrip("@").strip()
    return " ".join(bare.split())


def _form(text: str) -> str:
    """The one form both sides are compared in: normalised, punctuation as spaces, and
    initials run together ('@zoë.m' -> 'zoe m', 'I.B.' and 'I. B.' -> 'ib'); an address
    stays whole."""
    if _ADDRESS.match(text.strip().lstrip("@")):
        return normalise(text)
    words = normalise(_PUNCTUATION.sub(" ", text)).split()
    if len(words) > 1 and all(len(w) == 1 for w in words):
        return "".join(words)
    return " ".join(words)


def owners_of(owner: str | None) -> list[str]:
    """Each owner named in an action's owner field, normalised: "Ana & Ben" -> ana, ben."""
    if not owner:
        return []
    text = _PARENTHESES.sub(" ", owner)
    out = []
    for part in _SEPARATORS.split(text):
        part = _form(part)
        if part:
            out.append(part)
    return out


def identities(reader: Recipient) -> frozenset[str]:
    """Every form under which an action may name `reader` (see `_form`)."""
    raw = reader.name
    if "," in raw:  # "Okafor, Ada" is Ada Okafor
        last, _, first = raw.partition(",")
        raw = f"{first} {last}"
    name = _form(raw)
    words = name.split()
    found = {name} if len(words) > 1 else set()  # a lone first name is no identity
    found.update(a for a in (_form(alias) for alias in reader.aliases) if a)
    found.add(normalise(reader.email))  # an owner written as the address
    local = normalise(reader.email.partition("@")[0])
    spaced = " ".join(w for w in _LOCAL_WORDS.split(local) if w)
    if len(spaced.split()) > 1:
        found.add(_form(spaced))  # ana.lima@ is also written "Ana Lima" or "@ana.lima"
    elif spaced and words and spaced != words[0]:
        # a one-word local part is a handle only when the name shows it is not a first
        # name: without a name, ana@ may be any Ana
        found.add(spaced)
    return frozenset(found)


def is_owner(reader: Recipient, owner: str | None) -> bool:
    """Whether `reader` is one of the owners of an action whose owner field says `owner`."""
    mine = identities(reader)
    return any(o in mine for o in owners_of(owner))
