"""The email one reader receives: headers of a well-behaved bulk digest, a text and an HTML part.

Every header value may come from a feed, the recipients CSV or the config, so
none is trusted: control characters (CR and LF above all) are folded into
spaces in display names and subjects, and addresses containing them are
refused outright. Display names are quoted when they hold commas and
RFC 2047-encoded when they are not ASCII; domains go out in IDNA form. The
header fields are written by `headers` (not by the header policy, whose folding
changes what readers see), so each reads back exactly as written.

List-Unsubscribe carries the mailto address and, when configured, the https
URL (then also List-Unsubscribe-Post for RFC 8058 one-click). A `{email}` in
`unsubscribe_url` is replaced by the reader's address, URL-encoded, so the
endpoint knows who clicked; without it the URL is the same for everyone.

The body of an edition is the same for every reader, and serialising 70 KB of
HTML costs milliseconds, so `MessageFactory` serialises it once per edition and
only the per-reader headers (To, Date, Message-ID) are built per message. The one
per-reader part of the body is the unsubscribe link of the HTML and text footers
when `unsubscribe_url` holds `{email}`: the footer lines that hold it are left out
of the serialised body (a marker line stands in) and each reader's lines are
quoted-printable encoded alone and put in its place. Quoted-printable encodes
line by line, so the result is byte for byte the message serialised whole.
`build_message` goes through the same factory, so what tests inspect is
byte for byte what the relay receives.
"""

from __future__ import annotations

import email
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email import quoprimime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import quote

from ..addresses import InvalidAddress, clean_address, parse_mailbox
from ..config import Config
from ..errors import ConfigError
from ..models import Edition, Recipient
from ..store import utcnow
from . import headers

POLICY = email_policy.SMTP  # CRLF line ends, what goes on the wire and into .eml files
_SLUG = re.compile(r"[^a-z0-9]+")
_SPECIALS = re.compile(r'[()<>\[\]:;@\\,."]')


clean_text = headers.header_text


def sender_address(config: Config) -> tuple[str, str]:
    """(display name, address) of `[delivery] from`."""
    try:
        name, addr = parse_mailbox(config.delivery.sender)  # strict: never parseaddr's guess
        return clean_text(name), clean_address(addr)
    except InvalidAddress as e:
        raise ConfigError(config.path, "delivery.from", str(e)) from None


def message_id_for(period_label: str, email: str, sender: str) -> str:
    """The Message-ID of the one message a reader gets for a period.

    Stable for (period, recipient, sender) so a resend after a crash carries the
    same id and mail clients fold the duplicate; the sender is part of the hash
    so two digests sent from one domain never collide.
    """
    addr = parseaddr(sender)[1] or sender
    domain = addr.rpartition("@")[2].strip().lower() or "localhost"
    if not domain.isascii():
        domain = domain.encode("idna").decode("ascii")
    digest = hashlib.sha256(
        f"{period_label}\x1f{email.strip().lower()}\x1f{addr.strip().lower()}".encode()
    ).hexdigest()[:32]
    return f"<{digest}.{_SLUG.sub('-', period_label.lower()).strip('-')}@{domain}>"


def list_id(config: Config) -> str:
    """RFC 2919 list identifier: the title as a slug under the sender's domain."""
    domain = sender_address(config)[1].rpartition("@")[2]
    ascii_title = unicodedata.normalize("NFKD", config.title).encode("ascii", "ignore").decode()
    slug = _SLUG.sub("-", ascii_title.lower()).strip("-") or "digest"
    return f"{slug}.{domain}"


def _phrase(text: str) -> str:
    """A display phrase for List-Id: the title without RFC 5322 specials, so that the
    header policy can encode any non-ASCII words without producing a quoted string
    that holds encoded words (which clients would not decode)."""
    return " ".join(_SPECIALS.sub(" ", text).split())


EMAIL_SLOT = "{email}"  # in unsubscribe_url: the reader's address, URL-encoded
# Where each part's footer starts: the last of these; what follows is the template's alone
# (feed text before it is escaped in HTML and indented in the text part).
_QP_LINE = POLICY.max_line_length or 78  # what the encoder folds quoted-printable lines at
_FOOTER_STARTS = {"html": b'class="footer"', "text": b"\n--\n"}


@dataclass
class _Template:
    edition: Edition
    headers: bytes  # the headers every reader of the edition shares, folded, CRLF
    body: bytes  # from the blank line on: the multipart/alternative body
    # with a personal unsubscribe link: the body cut around each footer line that holds
    # `{email}` (body == pieces[0] + line 0 + pieces[1] + ...), and those lines
    pieces: tuple[bytes, ...] = ()
    lines: tuple[bytes, ...] = ()

    def body_for(self, email_addr: str) -> bytes:
        if not self.lines:
            return self.body
        address = quote(email_addr, safe="").encode("ascii")
        out = [self.pieces[0]]
        for line, piece in zip(self.lines, self.pieces[1:], strict=True):
            own = line.replace(EMAIL_SLOT.encode(), address)
            out.append(quoprimime.body_encode(own.decode("latin-1"), _QP_LINE,
                                              eol="\r\n").encode("ascii"))
            out.append(piece)
        return b"".join(out)


