"""Configuration: `digest.toml` and the community list it points at.

Every problem becomes one `ConfigError` naming the file, the key and what is
expected, because the person reading it is an organiser editing TOML by hand.
Unknown keys are errors too: a typo must not silently fall back to a default.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import ssl
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, overload
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .addresses import InvalidAddress, address_problem, parse_mailbox
from .errors import ConfigError
from .period import CADENCES, Cadence
from .toml_lines import Section, line_in_file

DEFAULT_CONFIG = "digest.toml"
CONFIG_ENV = "DIGEST_CONFIG"
PASSWORD_ENV = "DIGEST_SMTP_PASSWORD"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_MIB = 1024 * 1024
# late_window and quiet_after count periods back: ten years of months is plenty, and a bound
# keeps period arithmetic inside the years a date can hold
MAX_PERIODS_BACK = 120
# [smtp] connections: each is a thread and a relay session; relays cap sessions per client
# well below this, and past it the ledger's commits, not the relay, set the pace
MAX_CONNECTIONS = 20
# C0 controls (but tab and line breaks) and DEL: no key's value has a use for them, and NUL in a
# path raises from deep inside the standard library
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Community:
    id: str
    name: str
    description: str
    posts: tuple[str, ...] = ()
    meetings: tuple[str, ...] = ()
    calendar: str | None = None
    join_url: str | None = None  # where to get involved, shown when the community is quiet
    notes: tuple[str, ...] = ()  # folders of Markdown posts and meeting notes, read like feeds

    @property
    def feeds(self) -> tuple[str, ...]:
        """Posts and meetings feeds and notes folders: the sources that carry news."""
        return (*self.posts, *self.meetings, *self.notes)

    def sources(self) -> list[tuple[str, str]]:
        """(role, location) for every feed, notes folder and calendar of the community."""
        out = [("posts", u) for u in self.posts] + [("meetings", u) for u in self.meetings]
        out += [("notes", folder) for folder in self.notes]
        if self.calendar:
            out.append(("calendar", self.calendar))
        return out


@dataclass(frozen=True)
class CollectSettings:
    # feeds fetched at once, all hosts together; None sizes it from the work (hosts x per_host,
    # see digest.collect.auto_concurrency)
    concurrency: int | None = None
    per_host: int = 8  # feeds fetched at once from one host
    connect_timeout: float = 5.0
    timeout: float = 30.0  # total budget per feed
    max_bytes: int = 10 * _MIB  # cap on a body, decompressed
    workers: int = 0  # parser processes; 0 means one per core


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls | tls | none
    verify_certificate: bool = True
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # only from the environment
    envelope_from: str | None = None
    timeout: float = 60.0
    rate: float = 20.0
    max_per_connection: int = 100
    breaker: int = 20
    connections: int = 3  # relay connections used at once; some hosted relays allow no more
    ca_file: Path | None = None  # PEM of the internal CA that issued the relay's certificate


@dataclass(frozen=True)
class DeliverySettings:
    method: str  # outbox | smtp
    sender: str
    recipients: Path
    unsubscribe_mailto: str | None = None
    unsubscribe_url: str | None = None
    preferences_url: str | None = None
    smtp: SmtpSettings | None = None


@dataclass(frozen=True)
class Config:
    path: Path
    title: str
    organisation: str
    cadence: Cadence
    timezone: ZoneInfo
    feeds_path: Path
    state_path: Path
    out_path: Path
    communities: tuple[Community, ...]
    delivery: DeliverySettings
    collect: CollectSettings = CollectSettings()
    web_url: str | None = None
    language: str = "en"
    direction: str = "ltr"
    late_window: int = 1
    quiet_after: int = 2
    max_items: int = 5
    templates_path: Path | None = None  # None: the templates shipped with the package
    report_recipients: Path | None = None  # [report] recipients: organisers who get the report
    send_empty: bool = False  # send an issue with no posts and no meetings in it
    images: str = "public"  # "public": lead images on public hosts only; "none": no images
    follow_up: int = 2  # periods an action is followed up after its due date (or meeting)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def community(self, community_id: str) -> Community:
        for c in self.communities:
            if c.id == community_id:
                return c
        raise KeyError(community_id)


def config_path(explicit: str | os.PathLike[str] | None) -> Path:
    """The config file to use: --config, else $DIGEST_CONFIG, else ./digest.toml."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    path = config_path(path).absolute()
    data = _read_toml(path, "configuration")
    t = _Table(path, data, "")
    t.only("digest", "delivery", "smtp", "collect", "report")

    d = t.table("digest", required=True)
    d.only(
        "title", "organisation", "cadence", "timezone", "web_url", "feeds", "state", "out",
        "language", "direction", "late_window", "quiet_after", "max_items", "templates",
        "send_empty",
        "images",
        "follow_up",
    )
    base = path.parent
    cadence = d.choice("cadence", CADENCES, default="monthly")
    tz_name = d.string("timezone", default="UTC")
    try:
        timezone = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(path, d.key("timezone"), f"unknown timezone {tz_name!r}: use an IANA"
                          " name such as Europe/London") from None
    web_url = d.url("web_url", schemes=("http", "https"))
    if web_url and not web_url.endswith("/"):
        web_url += "/"
    feeds_path = base / d.path("feeds", default="feeds/communities.toml")
    templates = d.path("templates", default=None)

    delivery = _delivery(t, base)
    smtp = _smtp(t, keys_only=delivery.method != "smtp")
    if delivery.method == "smtp" and smtp is None:
        raise ConfigError(path, "smtp", 'delivery.method is "smtp" but there is no [smtp] table')
    if smtp is not None:
        delivery = DeliverySettings(**{**delivery.__dict__, "smtp": smtp})

    return Config(
        path=path,
        title=d.string("title", default="CoP Digest"),
        organisation=d.string("organisation", required=True),
        cadence=cadence,
        timezone=timezone,
        web_url=web_url,
        feeds_path=feeds_path,
        state_path=base / d.path("state", default="var/digest.db"),
        out_path=base / d.path("out", default="out"),
        language=d.string("language", default="en"),
        direction=d.choice("direction", ("ltr", "rtl"), default="ltr"),
        late_window=d.integer("late_window", default=1, minimum=0, maximum=MAX_PERIODS_BACK),
        quiet_after=d.integer("quiet_after", default=2, minimum=1, maximum=MAX_PERIODS_BACK),
        max_items=d.integer("max_items", default=5, minimum=1, maximum=100),
        send_empty=d.boolean("send_empty", default=False),
        templates_path=base / templates if templates else None,
        images=d.choice("images", ("public", "none"), default="public"),
        communities=load_communities(feeds_path),
        delivery=delivery,
        collect=_collect(t),
        report_recipients=_report_recipients(t, base),
        follow_up=d.integer("follow_up", default=2, minimum=1, maximum=24),
    )


