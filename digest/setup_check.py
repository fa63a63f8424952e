"""`digest check`: is this set-up ready to run? One line per problem, nothing stored.

It reads what the job reads (the configuration, the community list, the
recipients, the templates), reaches every feed, notes folder and calendar once
through the collect stage's own fetch and parse (`collect.check`, which stores
nothing), and with `smtp=True` logs in to the relay (EHLO, STARTTLS, AUTH) and
quits without sending. A new organiser runs it after `digest init`; an operator
runs it after editing anything.

A configuration that cannot be read at all raises its `ConfigError` (exit 78),
because nothing else can be checked without it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .config import Config, load_config
from .errors import ConfigError, DigestError
from .models import Action, Decision, Issue, Item, Kind, MeetingOutcomes, Section
from .period import Period
from .text import plural


@dataclass
class SetupReport:
    config: Config
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what was looked at, for the summary
    relay: str | None = None  # what --smtp found at the relay, said even beside problems

    @property
    def ok(self) -> bool:
        return not self.problems


def check_setup(config_path: str | os.PathLike[str] | None, *, smtp: bool = False,
                progress: bool = False, on_problem: Callable[[str], None] | None = None
                ) -> SetupReport:
    config = load_config(config_path)
    report = SetupReport(config)

    def problem(line: str) -> None:
        report.problems.append(line)
        if on_problem is not None:
            on_problem(line)

    _check_recipients(config, report, problem)
    _check_report_recipients(config, problem)
    if config.delivery.method == "smtp":
        _check_real_addresses(config, problem)
    _check_repeated_sources(config, problem)
    _check_templates(config, report, problem)
    _check_writable(config, problem)
    _check_sources(config, report, problem, progress)
    if smtp:
        _check_relay(config, report, problem)
    return report


def _check_recipients(config: Config, report: SetupReport, problem: Callable[[str], None]
                      ) -> None:
    from .recipients import load_recipients

    path = config.delivery.recipients
    try:
        readers = load_recipients(path, {c.id for c in config.communities})
    except ConfigError as e:
        problem(str(e))
        return
    for skipped in readers.skipped:
        problem(f"{path}: {skipped}; this row would be skipped")
    if not readers.recipients:
        problem(f"{path}: no recipient to send to: add a row email,name,communities")
    report.checked.append(plural(len(readers.recipients), "recipient"))


def _check_report_recipients(config: Config, problem: Callable[[str], None]) -> None:
    """[report] recipients: `digest run` mails the organisers from it after the digest."""
    from .recipients import load_recipients

    path = config.report_recipients
    if path is None:
        return
    try:
        organisers = load_recipients(path, {c.id for c in config.communities})
    except ConfigError as e:
        problem(f"{e} (the organisers' list, [report] recipients in {config.path.name})")
        return
    for skipped in organisers.skipped:
        problem(f"{path}: {skipped}; this row would be skipped")
    if not organisers.recipients:
        problem(f"{path}: no organiser to send the report to: add a row email,name,communities "
                f"or remove the [report] table from {config.path.name}")


def _check_real_addresses(config: Config, problem: Callable[[str], None]) -> None:
    """With a real relay, an address on a reserved domain (example.org, .test...) left over
    from the examples would send the digest from, or readers' replies to, nobody."""
    from .addresses import parse_mailbox, reserved_domain
    from .recipients import load_recipients

    delivery = config.delivery
    keys = [("delivery.from", parse_mailbox(delivery.sender)[1]),
            ("delivery.unsubscribe_mailto", delivery.unsubscribe_mailto),
            ("smtp.envelope_from", delivery.smtp.envelope_from if delivery.smtp else None)]
    for key, address in keys:
        if address and (domain := reserved_domain(address)):
            problem(f"{config.path}: {key}: {address} is an example address ({domain} reaches "
                    "nobody): put your organisation's own before sending for real")
    lists = [delivery.recipients]
    if config.report_recipients is not None:
        lists.append(config.report_recipients)
    for path in lists:
        try:
            readers = load_recipients(path, {c.id for c in config.communities})
        except ConfigError:
            continue  # named by the checks above
        examples = [r.email for r in readers.recipients if reserved_domain(r.email)]
        if examples:  # one line for the list, however many rows: a test list can be long
            domains = sorted({reserved_domain(e) or "" for e in examples})
            problem(f"{path}: {plural(len(examples), 'reader has', 'readers have')} an example "
                    f"address ({', '.join(domains)} reaches nobody), first {examples[0]}: "
                    "replace the example rows with your readers")


