"""The `digest` command: parse arguments, call one stage, print what happened.

Errors meant for the organiser are `DigestError`s; they print as one line on
stderr and exit with their sysexits code, so cron can tell them apart. Commands
import the stage they call when they run, so `digest collect` starts quickly.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from . import pipeline
from .config import CONFIG_ENV, Config, load_config
from .errors import EXIT_OK, EXIT_USAGE, DigestError
from .store import Store
from .text import plural, terminal_text

if TYPE_CHECKING:
    from datetime import tzinfo

    from .collect import CollectReport
    from .deliver import SendReport
    from .period import Period


class CommandLineError(click.UsageError):
    """click's usage error with EX_USAGE, so cron can tell a typo from a failure."""

    exit_code = EXIT_USAGE


# Options of the whole program that may also follow the subcommand
# (`digest collect --quiet --config x.toml`): name -> whether it takes a value.
GLOBAL_OPTIONS = {"--config": True, "--quiet": False, "-q": False}


def hoist_global_options(args: list[str]) -> list[str]:
    """`args` with the global options moved before the subcommand, where click reads them.

    Cron lines and scripts put `--config` wherever the writer thought of it; the
    meaning is the same wherever it stands. Anything after `--` is left alone.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name, eq, _ = arg.partition("=")
        if name in GLOBAL_OPTIONS:
            takes_value = GLOBAL_OPTIONS[name]
            width = 2 if takes_value and not eq else 1
            front.extend(args[i:i + width])
            i += width
            continue
        rest.append(arg)
        i += 1
    return front + rest


class DigestGroup(click.Group):
    """Turns DigestError into one clear line and its exit code; usage errors exit 64."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args = hoist_global_options(args)
        return super().parse_args(ctx, args)

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as e:
            raise CommandLineError(e.format_message(), e.ctx) from None

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except click.UsageError as e:  # an unknown option or a bad value of a subcommand
            if isinstance(e, CommandLineError):
                raise
            raise CommandLineError(e.format_message(), e.ctx) from None
        except DigestError as e:
            # exit 0 ones (an empty issue not sent) are news, not errors
            message = terminal_text(e)
            click.echo(f"error: {message}" if e.exit_code else message, err=bool(e.exit_code))
            ctx.exit(e.exit_code)


@click.group(cls=DigestGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar=CONFIG_ENV,
              help=f"Configuration file (default ./digest.toml, or ${CONFIG_ENV}); "
                   "before or after the command.")
@click.option("--quiet", "-q", is_flag=True,
              help="Print only problems (for cron, which mails any output).")
@click.version_option(package_name="cop-digest")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, quiet: bool) -> None:
    """CoP Digest: a monthly digest of your Communities of Practice.

    \b
    Typical cron lines (`digest init` writes them with your paths):
      15 6 * * *       cd /srv/cop-digest && digest --quiet collect   # daily
      30 7 1 * *       cd /srv/cop-digest && digest --quiet run       # monthly
      0 8-23 1-3 * *   cd /srv/cop-digest && digest --quiet run       # resume a deferred send
    """
    ctx.obj = config_path
    ctx.meta[QUIET] = quiet


QUIET = "digest.quiet"


def _quiet(ctx: click.Context) -> bool:
    return bool(ctx.meta.get(QUIET))


