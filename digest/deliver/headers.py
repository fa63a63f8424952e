"""Header fields written as wire bytes that read back exactly as they were meant.

The header policy of Python 3.11 (`email.policy.SMTP`) folds in ways that change what a
reader sees: a Subject whose first word does not fit after "Subject: " is folded right
after the colon, and parsers read a leading space; a space just before an encoded word
is kept at the end of the line *and* the fold adds one, so the Subject reads with two
spaces; a long URL in List-Unsubscribe is turned into encoded words no client decodes
there. So the fields the digest writes are folded here, with the compat32
`email.header.Header` (which folds only at spaces, never splits a word, and fills the
first line) and the `utf-8` `Charset` for RFC 2047 encoded words:

- Words that are ASCII are written as they are; a run of words that is not (or that holds
  `=?`, which a reader would decode, or is too long for a line) goes out as encoded
  words, the spaces between its words inside them.
- Every physical line fits LINE_LENGTH (78) characters and no encoded word exceeds 75,
  except a single address or URL longer than a line, which cannot be split (RFC 5322's
  hard limit, 998, still holds: longer raises).
- Values are one line of single-spaced words (`header_text`), so what is meant is well
  defined: control characters and runs of whitespace become one space.

Display names (From, To, List-Id) go as one encoded word when that fits a line, which
every reader decodes alike. A longer name keeps its ASCII words plain and encodes each
run of other words whole, moving it to the next line rather than splitting it: RFC 2047
drops the space between two adjacent encoded words, but the address parser of Python
3.11 keeps it (CPython gh-128110, fixed upstream), so splitting a run would read back
differently there. Only a run too long for one encoded word (about 45 UTF-8 bytes without
an ASCII word between) must be split; it is written as RFC 2047 says.

The output depends on its input alone, so a resumed send writes the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.charset import Charset
from email.header import Header
from email.utils import quote
from itertools import chain, repeat

LINE_LENGTH = 78  # RFC 5322 2.1.1: SHOULD; 998 is the MUST
HARD_LINE_LENGTH = 998
_ENCODED_WORD = 75  # RFC 2047 2: the longest encoded word
_LONG_WORD = 60  # ASCII words longer than this are encoded, as they could not be folded
_UTF8 = Charset("utf-8")
_CRLF = "\r\n"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SPECIALS = re.compile(r'[][\\()<>@,:;".]')  # what makes a display name need quotes
_GLUE = "()\\"  # Header adds no space between an encoded word and a word that starts/ends so


def header_text(text: str) -> str:
    """One line of header text: control characters and whitespace runs become one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def _plain(word: str) -> bool:
    return word.isascii() and "=?" not in word and len(word) <= _LONG_WORD


def _runs(words: list[str], plain: list[bool]) -> list[tuple[str, bool]]:
    """Consecutive words of one kind joined: (run, plain)."""
    runs: list[tuple[str, bool]] = []
    for word, is_plain in zip(words, plain, strict=True):
        if runs and runs[-1][1] == is_plain:
            runs[-1] = (f"{runs[-1][0]} {word}", is_plain)
        else:
            runs.append((word, is_plain))
    return runs


def _field(name: str, folded: str) -> bytes:
    """`name: folded` with CRLF, checked against the line limits."""
    # Header leaves the first line empty only when the first word cannot start it; then the
    # value starts on the next line, which address and URL fields allow (their leading
    # whitespace is not part of the value)
    sep = ":" if folded.startswith(_CRLF) else ": "
    field = f"{name}{sep}{folded}{_CRLF}"
    if max(len(line) for line in field.split(_CRLF)) > HARD_LINE_LENGTH:
        raise ValueError(f"the {name} header holds a word longer than "
                         f"{HARD_LINE_LENGTH} characters, which no mail system accepts")
    return field.encode("ascii")


def _fold_ascii(name: str, text: str, *, fold_after_colon: bool = False) -> bytes:
    """ASCII text folded at its spaces only (never inside a word), each line filled.

    A first word too long for the first line stays there (a URL or an id: it cannot be
    split), as Python reads the value of most fields with the whitespace of a fold right
    after the colon; address fields (`fold_after_colon`) drop it, so it may move down."""
    if len(name) + 2 + len(text) <= LINE_LENGTH:
        return _field(name, text)
    first, _, rest = text.partition(" ")
    if fold_after_colon or len(name) + 2 + len(first) <= LINE_LENGTH or not rest:
        header = Header(text, "us-ascii", maxlinelen=LINE_LENGTH, header_name=name)
        return _field(name, header.encode(splitchars=" ", linesep=_CRLF))
    # the rest starts a continuation line: one character less than a line for its space
    header = Header(rest, "us-ascii", maxlinelen=LINE_LENGTH - 1)
    return _field(name, f"{first}{_CRLF} {header.encode(splitchars=' ', linesep=_CRLF)}")


