"""COLLECT: fetch every feed and calendar of the configured communities.

`collect` stores what it finds; `check` does the same work and stores
nothing. Both return a `CollectReport` with one row per feed, so one bad feed
never stops the others and every failure is said plainly.

Fetching is asynchronous (httpcore, bounded per host); parsing is CPU-bound, so
when there is enough of it, it runs in a process pool beside the fetching.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import itertools
import multiprocessing
import os
from collections import Counter
from collections.abc import Coroutine, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from ..config import CollectSettings, Config
from ..models import Entry, Kind
from ..store import Store
from ..text import plural
from .fetch_process import (
    FetchProcess,
    count_by_host,
    hosts_for_process,
    start_parser_worker,
    worth_a_process,
)
from .parsed import FeedError, ParseResult
from .state import (
    FAILED_STATUSES,
    FLAG_AFTER,
    FeedState,
    failed_communities,
    load_states,
    save_states,
)

if TYPE_CHECKING:  # imported where used: `digest.collect.state` alone stays light (the
    # report and compose read feed states without loading httpcore, feedparser and lxml)
    from .fetch import Fetcher, FetchResult, Validators

T = TypeVar("T")

__all__ = ["CollectReport", "FeedReport", "auto_concurrency", "check", "collect"]

POOL_MIN_FEEDS = 6  # below this, starting worker processes costs more than it saves
# The most feeds at once when [collect] concurrency is left out: each holds a socket, and a
# body waiting for its parser (a first collect), so sockets and memory stay bounded.
AUTO_CONCURRENCY_CEILING = 256
OPEN_FILES_WANTED = 4096  # the soft limit a run raises itself to, where the hard one lets it
OPEN_FILES_KEPT = 64  # files the run keeps for itself: the state, its journal, workers' pipes


def open_files_allowed() -> int:
    """How many files (sockets included) this process may hold open, raising its soft
    limit towards OPEN_FILES_WANTED where the hard limit allows, as Go's runtime does:
    the usual soft limit (1,024; 256 on macOS) was set for programs that do not hold a
    socket a feed."""
    try:
        import resource
    except ImportError:  # Windows: no such limit on sockets
        return OPEN_FILES_WANTED
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = OPEN_FILES_WANTED if hard == resource.RLIM_INFINITY else min(hard,
                                                                          OPEN_FILES_WANTED)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return OPEN_FILES_WANTED if soft == resource.RLIM_INFINITY else soft


def sockets_allowed(open_files: int) -> int:
    """Sockets that fit in `open_files` beside the run's own files."""
    return max(2, open_files - OPEN_FILES_KEPT)


def auto_concurrency(locations: Iterable[str], per_host: int,
                     ceiling: int = AUTO_CONCURRENCY_CEILING) -> int:
    """Feeds fetched at once when `[collect] concurrency` is left out: as many as the
    per-host limits let run together (each host gives min(its feeds, per_host)), at most
    `ceiling`.

    A fixed global limit below that makes an unchanged collect, all 304s, take one
    round trip per limit's worth of feeds; sized from the work it takes as many round trips
    as the busiest host needs. Local files and notes folders count as one host (the disk).
    """
    hosts = Counter(host_of(location) for location in set(locations))
    return max(1, min(ceiling, sum(min(n, per_host) for n in hosts.values())))


_DEFAULT_PORTS = {"http": 80, "https": 443}


@functools.lru_cache(maxsize=8192)  # asked for each feed by the sizing, the order and limits
def host_of(location: str) -> str:
    """The host a location is fetched from, as "host:port" whatever the spelling (capitals,
    the default port written out or not, user information); "" for local files and notes
    folders (the disk). The per-host limit counts by it."""
    if not location.startswith(("http://", "https://")):
        return ""
    parts = urlsplit(location)
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:  # a port past 65535: refused when fetched
        return parts.netloc.lower()
    host = parts.hostname or ""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def by_host_in_turn(sources: list[_Source]) -> list[_Source]:
    """`sources` reordered to take one host's feed after another's, round after round.

    Feeds start in this order as the run's slots free up. Listed by community, a host's
    feeds come together: with more hosts than the slots can hold at once, each host
    would open `per_host` connections (a TLS handshake each) for a burst and leave them
    idle after. In turn, each host has a feed or two in flight at a time over one or two
    kept-alive connections, for the same number of round trips; and no host gets the
    whole run's slots at once.
    """
    hosts: dict[str, list[_Source]] = {}
    for source in sources:
        hosts.setdefault(host_of(source.state.moved_to or source.url), []).append(source)
    rounds = itertools.zip_longest(*hosts.values())
    return [source for round_ in rounds for source in round_ if source is not None]


