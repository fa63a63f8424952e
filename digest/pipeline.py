"""The job's steps over the stages: build an issue, send it, or do both after a collect.

cli.py calls one function here per command; tests call them directly. Each step
imports the stages it runs when it runs: a daily `digest collect` from cron should
not pay for loading the renderer, the inliner and the SMTP code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config
from .errors import DigestError, UsageError
from .models import Edition, Recipient
from .period import Period
from .store import Store, utcnow

if TYPE_CHECKING:
    from .collect import CollectReport
    from .compose import Composition
    from .deliver import SendReport
    from .recipients import RecipientList


@dataclass
class BuildResult:
    composition: Composition
    editions: list[Edition]
    folder: Path
    recipients: RecipientList
    warnings: list[str] = field(default_factory=list)

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


def build(config: Config, store: Store, period: Period, *, now: datetime | None = None
          ) -> BuildResult:
    """Compose the issue and render one edition per distinct set of readers' communities."""
    if send_in_progress(store, period):
        raise DigestError(f"the send of {period} has started, so its editions are frozen; "
                          f"resume it with `digest send --period {period}`")
    now = now or utcnow()
    readers = recipients_of(config)
    from . import archive
    from .collect.state import failed_communities, failed_feed_urls
    from .compose import compose
    from .render import Renderer, size_warnings, write_editions
    from .render.personal import PersonalBlocks

    failed = failed_communities(config.communities, failed_feed_urls(store))

    composition = compose(config, store, period, now=now, failed_communities=failed)
    renderer = Renderer(config)  # one for the editions and the web archive
    # each reader's own block (their actions), rendered once per distinct content
    personal = PersonalBlocks(renderer, composition.issue, {c.id for c in config.communities},
                              web_issue_url=f"{config.web_url}{period.label}/#glance"
                              if config.web_url else None)
    personal.assign(readers.recipients)
    editions = renderer.render_editions(composition.issue,
                                        (r.communities for r in readers.recipients),
                                        extra_bytes=personal.largest)
    warnings = list(composition.warnings) + size_warnings(editions)
    warnings += [f"{config.delivery.recipients}: {p}; row skipped"
                 for p in readers.skipped]
    write_editions(config, composition.issue, editions, warnings,
                   blocks=personal.blocks.values(), default_blocks=personal.default,
                   readers=personal.readers)
    folder = config.out_path / period.label
    archive.write_site(config, composition.issue,
                       store.items("issue = ?", (period.label,)), now=now, renderer=renderer)
    return BuildResult(composition, editions, folder, readers, warnings)


def audience_for(config: Config, period: Period, editions: dict[str, Edition],
                 readers: list[Recipient], *, started: bool) -> list[tuple[Recipient, Edition]]:
    """Pair every reader with the edition built for their communities.

    Before a send starts, a reader with no edition means the recipients changed
    since the build: an error. Once it has started, the ledger is the audience and
    such a reader is simply not in this period.
    """
    from .render.view import audience, edition_key

    every = {c.id for c in config.communities}
    pairs = []
    for reader in readers:
        key = edition_key(audience(reader.communities, every))
        if key in editions:
            pairs.append((reader, editions[key]))
        elif not started:
            raise DigestError(f"no edition of {period} for {reader.email}'s communities "
                              f"({key}): the recipients changed since the build; run "
                              f"`digest build --period {period}` again")
    return pairs


def send(config: Config, store: Store, period: Period, *, dry_run: bool = False,
         progress: bool = False, now: datetime | None = None) -> SendReport:
    """Send the built editions. The ledger is told about every edition, not only those of
    the readers in the CSV now: a frozen reader who left the file is still owed theirs."""
    from . import deliver
    from .render import read_build

    manifest = read_build(config, period.label)
    editions = {r.key: manifest.edition(r.key) for r in manifest.editions}
    pairs = audience_for(config, period, editions, recipients_of(config).recipients,
                         started=send_started(store, period))
    return deliver.send_period(config, store, period.label, pairs, editions=editions.values(),
                               dry_run=dry_run, progress=progress, now=now, manifest=manifest)


def collect(config: Config, store: Store, *, progress: bool = False,
            now: datetime | None = None) -> CollectReport:
    from . import collect as collect_stage

    return collect_stage.collect(config, store, now=now, progress=progress)
