"""The `digest` command: parse arguments, call one stage, print what happened.

Errors meant for the organiser are `DigestError`s; they print as one line on
stderr and exit with their sysexits code, so cron can tell them apart. Commands
import the stage they call when they run, so `digest collect` starts quickly.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import pipeline
from .config import CONFIG_ENV, Config, load_config
from .errors import EXIT_OK, EXIT_USAGE, DigestError
from .store import Store

if TYPE_CHECKING:
    from .collect import CollectReport


class DigestGroup(click.Group):
    """Turns DigestError into one clear line and its exit code; usage errors exit 64."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as e:
            e.exit_code = EXIT_USAGE
            raise

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as e:  # an unknown option or a bad value of a subcommand
            e.exit_code = EXIT_USAGE
            raise
        except DigestError as e:
            click.echo(f"error: {e}", err=True)
            ctx.exit(e.exit_code)


@click.group(cls=DigestGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar=CONFIG_ENV,
              help=f"Configuration file (default ./digest.toml, or ${CONFIG_ENV}).")
@click.version_option(package_name="cop-digest")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """CoP Digest: a monthly digest of your Communities of Practice.

    \b
    Typical cron lines:
      15 6 * * *  digest collect          # daily: feeds keep only their last entries
      30 7 1 * *  digest run              # monthly: collect, build and send last month
    """
    ctx.obj = config_path


def _config(ctx: click.Context) -> Config:
    return load_config(ctx.obj)


def _tty() -> bool:
    return sys.stdout.isatty()


period_option = click.option(
    "--period", "-p", metavar="P",
    help="Period to work on: 2026-10 (monthly) or 2026-W43 (weekly). "
         "Default: the last complete period in the configured timezone.")


@cli.command()
@click.option("--reextract", is_flag=True,
              help="Also read the stored notes of unsent issues again with the current rules.")
@click.pass_context
def collect(ctx: click.Context, reextract: bool) -> None:
    """Fetch every community's feeds and calendars into the local state.

    \b
    Examples:
      digest collect
      digest collect --reextract      # after an upgrade: re-read unsent meeting notes
    """
    config = _config(ctx)
    with Store(config.state_path) as store:
        report = pipeline.collect(config, store, progress=_tty())
        _print_collect(report)
        if reextract:
            from .outcomes.stored import reextract as reextract_notes

            done = reextract_notes(store, language=config.language)
            click.echo(f"re-read {done.read} stored meeting notes; {done.changed} changed")


@cli.command()
@period_option
@click.pass_context
def build(ctx: click.Context, period: str | None) -> None:
    """Compose and render the issue for a period into out/<period>/.

    \b
    Examples:
      digest build                    # last month
      digest build --period 2026-10
    """
    config = _config(ctx)
    p = pipeline.parse_period(config, period)
    with Store(config.state_path) as store:
        result = pipeline.build(config, store, p)
    _print_build(result)


@cli.command()
@period_option
@click.option("--dry-run", is_flag=True, help="Say what would be sent; write and send nothing.")
@click.option("--to", "to", metavar="ADDRESS",
              help="Send one test copy to ADDRESS only; the real send is not affected.")
@click.option("--edition", "edition_key", metavar="KEY", default="all", show_default=True,
              help="With --to: which edition (see `digest preview` or out/<period>/issue.json).")
@click.pass_context
def send(ctx: click.Context, period: str | None, dry_run: bool, to: str | None,
         edition_key: str) -> None:
    """Send a built issue to every recipient, through the configured delivery.

    Safe to run again: recipients already sent to are never sent to twice.

    \b
    Examples:
      digest send --period 2026-10 --dry-run
      digest send --period 2026-10
      digest send --period 2026-10 --to me@example.org --edition design
    """
    config = _config(ctx)
    p = pipeline.parse_period(config, period)
    if to is not None:
        if dry_run:
            raise DigestError("--to sends one test copy; leave out --dry-run")
        from .deliver import send_test
        from .render import read_edition

        edition = read_edition(config, p.label, edition_key)
        where = send_test(config, edition, to)
        click.echo(f"{p}: sent a test copy of edition {edition.key} to {to}"
                   + (f": {where}" if where else ""))
        return
    with Store(config.state_path) as store:
        report = pipeline.send(config, store, p, dry_run=dry_run, progress=_tty())
    _print_send(report)
    ctx.exit(report.exit_code)