def _check_repeated_sources(config: Config, problem: Callable[[str], None]) -> None:
    """A feed listed twice in one community is read twice and shown twice: a slip of editing."""
    from collections import Counter

    for community in config.communities:
        roles: dict[str, list[str]] = {}
        for role, location in community.sources():
            roles.setdefault(location, []).append(role)
        for location, listed in roles.items():
            if len(listed) > 1:
                where = ", ".join(f"{n}× {r}" if n > 1 else r
                                  for r, n in Counter(listed).items())
                problem(f"{config.feeds_path}: community {community.id} lists {location} "
                        f"{len(listed)} times ({where}): keep one")


def _check_templates(config: Config, report: SetupReport, problem: Callable[[str], None]
                     ) -> None:
    """Render a small made-up issue (a post, a meeting with outcomes) through the templates."""
    from .pipeline import default_period
    from .render import Renderer

    try:
        renderer = Renderer(config)
        edition = renderer.render(_sample_issue(config, default_period(config)), None)
        if not edition.html.strip() or not edition.text.strip():
            problem(f"{renderer.path}: the templates render an empty email")
    except DigestError as e:
        problem(str(e))
        return
    except Exception as e:  # a Jinja error in a custom template: name it, do not crash
        where = getattr(e, "filename", None) or config.templates_path or "templates"
        line = getattr(e, "lineno", None)
        problem(f"{where}{f': line {line}' if line else ''}: the template does not render: "
                f"{type(e).__name__}: {e}")
        return
    report.checked.append("templates")


def _sample_issue(config: Config, period: Period) -> Issue:
    community = config.communities[0]
    moment = datetime.combine(period.first_day, datetime.min.time(), tzinfo=UTC) \
        + timedelta(days=1)

    def item(kind: Kind, title: str, outcomes: MeetingOutcomes | None = None) -> Item:
        return Item(key=f"check-{kind}", community=community.id, kind=kind,
                    feed_url="check", title=title, link="https://example.org/check",
                    author="A. Writer", published=moment, updated=None, first_seen=moment,
                    excerpt="A short excerpt to see the templates render.",
                    outcomes=outcomes or MeetingOutcomes())

    meeting = item("meeting", "A meeting", MeetingOutcomes(
        decisions=(Decision("A decision."),),
        actions=(Action("Do a thing", owner="A. Owner", due=moment.date(),
                        due_text=moment.date().isoformat()),),
        held_on=moment.date()))
    section = Section(community_id=community.id, name=community.name,
                      description=community.description, join_url=community.join_url,
                      posts=[item("post", "A post")], meetings=[meeting],
                      last_activity=moment)
    return Issue(period=period, title=config.title, organisation=config.organisation,
                 sections=[section], quiet=[], web_url=config.web_url,
                 coming_period=period.next())


def _check_writable(config: Config, problem: Callable[[str], None]) -> None:
    for what, path in (("state", config.state_path.parent), ("out", config.out_path)):
        existing = next((p for p in (path, *path.parents) if p.exists()), None)
        if existing is None or not os.access(existing, os.W_OK | os.X_OK):
            problem(f"{config.path}: {what}: cannot write to {existing or path}: "
                    "give the job's user write access or choose another folder")


def _check_sources(config: Config, report: SetupReport, problem: Callable[[str], None],
                   progress: bool) -> None:
    from . import collect as collect_stage

    feeds = collect_stage.check(config, None, progress=progress)
    for row in feeds.feeds:
        if row.failed:
            # an address that is not there (a typo, a moved page): say where it is written
            fix = (f"; fix the address under {row.role} of community {row.community} in "
                   f"{config.feeds_path}" if row.error_kind in ("http-404", "http-410") else "")
            problem(f"{row.role} of {row.community}: {row.url}: {row.status}"
                    f"{f' ({row.error_kind})' if row.error_kind else ''}: {row.error_message}"
                    f"{fix}")
        for line in row.problems:
            if row.role == "calendar":
                problem(f"calendar of {row.community}: {row.url}: {line}")
            else:
                problem(f"notes of {row.community}: {Path(row.url) / line}")
    report.checked.append(plural(len(feeds.feeds), "source"))


def _check_relay(config: Config, report: SetupReport, problem: Callable[[str], None]) -> None:
    smtp = config.delivery.smtp
    if smtp is None:
        problem(f"{config.path}: --smtp: delivery.method is {config.delivery.method!r}, "
                "so there is no relay to log in to")
        return
    from .deliver.transports import RelayUnavailable, SmtpTransport

    try:
        transport = SmtpTransport(smtp)
        transport.ready()  # connect, EHLO, STARTTLS, EHLO, AUTH: everything but a message
        transport.close()
    except ConfigError as e:
        problem(str(e))
        return
    except RelayUnavailable as e:
        problem(str(e))
        return
    login = (f"logged in as {smtp.username!r}" if smtp.username
             else "reached (no username set, so no login)")
    report.relay = f"relay {smtp.host}:{smtp.port}: {login}, no mail sent"
    report.checked.append(f"relay {smtp.host}:{smtp.port} ({login})")
