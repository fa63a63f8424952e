"""The feed-health table printed at the end of `collect` and by `feeds check`.

A rich table on a terminal; plain tab-free lines otherwise, so cron mail and
logs stay readable and grep-able.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from ..text import plural, terminal_text
from . import CollectReport, FeedReport
from .state import FLAG_AFTER

if TYPE_CHECKING:
    from rich.console import Console

_STYLE = {"ok": "green", "unchanged": "green", "error": "red", "gone": "red",
          "deferred": "yellow"}


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "never"


def _status(row: FeedReport) -> str:
    text = row.status
    if row.error_kind:
        text += f" ({terminal_text(row.error_kind)})"
    if row.flagged:
        text += " FLAGGED"
    return text


def _note(row: FeedReport) -> str:
    notes = []
    if row.error_message:
        notes.append(row.error_message)
    if row.moved_to:
        notes.append(f"moved permanently to {row.moved_to}: update the feed list")
    return terminal_text("; ".join(notes))


def print_report(report: CollectReport, console: Console | None = None, *,
                 quiet: bool = False) -> None:
    """Print one row per feed, then what the organiser must act on.

    `quiet` (cron's `--quiet`) prints only the problems: failed feeds, moved
    feeds and communities left without news; a healthy run prints nothing.
    """
    if console is None and not _plain_stdout():
        from rich.console import Console

        console = Console()
    if console is not None and console.is_terminal and not quiet:
        _print_table(report, console)
        lines = []
    elif quiet:
        lines = [_line(r, quiet=True) for r in report.feeds if r.failed or r.problems]
    else:
        lines = [_line(r) for r in report.feeds]
    if not quiet:
        failed = [r for r in report.feeds if r.failed]
        verb = "found" if not report.stored else "new"
        lines.append(f"{plural(len(report.feeds), 'feed')}, {len(failed)} failed, "
                     f"{plural(report.new_items, verb + ' item')}, {report.updated_items} updated")
    lines += _attention(report)
    if not lines:
        return
    if console is None:
        # What rich would print here, without loading it (a tenth of an unchanged collect's
        # start-up): every line is made of terminal_text, so there is nothing to escape.
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()
    else:
        # One print for all rows: rich's per-call rendering cost 2,000 rows a tenth of a
        # second.
        console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)


def _plain_stdout() -> bool:
    """Whether rich's Console would find standard output no terminal (cron, a pipe, a file)
    and print plain lines; any setting rich reads to decide otherwise is left to rich."""
    if "IPython" in sys.modules or any(os.environ.get(k) is not None
                                       for k in ("FORCE_COLOR", "TTY_COMPATIBLE")):
        return False
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return isatty is not None and not isatty()
    except ValueError:  # a closed stream: rich would fail too, let it say so
        return False


def _line(r: FeedReport, quiet: bool = False) -> str:
    note = _note(r)
    if quiet:
        line = f"{_status(r)}  {terminal_text(r.url)}  community={r.community}"
    else:
        line = (f"{_status(r)}  {terminal_text(r.url)}  community={r.community}  "
                f"new={r.new_items}  "
                f"last_success={_when(r.last_success)}  failures={r.consecutive_failures}")
    return line + (f"  -- {note}" if note else "")


def _print_table(report: CollectReport, console: Console) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title="Feeds", show_lines=False, expand=False)
    for name in ("feed", "community", "status", "new", "last success", "failures", "note"):
        table.add_column(name, overflow="fold",
                         justify="right" if name in ("new", "failures") else "left")
    for r in report.feeds:
        # Text cells, never str: rich reads markup in a str, and a feed's reason
        # phrase or redirect target is not ours to interpret.
        table.add_row(Text(terminal_text(r.url)), Text(r.community),
                      Text(_status(r), style=_STYLE.get(r.status, "")),
                      Text(str(r.new_items)), Text(_when(r.last_success)),
                      Text(str(r.consecutive_failures)), Text(_note(r)))
    console.print(table)


def _attention(report: CollectReport) -> list[str]:
    lines = []
    flagged = [r for r in report.feeds if r.flagged]
    if flagged:
        lines.append(f"{plural(len(flagged), 'feed has', 'feeds have')} failed {FLAG_AFTER} "
                     "or more runs in a row: " + ", ".join(terminal_text(r.url) for r in flagged))
    for r in report.moved:
        lines.append(f"moved: {terminal_text(r.url)} -> {terminal_text(r.moved_to)} "
                     "(update the community list)")
    for cid in report.failed_communities:
        lines.append(f"community {cid}: every feed failed; its news is missing from this "
                     "collect")
    return lines
