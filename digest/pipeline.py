"""The job's steps over the stages: build an issue, send it, or do both after a collect.

cli.py calls one function here per command; tests call them directly. Each step
imports the stages it runs when it runs: a daily `digest collect` from cron should
not pay for loading the renderer, the inliner and the SMTP code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .errors import EXIT_OK, DigestError, UsageError
from .models import Edition, Recipient
from .period import Period
from .store import Store, utcnow
from .text import plural

if TYPE_CHECKING:
    from .collect import CollectReport
    from .compose import Composition
    from .deliver import SendReport
    from .manifest import Manifest
    from .recipients import RecipientList
    from .render import Renderer
    from .render.personal import PersonalBlocks


class EmptyIssue(DigestError):
    """An issue with no posts and no meetings, and `send_empty` is off: not sent, and that
    is the expected outcome of a quiet month (exit 0), not a failure."""

    exit_code = EXIT_OK


@dataclass
class BuildResult:
    composition: Composition
    editions: Sequence[Edition]  # read only: a build's rendered editions
    folder: Path
    recipients: RecipientList
    warnings: list[str] = field(default_factory=list)
    draft: bool = False  # a period that has not ended: previewed, never archived nor sent

    @property
    def html_path(self) -> Path:
        return self.folder / "digest.html"


def default_period(config: Config, now: datetime | None = None) -> Period:
    """The last complete period in the organisation's timezone."""
    return Period.last_complete(now or utcnow(), config.timezone, config.cadence)


def parse_period(config: Config, text: str | None, now: datetime | None = None) -> Period:
    if not text:
        return default_period(config, now)
    try:
        return Period.parse(text, config.cadence)
    except ValueError as e:
        raise UsageError(f"--period: {e} (this organisation's cadence is {config.cadence})"
                         ) from None


def has_ended(config: Config, period: Period, now: datetime | None = None) -> bool:
    return period.end(config.timezone) <= (now or utcnow())


def require_ended(config: Config, period: Period, now: datetime | None = None) -> None:
    """Refuse a period that has not ended: its issue would miss the rest of the period, and
    once sent it is frozen. `digest preview --period P` shows it as a draft instead."""
    if not has_ended(config, period, now):
        ends = period.end(config.timezone)
        raise UsageError(f"{period} has not ended (it ends {ends:%Y-%m-%d %H:%M} "
                         f"{config.timezone.key}); `digest preview --period {period}` shows "
                         "it as a draft")


def frozen_copy(config: Config, store: Store, period: Period) -> str | None:
    """Where readers' copy of a sent period is, said as one line; None when not sent.

    A sent issue's files are never rewritten: the web archive and out/<period>/ keep
    what readers got, even after a template or the feeds change.
    """
    record = store.issue(period.label)
    if record is None or record.sent_at is None:
        return None
    return (f"{period} was sent on {record.sent_at:%Y-%m-%d %H:%M} UTC; its files are "
            f"frozen as readers got them: {config.out_path / period.label / 'digest.html'}")


def is_empty(issue_posts: int, issue_meetings: int) -> bool:
    """Nothing new: no posts and no meetings (coming sessions and quiet communities alone
    are not worth an email to everyone)."""
    return issue_posts == 0 and issue_meetings == 0


def recipients_of(config: Config) -> RecipientList:
    from .recipients import load_recipients

    return load_recipients(config.delivery.recipients, {c.id for c in config.communities})


def send_in_progress(store: Store, period: Period) -> bool:
    """Whether the send of `period` started and has not finished.

    Its editions are then frozen: a reader resent after a crash must get the same
    message, under the same Message-ID, as the readers already sent to.
    """
    record = store.issue(period.label)
    return send_started(store, period) and not (record and record.sent_at)


def send_started(store: Store, period: Period) -> bool:
    """Whether the audience of `period` was frozen into the ledger (finished or not)."""
    from .deliver.ledger import Ledger

    return Ledger(store, create=False).frozen(period.label)


def _editions_frozen(period: Period) -> DigestError:
    return DigestError(f"the send of {period} has started, so its editions are frozen; "
                       f"resume it with `digest send --period {period}`")