def _say(ctx: click.Context, message: str) -> None:
    """Print news that is not a problem: left out under --quiet."""
    if not _quiet(ctx):
        click.echo(message)


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
        try:
            report = pipeline.collect(config, store, progress=_tty() and not _quiet(ctx))
        except KeyboardInterrupt:  # the items stored so far are kept; states are not
            click.echo("collect interrupted: the items read so far are stored, the feeds' "
                       "states are not; run `digest collect` again", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        _print_collect(report, quiet=_quiet(ctx))
        if reextract:
            from .outcomes.stored import reextract as reextract_notes

            done = reextract_notes(store, language=config.language)
            _say(ctx, f"re-read {plural(done.read, 'stored meeting note')}; "
                      f"{done.changed} changed")


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
    pipeline.require_ended(config, p)
    from .deliver.lock import run_lock

    # one build or send at a time: a send reads out/ while this writes it
    with run_lock(config.state_path), Store(config.state_path) as store:
        if frozen := pipeline.frozen_copy(config, store, p):
            _say(ctx, frozen)  # nothing is written: readers' copy stays as it was
            return
        result = pipeline.build(config, store, p)
    _print_build(result, quiet=_quiet(ctx))


@cli.command()
@period_option
@click.option("--dry-run", is_flag=True, help="Say what would be sent; write and send nothing.")
@click.option("--to", "to", metavar="ADDRESS",
              help="Send one test copy to ADDRESS only; the real send is not affected.")
@click.option("--edition", "edition_key", metavar="KEY", default="all", show_default=True,
              help="With --to: which edition (see `digest preview` or out/<period>/issue.json).")
@click.option("--force", is_flag=True,
              help="Send even though recipients.csv has readers the build did not see (added "
                   "or changed since it): they get their edition without their own actions.")
@click.pass_context
def send(ctx: click.Context, period: str | None, dry_run: bool, to: str | None,
         edition_key: str, force: bool) -> None:
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
    pipeline.require_ended(config, p)  # a draft is for the preview: not even a test copy
    if to is not None:
        if dry_run:
            raise DigestError("--to sends one test copy; leave out --dry-run")
        from .addresses import InvalidAddress, parse_mailbox
        from .deliver import send_test
        from .errors import UsageError
        from .render import read_build

        try:  # a typo in the command line is a usage error (64), not a failed send
            parse_mailbox(to)
        except InvalidAddress as e:
            raise UsageError(f"--to {to!r}: {e}") from None
        manifest = read_build(config, p.label)
        if edition_key not in {r.key for r in manifest.editions}:
            raise UsageError(f"--edition: {p} has no edition {edition_key!r}; it has: "
                             f"{', '.join(sorted(r.key for r in manifest.editions))}")
        edition = manifest.edition(edition_key)
        where = send_test(config, edition, to)
        click.echo(f"{p}: sent a test copy of edition {edition.key} to {to}"
                   + (f": {where}" if where else ""))
        return
    try:
        with Store(config.state_path) as store:
            record = store.issue(p.label)  # sent before this run: said after the summary
            report = pipeline.send(config, store, p, dry_run=dry_run,
                                   progress=_tty() and not _quiet(ctx), force=force)
    except KeyboardInterrupt:
        _interrupted_send(ctx, config, p, "send", dry_run=dry_run)
    _print_send(report, quiet=_quiet(ctx))
    if record and record.sent_at and not dry_run:
        _say(ctx, f"{p} was already sent on {record.sent_at:%Y-%m-%d %H:%M} UTC: nobody was "
                  "sent to again")
    if dry_run:
        _print_skipped_rows(config)
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
    pipeline.require_ended(config, p)
    from .deliver.lock import run_lock

    with run_lock(config.state_path), Store(config.state_path) as store:
        record = store.issue(p.label)
        if record and record.sent_at:
            _say(ctx, f"{p} was already sent on {record.sent_at:%Y-%m-%d %H:%M} UTC: "
                      f"{config.out_path / p.label / 'digest.html'}")
            ctx.exit(_send_organisers(config, store, p, quiet=_quiet(ctx)))
        quiet = _quiet(ctx)
        # built before and found empty then: the run that built it said so, and the hourly
        # resume runs of days 1-3 must not mail cron the same news every hour
        told_empty = record is not None and record.item_count == 0
        if pipeline.send_in_progress(store, p):
            _say(ctx, f"{p}: resuming a send that already started; its editions are kept")
        else:
            try:
                report = pipeline.collect(config, store, progress=_tty() and not quiet)
                _print_collect(report, quiet=quiet)
                _print_build(pipeline.build(config, store, p), quiet=quiet)
            except KeyboardInterrupt:  # nothing sent yet: the next run starts over
                click.echo(f"{p}: interrupted before the send started: nobody was sent to; "
                           f"run `digest run --period {p}` again", err=True)
                ctx.exit(EXIT_INTERRUPTED)
        try:
            sent = pipeline.send(config, store, p, progress=_tty() and not quiet)
        except KeyboardInterrupt:
            _interrupted_send(ctx, config, p, "run")
        except pipeline.EmptyIssue:
            if quiet and told_empty:
                ctx.exit(EXIT_OK)
            raise
        _print_send(sent, quiet=quiet)
        # the organisers' report goes after the digest, once the digest is all sent
        try:
            code = _send_organisers(config, store, p, quiet=quiet) if sent.done else EXIT_OK
        except KeyboardInterrupt:  # its own ledger rows: the next run sends the rest
            click.echo(f"{p}: the digest was sent; interrupted while sending the organisers' "
                       f"report: run `digest run --period {p}` again to send it", err=True)
            ctx.exit(EXIT_INTERRUPTED)
    ctx.exit(max(sent.exit_code, code))


@cli.command()
@period_option
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
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
@click.option("--json", "as_json", is_flag=True,
              help="Print what monitoring needs as JSON: last collect, failing feeds, last "
                   "sent period, deferred readers.")
@click.pass_context
def status(ctx: click.Context, period: str | None, as_json: bool) -> None:
    """Show the issues built and sent, and what the state holds.

    Counts only the feeds of the current configuration. With --period, also the
    send ledger of that period: counts per state and the readers who failed,
    were deferred or are ambiguous.

    \b
    Examples:
      digest status
      digest status --period 2026-10
      digest status --json
    """
    from .status import status_data

    config = _config(ctx)
    # looking must not create the state: before the first collect, an empty one in memory
    with Store(config.state_path if config.state_path.exists() else ":memory:") as store:
        data = status_data(config, store)
        ledger_lines: list[str] = []
        if period:
            p = pipeline.parse_period(config, period)
            from .deliver.ledger import ledger_status

            ledger_lines = ledger_status(store, p.label).lines()
            data["ledger"] = {"period": p.label, "lines": ledger_lines}
    if as_json:
        import json

        click.echo(json.dumps(data, indent=2))
        return
    for line in ledger_lines:
        click.echo(terminal_text(line))
    click.echo(f"state: {config.state_path}")
    click.echo(f"{plural(data['items'], 'item')} from {plural(data['feeds'], 'feed')}; "
               f"{plural(data['communities'], 'community')}")
    click.echo(f"last collect: {_when(data['last_collect'], config.timezone)}")
    for feed in data["failing_feeds"]:
        flagged = " FLAGGED" if feed["flagged"] else ""
        click.echo(terminal_text(
            f"  failing{flagged}: {feed['url']} ({feed['community']}): {feed['status']}"
            f" ({feed['error']}), {plural(feed['consecutive_failures'], 'run')} in a row"))
    if not data["issues"]:
        click.echo("no issue built yet")
    for r in data["issues"]:
        sent = f"sent {_when(r['sent_at'], config.timezone)}" if r["sent_at"] else "not sent"
        click.echo(f"{r['period']}: {plural(r['items'], 'item')}, "
                   f"built {_when(r['built_at'], config.timezone)}, {sent}")
    if data["deferred_readers"]:
        click.echo(f"{plural(len(data['deferred_readers']), 'reader')} deferred by the relay: "
                   "the next `digest send` resumes them")


def _send_organisers(config: Config, store: Store, period: Period, quiet: bool = False) -> int:
    """Send the organisers' report for the month of `period` when [report] asks for it."""
    from .period import Period
    from .report import send_report

    month = period if period.cadence == "monthly" else Period.last_complete(
        pipeline.utcnow(), config.timezone, "monthly")
    result = send_report(config, store, month)
    if result is None:
        return EXIT_OK
    if result.already_done:
        if not quiet:
            click.echo(f"{result.period}: the organisers' report was already sent")
        return EXIT_OK
    for line in result.skipped:
        click.echo(f"  warning: {terminal_text(line)}", err=True)
    _print_send(result.send, quiet=quiet)
    return result.send.exit_code


@cli.command()
@click.option("--period", "-p", metavar="MONTH",
              help="The report's last month, e.g. 2026-10. Default: the last complete month.")
@click.option("--months", type=click.IntRange(1, 120), default=12, show_default=True,
              help="How many months the report covers, ending with --period.")
@click.option("--format", "fmt", type=click.Choice(["html", "json", "csv"]), default="html",
              show_default=True, help="html: only the web page; json or csv: also print the "
              "figures to standard output.")
@click.pass_context
def report(ctx: click.Context, period: str | None, months: int, fmt: str) -> None:
    """How every community is doing over the year, for the people who look after them.

    Writes out/site/organisers/index.html (served by `digest preview` at /organisers/):
    per community and month, posts, meeting notes, sessions held, authors,
    facilitators, decisions and actions; over the months, each community's status
    (active, slipping, quiet, back), who leads its sessions, its feeds' health,
    and the communities most at risk with the reasons.

    \b
    Examples:
      digest report
      digest report --period 2026-10 --months 24
      digest report --format csv > communities.csv
    """
    from .errors import UsageError
    from .period import Period
    from .report import build_report, write_page
    from .report.formats import to_csv, to_json

    config = _config(ctx)
    if period:
        try:
            month = Period.parse(period, "monthly")
        except ValueError as e:
            raise UsageError(f"--period: {e} (the report counts months)") from None
    else:
        month = Period.last_complete(pipeline.utcnow(), config.timezone, "monthly")
    with Store(config.state_path) as store:
        result = build_report(config, store, month, months)
    path = write_page(config, result)
    for warning in result.warnings:
        click.echo(f"warning: {terminal_text(warning)}", err=True)
    if fmt == "json":
        click.echo(to_json(result), nl=False)
    elif fmt == "csv":
        click.echo(to_csv(result), nl=False)
    click.echo(f"wrote {path}", err=fmt != "html")


def _when(iso: str | None, tz: tzinfo) -> str:
    """An ISO time from the state as the status lines show it: in the organisation's zone,
    as the digest speaks (--json keeps UTC, for monitoring)."""
    from .store import from_text

    moment = from_text(iso)
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M %Z}" if moment else "never"