@cli.command()
@period_option
@click.pass_context
def run(ctx: click.Context, period: str | None) -> None:
    """Collect, build and send the issue for a period: the monthly cron job.

    Exits 0 and says so when the period was already sent.

    \b
    Example:
      digest run --period 2026-10
    """
    config = _config(ctx)
    p = pipeline.parse_period(config, period)
    from .deliver.lock import run_lock

    with run_lock(config.state_path), Store(config.state_path) as store:
        record = store.issue(p.label)
        if record and record.sent_at:
            click.echo(f"{p} was already sent on {record.sent_at:%Y-%m-%d %H:%M} UTC: "
                       f"{config.out_path / p.label / 'digest.html'}")
            ctx.exit(EXIT_OK)
        if pipeline.send_in_progress(store, p):
            click.echo(f"{p}: resuming a send that already started; its editions are kept")
        else:
            report = pipeline.collect(config, store, progress=_tty())
            _print_collect(report)
            _print_build(pipeline.build(config, store, p))
        sent = pipeline.send(config, store, p, progress=_tty())
    _print_send(sent)
    ctx.exit(sent.exit_code)


@cli.command()
@period_option
@click.option("--port", type=int, default=8000, show_default=True,
              help="Port on 127.0.0.1; the next free one is used if it is taken.")
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
@click.pass_context
def preview(ctx: click.Context, period: str | None, port: int, no_open: bool) -> None:
    """Serve the built issues on 127.0.0.1 and rebuild when templates, config or feeds change.

    \b
    Examples:
      digest preview
      digest preview --period 2026-10 --port 8080 --no-open
    """
    from . import preview as preview_server  # http.server and checks: only when previewing

    preview_server.serve(ctx.obj, period, port=port, open_browser=not no_open, echo=click.echo)


@cli.command()
@period_option
@click.pass_context
def status(ctx: click.Context, period: str | None) -> None:
    """Show the issues built and sent, and what the state holds.

    With --period, also the send ledger of that period: counts per state and the
    readers who failed, were deferred or are ambiguous.

    \b
    Examples:
      digest status
      digest status --period 2026-10
    """
    config = _config(ctx)
    with Store(config.state_path) as store:
        if period:
            p = pipeline.parse_period(config, period)
            from .deliver.ledger import ledger_status

            for line in ledger_status(store, p.label).lines():
                click.echo(line)
        issues = store.issues()
        items = store.item_count()
        feeds = store.db.execute("SELECT count(*) FROM feeds").fetchone()[0]
    click.echo(f"state: {config.state_path}")
    click.echo(f"{items} items from {feeds} feeds; {len(config.communities)} communities")
    if not issues:
        click.echo("no issue built yet")
    for r in issues:
        sent = f"sent {r.sent_at:%Y-%m-%d %H:%M} UTC" if r.sent_at else "not sent"
        click.echo(f"{r.period}: {r.item_count} items, built {r.built_at:%Y-%m-%d %H:%M} UTC, "
                   f"{sent}")


def _print_collect(report: CollectReport) -> None:
    from .collect.health import print_report

    print_report(report)  # a rich table on a terminal, plain lines otherwise


def _print_send(report: object) -> None:
    """The summary, then every reader needing attention: cron mails this output, and a
    failed reader does not fail the run, so this is where the organiser learns of them."""
    for note in report.notes:
        click.echo(f"  note: {note}", err=True)
    click.echo(report.summary_line())
    for line in report.status.attention_lines() if report.status else []:
        click.echo(line)