@dataclass
class FeedReport:
    """How one feed fared in this run, with its history."""

    url: str
    community: str
    role: str
    status: str  # ok | unchanged | error | gone | deferred
    new_items: int = 0
    updated_items: int = 0
    last_success: datetime | None = None
    consecutive_failures: int = 0
    error_kind: str | None = None  # with status ok: a warning (encoding, duplicate-id...)
    error_message: str | None = None
    retry_after: datetime | None = None
    moved_to: str | None = None
    flagged: bool = False  # failing FLAG_AFTER runs in a row
    problems: list[str] = field(default_factory=list)  # a notes folder's unreadable files,
    # or a calendar's unreadable lines

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


@dataclass
class CollectReport:
    feeds: list[FeedReport] = field(default_factory=list)
    new_items: int = 0
    updated_items: int = 0
    failed_communities: list[str] = field(default_factory=list)
    stored: bool = True  # False for `check`

    @property
    def healthy(self) -> bool:
        return all(not f.failed for f in self.feeds)

    @property
    def moved(self) -> list[FeedReport]:
        return [f for f in self.feeds if f.moved_to]


def collect(config: Config, store: Store, *, now: datetime | None = None,
            progress: bool = False) -> CollectReport:
    """Fetch, parse and store every source of `config.communities`."""
    return _Run(config, store, now=now, dry=False, progress=progress).execute()


def check(config: Config, store: Store | None = None, *, progress: bool = False
          ) -> CollectReport:
    """Fetch and parse every source afresh and store nothing; the store only lends history."""
    return _Run(config, store, now=None, dry=True, progress=progress).execute()


@dataclass
class _Source:
    community: str
    role: str
    url: str
    state: FeedState