@cli.command()
@click.option("--period", "-p", metavar="P", required=True,
              help="The built, unsent period to discard: 2026-10 or 2026-W43.")
@click.pass_context
def discard(ctx: click.Context, period: str) -> None:
    """Remove a built issue that was not sent; its items go back to the next build.

    Refused once the send of the period has started.

    \b
    Example:
      digest discard --period 2026-10
    """
    from .deliver.lock import run_lock

    config = _config(ctx)
    p = pipeline.parse_period(config, period)
    with run_lock(config.state_path), Store(config.state_path) as store:
        result = pipeline.discard(config, store, p)
    _say(ctx, f"discarded {p}: {plural(result.released, 'item')} released to the next build")
    for folder in result.removed:
        _say(ctx, f"  removed {folder}")


def _print_collect(report: CollectReport, quiet: bool = False) -> None:
    from .collect.health import print_report

    print_report(report, quiet=quiet)  # a rich table on a terminal, plain lines otherwise


def _print_send(report: SendReport, quiet: bool = False) -> None:
    """The summary, then every reader needing attention: cron mails this output, and a
    failed reader does not fail the run, so this is where the organiser learns of them.
    Under --quiet the summary shows only when the run did not end well."""
    for note in report.notes:
        click.echo(f"  note: {terminal_text(note)}", err=True)
    attention = report.status.attention_lines() if report.status else []
    if not quiet or attention or report.exit_code != EXIT_OK:
        click.echo(terminal_text(report.summary_line()))
    for line in attention:
        click.echo(terminal_text(line))