def simple(name: str, value: str) -> bytes:
    """A field whose value is one ASCII token or a few (Date, Message-ID, Precedence...)."""
    value = header_text(value)
    if not value.isascii():
        raise ValueError(f"the {name} header must be ASCII: {value!r}")
    return _fold_ascii(name, value)


def unstructured(name: str, text: str) -> bytes:
    """Free text such as the Subject: plain ASCII words and encoded words for the rest."""
    text = header_text(text)
    words = text.split(" ")
    plain = [_plain(w) for w in words]
    if all(plain):
        return _fold_ascii(name, text)
    # Header puts a space between an encoded word and a plain one, except when the plain
    # one starts or ends with ( ) or \ (compat32 reads those as comment delimiters)
    plain = [p and w[0] not in _GLUE and w[-1] not in _GLUE
             for w, p in zip(words, plain, strict=True)]
    # 76: a continuation line is a space and an encoded word of at most 75 characters
    header = Header(maxlinelen=_ENCODED_WORD + 1, header_name=name)
    for run, is_plain in _runs(words, plain):
        header.append(run, "us-ascii" if is_plain else _UTF8)
    folded = header.encode(splitchars=" ", linesep=_CRLF)
    if folded.startswith(_CRLF):  # a reader would see a leading space
        raise AssertionError(f"the {name} header was folded before its first word")
    return _field(name, folded)


def _encoded_words(run: str, first: int = _ENCODED_WORD) -> list[str]:
    """`run` as encoded words of at most 75 characters (one when it fits), the first of
    at most `first`."""
    lengths = chain([first], repeat(_ENCODED_WORD))
    return [w for w in _UTF8.header_encode_lines(run, lengths) if w]


def mailbox(name: str, display_name: str, address: str) -> bytes:
    """`Display Name <address>` for From and To; the bare address without a name."""
    if not address.isascii() or header_text(address) != address or not address:
        raise ValueError(f"the {name} header needs a plain ASCII address, not {address!r}")
    if not header_text(display_name):
        return _fold_ascii(name, address, fold_after_colon=True)
    return _phrase_and_angle(name, display_name, f"<{address}>", address_field=True)


def list_id(name: str, description: str, identifier: str) -> bytes:
    """RFC 2919 List-Id: the list's description (a phrase, may be empty) and `<identifier>`.

    Python reads it as free text, so unlike an address field it must not be folded right
    after the colon: a first encoded word is split to fill the first line instead."""
    return _phrase_and_angle(name, description, f"<{identifier}>", address_field=False)


def _phrase_and_angle(name: str, display_name: str, angle: str, *, address_field: bool) -> bytes:
    display_name = header_text(display_name)
    if not display_name:
        return _fold_ascii(name, angle, fold_after_colon=address_field)
    words = display_name.split(" ")
    plain = [_plain(w) for w in words]
    if all(plain):  # as email.utils.formataddr writes it: quoted when it holds specials
        phrase = quote(display_name).join('""') if _SPECIALS.search(display_name) else None
        return _fold_ascii(name, f"{phrase or display_name} {angle}",
                           fold_after_colon=address_field)
    whole = _UTF8.header_encode(display_name)  # one encoded word: read alike everywhere
    if len(name) + 2 + len(whole) + 1 + len(angle) <= LINE_LENGTH:
        return _field(name, f"{whole} {angle}")
    tokens: list[str] = []
    for run, is_plain in _runs(words, plain):
        if not is_plain:
            room = _ENCODED_WORD if tokens or address_field else LINE_LENGTH - len(name) - 2
            tokens += _encoded_words(run, min(room, _ENCODED_WORD))
        elif _SPECIALS.search(run):
            tokens.append(quote(run).join('""'))  # folding inside quotes keeps the spaces
        else:
            tokens.append(run)
    return _fold_ascii(name, " ".join([*tokens, angle]), fold_after_colon=address_field)


def angle_list(name: str, items: Iterable[str]) -> bytes:
    """A comma-separated list of `<URL>`s (List-Unsubscribe): folded after a comma only."""
    return simple(name, ", ".join(f"<{header_text(item)}>" for item in items))