@dataclass
class BuildPlan:
    """A build composed and ready to render: everything `build` does before the editions.

    `digest build` renders every edition at once; the preview renders each when it is
    first asked for (`render`), then writes them all with `finish_build`.
    """

    config: Config
    period: Period
    now: datetime
    composition: Composition
    readers: RecipientList
    renderer: Renderer
    personal: PersonalBlocks
    draft: bool
    # edition key -> its communities (None: all), the full edition first, in build order
    wanted: dict[str, frozenset[str] | None] = field(default_factory=dict)

    def render(self, key: str) -> Edition:
        """Edition `key` as `build` renders it (its slot not yet filled)."""
        return self.renderer.render(self.composition.issue, self.wanted[key],
                                    self.personal.largest.get(key, 0))


def plan_build(config: Config, store: Store, period: Period, *, now: datetime | None = None,
               draft: bool = False) -> BuildPlan:
    """The guards, the composition and the readers' personal blocks of a build; no edition
    rendered yet. See `build`."""
    now = now or utcnow()
    if send_in_progress(store, period):
        raise _editions_frozen(period)
    if frozen := frozen_copy(config, store, period):
        raise DigestError(frozen)
    draft = draft and not has_ended(config, period, now)
    if not draft:
        require_ended(config, period, now)
    readers = recipients_of(config)
    from .collect.state import failed_communities, failed_feed_urls
    from .compose import compose
    from .render import Renderer
    from .render.personal import PersonalBlocks
    from .render.view import ALL, audience, edition_key

    failed = failed_communities(config.communities, failed_feed_urls(store))

    composition = compose(config, store, period, now=now, failed_communities=failed,
                          claim=not draft)
    renderer = Renderer(config)  # one for the editions and the web archive
    # each reader's own block (their actions), rendered once per distinct content
    personal = PersonalBlocks(renderer, composition.issue, {c.id for c in config.communities},
                              web_issue_url=f"{config.web_url}{period.label}/#glance"
                              if config.web_url else None)
    personal.assign(readers.recipients)
    # the full edition plus one per distinct set of communities, as render_editions orders them
    every = {c.id for c in config.communities}
    wanted: dict[str, frozenset[str] | None] = {ALL: None}
    for reader in readers.recipients:
        communities = audience(reader.communities, every)
        wanted.setdefault(edition_key(communities), communities)
    return BuildPlan(config, period, now, composition, readers, renderer, personal, draft,
                     wanted)


def finish_build(plan: BuildPlan, store: Store, editions: Sequence[Edition]) -> BuildResult:
    """Write the rendered `editions` (in `plan.wanted` order), their manifest and, for an
    issue that is not a draft, the web archive.

    Refused when the send of the period started after the build was planned (a preview
    left open, a build racing cron): out/ keeps the editions the readers got."""
    from .deliver.lock import run_lock

    if plan.draft:  # a period that has not ended: nothing sends it
        return _write_build(plan, store, editions)
    with run_lock(plan.config.state_path):
        if send_started(store, plan.period):
            raise _editions_frozen(plan.period)
        return _write_build(plan, store, editions)


def _write_build(plan: BuildPlan, store: Store, editions: Sequence[Edition]) -> BuildResult:
    from . import archive
    from .manifest import reader_fingerprint
    from .render import size_warnings, write_editions

    config, period, personal = plan.config, plan.period, plan.personal
    warnings = list(plan.composition.warnings) + size_warnings(editions)
    warnings += [f"{config.delivery.recipients}: {p}; row skipped"
                 for p in plan.readers.skipped]
    if plan.draft:
        warnings.insert(0, f"{period} has not ended: this is a draft, for the preview only")
    write_editions(config, plan.composition.issue, list(editions), warnings,
                   blocks=personal.blocks.values(), default_blocks=personal.default,
                   readers=personal.readers, draft=plan.draft,
                   built_for=(reader_fingerprint(r) for r in plan.readers.recipients))
    folder = config.out_path / period.label
    if not plan.draft:
        archive.write_site(config, plan.composition.issue,
                           store.items("issue = ?", (period.label,)), now=plan.now,
                           renderer=plan.renderer)
    return BuildResult(plan.composition, editions, folder, plan.readers, warnings,
                       draft=plan.draft)