EXIT_INTERRUPTED = 130  # the shell's code for a process stopped by Ctrl-C (SIGINT)


def _interrupted_send(ctx: click.Context, config: Config, p: Period, command: str, *,
                      dry_run: bool = False) -> NoReturn:
    """Ctrl-C during a send: say how far it got and how to finish, instead of "Aborted!".

    The ledger already holds every reader's state (a message in flight is resent
    under the same Message-ID), so nothing is lost and the same command resumes.
    """
    from .deliver import ledger_status

    if dry_run:
        click.echo(f"{p}: dry run interrupted: nothing was sent or written", err=True)
        ctx.exit(EXIT_INTERRUPTED)
    with Store(config.state_path) as store:
        status = ledger_status(store, p.label)
    if not status.started:  # stopped while reading the build, before the ledger froze
        click.echo(f"{p}: interrupted before the send started: nobody was sent to; run "
                   f"`digest {command} --period {p}` again", err=True)
        ctx.exit(EXIT_INTERRUPTED)
    sent, in_flight = status.counts.get("sent", 0), status.counts.get("sending", 0)
    unconfirmed = (f" ({plural(in_flight, 'message')} the relay had not confirmed will go "
                   "again under the same Message-ID)" if in_flight else "")
    click.echo(f"{p}: interrupted: {sent} of {plural(status.total, 'reader')} sent so far; "
               f"run `digest {command} --period {p}` again to send the rest{unconfirmed}",
               err=True)
    ctx.exit(EXIT_INTERRUPTED)


def _print_skipped_rows(config: Config) -> None:
    """How many rows of the recipients file a send skips, and why, line by line."""
    skipped = pipeline.recipients_of(config).skipped
    path = config.delivery.recipients
    if not skipped:
        click.echo(f"no rows of {path} skipped")
        return
    click.echo(f"{plural(len(skipped), 'row')} of {path} skipped:")
    for problem in skipped:
        click.echo(f"  {terminal_text(problem)}")


