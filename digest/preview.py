"""`digest preview`: see exactly what will go out, before it does.

A small HTTP server on 127.0.0.1 shows every built issue and its editions:
each edition in a desktop and a mobile frame, its plain-text part, its raw
source, subject, preheader, size (with a warning near Gmail's clip) and the
accessibility and client warnings of `digest.checks`.

The preview answers at once whatever the number of editions: it composes the
period (`pipeline.plan_build`) and renders the full edition, then renders every
other edition the first time a page asks for it and keeps it (`LiveBuild`). A
render-ahead thread renders the rest meanwhile and, once all are done, writes
the build to out/<period>/ exactly as `digest build` does, so `digest send`
afterwards sends what was previewed. The index is paged.

A watcher thread polls the modification times of the templates, the config,
the community list, local feed files and the recipients list; on a change it
collects (when a feed changed) and composes again, off the request threads.
Rendered editions are kept across such changes while what they are made of
(the templates, the config, the issue, the edition's extra bytes) is the same,
so an edit of recipients.csv re-renders only the editions it adds or changes.
The pages poll `/version` and reload themselves when a build finishes, so an
organiser edits a template and sees the result without restarting anything.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import html
import json
import logging
import socket
import sys
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import checks, packaged, pipeline
from .config import Config, load_config
from .errors import DigestError
from .manifest import MANIFEST, EditionRecord, Manifest, read_manifest
from .models import Edition
from .render import GMAIL_CLIP_BYTES, SIZE_BUDGET_BYTES, as_written, templates_dir
from .store import Store
from .text import plural

log = logging.getLogger(__name__)
DEFAULT_PORT = 8000
PORTS_TRIED = 50
POLL_SECONDS = 0.5
# The email in its frames runs no script and gets an origin of its own (no
# allow-scripts, no allow-same-origin); its links may open a new tab.
SANDBOX = "allow-popups allow-popups-to-escape-sandbox"
BASELINE = packaged.asset("caniemail-baseline.json")
PAGE_SIZE = 50  # editions per page of the index


def watched_files(config: Config) -> list[Path]:
    """Everything a build reads from disk that an organiser might edit."""
    files = [config.path, config.feeds_path, config.delivery.recipients]
    return files + _template_files(config) + feed_files(config)


def _template_files(config: Config) -> list[Path]:
    with contextlib.suppress(DigestError, OSError):
        return sorted(p for p in templates_dir(config).iterdir() if p.is_file())
    return []


def feed_files(config: Config) -> list[Path]:
    """Feeds and calendars that are local files (URLs are fetched by collect, not watched),
    and notes folders with their Markdown files (the folder itself changes on add or delete)."""
    out = []
    for c in config.communities:
        for role, location in c.sources():
            if location.startswith(("http://", "https://")):
                continue
            out.append(Path(location))
            if role == "notes" and Path(location).is_dir():
                out += sorted(Path(location).rglob("*.md"))
    return out


def signature(paths: list[Path]) -> dict[str, tuple[float, int]]:
    out = {}
    for path in paths:
        try:
            st = path.stat()
            out[str(path)] = (st.st_mtime, st.st_size)
        except OSError:
            out[str(path)] = (0.0, -1)
    return out


def _issue_fingerprint(plan: pipeline.BuildPlan) -> str:
    """What an edition is made of besides its templates and its communities: the issue as
    composed, but the moment it was composed (the sessions already over at that moment stand
    in for it) and which issue claimed each item (the first compose claims them): neither
    is rendered, and both change from one compose to the next."""
    issue = plan.composition.issue
    over = [repr(x) for s in issue.sections for x in s.sessions
            if issue.built_at is not None and (x.end or x.start) <= issue.built_at]
    sections = [replace(s, posts=[replace(i, issue=None) for i in s.posts],
                        meetings=[replace(i, issue=None) for i in s.meetings])
                for s in issue.sections]
    text = repr((replace(issue, built_at=None, sections=sections), over))
    return hashlib.sha256(text.encode()).hexdigest()


class LiveBuild:
    """One period's build as the preview serves it: composed at once, each edition rendered
    the first time it is asked for and kept; the same bytes `digest build` writes.

    `kept` is the previous build's renders, by what they are made of: an edition whose
    communities, extra bytes and issue are unchanged (and the templates and config: the
    preview drops `kept` when those change) is not rendered again.
    """

    def __init__(self, plan: pipeline.BuildPlan, kept: dict[tuple, Edition] | None = None,
                 on_render: Callable[[str], None] | None = None) -> None:
        self.plan = plan
        self.keys = list(plan.wanted)
        self.fingerprint = _issue_fingerprint(plan)
        self.renders: dict[tuple, Edition] = {}  # made-of -> rendered edition (slot unfilled)
        self._kept = kept or {}
        self._locks = {key: threading.Lock() for key in self.keys}
        # one render at a time: the template environments and the inliner are shared, and
        # the GIL would run two renders one after the other anyway
        self._rendering = threading.Lock()
        self._on_render = on_render
        self._subjects: dict[str, str] = {}
        self.written = threading.Event()  # set once the render-ahead wrote the build

    def made_of(self, key: str) -> tuple:
        return (key, self.plan.wanted[key], self.plan.personal.largest.get(key, 0),
                self.fingerprint)

    def rendered(self, key: str) -> Edition | None:
        """The edition if it is rendered (or kept from the previous build), else None."""
        return self.renders.get(self.made_of(key)) or self._kept.get(self.made_of(key))

    def raw(self, key: str) -> Edition:
        """Edition `key` as rendered, its slot not yet filled: rendered now if need be."""
        made_of = self.made_of(key)
        with self._locks[key]:  # two requests for one edition render it once
            found = self.rendered(key)
            if found is None:
                with self._rendering:
                    found = self.plan.render(key)
                if self._on_render is not None:
                    self._on_render(key)
            elif found.calendar is not None:
                # the attachment is stamped with the moment of the compose, as a build's is
                found = replace(found, calendar=self.plan.renderer.calendar(
                    self.plan.composition.issue, self.plan.wanted[key]))
            self.renders[made_of] = found
            return found

    def edition(self, key: str) -> tuple[EditionRecord, Edition]:
        """Edition `key` and its record as `digest build` writes them (a reader who owns no
        action: the default personal block in its slot)."""
        personal = self.plan.personal
        default = personal.default.get(key)
        edition, record = as_written(self.raw(key), personal.blocks.get(default or ""))
        return record, edition

    def subject(self, key: str) -> str:
        """The edition's subject, known without rendering it (the index shows it)."""
        if key not in self._subjects:
            from .render.view import build_view

            found = self.rendered(key)
            self._subjects[key] = found.subject if found is not None else build_view(
                self.plan.config, self.plan.composition.issue, self.plan.wanted[key]).subject
        return self._subjects[key]

    def communities(self, key: str) -> tuple[str, ...] | None:
        chosen = self.plan.wanted[key]
        return tuple(sorted(chosen)) if chosen is not None else None

    @property
    def draft(self) -> bool:
        return self.plan.draft


