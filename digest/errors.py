"""Errors that reach the user, each with the exit code cron should see.

Exit codes follow sysexits(3) so a scheduler can tell "try again later" (75)
from "fix the configuration" (78).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 64  # a bad argument or option: fix the command line
EXIT_UNAVAILABLE = 69  # relay unreachable or refusing login
EXIT_TEMPFAIL = 75  # run again later: deferred/ambiguous rows, or another run holds the lock
EXIT_CONFIG = 78  # configuration, feed list or recipients file is wrong


class DigestError(Exception):
    """An error with a message meant for the organiser and an exit code for cron."""

    exit_code = EXIT_UNEXPECTED


class ConfigError(DigestError):
    """Bad configuration: names the file, the key and what is expected."""

    exit_code = EXIT_CONFIG

    def __init__(self, file: object, key: str | None, problem: str,
                 line: int | None = None) -> None:
        self.file = str(file)
        self.key = key
        self.problem = problem
        self.line = line  # the line of `file` that says it, when it can be found
        where = f"{self.file}: line {line}" if line else self.file
        where = f"{where}: {key}" if key else where
        super().__init__(f"{where}: {problem}")

    def __reduce__(self) -> tuple[type[ConfigError], tuple[str, str | None, str, int | None]]:
        # Picklable with its own arguments, so it can cross a process pool.
        return type(self), (self.file, self.key, self.problem, self.line)


class UsageError(DigestError):
    """A bad command-line argument: a period that does not parse or has not ended."""

    exit_code = EXIT_USAGE


class TemporaryFailure(DigestError):
    exit_code = EXIT_TEMPFAIL


class Unavailable(DigestError):
    exit_code = EXIT_UNAVAILABLE
