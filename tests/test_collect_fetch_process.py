"""A long feed list is fetched in two processes: a host's feeds in one of them, nothing
lost when the second one dies, and the same result as fetching in one."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from collect_helpers import community, make_config
from feedserver import FeedServer, rss, send
from waiting import wait_until

from digest.collect import collect, fetch, fetch_process
from digest.collect.fetch_process import FetchProcess, hosts_for_process, worth_a_process
from digest.collect.state import load_states
from digest.config import Community
from digest.store import Store

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_hosts_are_shared_out_whole_by_their_feeds():
    counts = {"big:80": 50, "a:80": 10, "b:80": 10, "c:80": 10, "d:80": 10, "e:80": 10}
    there = hosts_for_process(counts, share=0.5)
    taken = sum(counts[h] for h in there)
    assert 40 <= taken <= 60  # about half the feeds, each host wholly on one side
    assert there and set(counts) - there


def test_one_host_is_not_split_and_a_short_list_stays_in_one_process():
    assert hosts_for_process({"only:443": 900}) == set()  # nothing to share out
    assert not worth_a_process(fetch_process.MIN_FEEDS - 1, cores=8)
    assert not worth_a_process(fetch_process.MIN_FEEDS, cores=1)
    assert worth_a_process(fetch_process.MIN_FEEDS, cores=2)


@pytest.fixture
def started(monkeypatch):
    """Every FetchProcess a run starts (real ones), with the lowest threshold."""
    monkeypatch.setattr(fetch_process, "MIN_FEEDS", 2)
    processes: list[FetchProcess] = []
    real_start = FetchProcess.start.__func__  # type: ignore[attr-defined]

    def start(cls, *args, **kwargs):
        process = real_start(cls, *args, **kwargs)
        if process is not None:
            processes.append(process)
        return process

    monkeypatch.setattr(FetchProcess, "start", classmethod(start))
    return processes


def _feed_route(hits: dict[str, int], lock: threading.Lock, versions: dict[str, int]):
    """A feed whose posts are its version's; a 304 to whoever has the version's ETag."""
    def route(h):
        with lock:
            hits[h.path] = hits.get(h.path, 0) + 1
        version = versions.get(h.path, 1)
        etag = f'"v{version}"'
        if h.headers.get("If-None-Match") == etag:
            send(h, 304, b"", headers={"ETag": etag})
        else:
            posts = [{"title": f"Post {n} of {h.path}", "guid": f"{h.path}#{n}"}
                     for n in range(1, version + 1)]
            send(h, 200, rss(h.path, posts), headers={"ETag": etag})
    return route


def _rows(report) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    return [(f.url, f.status, f.new_items) for f in report.feeds]


def test_a_daily_collect_in_two_processes_stores_what_one_process_would(tmp_path, started):
    hits: dict[str, int] = {}
    versions: dict[str, int] = {}
    lock = threading.Lock()
    with ExitStack() as stack:
        urls = []
        for h in range(6):
            server = stack.enter_context(FeedServer())
            for i in range(4):
                server.routes[f"/h{h}-{i}.xml"] = _feed_route(hits, lock, versions)
                urls.append(server.url(f"/h{h}-{i}.xml"))
        two = make_config(tmp_path, [community("c", urls)])
        one = make_config(tmp_path, [community("c", urls)], workers=1)
        for cfg, state in ((two, "two.db"), (one, "one.db")):
            collect(cfg, Store(tmp_path / state), now=NOW)
        assert started == []  # a first collect leaves the cores to its parsers
        for path in [u.split(":", 2)[2].split("/", 1)[1] for u in urls[::3]]:
            versions["/" + path] = 2  # a third of the feeds have a new post
        daily = collect(two, Store(tmp_path / "two.db"), now=NOW)
        alone = collect(one, Store(tmp_path / "one.db"), now=NOW)
    assert len(started) == 1  # `workers = 1` forks none
    assert 0 < started[0].answered < len(urls)  # a share of the feeds, not all
    assert _rows(daily) == _rows(alone)
    assert {status for _, status, _ in _rows(daily)} == {"ok", "unchanged"}
    assert daily.new_items == len(urls[::3])
    assert all(n == 4 for n in hits.values())  # each feed asked once a run, in either process
    states = load_states(Store(tmp_path / "two.db"))
    assert {states[u].etag for u in urls[::3]} == {'"v2"'}


def _held_feeds(stack: ExitStack, hosts: int, feeds: int, route) -> list[str]:  # type: ignore[no-untyped-def]
    urls = []
    for h in range(hosts):
        server = stack.enter_context(FeedServer())
        for i in range(feeds):
            server.routes[f"/h{h}-{i}.xml"] = route
            urls.append(server.url(f"/h{h}-{i}.xml"))
    return urls


class _Gate:
    """Feeds that answer at once while the gate is open and are held while it is shut; each
    answer names how many times its feed was asked for (so a second asking is news)."""

    def __init__(self) -> None:
        self.open = threading.Event()
        self.open.set()
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()

    def route(self, h) -> None:  # type: ignore[no-untyped-def]
        with self._lock:
            self.hits[h.path] = self.hits.get(h.path, 0) + 1
            asked = self.hits[h.path]
        self.open.wait(timeout=60)
        send(h, 200, rss("S", [{"title": f"{h.path} {asked}", "guid": h.path}]))

    def shut(self) -> None:
        self.open.clear()
        self.hits.clear()

    @property
    def asked(self) -> int:
        return sum(self.hits.values())


def test_a_host_keeps_its_limit_when_its_feeds_go_to_the_other_process(tmp_path, started):
    feeds, per_host = 5, 2
    in_flight: dict[int, int] = {}
    left: dict[int, int] = {}
    most: dict[int, int] = {}
    lock = threading.Condition()

    def held(h):
        port = h.server.server_address[1]
        with lock:
            in_flight[port] = in_flight.get(port, 0) + 1
            most[port] = max(most.get(port, 0), in_flight[port])
            lock.notify_all()
            # answered once the host is at its limit (or has no more feeds to send) ...
            assert lock.wait_for(lambda: in_flight[port] >= min(per_host, left[port]),
                                 timeout=30)
            # ... and after a moment in which a request past the limit would be counted
            lock.wait_for(lambda: in_flight[port] > per_host, timeout=0.2)
            in_flight[port] -= 1
            left[port] -= 1
            lock.notify_all()
        send(h, 200, rss("S", [{"title": h.path, "guid": h.path}]))

    with ExitStack() as stack:
        urls = _held_feeds(stack, hosts=4, feeds=feeds, route=held)
        ports = {int(u.split(":")[2].split("/")[0]) for u in urls}
        cfg = make_config(tmp_path, [community("c", urls)], per_host=per_host, timeout=60.0)
        for _ in ("first collect", "daily collect"):
            left.update(dict.fromkeys(ports, feeds))
            most.clear()
            report = collect(cfg, Store(tmp_path / "d.db"), now=NOW)
    assert report.healthy
    assert started and 0 < started[0].answered < len(urls)
    assert set(most.values()) == {per_host}  # each host at its limit, in whichever process


@pytest.mark.parametrize("fate", ["killed", "stopped"])
def test_feeds_in_hand_when_the_fetch_process_dies_or_hangs_are_fetched_by_the_run(
        tmp_path, started, monkeypatch, fate):
    # every host holds its answers until the second process is killed, or stopped (as a
    # deadlock would leave it: silent past a feed's budget with feeds in hand, it is then
    # ended): whatever it had asked for is asked again by the run's process, nothing fails
    monkeypatch.setattr(fetch_process, "SLACK", 0.5)
    gate = _Gate()
    with ExitStack() as stack:
        urls = _held_feeds(stack, hosts=4, feeds=3, route=gate.route)
        # killed: any budget will do; stopped: the process is ended once silent past a feed's
        # budget, which must still outlast a busy machine's gap between asking and answering
        budget = 30.0 if fate == "killed" else 5.0
        cfg = make_config(tmp_path, [community("c", urls)], timeout=budget, connect_timeout=2.0)
        collect(cfg, Store(tmp_path / "d.db"), now=NOW)
        gate.shut()
        result: dict[str, object] = {}
        runner = threading.Thread(target=lambda: result.update(
            report=collect(cfg, Store(tmp_path / "d.db"), now=NOW)))
        runner.start()
        wait_until(lambda: started and gate.asked == len(urls), timeout=30,
                   message=lambda: f"requests seen: {gate.hits}")
        process = started[0]._process
        if fate == "killed":
            process.kill()
            wait_until(lambda: not process.is_alive(), timeout=30)
        else:
            os.kill(process.pid, signal.SIGSTOP)
        gate.open.set()
        wait_until(lambda: not process.is_alive(), timeout=30,
                   message="the stopped fetch process was never ended")
        runner.join(timeout=60)
    report = result["report"]
    assert report.healthy  # type: ignore[attr-defined]
    assert 2 in gate.hits.values()  # the lost process's feeds, asked again


_DRIVER = """
import sys
from digest.collect import fetch_process
from digest.collect.fetch_process import FetchProcess
fetch_process.MIN_FEEDS = 2
real_start = FetchProcess.start.__func__