def load_communities(path: Path) -> tuple[Community, ...]:
    data = _read_toml(path, "community list")
    t = _Table(path, data, "")
    t.only("community")
    rows = data.get("community")
    if not isinstance(rows, list) or not rows:
        raise ConfigError(path, "community",
                          "expected at least one [[community]] table with id, name and posts")
    base = path.parent
    seen: set[str] = set()
    out = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ConfigError(path, f"community[{i}]", "expected a [[community]] table")
        c = _Table(path, row, f"community[{i}]", ("community", i - 1))
        c.only("id", "name", "description", "posts", "meetings", "calendar", "join_url", "notes")
        cid = c.string("id", required=True)
        if not _ID.match(cid):
            raise ConfigError(path, c.key("id"),
                              f"{cid!r} is not a usable id: lower-case letters, digits, - and _")
        if cid in seen:
            raise ConfigError(path, c.key("id"), f"duplicate community id {cid!r}")
        seen.add(cid)
        c.where = f"community[{i}] ({cid})"
        posts = tuple(_source(c, "posts", base, u) for u in c.string_list("posts"))
        meetings = tuple(_source(c, "meetings", base, u) for u in c.string_list("meetings"))
        calendar = c.path("calendar", default=None)
        out.append(Community(
            id=cid,
            name=c.string("name", required=True),
            description=c.string("description", default=""),
            posts=posts,
            meetings=meetings,
            calendar=_source(c, "calendar", base, calendar) if calendar else None,
            join_url=c.url("join_url", schemes=("http", "https", "mailto")),
            notes=_notes_folders(c, base),
        ))
    return tuple(out)


def _notes_folders(c: _Table, base: Path) -> tuple[str, ...]:
    """`notes`: folders of Markdown files, relative to the community list (never URLs)."""
    folders = []
    for location in c.string_list("notes"):
        if urlparse(location).scheme.lower() in ("http", "https", "file"):
            raise c.fail("notes", f"{location!r} is a URL; notes is a folder of Markdown files "
                         "next to the community list (use posts or meetings for a feed)")
        folders.append(str((base / location).resolve()))
    return tuple(folders)