@dataclass
class Audience:
    """Who gets each edition of a period (edition key -> addresses) and whether it was sent."""

    by_edition: dict[str, list[str]]
    sent: str  # "not sent yet", "sending: 3 of 10 sent so far", "sent on ..."
    frozen: bool  # the send has started: the ledger, not recipients.csv, is the audience

    def count(self, key: str) -> int:
        return len(self.by_edition.get(key, []))


@dataclass
class State:
    """What the pages show about the builds: a counter to reload on, and the last error."""

    version: int = 0
    building: bool = False
    error: str | None = None
    built_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Preview:
    """The preview of one configuration: rebuilds on change, serves pages on 127.0.0.1."""

    def __init__(self, config_path: str | Path | None, period: str | None = None, *,
                 port: int = DEFAULT_PORT, host: str = "127.0.0.1",
                 poll_seconds: float = POLL_SECONDS, render_ahead: bool = True) -> None:
        self.config_path = config_path
        self.config = load_config(config_path)
        self.period = pipeline.parse_period(self.config, period)
        self.state = State()
        self.poll_seconds = poll_seconds
        self.render_ahead = render_ahead
        self.live: LiveBuild | None = None  # None: a sent period, served from its files
        self._made_with: tuple | None = None  # the config and templates `live` was made with
        # what happened, in order: ("index", page), ("rendered", key), ("written", period)
        self.events: list[tuple[str, str]] = []
        self._stop = threading.Event()
        self._ahead = threading.Event()  # a new build to render ahead
        self._checks: dict[str, list[checks.Finding]] = {}
        self._check_notes: dict[str, str | None] = {}
        self._checks_lock = threading.Lock()
        self.server = _bind(host, port, self)
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host  # str for AF_INET
        return f"http://{host}:{port}/"

    # --- building ---------------------------------------------------------------------------

    def build(self, collect: bool = False) -> None:
        """Compose the period again (collecting first when feeds changed) and render its full
        edition; every other edition is rendered when asked for. Errors go to the page."""
        with self.state.lock:
            self.state.building = True
        error = None
        try:
            self.config = load_config(self.config_path)
            made_with = (repr(self.config), tuple(sorted(signature(_template_files(
                self.config)).items())))
            with Store(self.config.state_path) as store:
                if collect:
                    pipeline.collect(self.config, store)
                # a sent issue is shown as readers got it, never rebuilt; a period that has
                # not ended is built as a draft, which nothing sends
                if pipeline.frozen_copy(self.config, store, self.period):
                    live = None
                else:
                    plan = pipeline.plan_build(self.config, store, self.period, draft=True)
                    kept = (self.live.renders if self.live is not None
                            and made_with == self._made_with else None)
                    live = LiveBuild(plan, kept, on_render=self._rendered)
            if live is not None:
                live.raw(live.keys[0])  # the full edition: a broken template shows at once
            self.live, self._made_with = live, made_with
            self._ahead.set()
        except DigestError as e:
            error = str(e)
        except Exception:  # a preview must survive a broken template and say why
            error = traceback.format_exc(limit=3)
        with self.state.lock:
            self.state.building = False
            self.state.error = error
            self.state.version += 1
            self.state.built_at = time.time()
        if error:
            log.warning("preview build failed: %s", error)

    def _rendered(self, key: str) -> None:
        self.events.append(("rendered", key))

    def ahead(self) -> None:
        """Render the editions nobody asked for yet, then write the build to out/<period>/ as
        `digest build` does. Runs in its own thread; a newer build takes over."""
        while not self._stop.is_set():
            if not self._ahead.wait(timeout=1.0):
                continue
            self._ahead.clear()
            live = self.live
            if live is None or live.written.is_set():
                continue
            try:
                for key in live.keys:
                    if self._stop.is_set() or self.live is not live:
                        break
                    live.raw(key)
                else:
                    with Store(live.plan.config.state_path) as store:
                        pipeline.finish_build(live.plan, store,
                                              [live.raw(key) for key in live.keys])
                    live.written.set()
                    self.events.append(("written", live.plan.period.label))
            except Exception as e:  # noqa: BLE001 - shown on the page like a failed build
                message = str(e) if isinstance(e, DigestError) else traceback.format_exc(limit=3)
                with self.state.lock:
                    self.state.error = message
                    self.state.version += 1
                log.warning("preview build failed: %s", message)

    def wait_written(self, timeout: float = 60.0) -> bool:
        """Block until the current build is written to out/<period>/ (for tests and tools)."""
        live = self.live
        return live is not None and live.written.wait(timeout)

    def watch(self, last: dict[str, tuple[float, int]]) -> None:
        """Poll modification times; rebuild on a change. Runs in its own thread.

        `last` is the signature taken before the first build: an edit made while the
        thread was starting is still a change.
        """
        feeds = {str(p) for p in feed_files(self.config)}
        while not self._stop.wait(self.poll_seconds):
            try:
                now = signature(watched_files(self.config))
            except Exception:  # noqa: BLE001 - a config mid-edit must not kill the watcher
                continue
            if now != last:
                changed = {k for k in now.keys() | last.keys() if now.get(k) != last.get(k)}
                last = now  # an edit made during the build differs from this: another build
                self.build(collect=bool(changed & feeds))
                feeds = {str(p) for p in feed_files(self.config)}

    def start(self, *, build_first: bool = True) -> Preview:
        """Build once, then serve and watch in background threads."""
        baseline = signature(watched_files(self.config))
        if build_first:
            self.build(collect=not self.config.state_path.exists())
        jobs: list[tuple[str, Callable[..., None], tuple]] = [
            ("serve", self.server.serve_forever, ()), ("watch", self.watch, (baseline,))]
        if self.render_ahead:
            jobs.append(("ahead", self.ahead, ()))
        for name, target, args in jobs:
            t = threading.Thread(target=target, args=args, daemon=True, name=f"preview-{name}")
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    # --- what the pages show ----------------------------------------------------------------

    def issues(self) -> list[Manifest]:
        """The built issues on disk, newest first, but the one the preview is building."""
        out = []
        live = self.live.plan.period.label if self.live is not None else None
        for path in sorted(self.config.out_path.glob(f"*/{MANIFEST}"), reverse=True):
            if path.parent.name == live:
                continue
            try:
                out.append(read_manifest(path.parent))
            except DigestError:
                continue
        return out

    def manifest(self, period: str) -> Manifest | None:
        path = self.config.out_path / period / MANIFEST
        if "/" in period or ".." in period or not path.is_file():
            return None
        try:
            return read_manifest(path.parent)
        except (DigestError, OSError):
            return None  # being rewritten by a build: the page reloads when it is done

    def findings(self, source: str) -> list[checks.Finding]:
        """Accessibility and client findings for an edition, cached by its content."""
        key = hashlib.sha256(source.encode()).hexdigest()
        with self._checks_lock:
            if key in self._checks:
                return self._checks[key]
        found = checks.lint(source)
        note = None
        if checks.caniemail_available():
            try:
                baseline = checks.load_baseline(BASELINE) if BASELINE.is_file() else {}
                found += checks.client_summary(checks.caniemail(source), baseline)
            except (checks.CaniemailError, ValueError, OSError) as e:
                note = f"the client checks did not run on this machine: {e}"
        else:
            note = ("the client checks did not run on this machine: they need node and "
                    "`npm install` in the project folder")
        with self._checks_lock:
            self._checks[key] = found
            self._check_notes[key] = note
        return found

    def check_note(self, source: str) -> str | None:
        """Why the client checks of `source` did not run (a fact about this machine, not the
        email), or None when they ran. Call after `findings`."""
        with self._checks_lock:
            return self._check_notes.get(hashlib.sha256(source.encode()).hexdigest())

    def audience(self, period: str) -> Audience:
        """Who gets each edition of `period`, and how far its send has gone.

        Before the send starts, the readers of recipients.csv now; once it has
        started, the ledger's frozen audience (what was, or will be, sent).
        """
        from .render.view import audience, edition_key

        config = self.config
        if config.state_path.exists():
            from .deliver.ledger import exists, ledger_status

            with Store(config.state_path) as store:
                record = store.issue(period)
                status = ledger_status(store, period) if exists(store) else None
                if status is not None and status.started:
                    rows = store.db.execute(
                        "SELECT email, edition FROM send_ledger WHERE period = ? ORDER BY seq",
                        (period,)).fetchall()
                    by_edition: dict[str, list[str]] = {}
                    for row in rows:
                        by_edition.setdefault(row["edition"], []).append(row["email"])
                    if record is not None and record.sent_at:
                        said = f"sent on {record.sent_at:%Y-%m-%d %H:%M} UTC"
                    else:
                        said = (f"sending: {status.counts['sent']} of {status.total} sent "
                                "so far")
                    return Audience(by_edition, said, frozen=True)
        readers = pipeline.recipients_of(config)
        every = {c.id for c in config.communities}
        by_edition = {}
        for reader in readers.recipients:
            key = edition_key(audience(reader.communities, every))
            by_edition.setdefault(key, []).append(reader.email)
        return Audience(by_edition, "not sent yet", frozen=False)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket],
                     client_address: Any) -> None:
        """A browser that closes a tab mid-request is not an error worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _bind(host: str, port: int, preview: Preview) -> ThreadingHTTPServer:
    """The server on `port`, or the next free port: a second preview must still start."""
    handler = type("Handler", (_Handler,), {"preview": preview})
    for candidate in range(port, port + PORTS_TRIED):
        try:
            return _Server((host, candidate), handler)
        except OSError as e:
            if e.errno not in (errno.EADDRINUSE, errno.EACCES) or port == 0:
                raise
    raise DigestError(f"no free port between {port} and {port + PORTS_TRIED - 1}: "
                      "pass --port")


def serve(config_path: str | Path | None, period: str | None = None, *, port: int = DEFAULT_PORT,
          open_browser: bool = True, echo: Callable[[str], None] = print) -> None:
    """Run the preview until interrupted (Ctrl-C)."""
    preview = Preview(config_path, period, port=port).start()
    echo(f"previewing {preview.period} at {preview.url} (Ctrl-C to stop)")
    if preview.state.error:
        echo(f"the first build failed: {preview.state.error}")
    if open_browser:
        webbrowser.open(preview.url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()


# --- HTTP -------------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    preview: Preview
    server_version = "CoPDigestPreview"

    def log_message(self, format: str, *args: object) -> None:
        log.debug("preview: " + format, *args)

    def _host_allowed(self) -> bool:
        """Only our own names: a page on another site that rebinds its DNS name to
        127.0.0.1 (DNS rebinding) sends its own name as Host, and is refused."""
        host = (self.headers.get("Host") or "").strip().lower()
        address = self.server.server_address
        port = address[1] if isinstance(address, tuple) else 0
        allowed = {f"127.0.0.1:{port}", f"localhost:{port}"}
        if port == 80:
            allowed |= {"127.0.0.1", "localhost"}
        return host in allowed

    def do_GET(self) -> None:
        if not self._host_allowed():
            return self.send_error(HTTPStatus.MISDIRECTED_REQUEST,
                                   "This preview answers only to 127.0.0.1 and localhost")
        try:
            path = unquote(urlsplit(self.path).path, errors="strict")
        except (ValueError, UnicodeDecodeError):
            return self.send_error(HTTPStatus.BAD_REQUEST, "Not a path this preview serves")
        if any(ord(ch) < 0x20 or ch in "\x7f\\" for ch in path):  # %00, %0a, a backslash
            return self.send_error(HTTPStatus.BAD_REQUEST, "Not a path this preview serves")
        parts = [p for p in path.split("/") if p]
        try:
            if not parts:
                number = parse_qs(urlsplit(self.path).query).get("page", ["1"])[0]
                return self._send(_index_page(self.preview,
                                              int(number) if number.isdigit() else 1))
            if parts == ["version"]:
                s = self.preview.state
                return self._send(json.dumps({"version": s.version, "building": s.building,
                                              "error": s.error}), "application/json")
            if parts[0] == "issue" and len(parts) == 3:
                page = _edition_page(self.preview, parts[1], parts[2])
                return self._send(page) if page else self._not_found()
            if parts[0] == "raw" and len(parts) == 3:
                return self._raw(parts[1], parts[2])
            if parts[0] == "site":
                return self._site(parts[1:], path.endswith("/"))
            if parts[0] == "organisers":  # written by `digest report`
                return self._site(parts, path.endswith("/"))
        except (BrokenPipeError, ConnectionResetError):
            return None
        except DigestError as e:  # an edition that does not render: say why, keep serving
            return self.send_error(HTTPStatus.INTERNAL_SERVER_ERROR, "This edition does not "
                                   "render", str(e))
        except (OSError, ValueError, UnicodeDecodeError, KeyError):
            # a file a build is rewriting, a name the filesystem refuses: not in this preview
            log.debug("preview: %s", self.path, exc_info=True)
        return self._not_found()

    def _raw(self, period: str, name: str) -> None:
        key, _, kind = name.rpartition(".")
        found = _edition_of(self.preview, period, key)
        if not found or kind not in ("html", "txt"):
            return self._not_found()
        edition = found[1]
        body = edition.html if kind == "html" else edition.text
        self._send(body, "text/html" if kind == "html" else "text/plain", sandboxed=True)

    def _site(self, parts: list[str], folder: bool) -> None:
        site = (self.preview.config.out_path / "site").resolve()
        target = site.joinpath(*parts)
        if folder or target.is_dir():
            target = target / "index.html"
        target = target.resolve()
        if site not in target.parents or not target.is_file():
            return self._not_found()
        kind = {".html": "text/html", ".xml": "application/atom+xml",
                ".json": "application/json"}.get(target.suffix, "application/octet-stream")
        self._send(target.read_bytes(), kind)

    def _send(self, body: str | bytes, kind: str = "text/html", *, sandboxed: bool = False
              ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(HTTPStatus.OK)
        if sandboxed:  # the email opened on its own is as confined as in its frame
            self.send_header("Content-Security-Policy", f"sandbox {SANDBOX}")
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def _not_found(self) -> None:
        self.send_error(HTTPStatus.NOT_FOUND, "Not in this preview")


def _edition_of(preview: Preview, period: str, key: str
                ) -> tuple[EditionRecord, Edition] | None:
    """The edition as a reader who owns no action gets it, with its manifest record."""
    live = preview.live
    if live is not None and period == live.plan.period.label:
        return live.edition(key) if key in live.keys else None
    manifest = preview.manifest(period)
    if not manifest or key not in {e.key for e in manifest.editions}:
        return None
    try:
        return manifest.record(key), manifest.edition(key)
    except (DigestError, OSError):
        return None


# --- pages ------------------------------------------------------------------------------------

_STYLE = """
[hidden] { display: none !important; }
body { margin: 0; font: 15px/1.45 -apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto,
       Helvetica, Arial, sans-serif; color: #1f2933; background: #f4f6f8; }
header { background: #123c69; color: #fff; padding: 12px 20px; display: flex; gap: 16px;
         align-items: baseline; flex-wrap: wrap; }
header a { color: #fff; }
header h1 { font-size: 20px; margin: 0; }
main { padding: 16px 20px; }
.status { font-size: 14px; }
.error { background: #fdecea; color: #8a1c12; padding: 10px 14px; border-radius: 4px;
         white-space: pre-wrap; }
body { overflow-wrap: anywhere; }
.table-wrap { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: 6px 12px; border-bottom: 1px solid #d5dbe2; }
a { color: #0b57a4; }
.warn { color: #8a4b00; font-weight: bold; }
.draft { background: #fff4d6; color: #5c3d00; padding: 10px 14px; border-radius: 4px; }
.draft-mark { color: #8a4b00; }
.bad { color: #8a1c12; font-weight: bold; }
nav.modes { display: flex; gap: 8px; margin: 12px 0; flex-wrap: wrap; }
nav.modes a { padding: 6px 12px; border: 1px solid #9aa5b1; border-radius: 4px;
              text-decoration: none; background: #fff; }
nav.modes a[aria-current="page"] { background: #123c69; color: #fff; border-color: #123c69; }
.frames { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.frame { background: #fff; border: 1px solid #9aa5b1; border-radius: 6px; padding: 6px;
         max-width: 100%; box-sizing: border-box; overflow-x: auto; }
.frame p { margin: 0 0 4px; font-size: 13px; color: #52606d; }
iframe { border: 0; display: block; background: #fff; }
pre { background: #fff; border: 1px solid #d5dbe2; padding: 12px; overflow: auto;
      white-space: pre-wrap; max-width: min(100ch, 100%); box-sizing: border-box; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 4px 16px; }
details ul { margin: 4px 0; padding-left: 20px; }
@media (max-width: 480px) { main { padding: 12px 10px; } header { padding: 10px 12px; }
  dl.facts { grid-template-columns: minmax(0, 1fr); }
  /* seven columns squeezed into a phone wrap a letter a line: one card an edition */
  table.editions thead { display: none; }
  table.editions, table.editions tbody, table.editions tr, table.editions td {
    display: block; }
  table.editions tr { border-bottom: 1px solid #d5dbe2; padding: 6px 0; }
  table.editions td { border: 0; padding: 2px 8px; }
  table.editions td::before { content: attr(data-label) ": "; font-weight: bold; } }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
ul.findings li { margin: 2px 0; }
"""

_RELOAD = """
<script>
(() => {
  let seen = __VERSION__;  // the build this page shows: reload when a newer one is done
  async function poll() {
    try {
      const r = await fetch('/version', {cache: 'no-store'});
      const s = await r.json();
      const el = document.getElementById('build-status');
      if (el) el.textContent = s.building ? 'Building…' : (s.error ? 'Last build failed' : '');
      if (seen !== null && s.version !== seen && !s.building) { location.reload(); return; }
      if (!s.building) seen = s.version;
    } catch (e) { /* the preview is restarting: try again */ }
    setTimeout(poll, 500);
  }
  poll();
})();
</script>
"""


def _page(title: str, body: str, preview: Preview, version: int) -> str:
    error = preview.state.error
    banner = (f'<p class="error" role="alert">The last build failed: {html.escape(error)}</p>'
              if error else "")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
            f'<header><h1><a href="/">Digest preview</a></h1>'
            f"<span>{html.escape(preview.config.organisation)}, building "
            f"{html.escape(str(preview.period))}</span>"
            f'<span class="status" id="build-status" aria-live="polite"></span></header>'
            f"<main>{banner}{body}</main>"
            f"{_RELOAD.replace('__VERSION__', str(version))}</body></html>")


_DRAFT_MARK = ' <span class="draft-mark">(draft: not ended, never sent)</span>'


def size_note(size: int) -> str:
    kb = size / 1024
    if size >= GMAIL_CLIP_BYTES:
        return f'<span class="bad">{kb:.1f} KB: Gmail will clip this edition</span>'
    if size >= SIZE_BUDGET_BYTES:
        return f'<span class="warn">{kb:.1f} KB: close to Gmail\'s clip at 102 KB</span>'
    return f"{kb:.1f} KB"


@dataclass
class _Row:
    """One edition in the index, before anything about it is read or rendered."""

    period: str
    draft: bool
    key: str
    live: LiveBuild | None = None
    manifest: Manifest | None = None


def _index_page(preview: Preview, page: int = 1) -> str:
    """The built issues and their editions, PAGE_SIZE to a page: only the page's editions
    are looked at, and an edition not rendered yet says so rather than waiting for it."""
    version = preview.state.version  # before reading files: a build meanwhile reloads the page
    preview.events.append(("index", str(page)))
    live = preview.live
    rows: list[_Row] = []
    if live is not None:
        label = live.plan.period.label
        rows += [_Row(label, live.draft, key, live=live) for key in live.keys]
    for m in preview.issues():
        rows += [_Row(m.period, m.draft, e.key, manifest=m) for e in m.editions]
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    audiences: dict[str, Audience | None] = {}
    cells = []
    for row in shown:
        if row.period not in audiences:
            audiences[row.period] = _audience_or_none(preview, row.period)
        who_gets = audiences[row.period]
        period = html.escape(row.period) + (_DRAFT_MARK if row.draft else "")
        sent = html.escape(who_gets.sent) if who_gets else "unknown"
        readers = plural(who_gets.count(row.key), "reader") if who_gets else "unknown"
        if row.live is not None:
            communities = row.live.communities(row.key)
            subject = row.live.subject(row.key)
            rendered = row.live.rendered(row.key)
            size = (size_note(as_written(rendered, _default_block(row.live, row.key))[0]
                              .html_bytes) if rendered is not None
                    else '<span class="pending">not rendered yet: open it</span>')
        else:
            assert row.manifest is not None
            record = row.manifest.record(row.key)
            communities, subject = record.communities, record.subject
            size = size_note(record.html_bytes)
        who = "every community" if communities is None else ", ".join(communities)
        cells.append(
            f'<tr><td data-label="Issue">{period}</td><td data-label="Edition">'
            f'<a href="/issue/{html.escape(row.period)}/{html.escape(row.key)}">'
            f'{html.escape(row.key)}</a></td><td data-label="For readers of">'
            f'{html.escape(who)}</td><td class="recipients" data-label="Goes to">{readers}'
            f'</td><td class="sent" data-label="Sent">{sent}</td>'
            f'<td class="subject" data-label="Subject">{html.escape(subject)}</td>'
            f'<td data-label="Size">{size}</td></tr>')
    table = ('<div class="table-wrap"><table class="editions"><thead><tr><th>Issue</th>'
             "<th>Edition</th><th>For readers of</th><th>Goes to</th><th>Sent</th>"
             "<th>Subject</th><th>Size</th></tr></thead><tbody>" + "".join(cells)
             + "</tbody></table></div>") if cells else "<p>No issue has been built yet.</p>"
    site = ('<p><a href="/site/">The web archive (out/site/)</a></p>'
            if (preview.config.out_path / "site" / "index.html").is_file() else "")
    return _page("Digest preview", f"<h2>Built issues and their editions</h2>{table}"
                 f"{_pager(page, pages, len(rows))}{site}", preview, version)


def _default_block(live: LiveBuild, key: str):  # -> PersonalBlock | None
    default = live.plan.personal.default.get(key)
    return live.plan.personal.blocks.get(default) if default else None


def _pager(page: int, pages: int, total: int) -> str:
    """Links to the other pages of the index, when there are any."""
    if pages == 1:
        return ""
    first = (page - 1) * PAGE_SIZE + 1
    last = min(total, page * PAGE_SIZE)
    links = []
    if page > 1:
        links.append(f'<a href="/?page={page - 1}" rel="prev">Previous</a>')
    links.append(f'<span aria-current="page">Page {page} of {pages} (editions {first} to '
                 f"{last} of {total})</span>")
    if page < pages:
        links.append(f'<a href="/?page={page + 1}" rel="next">Next</a>')
    return f'<nav class="modes pager" aria-label="Pages of editions">{"".join(links)}</nav>'


MODES = (("both", "Desktop and mobile"), ("desktop", "Desktop"), ("mobile", "Mobile"),
         ("text", "Plain text"), ("source", "Source"), ("checks", "Checks"))


def _edition_page(preview: Preview, period: str, key: str) -> str | None:
    version = preview.state.version
    found = _edition_of(preview, period, key)
    if not found:
        return None
    record, edition = found
    source, text = edition.html, edition.text
    findings = preview.findings(source)
    machine_note = preview.check_note(source)
    problems = [f for f in findings if f.check != "client"]
    clients = [f for f in findings if f.check == "client"]
    who_gets = _audience_or_none(preview, period)
    raw = f"/raw/{html.escape(period)}/{html.escape(key)}"
    # one desktop and one mobile frame; the mode (in the URL fragment) shows one or both
    frames = (f'<div class="frames" data-panel="both desktop mobile">'
              f'<div class="frame" data-panel="both desktop"><p>Desktop, 680 px</p>'
              f'<iframe title="Desktop view" src="{raw}.html" width="680" height="900" '
              f'sandbox="{SANDBOX}"></iframe>'
              f'</div><div class="frame" data-panel="both mobile"><p>Mobile, 375 px</p>'
              f'<iframe title="Mobile view" src="{raw}.html" width="375" height="760" '
              f'sandbox="{SANDBOX}"></iframe>'
              f"</div></div>")
    panels = (
        f'<section data-panel="text" hidden><h2>Plain-text part</h2>'
        f'<pre id="plain-text">{html.escape(text)}</pre></section>'
        f'<section data-panel="source" hidden><h2>HTML source</h2>'
        f'<pre id="source">{html.escape(source)}</pre></section>'
        f'<section data-panel="checks" hidden><h2>Accessibility</h2>'
        + _findings(problems, "No accessibility findings.")
        + "<h2>Email clients</h2>"
        + "<p>What will look different, and where. Accepted items were reviewed: the email "
          "still reads well there.</p>"
        + (f'<p class="note" id="client-checks-note">Not checked: {html.escape(machine_note)}.'
           " This is about this computer, not about the email.</p>" if machine_note else
           _findings(clients, "Nothing will look different in the clients checked."))
        + "</section>")
    nav = "".join(f'<a href="#{m}" data-mode="{m}">{label}</a>' for m, label in MODES)
    sections = frames + panels
    count = (f'<span class="warn">{plural(len(problems), "accessibility finding")}</span>'
             if problems else "no accessibility findings")
    who = ("every community" if record.communities is None
           else ", ".join(record.communities))
    live = preview.live
    if live is not None and period == live.plan.period.label:
        is_draft = live.draft
    else:
        manifest = preview.manifest(period)
        is_draft = manifest is not None and manifest.draft
    draft = ('<p class="draft" role="note" id="draft"><strong>Draft.</strong> This period has '
             "not ended: what you see may still change, and it cannot be sent.</p>"
             if is_draft else "")
    body = (
        f'<h2>{html.escape(period)}: edition {html.escape(key)}</h2>{draft}'
        f'<dl class="facts"><dt>For readers of</dt><dd>{html.escape(who)}</dd>'
        f'<dt>Subject</dt><dd id="subject">{html.escape(record.subject)}</dd>'
        f'<dt>Preheader</dt><dd id="preheader">{html.escape(record.preheader)}</dd>'
        f'<dt>Size</dt><dd id="size">{size_note(edition.html_bytes)}</dd>'
        f'<dt>Goes to</dt><dd id="recipients">{_recipients(who_gets, key)}</dd>'
        f'<dt>Sent</dt><dd id="sent">{html.escape(who_gets.sent) if who_gets else "unknown"}'
        f'</dd>'
        f'<dt>Checks</dt><dd id="checks-summary">{count}; '
        f'{_client_count(clients, machine_note)} (<a href="#checks">see them</a>)</dd></dl>'
        f'<nav class="modes" aria-label="View">{nav}</nav>{sections}'
        + _MODE_SCRIPT)
    return _page(f"{period} {key}: {record.subject}", body, preview, version)


def _audience_or_none(preview: Preview, period: str) -> Audience | None:
    """The audience, or None while recipients.csv cannot be read (the build says why)."""
    try:
        return preview.audience(period)
    except DigestError:
        return None


def _recipients(who_gets: Audience | None, key: str) -> str:
    if who_gets is None:
        return "unknown: recipients.csv cannot be read"
    addresses = who_gets.by_edition.get(key, [])
    source = "the send ledger" if who_gets.frozen else "recipients.csv"
    if not addresses:
        return f"nobody in {source}"
    items = "".join(f"<li>{html.escape(a)}</li>" for a in addresses)
    return (f"<details><summary>{plural(len(addresses), 'reader')} (from {source}): show "
            f"them</summary><ul>{items}</ul></details>")


def _client_count(found: list[checks.Finding], machine_note: str | None = None) -> str:
    if machine_note:
        return "client checks not run on this machine"
    open_ = [f for f in found if not f.accepted]
    if open_:
        return (f'<span class="warn">{plural(len(open_), "client problem")} outside the '
                'baseline</span>')
    return (f"{plural(len(found), 'unsupported client feature')}, all accepted in the reviewed "
            "baseline")


def _findings(found: list[checks.Finding], empty: str) -> str:
    if not found:
        return f"<p>{empty}</p>"
    return ('<ul class="findings">' + "".join(f"<li>{html.escape(f.message)}</li>" for f in found)
            + "</ul>")


# The mode lives in the URL fragment, so a reload after a rebuild keeps what was on screen.
_MODE_SCRIPT = """
<script>
function showMode() {
  const mode = (location.hash || '#both').slice(1);
  const known = [...document.querySelectorAll('[data-mode]')].map(a => a.dataset.mode);
  const current = known.includes(mode) ? mode : 'both';
  document.querySelectorAll('[data-panel]').forEach(
    p => p.hidden = !p.dataset.panel.split(' ').includes(current));
  document.querySelectorAll('[data-mode]').forEach(a => {
    if (a.dataset.mode === current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}
window.addEventListener('hashchange', showMode);
showMode();
</script>
"""