def build(config: Config, store: Store, period: Period, *, now: datetime | None = None,
          draft: bool = False) -> BuildResult:
    """Compose the issue and render one edition per distinct set of readers' communities.

    A period that has not ended is refused unless `draft`: a draft claims no items, records
    no issue, is marked as a draft in its manifest and is left out of the web archive.
    """
    plan = plan_build(config, store, period, now=now, draft=draft)
    editions = plan.renderer.render_editions(plan.composition.issue,
                                             (r.communities for r in plan.readers.recipients),
                                             extra_bytes=plan.personal.largest)
    return finish_build(plan, store, editions)


def audience_for(config: Config, editions: dict[str, Edition], readers: Sequence[Recipient]
                 ) -> tuple[list[tuple[Recipient, Edition]], list[tuple[Recipient, str]]]:
    """Every reader paired with the edition built for their communities, and the readers
    the build made no edition for, with their communities' key.

    Before a send starts, a reader with no edition was added or moved since the build
    (`without_edition_line`); once it has started, the ledger is the audience and such a
    reader is simply not in this period.
    """
    from .render.view import audience, edition_key

    every = {c.id for c in config.communities}
    pairs, homeless = [], []
    for reader in readers:
        key = edition_key(audience(reader.communities, every))
        if key in editions:
            pairs.append((reader, editions[key]))
        else:
            homeless.append((reader, key))
    return pairs, homeless


def send(config: Config, store: Store, period: Period, *, dry_run: bool = False,
         progress: bool = False, now: datetime | None = None,
         force: bool = False) -> SendReport:
    """Send the built editions. The ledger is told about every edition, not only those of
    the readers in the CSV now: a frozen reader who left the file is still owed theirs.

    Before the send starts, readers the build did not see (`unseen_readers`) stop it
    unless `force`; once it has started, the ledger is the audience and they are not asked
    about."""
    from .deliver.lock import run_lock

    if dry_run:  # writes nothing: it may look while a send or a build runs
        return _send(config, store, period, dry_run=True, progress=progress, now=now,
                     force=force)
    with run_lock(config.state_path):  # no build writes out/ between reading it and freezing
        return _send(config, store, period, dry_run=False, progress=progress, now=now,
                     force=force)


UNSEEN_NAMED = 10  # addresses named in the line about readers the build did not see


def unseen_readers(manifest: Manifest, readers: Sequence[Recipient]) -> list[Recipient]:
    """The readers of recipients.csv now whose row the build did not see: added, or changed
    (name, aliases, communities) since. Their personal block would be their edition's
    default, without their own actions. Empty for a build that did not record its readers."""
    from .manifest import reader_fingerprint

    if manifest.built_for is None:
        return []
    seen = set(manifest.built_for)
    return [r for r in readers if reader_fingerprint(r) not in seen]


def _first_named(names: Sequence[str]) -> str:
    """The first UNSEEN_NAMED of `names`, and how many more."""
    shown = ", ".join(names[:UNSEEN_NAMED])
    return shown + (f" and {len(names) - UNSEEN_NAMED} more" if len(names) > UNSEEN_NAMED
                    else "")


def without_edition_line(period: Period, homeless: Sequence[tuple[Recipient, str]]) -> str:
    """One line for the organiser: who has no edition in the build, and the only way out."""
    named = _first_named([f"{r.email} ({key})" for r, key in homeless])
    return (f"{period}: the build has no edition for the communities of "
            f"{plural(len(homeless), 'reader')} of recipients.csv (added or changed since "
            f"it): {named}. Run `digest build --period {period}` again; --force cannot send "
            "an edition the build did not make")


def unseen_line(period: Period, unseen: Sequence[Recipient]) -> str:
    """One line for the organiser: who the build did not see, and what to do."""
    named = _first_named([r.email for r in unseen])
    return (f"{period}: recipients.csv has {plural(len(unseen), 'reader')} the build did not "
            f"see (added or changed since): {named}; their own actions would be left out. "
            f"Run `digest build --period {period}` again, or `digest send --period {period} "
            "--force` to send the build as it is")