def _source(t: _Table, name: str, base: Path, location: str) -> str:
    """A feed location as stored: URLs as given, paths made absolute against the list."""
    try:
        scheme = urlparse(location).scheme.lower()
    except ValueError as e:  # "http://[::1" and friends
        raise t.fail(name, f"{location!r} is not a usable URL: {e}") from None
    if scheme in ("http", "https"):
        return location
    if scheme == "file":
        return str(Path(urlparse(location).path))
    return str((base / location).resolve())


def _delivery(t: _Table, base: Path) -> DeliverySettings:
    d = t.table("delivery", required=True)
    d.only("method", "from", "recipients", "unsubscribe_mailto", "unsubscribe_url",
           "preferences_url")
    sender = d.string("from", required=True)
    try:
        parse_mailbox(sender)
    except InvalidAddress as e:
        raise ConfigError(t.file, d.key("from"), f"{sender!r} is not an address we can send "
                          f"from ({e}): expected 'Name <user@example.org>'") from None
    mailto = d.string("unsubscribe_mailto", default=None)
    if mailto is not None:
        mailto = mailto.removeprefix("mailto:")
        if problem := address_problem(mailto):
            raise ConfigError(t.file, d.key("unsubscribe_mailto"),
                              f"{problem}: expected leave@example.org")
    return DeliverySettings(
        method=d.choice("method", ("outbox", "smtp"), default="outbox"),
        sender=sender,
        recipients=base / d.path("recipients", required=True),
        unsubscribe_mailto=mailto,
        unsubscribe_url=d.url("unsubscribe_url", schemes=("https",)),
        preferences_url=d.url("preferences_url", schemes=("http", "https", "mailto")),
    )


def _smtp(t: _Table, keys_only: bool = False) -> SmtpSettings | None:
    """[smtp]; with `keys_only` (method is not smtp) only its key names are checked, so a
    typo there is found now, not the day method becomes "smtp"."""
    s = t.table("smtp")
    if s is None:
        return None
    s.only("host", "port", "security", "verify_certificate", "username", "envelope_from",
           "timeout", "rate", "max_per_connection", "breaker", "password", "connections",
           "ca_file")
    if keys_only:
        return None
    if "password" in s.data:
        raise ConfigError(t.file, s.key("password"),
                          f"the password is never read from the file: remove it and set "
                          f"{PASSWORD_ENV} in the environment of the job")
    username = s.string("username", default=None)
    security = s.choice("security", ("starttls", "tls", "none"), default="starttls")
    verify_certificate = s.boolean("verify_certificate", default=True)
    return SmtpSettings(
        host=s.string("host", required=True),
        port=s.integer("port", default=587, minimum=1, maximum=65535),
        security=security,
        verify_certificate=verify_certificate,
        username=username,
        password=os.environ.get(PASSWORD_ENV) if username else None,
        envelope_from=_address(s, "envelope_from"),
        timeout=s.number("timeout", default=60.0, minimum=1, maximum=3600),
        rate=s.number("rate", default=20.0, minimum=0, maximum=10_000),
        max_per_connection=s.integer("max_per_connection", default=100, minimum=1,
                                     maximum=1_000_000),
        breaker=s.integer("breaker", default=20, minimum=1, maximum=1_000_000),
        connections=s.integer("connections", default=3, minimum=1, maximum=MAX_CONNECTIONS),
        ca_file=_ca_file(s, security, verify_certificate),
    )


def _ca_file(s: _Table, security: str, verify_certificate: bool) -> Path | None:
    """[smtp] ca_file, relative to the config file: loaded once now, so a wrong path or a file
    that holds no certificate stops the job with 78 before the relay is ever reached."""
    name = s.path("ca_file", default=None)
    if name is None:
        return None
    if security == "none":
        raise s.fail("ca_file", 'is set but security = "none" sends in clear, so no certificate '
                     'is checked: set security = "starttls" or "tls", or remove ca_file')
    if not verify_certificate:
        raise s.fail("ca_file", "is set but verify_certificate = false turns the check it is for "
                     "off: remove one of them")
    path = s.file.parent / Path(name).expanduser()
    expected = ("expected the PEM file of the CA that issued the relay's certificate, relative "
                f"to {s.file.name}")
    try:
        ssl.create_default_context(cafile=path)
    except FileNotFoundError:
        raise s.fail("ca_file", f"{path} does not exist: {expected}") from None
    except ssl.SSLError:
        raise s.fail("ca_file", f"{path} holds no PEM certificate (-----BEGIN CERTIFICATE-----): "
                     f"{expected}") from None
    except OSError as e:
        raise s.fail("ca_file", f"cannot read {path}: {e.strerror}; {expected}") from None
    return path