def _print_build(result: pipeline.BuildResult, quiet: bool = False) -> None:
    issue = result.composition.issue
    if not quiet:
        click.echo(
            f"built {issue.period}: {plural(issue.post_count, 'post')}, "
            f"{plural(issue.meeting_count, 'meeting')}, "
            f"{plural(issue.session_count, 'session')} coming up, "
            f"{plural(len(issue.quiet), 'quiet community')}; "
            f"{plural(len(result.editions), 'edition')}")
        readers = result.recipients
        click.echo(f"  {plural(len(readers.recipients), 'recipient')}"
                   + (f", {plural(len(readers.skipped), 'row')} skipped (see below)"
                      if readers.skipped else ""))
    for warning in result.warnings:
        click.echo(f"  warning: {terminal_text(warning)}", err=True)
    if not quiet:
        click.echo(f"  {Path(result.html_path)}")


@cli.command()
@click.argument("folder", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def init(ctx: click.Context, folder: Path) -> None:
    """Write a working set-up for a new organisation into FOLDER (default: here).

    digest.toml with every key explained, a community list with one example
    community whose notes are a local folder (so `digest run` works at once,
    offline), recipients.csv, a meeting-notes template for community leads, and
    cron and systemd files with the folder's path filled in. Never overwrites a file.

    \b
    Example:
      digest init /srv/cop-digest
    """
    from .init import init_organisation, next_steps

    result = init_organisation(folder)
    if result.written:
        _say(ctx, f"wrote {plural(len(result.written), 'file')} in {result.folder}:")
        for name in result.written:
            _say(ctx, f"  {name}")
    if result.kept:
        click.echo(f"kept {plural(len(result.kept), 'file')} that already existed "
                   "(not overwritten):")
        for name in result.kept:
            click.echo(f"  {name}")
    _say(ctx, "next:")
    for step in next_steps(result):
        _say(ctx, f"  {step}")


@cli.command()
@click.option("--smtp", "smtp", is_flag=True,
              help="Also log in to the relay (EHLO, STARTTLS, AUTH); no mail is sent.")
@click.pass_context
def check(ctx: click.Context, smtp: bool) -> None:
    """Check the set-up without changing anything: one line per problem.

    Reads the configuration, the community list, the recipients and the
    templates, and reaches every feed, notes folder and calendar once, storing
    nothing. Exit 0 only when all is well; 1 when a problem was found; 78 when
    the configuration cannot be read at all.

    \b
    Examples:
      digest check
      digest check --smtp        # with DIGEST_SMTP_PASSWORD set, as the job has it
    """
    from .setup_check import check_setup

    report = check_setup(ctx.obj, smtp=smtp, progress=sys.stderr.isatty() and not _quiet(ctx),
                         on_problem=lambda line: click.echo(terminal_text(line)))
    if report.ok:
        _say(ctx, f"all well: {report.config.path}, {', '.join(report.checked)}")
        return
    if report.relay:  # the login is the one thing --smtp was asked to try
        click.echo(report.relay, err=True)
    click.echo(f"{plural(len(report.problems), 'problem')} found", err=True)
    ctx.exit(1)


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
    print_report(report, quiet=_quiet(ctx))
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
        click.echo(f"added {terminal_text(url)}")
    click.echo(f"{plural(len(added), 'feed')} added to {community_id} in {config.feeds_path}")


@feeds.command("export")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="File to write (default: standard output).")
@click.pass_context
def feeds_export(ctx: click.Context, output: TextIO) -> None:
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
            click.echo(terminal_text(
                f"{note.title} · {note.held_on.isoformat() if note.held_on else 'no date'}")
                + (f"\n  {terminal_text(note.link)}" if note.link else ""))
            if not (note.outcomes.decisions or note.outcomes.actions):
                click.echo("  (no decisions or actions found)")
            for decision in note.outcomes.decisions:
                click.echo(f"  decision: {terminal_text(decision.text)}")
            for action in note.outcomes.actions:
                extra = [action.owner or "no owner"]
                if due(action):
                    extra.append(f"by {due(action)}")
                if action.done:
                    extra.append("done")
                click.echo(f"  action:   {terminal_text(action.text)} "
                           f"({terminal_text(', '.join(extra))})")
            click.echo("")
    sys.exit(1 if failed else EXIT_OK)


def main() -> None:
    cli(prog_name="digest")


if __name__ == "__main__":
    main()
