"""Transports: where a finished message goes. One tiny interface, two implementations.

Modelled on Django's email backends: the sender loop does not care whether a
message goes to a relay or into a file, so the ledger logic is exercised
identically in dry rehearsals (outbox) and production (SMTP); the tests drive
both, the SMTP one against a real relay on 127.0.0.1.

A transport returns a `Result` per message and never raises for a message it
could not deliver; it raises `RelayUnavailable` only from `ready()`, when it
cannot get a connection at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

from ..config import PASSWORD_ENV, Config, SmtpSettings
from ..errors import ConfigError
from ..files import UnsafePathError, ensure_dir, write_file

Fate = Literal["sent", "failed", "transient", "ambiguous"]  # what became of a message
_CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")
_UNSAFE_NAME = re.compile(r"[^a-z0-9._+@-]+")


@dataclass(frozen=True)
class Envelope:
    """One message on its way: SMTP envelope and the exact bytes (CRLF line ends)."""

    mail_from: str
    rcpt: str
    message_id: str
    data: bytes


@dataclass(frozen=True)
class Result:
    """What became of one message.

    sent: accepted. failed: refused for good (5xx), never retried.
    transient: not delivered, try later (4xx, 552, connection lost before the
    message was handed over). ambiguous: the connection broke after the whole
    message was sent, so the relay may have stored it.
    """

    fate: Fate
    code: int | None = None
    text: str = ""
    stop: bool = False  # the relay refuses us, not this reader: stop the run, fail nobody


class RelayUnavailable(Exception):
    """No connection could be made. `permanent`: retrying will not help (bad login,
    certificate refused, STARTTLS missing); otherwise the relay may come back."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    name: str

    def ready(self) -> None:
        """Make sure the next `send` has somewhere to go; raise RelayUnavailable if not."""

    def send(self, envelope: Envelope) -> Result: ...

    def close(self) -> None: ...


def outbox_name(address: str) -> str:
    """A file name for an address: readable, safe on any filesystem, and unique
    (a short hash tells apart addresses that the cleaning made equal)."""
    readable = _UNSAFE_NAME.sub("_", address.strip().lower()).strip("._")[:80] or "recipient"
    tag = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:8]
    return f"{readable}-{tag}.eml"


@dataclass
class OutboxTransport:
    """Writes one RFC 5322 `.eml` per recipient into a folder, for rehearsal or hand-off."""

    folder: Path
    name: str = "outbox"
    # where the job's own folders start (`out`): nothing below it is followed if a symlink
    root: Path | None = None

    @property
    def _root(self) -> Path:
        return self.root or self.folder.parent

    def ready(self) -> None:
        try:
            ensure_dir(self.folder, self._root, private=True)  # every reader's address: 0700
        except OSError as e:
            raise RelayUnavailable(f"cannot create the outbox {self.folder}: {e.strerror}",
                                   permanent=True) from None
        except UnsafePathError as e:
            raise RelayUnavailable(str(e), permanent=True) from None

    def path_for(self, address: str) -> Path:
        return self.folder / outbox_name(address)

    def send(self, envelope: Envelope) -> Result:
        target = self.path_for(envelope.rcpt)
        try:
            # write-then-rename: a crash leaves either the old file or the whole new one
            write_file(target, envelope.data, self._root, private=True)
        except OSError as e:
            return Result("transient", None, f"cannot write {target}: {e.strerror}")
        except UnsafePathError as e:  # a link in the outbox: this reader waits until it goes
            return Result("transient", None, str(e))
        return Result("sent", None, f"written to {target.name}")

    def close(self) -> None:
        pass


# OpenSSL's X509_V_ERR_* codes in SSLCertVerificationError.verify_code: the issuer is not
# one the client trusts (what a private CA's certificate gives), and a certificate for
# another name or address
_UNKNOWN_ISSUER = frozenset({
    2,   # unable to get issuer certificate
    18,  # self-signed certificate
    19,  # self-signed certificate in certificate chain
    20,  # unable to get local issuer certificate
    21,  # unable to verify the first certificate
})
_NAME_MISMATCH = frozenset({62, 64})  # hostname mismatch, IP address mismatch
_OUT_OF_DATE = frozenset({9, 10})  # certificate is not yet valid, certificate has expired


def _common_name(subject: object) -> str | None:
    """The commonName of a certificate's subject as `SSLContext.get_ca_certs` gives it
    (a tuple of relative names, each a tuple of (key, value) pairs)."""
    for rdn in subject if isinstance(subject, tuple) else ():
        for pair in rdn if isinstance(rdn, tuple) else ():
            if isinstance(pair, tuple) and len(pair) == 2 and pair[0] == "commonName":
                return str(pair[1])
    return None