def _address(t: _Table, name: str) -> str | None:
    """An optional plain address, checked now so a bad one stops the job with 78, not mid-send."""
    value = t.string(name, default=None)
    if value is not None and (problem := address_problem(value)):
        raise t.fail(name, f"{problem}: expected bounces@example.org")
    return value


def _collect(t: _Table) -> CollectSettings:
    c = t.table("collect")
    if c is None:
        return CollectSettings()
    c.only("concurrency", "per_host", "connect_timeout", "timeout", "max_bytes", "workers")
    return CollectSettings(
        concurrency=c.optional_integer("concurrency", minimum=1, maximum=1024),
        per_host=c.integer("per_host", default=8, minimum=1, maximum=1024),
        connect_timeout=c.number("connect_timeout", default=5.0, minimum=0.1, maximum=600),
        timeout=c.number("timeout", default=30.0, minimum=0.1, maximum=3600),
        max_bytes=c.integer("max_bytes", default=10 * _MIB, minimum=1024, maximum=1024 * _MIB),
        workers=c.integer("workers", default=0, minimum=0, maximum=256),
    )


def _report_recipients(t: _Table, base: Path) -> Path | None:
    """[report] recipients: the organisers' list (recipients.csv's header) that makes `digest
    run` send them the communities report too."""
    r = t.table("report")
    if r is None:
        return None
    r.only("recipients")
    return base / r.string("recipients", required=True)


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    """The file's tables. A UTF-8 byte-order mark (Windows Notepad, PowerShell's
    `Out-File -Encoding utf8`) is read past: tomllib calls it an invalid statement."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
        return tomllib.loads(text)
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ConfigError(path, None, f"not UTF-8 (byte {e.start}): save the {what} file as "
                          "UTF-8", line=line) from None
    except FileNotFoundError:
        hint = (f" (set --config or {CONFIG_ENV}, or run `digest init` to write one)"
                if what == "configuration" else "")
        raise ConfigError(path, None, f"{what} file not found{hint}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, None, f"not valid TOML: {e}") from None
    except OSError as e:
        raise ConfigError(path, None, f"cannot read {what}: {e.strerror}") from None


_MISSING = object()


class _Table:
    """Typed access to one TOML table that reports problems with file and key."""

    def __init__(self, file: Path, data: dict[str, Any], where: str,
                 section: Section = ()) -> None:
        self.file, self.data, self.where = file, data, where
        self.section = section  # where the table is in the document, to find a key's line

    def key(self, name: str) -> str:
        return f"{self.where}.{name}" if self.where else name

    def fail(self, name: str, problem: str) -> ConfigError:
        return ConfigError(self.file, self.key(name), problem)

    def only(self, *allowed: str) -> None:
        for name in self.data:
            if name not in allowed:
                raise self.unknown(name, allowed)

    def unknown(self, name: str, allowed: tuple[str, ...]) -> ConfigError:
        """The error for a key the loader does not know, with its line and the known key it
        is closest to (a typo), or every known key when none is close."""
        value = self.data[name]
        array = isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
        is_table = not self.section and (isinstance(value, dict) or array)
        what = "unknown table" if is_table else "unknown key"
        if self.section and self.section[0] == "community":
            cid = self.data.get("id")
            what += (f" in [[community]] {cid!r}" if isinstance(cid, str)
                     else " in this [[community]]")
        elif self.section:
            what += f" in [{self.where}]"
        brackets = ("[[", "]]") if array else ("[", "]")
        mark = (lambda k: f"{brackets[0]}{k}{brackets[1]}") if is_table else (lambda k: f"`{k}`")
        normal = name.strip().lower().replace("-", "_").replace(" ", "_")
        close = [k for k in allowed if k == normal] or difflib.get_close_matches(
            normal, allowed, n=1, cutoff=0.6)
        hint = (f"did you mean {mark(close[0])}?" if close
                else f"expected one of: {', '.join(allowed)}")
        line = line_in_file(self.file, (*self.section, name))
        return ConfigError(self.file, self.key(name), f"{what}; {hint}", line=line)

    def _get(self, name: str, required: bool, default: Any) -> Any:
        if name in self.data:
            return self.data[name]
        if required:
            raise self.fail(name, "missing; this key is required")
        return default

    @overload
    def table(self, name: str, required: Literal[True]) -> _Table: ...
    @overload
    def table(self, name: str, required: bool = False) -> _Table | None: ...

    def table(self, name: str, required: bool = False) -> _Table | None:
        """A sub-table; a required one is never None (a missing one raises), as the types say."""
        value = self._get(name, required, None)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(name, f"expected a [{name}] table")
        return _Table(self.file, value, self.key(name), (*self.section, name))

    def _typed(self, name: str, required: bool, default: Any, check: Callable[[Any], bool],
               expected: str) -> Any:
        value = self._get(name, required, _MISSING)
        if value is _MISSING:
            return default
        if not check(value):
            raise self.fail(name, f"expected {expected}, got {value!r}")
        return value

    def string(self, name: str, required: bool = False, default: Any = None) -> Any:
        value = self._typed(name, required, default, lambda v: isinstance(v, str), "a string")
        if isinstance(value, str) and required and not value.strip():
            raise self.fail(name, "must not be empty")
        if isinstance(value, str) and _CONTROL.search(value):
            raise self.fail(name, f"{value!r} holds a control character; remove it")
        return value

    def path(self, name: str, required: bool = False, default: str | None = None) -> Any:
        """A path relative to the file: a string without line breaks or control characters."""
        value = self.string(name, required=required, default=default)
        if isinstance(value, str) and (not value.strip() or any(ch in value for ch in "\r\n\t")):
            raise self.fail(name, f"{value!r} is not a usable path")
        return value

    def string_list(self, name: str) -> list[str]:
        value = self._get(name, False, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(name, f"expected a list of URLs or paths, got {value!r}")
        if bad := next((v for v in value if _CONTROL.search(v) or any(ch in v for ch in "\r\n")),
                       None):
            raise self.fail(name, f"{bad!r} holds a line break or control character; remove it")
        return value

    def boolean(self, name: str, default: bool) -> bool:
        return self._typed(name, False, default, lambda v: isinstance(v, bool), "true or false")

    def integer(self, name: str, default: int, minimum: int | None = None,
                maximum: int | None = None) -> int:
        value = self._typed(name, False, default,
                            lambda v: isinstance(v, int) and not isinstance(v, bool),
                            "a whole number")
        _bounds(self, name, value, minimum, maximum)
        return value

    def optional_integer(self, name: str, minimum: int, maximum: int) -> int | None:
        """A whole number in [minimum, maximum], or None when the key is left out."""
        value = self._typed(name, False, None,
                            lambda v: isinstance(v, int) and not isinstance(v, bool),
                            "a whole number")
        if value is not None:
            _bounds(self, name, value, minimum, maximum)
        return value

    def number(self, name: str, default: float, minimum: float, maximum: float) -> float:
        """A finite number in [minimum, maximum]: TOML allows nan and inf, and a socket timeout
        of nan or a rate of inf raises far from the file that said it."""
        value = self._typed(name, False, default,
                            lambda v: isinstance(v, int | float) and not isinstance(v, bool),
                            "a number")
        if not math.isfinite(value):
            raise self.fail(name, f"expected a number between {minimum:g} and {maximum:g}, "
                            f"got {value}")
        _bounds(self, name, value, minimum, maximum)
        return float(value)

    def choice(self, name: str, choices: tuple[str, ...], default: str) -> Any:
        value = self.string(name, default=default)
        if value not in choices:
            raise self.fail(name, f"expected one of {', '.join(map(repr, choices))}, got {value!r}")
        return value

    def url(self, name: str, schemes: tuple[str, ...]) -> str | None:
        value = self.string(name, default=None)
        if value is None:
            return None
        try:
            parsed = urlparse(value)
        except ValueError:
            raise self.fail(name, f"{value!r} is not a {' or '.join(schemes)} URL") from None
        ok = parsed.scheme in schemes and (parsed.netloc or parsed.scheme == "mailto")
        if not ok or any(ch in value for ch in "\r\n "):
            raise self.fail(name, f"{value!r} is not a {' or '.join(schemes)} URL")
        return value


def _bounds(t: _Table, name: str, value: float, minimum: float | None,
            maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise t.fail(name, f"must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise t.fail(name, f"must be at most {maximum}, got {value}")