def _send(config: Config, store: Store, period: Period, *, dry_run: bool, progress: bool,
          now: datetime | None, force: bool = False) -> SendReport:
    from . import deliver
    from .render import read_build

    started = send_started(store, period)
    if started and not (config.out_path / period.label).exists():
        # the ledger keeps the editions of a started send: it can finish without out/
        return deliver.send_period(config, store, period.label, [], dry_run=dry_run,
                                   progress=progress, now=now)
    manifest = read_build(config, period.label)
    if not started:  # a send under way finishes whatever the guards below would say now
        require_ended(config, period, now)
        if manifest.draft:
            raise DigestError(f"{period} was built as a draft before it ended: run `digest "
                              f"build --period {period}` to build it for sending")
        if is_empty(manifest.posts, manifest.meetings) and not config.send_empty:
            raise EmptyIssue(f"{period} has nothing new (no posts, no meetings): not sent. "
                             "Set [digest] send_empty = true to send such an issue anyway")
    readers = recipients_of(config).recipients
    editions = {r.key: manifest.edition(r.key) for r in manifest.editions}
    pairs, homeless = audience_for(config, editions, readers)
    if homeless and not started:
        # before the unseen check: --force cannot send an edition the build did not make
        raise UsageError(without_edition_line(period, homeless))
    unseen = [] if started or force else unseen_readers(manifest, readers)
    if unseen and not dry_run:
        raise UsageError(unseen_line(period, unseen))
    report = deliver.send_period(config, store, period.label, pairs, editions=editions.values(),
                                 dry_run=dry_run, progress=progress, now=now, manifest=manifest)
    if unseen:  # a dry run says what the send would stop on
        report.notes.append(f"a send now would stop: {unseen_line(period, unseen)}")
    return report


def collect(config: Config, store: Store, *, progress: bool = False,
            now: datetime | None = None) -> CollectReport:
    from . import collect as collect_stage

    return collect_stage.collect(config, store, now=now, progress=progress)


@dataclass
class DiscardResult:
    period: Period
    released: int  # items back in the pool for the next issue
    removed: list[Path]  # folders deleted: the built editions and the web page


def discard(config: Config, store: Store, period: Period) -> DiscardResult:
    """Remove a built, unsent issue: its record, its editions and its web page.

    Its items are released, so the next build (of this period or the next) takes
    them again. Refused once the send has started: some readers may have it.
    """
    import shutil

    from . import archive

    record = store.issue(period.label)
    if record is None:
        raise DigestError(f"{period} has not been built: there is nothing to discard")
    if record.sent_at or send_started(store, period):
        # an organiser rehearsing with the outbox after `digest run` wants to start over
        # (named as files and the out folder, never a folder that might hold the config)
        rehearsal = (f". To rehearse again from nothing, delete {config.state_path} and "
                     f"{config.out_path} (what was collected and built goes with them)"
                     if config.delivery.method == "outbox"
                     and config.out_path.resolve() not in config.base_dir.resolve().parents
                     and config.out_path.resolve() != config.base_dir.resolve() else "")
        raise DigestError(f"the send of {period} has started, so it cannot be discarded; "
                          f"`digest status --period {period}` shows who has it{rehearsal}")
    folders = (config.out_path / period.label, archive.site_path(config) / period.label)
    from .files import UnsafePathError

    for folder in folders:  # refused before anything is released: nothing half done
        if folder.is_symlink():
            raise UnsafePathError(f"{folder} is a symbolic link; the digest does not delete "
                                  "through links: remove the link, then discard again")
    released = store.discard_issue(period.label)
    removed = []
    for folder in folders:
        if folder.is_dir():
            shutil.rmtree(folder)
            removed.append(folder)
    if removed and archive.site_path(config).is_dir():
        from .render import Renderer

        issues = archive.issues_in_site(config)  # the index and feed without this issue
        archive.write_index(config, issues, Renderer(config))
        archive.write_feed(config, issues)
    return DiscardResult(period, released, removed)
