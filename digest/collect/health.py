"""The feed-health table printed at the end of `collect` and by `feeds check`.

A rich table on a terminal; plain tab-free lines otherwise, so cron mail and
logs stay readable and grep-able.
"""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..text import plural, terminal_text
from . import CollectReport, FeedReport
from .state import FLAG_AFTER

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
    console = console or Console()
    if quiet:
        for r in report.feeds:
            if r.failed or r.problems:
                note = _note(r)
                console.print(f"{_status(r)}  {r.url}  community={r.community}"
                              + (f"  -- {note}" if note else ""), markup=False,
                              highlight=False, soft_wrap=True)
        _print_attention(report, console)
        return
    if console.is_terminal:
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
    elif report.feeds:
        lines = []
        for r in report.feeds:
            line = (f"{_status(r)}  {terminal_text(r.url)}  community={r.community}  "
                    f"new={r.new_items}  "
                    f"last_success={_when(r.last_success)}  failures={r.consecutive_failures}")
            note = _note(r)
            lines.append(line + (f"  -- {note}" if note else ""))
        # One print for all rows: rich's per-call rendering cost 2,000 rows a tenth of a second.
        console.print("\n".join(lines), markup=False, highlight=False, soft_wrap=True)
    failed = [r for r in report.feeds if r.failed]
    verb = "found" if not report.stored else "new"
    summary = (f"{plural(len(report.feeds), 'feed')}, {len(failed)} failed, "
               f"{plural(report.new_items, verb + ' item')}, {report.updated_items} updated")
    console.print(summary, markup=False, highlight=False)
    _print_attention(report, console)


def _print_attention(report: CollectReport, console: Console) -> None:
    flagged = [r for r in report.feeds if r.flagged]
    if flagged:
        console.print(f"{plural(len(flagged), 'feed has', 'feeds have')} failed {FLAG_AFTER} "
                      "or more runs in a row: "
                      + ", ".join(terminal_text(r.url) for r in flagged), markup=False,
                      highlight=False)
    for r in report.moved:
        console.print(f"moved: {terminal_text(r.url)} -> {terminal_text(r.moved_to)} "
                      "(update the community list)",
                      markup=False, highlight=False)
    for cid in report.failed_communities:
        console.print(f"community {cid}: every feed failed; its news is missing from this "
                      "collect", markup=False, highlight=False)