class _Run:
    def __init__(self, config: Config, store: Store | None, *, now: datetime | None, dry: bool,
                 progress: bool) -> None:
        self.config = config
        self.settings: CollectSettings = config.collect
        self.store = store
        self.now = (now or datetime.now(UTC)).astimezone(UTC)
        self.dry = dry
        self.progress = progress
        self._pool: Executor | None = None
        self._broken_pools: list[Executor] = []
        self._fetch_process: FetchProcess | None = None  # see fetch_process
        self._hosts_fetched_there: set[str] = set()

    def execute(self) -> CollectReport:
        states = load_states(self.store) if self.store is not None else {}
        sources = []
        for c in self.config.communities:
            for role, url in c.sources():
                state = states.get(url)
                # A feed listed twice (two communities) gets its own copy of the history.
                state = FeedState(**vars(state)) if state else FeedState(url, c.id, role)
                state.community, state.role = c.id, role
                sources.append(_Source(c.id, role, url, state))
        parsed = [s for s in sources if s.role in ("posts", "meetings")]
        if parsed and (self.dry or any(s.state.body_hash is None for s in parsed)):
            # A feed never read before will be parsed, and `check` parses every one: load
            # the parser once, here, for the workers forked next to share. An unchanged
            # collect never loads it, and a daily one with a few changes lets each worker
            # load it as the network waits.
            from . import parse  # noqa: F401
        hosts_there = self._hosts_for_a_fetch_process(sources)
        self._size_for(sources, processes=2 if hosts_there else 1)
        if hosts_there:
            # forked first: the parser pool starts a thread, and a fork must come before any
            self._fetch_process = FetchProcess.start(self.settings, self.config.web_url,
                                                     self.max_idle)
            if self._fetch_process is not None:
                self._hosts_fetched_there = hosts_there
            else:
                self._size_for(sources, processes=1)
        self._pool = self._start_pool(sum(1 for s in sources if s.role != "calendar"))
        try:
            return _run_coroutine(self._run(sources))
        finally:
            for pool in [self._pool, *self._broken_pools]:
                if pool is not None:
                    pool.shutdown(wait=True, cancel_futures=True)
            if self._fetch_process is not None:  # after the pool: its workers hold our end
                self._fetch_process.join()

    def _size_for(self, sources: list[_Source], processes: int) -> None:
        """How many feeds at once, and how many connections kept idle, for a run fetching
        in `processes` processes.

        Every feed in flight holds a socket, and so does every connection kept idle for its
        host's next feed: at most half a process's sockets for the feeds, the rest for
        idle ones. The ceiling is per fetching process (each has its own loop and its own
        limit of open files).
        """
        sockets = sockets_allowed(open_files_allowed())
        self.concurrency = self.settings.concurrency or auto_concurrency(
            (s.state.moved_to or s.url for s in sources), self.settings.per_host,
            min(AUTO_CONCURRENCY_CEILING * processes, sockets // 2))
        self.max_idle = max(0, sockets - self.concurrency)

    def _hosts_for_a_fetch_process(self, sources: list[_Source]) -> set[str]:
        """The hosts a second fetching process takes, when the list is long enough for a
        second core to pay (see `fetch_process`); none with `workers = 1` or one core.

        Only for a run where most feeds were read before (a daily collect, mostly
        unchanged): a first collect, or `check`, spends its CPU parsing, and the other
        cores are its parsers'.
        """
        web = [s for s in sources if s.role != "notes"]
        read_before = sum(1 for s in web if s.state.body_hash is not None)
        if self.dry or read_before * 2 < len(web):
            return set()
        counts = count_by_host({s.state.moved_to or s.url for s in web})
        cores = self.settings.workers or os.cpu_count() or 1
        return hosts_for_process(counts) if worth_a_process(sum(counts.values()), cores) \
            else set()

    async def _run(self, sources: list[_Source]) -> CollectReport:
        self._slots = asyncio.Semaphore(max(1, self.concurrency))
        self._turns: dict[str, asyncio.Semaphore] = {}
        self._fetches: dict[str, asyncio.Future[FetchResult]] = {}
        from .fetch import Fetcher, make_client

        listed = Counter(s.state.moved_to or s.url for s in sources)
        self._shared = {location for location, n in listed.items() if n > 1}
        report = CollectReport(stored=not self.dry)
        bar = _progress_bar(len(sources)) if self.progress else None
        try:
            async with make_client(self.settings, self.config.web_url,
                                   max_idle=self.max_idle) as client:
                fetcher = Fetcher(client, self.settings)
                if self._fetch_process is not None:
                    await self._fetch_process.open(fetcher)
                try:
                    tasks = [asyncio.create_task(self._one(fetcher, s))
                             for s in by_host_in_turn(sources)]
                    rows: list[FeedReport] = []
                    if bar is not None:
                        bar.start()
                        task_id = bar.add_task("Collecting feeds", total=len(tasks))
                    for done in asyncio.as_completed(tasks):
                        rows.append(await done)
                        if bar is not None:
                            bar.advance(task_id)
                finally:
                    if self._fetch_process is not None:
                        await self._fetch_process.aclose()
        finally:
            if bar is not None:
                bar.stop()
        order = {id(s): i for i, s in enumerate(sources)}
        by_url = {(s.url, s.community, s.role): order[id(s)] for s in sources}
        rows.sort(key=lambda r: by_url.get((r.url, r.community, r.role), 0))
        report.feeds = rows
        report.new_items = sum(r.new_items for r in rows)
        report.updated_items = sum(r.updated_items for r in rows)
        report.failed_communities = failed_communities(
            self.config.communities, {r.url for r in rows if r.failed})
        if self.store is not None and not self.dry:
            save_states(self.store, [s.state for s in sources])
        return report

    async def _one(self, fetcher: Fetcher, src: _Source) -> FeedReport:
        # A feed holds its slot from fetch to stored: bodies waiting to be parsed
        # count too, so memory stays under concurrency x max_bytes. A web feed waits for
        # its host's turn first: a slot taken first would wait, held, behind the host's
        # other feeds while other hosts had room (20 hosts of 100 feeds ran at two thirds
        # of their limits).
        async with self._turn_of(src) as turn, self._slots:
            return await self._one_held(fetcher, src, turn)

    def _turn_of(self, src: _Source) -> _HostTurn:
        host = host_of(src.state.moved_to or src.url)
        if src.role == "notes" or not host:
            return _HostTurn(None)  # the disk: no host to wait for
        turns = self._turns.get(host)
        if turns is None:
            turns = self._turns[host] = asyncio.Semaphore(max(1, self.settings.per_host))
        return _HostTurn(turns)

    async def _one_held(self, fetcher: Fetcher, src: _Source, turn: _HostTurn
                        ) -> FeedReport:
        from .fetch import Validators

        st = src.state
        if not self.dry and st.retry_after is not None and self.now < st.retry_after:
            # The server asked us to come back later: we do not ask again before then.
            return self._fail(src, "deferred", st.error_kind or "deferred",
                              f"not fetched: the server asked us to retry after "
                              f"{st.retry_after:%Y-%m-%d %H:%M} UTC",
                              retry_after=st.retry_after)
        if not self.dry and st.status == "gone" and not self._config_changed_since(st.error_at):
            # 410 means the feed was removed for good: asking again is noise for its owner.
            return self._fail(src, "gone", "gone",
                              f"not fetched: it answered 410 Gone; remove it from "
                              f"{self.config.feeds_path.name} (a change there tries it again)")
        if src.role == "notes":
            return await self._notes(src)
        location = st.moved_to or src.url
        validators = None if self.dry else Validators(st.etag, st.last_modified)
        try:
            result = await self._fetch_once(fetcher, location, validators)
        except Exception as exc:  # a bug must not stop the other feeds
            return self._fail(src, "error", "internal", f"{type(exc).__name__}: {exc}")
        finally:
            turn.end()  # the host's next feed goes while this one is parsed and stored
        if result.moved_to and result.moved_to != src.url:
            st.moved_to = result.moved_to
        if result.outcome != "ok" and result.outcome != "unchanged":
            return self._fail(src, result.outcome, result.error_kind or "error",
                              result.error_message or "failed", retry_after=result.retry_after)
        if result.outcome == "unchanged":
            return self._succeed(src, result, "unchanged")
        digest = hashlib.sha256(result.body).hexdigest()
        if not self.dry and digest == st.body_hash:
            return self._succeed(src, result, "unchanged")
        if src.role == "calendar":
            if not result.body.strip():
                return self._fail(src, "error", "empty", "the calendar is empty")
            problem, lines = await asyncio.to_thread(_read_calendar, result.body)
            if problem is not None:
                return self._fail(src, "error", "calendar", problem)
            if self.store is not None and not self.dry:
                self.store.save_calendar(src.url, src.community, result.body, self.now)
            row = self._succeed(src, result, "ok", body_hash=digest)
            row.problems = lines
            if row.problems:  # usable, but some events are left out or lines ignored
                row.error_kind = "calendar"
                row.error_message = "; ".join(row.problems[:3]) + (
                    "; ..." if len(row.problems) > 3 else "")
                st.error_kind, st.error_message = row.error_kind, row.error_message
            return row
        kind: Kind = "meeting" if src.role == "meetings" else "post"
        try:
            parsed = await self._parse(result, src.community, kind)
        except FeedError as exc:
            return self._fail(src, "error", exc.kind, exc.message)
        except BrokenProcessPool:
            return self._fail(src, "error", "parse", "the parser process died on this feed")
        except Exception as exc:
            return self._fail(src, "error", "parse", f"{type(exc).__name__}: {exc}")
        row = self._succeed(src, result, "ok", body_hash=digest)
        if parsed.warnings:
            row.error_kind, row.error_message = parsed.warnings[0]
            st.error_kind, st.error_message = parsed.warnings[0]
        return self._store(row, st, parsed.entries)

    def _store(self, row: FeedReport, st: FeedState, entries: list[Entry]) -> FeedReport:
        """Store a source's entries (a check or dry run only counts them) and say how many
        were new on its health row and in its state."""
        if self.store is not None and not self.dry:
            up = self.store.upsert_entries(entries, seen_at=self.now)
            row.new_items, row.updated_items = up.new, up.updated
        else:
            row.new_items = len(entries)
        st.new_items = row.new_items
        return row

    def _config_changed_since(self, moment: datetime | None) -> bool:
        """Whether the configuration or the community list was edited after `moment`."""
        if moment is None:
            return True
        try:
            edited = max(p.stat().st_mtime for p in (self.config.path, self.config.feeds_path))
        except OSError:
            return True
        return datetime.fromtimestamp(edited, UTC) > moment

    async def _fetch_once(self, fetcher: Fetcher, location: str,
                          validators: Validators | None) -> FetchResult:
        """Fetch `location` once per run, however many communities list it, in the
        fetch process when its host was given to it."""
        there = self._fetch_process
        fetch = (there.fetch if there is not None and host_of(location)
                 in self._hosts_fetched_there else fetcher.fetch)
        if location not in self._shared:  # listed once: no task of its own to share
            return await fetch(location, validators, self.now)
        task = self._fetches.get(location)
        if task is None:
            task = asyncio.ensure_future(fetch(location, validators, self.now))
            self._fetches[location] = task
        return await asyncio.shield(task)

    async def _notes(self, src: _Source) -> FeedReport:
        """A folder of Markdown files, read in a thread and stored here, on the loop's thread."""
        from .fetch import FetchResult
        from .notes import NotesFolderError, folder_hash, read_notes_folder

        st, folder = src.state, Path(src.url)
        max_bytes = self.settings.max_bytes
        try:
            digest = await asyncio.to_thread(folder_hash, folder, max_bytes)
            if not self.dry and digest == st.body_hash:
                return self._succeed(src, FetchResult("unchanged", src.url), "unchanged")
            read = await asyncio.to_thread(
                read_notes_folder, folder, community=src.community,
                timezone=self.config.timezone, now=self.now, max_bytes=max_bytes)
        except NotesFolderError as exc:
            return self._fail(src, "error", exc.kind, exc.message)
        except Exception as exc:  # a bug must not stop the other feeds
            return self._fail(src, "error", "internal", f"{type(exc).__name__}: {exc}")
        row = self._succeed(src, FetchResult("ok", src.url), "ok", body_hash=read.content_hash)
        row.problems = read.problems
        if read.problems:
            row.error_kind = "notes"
            row.error_message = (f"{plural(len(read.problems), 'file')} skipped: "
                                 + "; ".join(read.problems[:3])
                                 + ("; ..." if len(read.problems) > 3 else ""))
            st.error_kind, st.error_message = row.error_kind, row.error_message
        return self._store(row, st, read.entries)

    async def _parse(self, result: FetchResult, community: str, kind: Kind) -> ParseResult:
        # a partial of a module-level function pickles: one typed call for a thread or a process
        call = functools.partial(_parse_call, result.body, result.headers,
                                 result.final_url or result.url, community, kind, self.now,
                                 self.config.timezone)
        if self._pool is None:
            return await asyncio.to_thread(call)
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, call)
        except BrokenProcessPool:
            # A parser process died, on this feed or on one queued beside it; every
            # queued feed hears of it. Later feeds get a fresh pool, and this one
            # is parsed again in a process of its own, so only the culprit fails.
            if self._pool is pool:
                self._broken_pools.append(pool)
                self._pool = self._start_pool(POOL_MIN_FEEDS)
            solo = ProcessPoolExecutor(max_workers=1, mp_context=_fork_context(),
                                       initializer=start_parser_worker,
                                       initargs=(os.getpid(), self._inherited()))
            try:
                return await loop.run_in_executor(solo, call)
            finally:
                solo.shutdown(wait=False)

    def _start_pool(self, feeds: int) -> Executor | None:
        """Parser processes, when there are cores and feeds enough to pay for them.

        They are forked here, before the event loop and its resolver threads
        exist: a fork costs milliseconds. Each worker imports feedparser on its
        first feed, while the fetches are still waiting on the network, and a run
        where every feed is unchanged never imports it at all.
        """
        workers = self.settings.workers or os.cpu_count() or 1
        if workers < 2 or feeds < POOL_MIN_FEEDS:
            return None
        try:
            pool = ProcessPoolExecutor(max_workers=min(workers, feeds),
                                       mp_context=_fork_context(),
                                       initializer=start_parser_worker,
                                       initargs=(os.getpid(), self._inherited()))
            # Forks every worker now (before the manager thread starts); waiting for the
            # answer would only wait for a worker to be scheduled.
            pool.submit(int)
        except (OSError, ValueError):
            return None
        return pool

    def _inherited(self) -> tuple[int, ...]:
        """Descriptors a process forked now inherits and must close (see fetch_process)."""
        there = self._fetch_process
        return () if there is None else (there.fileno(),)

    def _succeed(self, src: _Source, result: FetchResult, status: str,
                 body_hash: str | None = None) -> FeedReport:
        st = src.state
        if not self.dry:
            st.status = status
            st.last_attempt = st.last_success = self.now
            st.consecutive_failures = 0
            st.error_kind = st.error_message = None
            st.retry_after = None
            st.new_items = 0
            if result.etag is not None or result.last_modified is not None or status == "ok":
                st.etag, st.last_modified = result.etag, result.last_modified
            if body_hash is not None:
                st.body_hash = body_hash
        # This run succeeded, stored or not (`check` reports the run, not the history).
        return FeedReport(url=src.url, community=src.community, role=src.role, status=status,
                          last_success=self.now, consecutive_failures=0, moved_to=st.moved_to)

    def _fail(self, src: _Source, status: str, kind: str, message: str,
              retry_after: datetime | None = None) -> FeedReport:
        st = src.state
        failures = st.consecutive_failures + 1
        if not self.dry:
            st.status = status
            st.last_attempt = st.error_at = self.now
            st.error_kind, st.error_message = kind, message
            st.consecutive_failures = failures
            st.retry_after = retry_after
            st.new_items = 0
        return FeedReport(url=src.url, community=src.community, role=src.role, status=status,
                          last_success=st.last_success, consecutive_failures=failures,
                          error_kind=kind, error_message=message, retry_after=retry_after,
                          moved_to=st.moved_to, flagged=failures >= FLAG_AFTER)


class _HostTurn:
    """One of a host's `per_host` turns, held from before a feed's slot to the end of its
    fetch (`end`), not through its parse; None for a source on the disk."""

    def __init__(self, turns: asyncio.Semaphore | None) -> None:
        self._turns = turns
        self._held = False

    async def __aenter__(self) -> _HostTurn:
        if self._turns is not None:
            await self._turns.acquire()
            self._held = True
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.end()

    def end(self) -> None:
        if self._held and self._turns is not None:
            self._held = False
            self._turns.release()


def _read_calendar(ics: bytes) -> tuple[str | None, list[str]]:
    """Why the build could not read this calendar (None: usable), and the lines of a
    usable one it cannot read, each with its line number; the calendar parsed once."""
    # Imported here: icalendar costs half a second, paid only when a calendar changed.
    from ..calendar import CalendarError, validate

    try:
        return None, validate(ics)
    except CalendarError as exc:
        return str(exc), []


def _fork_context() -> multiprocessing.context.BaseContext:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return multiprocessing.get_context(method)


def _parse_call(body: bytes, headers: dict[str, str], url: str, community: str, kind: Kind,
                now: datetime, timezone: tzinfo) -> ParseResult:
    """`parse_feed`, looked up when the call runs (in the worker, after a fork)."""
    from .parse import parse_feed

    return parse_feed(body, headers, url=url, community=community, kind=kind, now=now,
                      timezone=timezone)


def _progress_bar(total: int):  # -> rich.progress.Progress | None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        return None
    return Progress("[progress.description]{task.description}", BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True)


def _run_coroutine(coroutine: Coroutine[object, object, T]) -> T:
    """asyncio.run, also from a thread whose event loop is already running.

    Callers such as a notebook or a test driving a browser hold a running loop;
    the fetch then gets a loop of its own on a worker thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(asyncio.run, coroutine).result()
