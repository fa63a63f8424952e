"""Wait on a condition with a deadline, never on the machine's speed.

A test that sleeps a fixed time guesses how fast the machine is: too short on
a busy one, wasted on a fast one. `wait_until` polls a predicate instead and
fails with a message saying what never happened.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.01,
               message: str | Callable[[], str] = "the condition never held") -> T:
    """Return the predicate's first truthy value; raise AssertionError after `timeout` s.

    `message` may be a function, to say what the state was when time ran out.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            said = message() if callable(message) else message
            raise AssertionError(f"{said} (waited {timeout:g} s)")
        time.sleep(interval)


def run_within(seconds: float, work: Callable[[], T], what: str = "still running") -> T:
    """`work()` on a thread; fail when it has not finished by the deadline.

    For work that could run away (an alias bomb, a calendar expanded for minutes): the
    test fails with `what` instead of hanging the suite. Its exception is raised here.
    """
    done: dict[str, object] = {}

    def target() -> None:
        try:
            done["result"] = work()
        except BaseException as exc:  # raised below, on the test's thread
            done["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{what} after {seconds:g} s"
    if "error" in done:
        raise done["error"]  # type: ignore[misc]
    return done["result"]  # type: ignore[return-value]