def _day(seconds: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


@lru_cache(maxsize=1)
def _local_hostname() -> str:
    return socket.getfqdn()


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", errors="replace")
    return " ".join(reply.split())[:500]


class SmtpTransport:
    """One smtplib connection reused for many messages.

    Each message is walked through MAIL, RCPT and DATA by hand rather than with
    `sendmail()`, because the outcome depends on *where* it failed: a refusal at
    RCPT is that reader's failure; a broken connection before the final dot
    means nothing was stored; a broken connection or timeout while waiting for
    the reply to the final dot means the relay may have stored it (ambiguous).
    """

    name = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        if settings.username and not settings.password:
            raise ConfigError("environment", PASSWORD_ENV,
                              f"[smtp] username is set but {PASSWORD_ENV} is empty: export the "
                              "relay password in the job's environment")
        self.s = settings
        self.conn: smtplib.SMTP | None = None
        self.count = 0  # messages tried on the current connection

    @property
    def where(self) -> str:
        return f"{self.s.host}:{self.s.port}"

    def _context(self) -> ssl.SSLContext:
        # [smtp] ca_file: that CA alone is trusted for the relay; without it the system's CAs
        # (and SSL_CERT_FILE) are
        ctx = ssl.create_default_context(cafile=self.s.ca_file)
        if not self.s.verify_certificate:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def ready(self) -> None:
        if self.conn is not None and self.count < self.s.max_per_connection:
            return
        self.close()
        self.conn = self._connect()
        self.count = 0

    def _connect(self) -> smtplib.SMTP:
        s = self.s
        conn: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                conn = smtplib.SMTP_SSL(s.host, s.port, local_hostname=_local_hostname(),
                                        timeout=s.timeout, context=self._context())
            else:
                conn = smtplib.SMTP(s.host, s.port, local_hostname=_local_hostname(),
                                    timeout=s.timeout)
            conn.ehlo()
            if s.security == "starttls":
                if not conn.has_extn("starttls"):
                    raise RelayUnavailable(
                        f"relay {self.where} does not offer STARTTLS; refusing to send the "
                        "password and the messages in clear (set [smtp] security)",
                        permanent=True)
                code, reply = conn.starttls(context=self._context())
                if code != 220:
                    raise RelayUnavailable(f"relay {self.where} refused STARTTLS: {code} "
                                           f"{_text(reply)}")
                conn.ehlo()
            if s.username:
                conn.login(s.username, s.password or "")  # login() re-sends EHLO itself
            return conn
        except RelayUnavailable:
            _quietly_close(conn)
            raise
        except smtplib.SMTPAuthenticationError as e:
            _quietly_close(conn)
            raise RelayUnavailable(f"relay {self.where} refused the login of {s.username!r}: "
                                   f"{e.smtp_code} {_text(e.smtp_error)}; check [smtp] username "
                                   f"and the password in ${PASSWORD_ENV}",
                                   permanent=True) from None
        except smtplib.SMTPNotSupportedError as e:
            _quietly_close(conn)
            raise RelayUnavailable(f"relay {self.where}: {e} (check [smtp] username/security)",
                                   permanent=True) from None
        except ssl.SSLCertVerificationError as e:
            _quietly_close(conn)
            raise RelayUnavailable(f"relay {self.where}: certificate not trusted "
                                   f"({e.verify_message}); {self._certificate_fix(e)}",
                                   permanent=True) from None
        except smtplib.SMTPConnectError as e:
            _quietly_close(conn)
            raise RelayUnavailable(f"relay {self.where} turned the connection away: "
                                   f"{e.smtp_code} {_text(e.smtp_error)}") from None
        except smtplib.SMTPResponseException as e:
            _quietly_close(conn)
            raise RelayUnavailable(f"relay {self.where}: {e.smtp_code} {_text(e.smtp_error)}",
                                   permanent=500 <= e.smtp_code < 600) from None
        except (OSError, smtplib.SMTPException) as e:
            _quietly_close(conn)
            raise RelayUnavailable(f"cannot reach relay {self.where}: {e}") from None

    def _certificate_fix(self, error: ssl.SSLCertVerificationError) -> str:
        """What the organiser can do about a relay certificate that did not verify."""
        if error.verify_code in _NAME_MISMATCH:
            return (f"set [smtp] host to a name the relay's certificate is for, not "
                    f"{self.s.host!r}")
        if error.verify_code in _OUT_OF_DATE and (stale := self._ca_file_out_of_date()):
            return stale
        if error.verify_code not in _UNKNOWN_ISSUER:  # expired, revoked, not yet valid...
            return "the relay's certificate itself must be fixed by whoever runs the relay"
        if self.s.ca_file is not None:
            return (f"[smtp] ca_file ({self.s.ca_file}) is not the CA that issued it: set it to "
                    "the PEM file of that CA")
        return ("if your organisation's own CA issued it, set [smtp] ca_file to that CA's PEM "
                "file (relative to the config file)")

    def _ca_file_out_of_date(self) -> str | None:
        """What to do when a CA in [smtp] ca_file is itself outside its validity dates, or
        None. OpenSSL's "certificate has expired" does not say which certificate of the
        chain: the relay's may be fine and the organisation's CA the one to renew."""
        if self.s.ca_file is None:
            return None
        store = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # ca_file's certificates alone
        try:
            store.load_verify_locations(cafile=self.s.ca_file)
        except (OSError, ssl.SSLError):  # changed since the config was checked
            return None
        cas = store.get_ca_certs()
        now = time.time()
        for ca in cas:
            name = _common_name(ca.get("subject", ()))
            which = (f"the CA {name!r} in [smtp] ca_file" if name and len(cas) > 1
                     else "the CA in [smtp] ca_file")
            not_before = ssl.cert_time_to_seconds(str(ca["notBefore"]))
            not_after = ssl.cert_time_to_seconds(str(ca["notAfter"]))
            if not_after < now:
                return (f"{which} ({self.s.ca_file}) expired on {_day(not_after)}: set "
                        "ca_file to the PEM file of the CA's renewed certificate")
            if not_before > now:
                return (f"{which} ({self.s.ca_file}) is not valid until {_day(not_before)}: "
                        "check this machine's clock, or set ca_file to the CA's current PEM")
        return None

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                _quietly_close(conn)

    def _drop(self) -> None:
        conn, self.conn = self.conn, None
        _quietly_close(conn)

    def _reset(self) -> None:
        """RSET after a refused message so the next one starts a clean transaction."""
        if self.conn is None:
            return
        try:
            code, _ = self.conn.rset()
            if code != 250:
                self._drop()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _refused(self, code: int, reply: bytes, stage: str) -> Result:
        text = _text(reply)
        if stage == "mail" and 500 <= code < 600:
            # MAIL FROM carries only our sender: a 5xx there (550 sender not allowed, 530
            # authentication required) would be the same for every reader, so failing
            # this one reader would be wrong and failing them all a disaster
            self._reset()
            return Result("transient", code, text, stop=True)
        if code == 421:  # the relay is closing this connection: reconnect for the next one
            self._drop()
            return Result("transient", code, text)
        if 400 <= code < 500 or code == 552:  # 552: storage exceeded, RFC 5321 says retry
            fate: Fate = "transient"
        elif 500 <= code < 600:
            fate = "failed"
        else:  # nonsense from the relay: do not lose the reader over it
            fate = "transient"
        self._reset()
        return Result(fate, code, text)

    def send(self, envelope: Envelope) -> Result:
        if self.conn is None:
            return Result("transient", None, "no connection to the relay")
        self.count += 1
        stage = "mail"
        try:
            try:
                code, reply = self.conn.mail(envelope.mail_from)
            except smtplib.SMTPServerDisconnected:
                # the relay closed an idle connection; nothing of this message was sent,
                # so reconnect once and carry on rather than defer the reader
                self._drop()
                try:
                    self.ready()
                except RelayUnavailable as e:
                    return Result("transient", None, str(e))
                self.count += 1
                code, reply = self.conn.mail(envelope.mail_from)
            conn = self.conn
            if code != 250:
                return self._refused(code, reply, stage)
            stage = "rcpt"
            code, reply = conn.rcpt(envelope.rcpt)
            if code not in (250, 251):
                return self._refused(code, reply, stage)
            stage = "data"
            code, reply = conn.docmd("data")
            if code != 354:
                return self._refused(code, reply, stage)
            payload = envelope.data
            if payload.startswith(b".") or b"\n." in payload:  # the regex costs ~1 ms per 90 KB
                payload = _LEADING_DOT.sub(b"..", payload)
            if not payload.endswith(_CRLF):
                payload += _CRLF
            conn.send(payload + b"." + _CRLF)
        except (OSError, smtplib.SMTPException) as e:
            # the final dot never left: the relay cannot have stored this message
            self._drop()
            return Result("transient", None, f"connection lost at {stage.upper()}: {e}")
        try:
            code, reply = conn.getreply()
        except (OSError, smtplib.SMTPException) as e:
            self._drop()
            return Result("ambiguous", None,
                          f"connection lost waiting for the reply to the message: {e}")
        if code == 250:
            return Result("sent", code, _text(reply))
        return self._refused(code, reply, "data")


def _quietly_close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.close()


def transport_for(config: Config, period_label: str) -> Transport:
    """The transport `[delivery] method` names; the outbox is per period."""
    if config.delivery.method == "smtp":
        assert config.delivery.smtp is not None  # load_config refuses smtp without [smtp]
        return SmtpTransport(config.delivery.smtp)
    return OutboxTransport(config.out_path / "outbox" / period_label, root=config.out_path)