def _footer_lines(content: str, part: str, marker: str) -> tuple[str, list[bytes]]:
    """`content` with each footer line holding `{email}` replaced by a marker line, and
    those lines (as UTF-8 bytes, the way the encoder splits them: at CR and LF)."""
    data = content.encode("utf-8")
    start = data.rfind(_FOOTER_STARTS[part])
    if start < 0 or EMAIL_SLOT.encode() not in data[start:]:
        return content, []
    lines, out, at = [], [data[:start]], start
    while (found := data.find(EMAIL_SLOT.encode(), at)) >= 0:
        begin = max(data.rfind(b"\n", at, found), data.rfind(b"\r", at, found)) + 1
        ends = [i for i in (data.find(b"\n", found), data.find(b"\r", found)) if i >= 0]
        end = min(ends) if ends else len(data)
        out += [data[at:begin], marker.encode("ascii")]
        lines.append(data[begin:end])
        at = end
    out.append(data[at:])
    return b"".join(out).decode("utf-8"), lines


class MessageFactory:
    """Builds the wire bytes of each reader's message, serialising each edition once."""

    def __init__(self, config: Config, period_label: str) -> None:
        self.config = config
        self.period_label = period_label
        self.sender_name, self.sender_addr = sender_address(config)
        self._templates: dict[str, _Template] = {}
        url = config.delivery.unsubscribe_url
        self._personal_unsubscribe = bool(url and "{email}" in url)

    def _template(self, edition: Edition) -> _Template:
        # one edition key has one body per personal block: keyed by content too (the hash of
        # a str is computed once per object, and assembled editions are reused per block)
        cache_key = f"{edition.key}\x1f{hash(edition.html)}\x1f{hash(edition.text)}"
        tpl = self._templates.get(cache_key)
        if tpl is not None and tpl.edition == edition:
            return tpl
        shared = [headers.mailbox("From", self.sender_name, self.sender_addr),
                  headers.unstructured("Subject", edition.subject),
                  headers.list_id("List-Id", _phrase(clean_text(self.config.title)),
                                  list_id(self.config))]
        if not self._personal_unsubscribe:
            shared += self._unsubscribe_headers(None)
        shared += [headers.simple("Auto-Submitted", "auto-generated"),
                   headers.simple("Precedence", "bulk")]
        msg = EmailMessage(policy=POLICY)  # the MIME structure; its headers follow ours
        text, html = edition.text, edition.html
        lines: list[bytes] = []
        if self._personal_unsubscribe:
            # markers nobody can put in a feed: a fresh random name per factory
            marker = f"CoPDigestReaderLine{secrets.token_hex(12)}"
            text, lines = _footer_lines(text, "text", marker)
            html, html_lines = _footer_lines(html, "html", marker)
            lines += html_lines
        # quoted-printable keeps both parts 7-bit: a relay need not offer 8BITMIME
        msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
        msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
        if edition.calendar:  # the coming sessions, when there is no web archive to link to
            msg.add_attachment(edition.calendar, maintype="text", subtype="calendar",
                               filename="sessions.ics", params={"method": "PUBLISH"})
        # boundaries from the content, not at random: a resent message is the same bytes
        # (from the edition's own text, never the random marker, which is cut out below)
        seed = hashlib.sha256("\x1f".join((edition.subject, edition.html, edition.text))
                              .encode() + (edition.calendar or b"")).hexdigest()[:24]
        for n, part in enumerate(p for p in msg.walk() if p.is_multipart()):
            part.set_boundary(f"=_{seed}_{n}")
        raw = msg.as_bytes(policy=POLICY)
        head, sep, body = raw.partition(b"\r\n\r\n")
        body = b"\r\n" + body
        pieces = tuple(body.split(marker.encode())) if lines else ()
        if len(pieces) != len(lines) + (1 if lines else 0):
            raise AssertionError("a footer marker line was folded or lost")
        tpl = _Template(edition=edition, headers=b"".join(shared) + head + b"\r\n", body=body,
                        pieces=pieces,
                        lines=tuple(lines))
        self._templates[cache_key] = tpl
        return tpl

    def _unsubscribe_headers(self, email_addr: str | None) -> list[bytes]:
        d = self.config.delivery
        targets = []
        if d.unsubscribe_mailto:
            targets.append(f"mailto:{clean_address(d.unsubscribe_mailto)}?subject=unsubscribe")
        url = d.unsubscribe_url
        if url and email_addr is not None:
            url = url.replace("{email}", quote(email_addr, safe=""))
        if url and "{email}" not in url:
            targets.append(clean_text(url))
        fields = [headers.angle_list("List-Unsubscribe", targets)] if targets else []
        if url and "{email}" not in url:
            fields.append(headers.simple("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        return fields

    def message_bytes(self, edition: Edition, recipient: Recipient, message_id: str,
                      date: datetime | None = None) -> bytes:
        """The message as the relay receives it (CRLF line ends)."""
        tpl = self._template(edition)
        own = [headers.mailbox("To", clean_text(recipient.name)[:200],
                               clean_address(recipient.email)),
               headers.simple("Date", format_datetime(date or utcnow())),
               headers.simple("Message-ID", message_id)]
        if self._personal_unsubscribe:
            own += self._unsubscribe_headers(recipient.email.strip())
        return b"".join(own) + tpl.headers + tpl.body_for(recipient.email.strip())


def build_message(config: Config, period_label: str, edition: Edition, recipient: Recipient,
                  message_id: str, *, date: datetime | None = None) -> EmailMessage:
    """The message one reader receives, parsed back from exactly the bytes that are sent."""
    raw = MessageFactory(config, period_label).message_bytes(edition, recipient, message_id, date)
    msg = email.message_from_bytes(raw, policy=email_policy.default)
    assert isinstance(msg, EmailMessage)
    return msg