def _print_build(result: pipeline.BuildResult) -> None:
    issue = result.composition.issue
    click.echo(f"built {issue.period}: {issue.post_count} posts, {issue.meeting_count} meetings, "
               f"{issue.session_count} sessions coming up, {len(issue.quiet)} quiet communities; "
               f"{len(result.editions)} editions")
    readers = result.recipients
    click.echo(f"  {len(readers.recipients)} recipients"
               + (f", {len(readers.skipped)} rows skipped (see below)" if readers.skipped else ""))
    for warning in result.warnings:
        click.echo(f"  warning: {warning}", err=True)
    click.echo(f"  {Path(result.html_path)}")


@cli.group()
def feeds() -> None:
    """Check the feeds, or move the feed list in and out as OPML."""


@feeds.command("check")
@click.pass_context
def feeds_check(ctx: click.Context) -> None:
    """Fetch and parse every feed now, store nothing, print their health.

    Exit 0 when every feed is healthy, 1 otherwise.

    \b
    Example:
      digest feeds check
    """
    from . import collect as collect_stage
    from .collect.health import print_report

    config = _config(ctx)
    store = Store(config.state_path) if config.state_path.exists() else None
    try:
        report = collect_stage.check(config, store, progress=sys.stderr.isatty())
    finally:
        if store is not None:
            store.close()
    print_report(report)
    ctx.exit(EXIT_OK if report.healthy else 1)


@feeds.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--community", "community_id", required=True, metavar="ID",
              help="Community whose posts list receives the feeds.")
@click.pass_context
def feeds_import(ctx: click.Context, opml_file: Path, community_id: str) -> None:
    """Add the feeds of an OPML file to a community's posts.

    \b
    Example:
      digest feeds import subscriptions.opml --community design
    """
    config = _config(ctx)
    from .collect.opml import import_opml

    added = import_opml(opml_file, community_id, config.feeds_path)
    for url in added:
        click.echo(f"added {url}")
    click.echo(f"{len(added)} feeds added to {community_id} in {config.feeds_path}")


@feeds.command("export")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write (default: standard output).")
@click.pass_context
def feeds_export(ctx: click.Context, output: click.utils.LazyFile) -> None:
    """Write every community's feeds as OPML 2.0.

    \b
    Example:
      digest feeds export -o feeds.opml
    """
    from .collect.opml import export_opml

    output.write(export_opml(_config(ctx)))


@cli.command("outcomes")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON array: title, link, date, decisions, actions.")
def outcomes_command(sources: tuple[str, ...], as_json: bool) -> None:
    """Show what the digest reads from meeting notes: decisions and actions.

    SOURCE is a meetings feed (file or URL), or one page of notes (HTML or
    Markdown). Exit 0 when every source was read, 1 when one could not be.

    \b
    Examples:
      digest outcomes feeds/design/meetings.xml
      digest outcomes notes/2026-10-14.md --json
    """
    import json

    from .outcomes.sources import SourceError, read_source
    from .render.filters import due

    notes = []
    failed = False
    for source in sources:
        try:
            notes.extend(read_source(source))
        except SourceError as e:
            click.echo(f"error: {e}", err=True)
            failed = True
    if as_json:
        click.echo(json.dumps([n.as_json() for n in notes], ensure_ascii=False, indent=2))
    else:
        for note in notes:
            click.echo(f"{note.title} · {note.held_on.isoformat() if note.held_on else 'no date'}"
                       + (f"\n  {note.link}" if note.link else ""))
            if not (note.outcomes.decisions or note.outcomes.actions):
                click.echo("  (no decisions or actions found)")
            for decision in note.outcomes.decisions:
                click.echo(f"  decision: {decision.text}")
            for action in note.outcomes.actions:
                extra = [action.owner or "no owner"]
                if due(action):
                    extra.append(f"by {due(action)}")
                if action.done:
                    extra.append("done")
                click.echo(f"  action:   {action.text} ({', '.join(extra)})")
            click.echo("")
    sys.exit(1 if failed else EXIT_OK)


def main() -> None:
    cli(prog_name="digest")


if __name__ == "__main__":
    main()
