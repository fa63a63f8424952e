"""A second process that fetches some hosts' feeds, so a long list uses two cores.

An unchanged collect is one small request and one empty answer per feed: at thousands of
feeds the work is the HTTP client's (building requests, reading answers, the event loop),
about a third of a millisecond of CPU a feed, all on one core while the other waits. A
`FetchProcess` is forked before the run's event loop starts and runs a `Fetcher` of its
own on its own loop; the run hands it the feeds of the hosts given to it, one request at a
time, and gets each `FetchResult` back. A host's feeds all go to one process, so the
per-host limit and the once-a-run name lookup hold as before; parsing and storing stay in
the run's own process.

If the process dies, the feeds it had in hand and every later one are fetched in the run's
own process: a fetch asks only, so asking again loses and doubles nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import pickle
import signal
import socket
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from ..config import CollectSettings

if TYPE_CHECKING:  # httpcore is loaded by the fetch itself, not by importing this
    from .fetch import Fetcher, FetchResult, Validators

# Below this many web feeds a run fetches in its own process: forking and handing over
# cost more than a second core saves.
MIN_FEEDS = 400
# The share of the feeds given to the fetch process: the run's own process also reads
# every answer, keeps each feed's state and stores, so it fetches fewer itself.
SHARE = 0.6
SLACK = 5.0  # seconds of silence past a feed's budget before the process counts as stuck
_LENGTH = 8  # bytes of a message's length prefix
_GOODBYE = b""  # an empty message: no more feeds, finish and exit


class FetchProcess:
    """The run's end of a fetch process: `fetch` as `Fetcher.fetch` has it."""

    def __init__(self, process: multiprocessing.process.BaseProcess, sock: socket.socket
                 ) -> None:
        self._process = process
        self._sock = sock
        self._writer: asyncio.StreamWriter | None = None
        self._answers: asyncio.Task[None] | None = None
        self._waiting: dict[int, asyncio.Future[FetchResult]] = {}
        self._ids = itertools.count()
        self._local: Fetcher | None = None
        self._watch: asyncio.Task[None] | None = None
        self._heard_at = 0.0  # the loop's time of the last answer
        self.answered = 0  # feeds the process fetched (the tests check the share it took)

    @classmethod
    def start(cls, settings: CollectSettings, contact: str | None, max_idle: int
              ) -> FetchProcess | None:
        """Fork the process; None where this system cannot fork. Called before the event
        loop, its resolver threads and the parser pool exist: a forked copy of a process
        with threads can inherit a lock held by a thread it does not have."""
        if "fork" not in multiprocessing.get_all_start_methods():
            return None
        try:
            asyncio.get_running_loop()
            return None  # called from a running loop (a notebook): its copy would hold it
        except RuntimeError:
            pass
        from . import fetch  # noqa: F401  loaded once, here, not by the copy after the fork
        ours, theirs = socket.socketpair()
        context = multiprocessing.get_context("fork")
        process = context.Process(target=_serve, name="digest-fetch", daemon=True,
                                  args=(theirs, ours, settings, contact, max_idle,
                                        os.getpid()))
        try:
            process.start()
        except OSError:
            ours.close()
            theirs.close()
            return None
        theirs.close()
        return cls(process, ours)

    async def open(self, local: Fetcher) -> None:
        """Start reading answers, on the run's loop; `local` fetches if the process dies,
        or says nothing for longer than a feed's time budget (and SLACK) while feeds wait
        on it: each fetch there ends within its budget, so it is stuck, and is ended."""
        self._local = local
        reader, self._writer = await asyncio.open_connection(sock=self._sock)
        self._answers = asyncio.create_task(self._read_answers(reader))
        silence = local.settings.timeout + local.settings.connect_timeout + SLACK
        self._watch = asyncio.create_task(self._watch_for_silence(silence))

    async def fetch(self, url: str, validators: Validators | None, now: datetime
                    ) -> FetchResult:
        """`url` fetched in the process; here when the process is gone, since a fetch only
        asks and asking twice changes nothing. What the fetch raises there is raised here,
        so the run reports it as it would have fetching itself."""
        assert self._local is not None, "open() first"
        if self._writer is None or self._answers is None or self._answers.done():
            return await self._local.fetch(url, validators, now)
        ask = next(self._ids)
        loop = asyncio.get_running_loop()
        if not self._waiting:  # silence is counted from the first feed that waits
            self._heard_at = loop.time()
        answer = self._waiting[ask] = loop.create_future()
        try:
            self._writer.write(_frame(pickle.dumps((ask, url, validators, now),
                                                   pickle.HIGHEST_PROTOCOL)))
            await self._writer.drain()
        except (OSError, RuntimeError):  # the process is gone: the reader falls back
            pass
        try:
            return await asyncio.shield(answer)
        except _ProcessGone:
            return await self._local.fetch(url, validators, now)
        finally:
            self._waiting.pop(ask, None)

    async def _read_answers(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                message = await _read_frame(reader)
                if message is None:
                    break
                ask, result = pickle.loads(message)
                self._heard_at = asyncio.get_running_loop().time()
                answer = self._waiting.get(ask)
                if answer is not None and not answer.done():
                    if isinstance(result, Exception):  # raised there: raised here
                        answer.set_exception(result)
                    else:
                        answer.set_result(result)
                    self.answered += 1
        except (OSError, asyncio.IncompleteReadError, pickle.UnpicklingError, EOFError,
                ValueError):
            pass
        finally:
            # gone (died, killed, or closed): whoever still waits fetches here instead
            for answer in self._waiting.values():
                if not answer.done():
                    answer.set_exception(_ProcessGone())

    async def _watch_for_silence(self, silence: float) -> None:
        loop = asyncio.get_running_loop()
        while self._answers is not None and not self._answers.done():
            await asyncio.sleep(min(silence, 1.0))
            if self._waiting and loop.time() - self._heard_at > silence:
                self._process.kill()  # its end of the stream closes: the reader falls back
                return

    async def aclose(self) -> None:
        """Tell the process to finish, and wait for it (briefly: it has nothing left)."""
        if self._watch is not None:
            self._watch.cancel()
        if self._writer is not None:
            with contextlib.suppress(OSError, RuntimeError):
                self._writer.write(_frame(_GOODBYE))
                await self._writer.drain()
            self._writer.close()
        if self._answers is not None:
            self._answers.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._answers
        self._sock.close()

    def fileno(self) -> int:
        """The run's end of the stream, which every process forked after it inherits."""
        return self._sock.fileno()

    def join(self, timeout: float = 5.0) -> None:
        """Wait for the process to exit; end it if it does not."""
        self._sock.close()  # the end of its stream, if the run ended before goodbye
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(timeout)


class _ProcessGone(Exception):
    """The fetch process ended before answering."""


def hosts_for_process(feeds_by_host: dict[str, int], share: float = SHARE) -> set[str]:
    """The hosts whose feeds the fetch process takes: about `share` of the feeds, the
    busiest hosts dealt out first so neither side is left with one big host at the end."""
    total = sum(feeds_by_host.values())
    taken: set[str] = set()
    theirs = ours = 0.0
    for host, feeds in sorted(feeds_by_host.items(), key=lambda item: -item[1]):
        # give the host to whichever side is further below its share
        if theirs / share <= ours / (1 - share):
            taken.add(host)
            theirs += feeds
        else:
            ours += feeds
    return taken if 0 < theirs < total else set()


def worth_a_process(web_feeds: int, cores: int) -> bool:
    """Whether a run of `web_feeds` feeds on the web, with `cores` cores, forks one."""
    return cores >= 2 and web_feeds >= MIN_FEEDS


def _frame(message: bytes) -> bytes:
    return len(message).to_bytes(_LENGTH, "big") + message


async def _read_frame(reader: asyncio.StreamReader) -> bytes | None:
    """The next message; None at the end of the stream or on goodbye."""
    try:
        head = await reader.readexactly(_LENGTH)
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise
        return None
    size = int.from_bytes(head, "big")
    return await reader.readexactly(size) if size else None


def _serve(sock: socket.socket, runs_end: socket.socket, settings: CollectSettings,
           contact: str | None, max_idle: int, run_pid: int) -> None:
    """The fetch process: answer requests until goodbye, the end of the stream, or the
    end of the run's process."""
    # Ctrl-C reaches the whole process group: the run's process handles it and says goodbye
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    runs_end.close()  # a copy forked with us: held here, our stream would never end
    exit_when_orphaned(run_pid)
    asyncio.run(_answer_all(sock, settings, contact, max_idle))


def start_parser_worker(run_pid: int, inherited: tuple[int, ...]) -> None:
    """A parser worker's start: close the run's end of a fetch process's stream (`inherited`;
    forked, the worker holds a copy, and the fetch process would never see its stream end),
    and end once the run's process is gone.

    Ctrl-C reaches the whole process group: the run's process handles it and shuts the
    pool down; a worker interrupted in its queue's `get` would print a traceback each.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for fd in inherited:
        with contextlib.suppress(OSError):
            os.close(fd)
    exit_when_orphaned(run_pid)


def exit_when_orphaned(run_pid: int) -> None:
    """End this process (a fetch process, a parser worker) once the run's process is gone.

    Killed (cron's timeout, the OOM killer), the run never says goodbye, and its other
    children may still hold the end of a pipe this one waits on: it would wait forever.
    A thread looks every second whether the run is still its parent.
    """
    def watch() -> None:
        while os.getppid() == run_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="digest-run-watch", daemon=True).start()


async def _answer_all(sock: socket.socket, settings: CollectSettings, contact: str | None,
                      max_idle: int) -> None:
    from .fetch import Fetcher, make_client

    reader, writer = await asyncio.open_connection(sock=sock)
    pending: set[asyncio.Task[None]] = set()

    async def answer(fetcher: Fetcher, ask: int, url: str, validators: Validators | None,
                     now: datetime) -> None:
        result: FetchResult | Exception
        try:
            result = await fetcher.fetch(url, validators, now)
        except Exception as exc:  # a bug: the run reports it on the feed's row, as at home
            result = _travelling(exc)
        with contextlib.suppress(OSError):  # the run is gone: nobody to answer
            writer.write(_frame(pickle.dumps((ask, result), pickle.HIGHEST_PROTOCOL)))
            await writer.drain()

    async with make_client(settings, contact, max_idle=max_idle) as client:
        fetcher = Fetcher(client, settings)
        try:
            while (message := await _read_frame(reader)) is not None:
                task = asyncio.create_task(answer(fetcher, *pickle.loads(message)))
                pending.add(task)
                task.add_done_callback(pending.discard)
        except (OSError, asyncio.IncompleteReadError):
            pass  # the run's process is gone: nobody to answer
        finally:
            # Goodbye comes once the run waits for nothing (all its feeds are done, or it
            # was interrupted): feeds still in hand are not wanted.
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
    writer.close()


class FetchRaised(Exception):
    """An exception of a fetch in the fetch process that cannot be pickled as itself."""


def _travelling(exc: Exception) -> Exception:
    """`exc`, or its type and message where it would not survive the trip back (an
    exception whose `__init__` takes other arguments fails to unpickle)."""
    try:
        pickle.loads(pickle.dumps(exc, pickle.HIGHEST_PROTOCOL))
    except Exception:
        return FetchRaised(f"{type(exc).__name__}: {exc}")
    return exc


def count_by_host(locations: Iterable[str]) -> dict[str, int]:
    """Web locations per host (local files and folders are the run's): what
    `hosts_for_process` shares out."""
    from . import host_of

    counts: dict[str, int] = {}
    for location in locations:
        if host := host_of(location):  # "" for the disk
            counts[host] = counts.get(host, 0) + 1
    return counts