def start(cls, *args, **kwargs):
    process = real_start(cls, *args, **kwargs)
    print("fetch process", process._process.pid, flush=True)
    return process

FetchProcess.start = classmethod(start)
real_join = FetchProcess.join

def join(self, *args, **kwargs):
    real_join(self, *args, **kwargs)
    print("fetch process exit", self._process.exitcode, flush=True)

FetchProcess.join = join
from digest.cli import main
sys.argv = ["digest", "--config", sys.argv[1], *(sys.argv[2:] or ["collect"])]
main()
"""


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state  # exited; its new parent has not reaped it yet


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _cli_config(tmp_path: Path, urls: list[str]) -> Path:
    (tmp_path / "communities.toml").write_text(
        '[[community]]\nid = "c"\nname = "C"\nposts = [' +
        ", ".join(f'"{u}"' for u in urls) + "]\n")
    (tmp_path / "recipients.csv").write_text("email,name,communities\n")
    config = tmp_path / "digest.toml"
    config.write_text('[digest]\norganisation = "Org"\nfeeds = "communities.toml"\n'
                      'state = "digest.db"\n\n[delivery]\nmethod = "outbox"\n'
                      'from = "Digest <d@example.org>"\nrecipients = "recipients.csv"\n')
    return config


@pytest.mark.parametrize("command", [["collect"], ["run", "--period", "2026-10"]])
def test_ctrl_c_ends_a_run_and_its_processes_at_once_with_exit_130(tmp_path, command):
    # Ctrl-C reaches the whole process group while every feed is held by its server: the
    # run says what to do and exits 130; no process prints a traceback, and the fetch
    # process leaves its feeds at goodbye instead of finishing them (and being killed)
    gate = _Gate()
    with ExitStack() as stack:
        urls = _held_feeds(stack, hosts=4, feeds=2, route=gate.route)  # parsers start too
        driver = [sys.executable, "-c", _DRIVER, str(_cli_config(tmp_path, urls)), *command]
        first = subprocess.run(driver, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        gate.shut()
        run = subprocess.Popen(driver, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
        try:
            wait_until(lambda: gate.asked == len(urls), timeout=30,
                       message=lambda: f"requests seen: {gate.hits}")
            os.killpg(run.pid, signal.SIGINT)
            out, err = run.communicate(timeout=60)
            assert not gate.open.is_set()  # ended while every feed was still held
        finally:
            gate.open.set()
            if run.poll() is None:
                run.kill()
    assert run.returncode == 130, err
    assert "Traceback" not in err and "Aborted" not in err, err
    assert "interrupted" in err and f"digest {command[0]}" in err
    assert "fetch process exit 0" in out  # left at goodbye, not killed after waiting


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_no_process_of_a_run_outlives_it_when_it_is_killed(tmp_path):
    # cron's timeout kills the run: its fetch process and parser workers must not linger
    gate = _Gate()
    with ExitStack() as stack:
        urls = _held_feeds(stack, hosts=4, feeds=2, route=gate.route)  # parsers start too
        driver = [sys.executable, "-c", _DRIVER, str(_cli_config(tmp_path, urls))]
        first = subprocess.run(driver, capture_output=True, text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        gate.shut()
        run = subprocess.Popen(driver, stdout=subprocess.PIPE, text=True)
        try:
            line = run.stdout.readline()  # type: ignore[union-attr]
            assert line.startswith("fetch process"), line
            children = wait_until(lambda: len(_children(run.pid)) >= 3 and _children(run.pid),
                                  timeout=30, message="no parser workers started")
            run.kill()
            run.wait(timeout=30)
            wait_until(lambda: all(_gone(pid) for pid in children), timeout=30,
                       message=lambda: f"still running: "
                       f"{[pid for pid in children if not _gone(pid)]}")
        finally:
            gate.open.set()
            run.kill()



def test_a_fetch_that_raises_in_the_fetch_process_is_reported_as_in_one_process(
        tmp_path, started, monkeypatch):
    # A bug that raises out of a fetch (here a Retry-After reader that raises, inherited by
    # the fork; a redirect to "http://[x" once did it): the run reports it on that feed's
    # row at once, as it does fetching in one process, instead of waiting out the
    # process's silence and killing it.
    def broken_reader(value, now):
        raise ValueError(f"cannot read {value!r}")

    monkeypatch.setattr(fetch, "_retry_after", broken_reader)

    def ok(h):
        send(h, 200, rss("S", [{"title": h.path, "guid": h.path}]), headers={"ETag": '"1"'})

    with ExitStack() as stack:
        # the busiest host goes to the fetch process: the broken feed's host has the most
        broken = stack.enter_context(FeedServer())
        urls = []
        for i in range(4):
            broken.routes[f"/b{i}.xml"] = ok
            urls.append(broken.url(f"/b{i}.xml"))
        urls += _held_feeds(stack, hosts=4, feeds=3, route=ok)
        two = make_config(tmp_path, [community("c", urls)], timeout=20.0)
        one = make_config(tmp_path, [community("c", urls)], timeout=20.0, workers=1)
        for cfg, state in ((two, "two.db"), (one, "one.db")):
            collect(cfg, Store(tmp_path / state), now=NOW)
        broken.routes["/b0.xml"] = lambda h: send(
            h, 503, b"", headers={"Retry-After": "soon"})
        daily = collect(two, Store(tmp_path / "two.db"), now=NOW)
        alone = collect(one, Store(tmp_path / "one.db"), now=NOW)
    assert len(started) == 1 and started[0].answered >= 4  # the broken host's feeds there
    assert started[0]._process.exitcode == 0  # ended by goodbye, not killed for silence
    assert _rows(daily) == _rows(alone)
    row = daily.feeds[0]
    assert (row.status, row.error_kind) == ("error", "internal")
    assert "ValueError" in (row.error_message or "")


class _TwoPartError(Exception):
    def __init__(self, part: str, whole: str) -> None:
        super().__init__(f"{part} of {whole}")


def test_an_exception_that_cannot_be_unpickled_travels_as_its_type_and_message():
    assert isinstance(fetch_process._travelling(ValueError("x")), ValueError)
    sent = fetch_process._travelling(_TwoPartError("a", "b"))
    assert isinstance(sent, fetch_process.FetchRaised)
    assert str(sent) == "_TwoPartError: a of b"


def test_the_fetch_process_ends_when_the_run_closes_its_end_without_goodbye(tmp_path):
    # the run failed before its loop said goodbye: the end of the stream is enough
    settings = make_config(tmp_path, []).collect
    process = FetchProcess.start(settings, None, 16)
    assert process is not None
    try:
        process._sock.close()
        wait_until(lambda: not process._process.is_alive(), timeout=15,
                   message="the fetch process still waits on a stream it holds open itself")
    finally:
        process.join(timeout=5)
    assert process._process.exitcode == 0


def _socket_inode(fd: int) -> str:
    return f"socket:[{os.fstat(fd).st_ino}]"


def _holders(link: str, pids: list[int]) -> list[int]:
    holding = []
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            with contextlib.suppress(OSError):
                if os.readlink(fd) == link:
                    holding.append(pid)
    return holding


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads /proc")
def test_parser_workers_do_not_hold_the_run_end_of_the_fetch_process_stream(
        tmp_path, started):
    gate = _Gate()
    with ExitStack() as stack:
        urls = _held_feeds(stack, hosts=4, feeds=3, route=gate.route)
        cfg = make_config(tmp_path, [community("c", urls)], timeout=30.0, workers=2)
        collect(cfg, Store(tmp_path / "d.db"), now=NOW)
        gate.shut()
        runner = threading.Thread(target=collect, args=(cfg, Store(tmp_path / "d.db")),
                                  kwargs={"now": NOW})
        runner.start()
        try:
            wait_until(lambda: started and gate.asked == len(urls), timeout=30)
            ours = _socket_inode(started[0]._sock.fileno())
            workers = [pid for pid in _children(os.getpid())
                       if pid != started[0]._process.pid]
            assert workers  # the parser pool
            assert _holders(ours, [*workers, started[0]._process.pid]) == []
        finally:
            gate.open.set()
            runner.join(timeout=60)


def test_a_body_near_max_bytes_travels_whole_beside_local_files_and_notes(tmp_path, started):
    # a body of megabytes crosses the socket intact (an unchanged body is known by its
    # hash), a changed one is parsed; local files and notes folders stay with the run
    big = {"text": "padding " * 500_000}  # about 4 MB, under an 8 MB cap

    def route(h):
        pad = big["text"] if h.path.endswith("-0.xml") else ""
        send(h, 200, rss(h.path, [{"title": f"{h.path} {len(pad)}", "guid": h.path}],
                         prolog=f"<!-- {pad} -->"))

    local = tmp_path / "local.xml"
    local.write_bytes(rss("L", [{"title": "local", "guid": "local"}]))
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2026-10-20-kept.md").write_text("# Kept\n\nText.\n", encoding="utf-8")
    with ExitStack() as stack:
        urls = _held_feeds(stack, hosts=4, feeds=3, route=route)
        listed = Community(id="c", name="C", description="", posts=(*urls, str(local)),
                           notes=(str(notes),))
        two = make_config(tmp_path, [listed], max_bytes=8 * 2**20)
        one = make_config(tmp_path, [listed], max_bytes=8 * 2**20, workers=1)
        for cfg, state in ((two, "two.db"), (one, "one.db")):
            collect(cfg, Store(tmp_path / state), now=NOW)
        unchanged = collect(two, Store(tmp_path / "two.db"), now=NOW)
        assert {f.status for f in unchanged.feeds} == {"unchanged"}
        big["text"] = "changed " * 500_000
        daily = collect(two, Store(tmp_path / "two.db"), now=NOW)
        alone = collect(one, Store(tmp_path / "one.db"), now=NOW)
    assert len(started) == 2 and all(0 < p.answered < len(urls) for p in started)
    assert _rows(daily) == _rows(alone)
    changed = {f.url for f in daily.feeds if f.status == "ok"}
    assert changed == {u for u in urls if u.endswith("-0.xml")}
