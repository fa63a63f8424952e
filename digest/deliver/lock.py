"""The run lock: one `digest run`/`digest send` at a time per state DB.

`fcntl.flock` rather than a PID file: the kernel releases it when the holder
dies, even by SIGKILL, so a crashed run never blocks the next cron slot.
The lock is re-entrant within a process (`digest run` can hold it for the
whole run and `send_period` take it again), because two flocks on separate
opens of one file conflict even inside one process.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import TemporaryFailure
from ..files import UnsafePathError, private_dir

_held: dict[Path, tuple[int, int]] = {}  # lock path -> (fd, depth)


def lock_path(state_path: Path) -> Path:
    """The lock file sits next to the state DB: `var/digest.db` -> `var/digest.db.lock`."""
    return state_path.with_name(state_path.name + ".lock")


@contextmanager
def run_lock(state_path: Path) -> Iterator[Path]:
    """Hold the run lock for the state DB at `state_path`, or raise TemporaryFailure (75)."""
    path = lock_path(Path(state_path)).absolute()
    if path in _held:
        fd, depth = _held[path]
        _held[path] = (fd, depth + 1)
        try:
            yield path
        finally:
            fd, depth = _held[path]
            _held[path] = (fd, depth - 1)
        return
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    except OSError as e:  # ELOOP: a symlink planted where the lock goes
        raise UnsafePathError(f"cannot open the run lock {path}: {e.strerror}; remove it "
                              "(the job creates it)") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        os.close(fd)
        who = f" (pid {holder})" if holder.isdigit() else ""
        raise TemporaryFailure(
            f"another digest run{who} is already running for this state DB; "
            f"lock {path}. Nothing done: try again when it ends.") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _held[path] = (fd, 1)
    try:
        yield path
    finally:
        del _held[path]
        os.close(fd)  # closing the only descriptor releases the flock
