"""`digest report`: every community's health over the year, for the people who look after them.

    model.py    the figures, the statuses and the reasons a community may be at risk
    queries.py  grouped queries on the store and the stored calendars
    formats.py  --format json and csv
    render.py   the organisers' web page and email (templates report*.j2)

The page goes to `out/site/organisers/index.html`; with `[report] recipients`,
`digest run` also emails it to the organisers through the same transport and
ledger as the digest, under the ledger period `<month>/report`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import DigestError
from ..files import write_file
from ..models import Edition
from ..period import Period
from ..store import Store, utcnow
from .model import OrganisationReport
from .queries import DEFAULT_MONTHS, build_report

if TYPE_CHECKING:
    from ..deliver import SendReport
    from ..render import Renderer

__all__ = ["DEFAULT_MONTHS", "OrganisationReport", "build_report", "email_edition",
           "ledger_period", "page_path", "send_report", "write_page"]

FOLDER = "organisers"


def page_path(config: Config) -> Path:
    return config.out_path / "site" / FOLDER / "index.html"


def write_page(config: Config, report: OrganisationReport,
               renderer: Renderer | None = None) -> Path:
    """Write the organisers' web page; `digest preview` serves it at /organisers/."""
    from ..render import Renderer
    from .render import build_view, render_page

    html = render_page(renderer or Renderer(config), build_view(config, report))
    return write_file(page_path(config), html, config.out_path)  # atomic, never via a link


def email_edition(config: Config, report: OrganisationReport,
                  renderer: Renderer | None = None) -> Edition:
    from ..render import Renderer
    from .render import build_view, render_email

    return render_email(renderer or Renderer(config), build_view(config, report))


def ledger_period(month: Period) -> str:
    """The report's period in the send ledger: its own, beside the digest's."""
    return f"{month.label}/report"


def _edition_folder(config: Config, month: Period) -> Path:
    return config.out_path / month.label / "report"


def _write_edition(config: Config, folder: Path, edition: Edition) -> None:
    root = config.out_path
    write_file(folder / "report.html", edition.html, root)
    write_file(folder / "report.txt", edition.text, root)
    write_file(folder / "edition.json", json.dumps(
        {"key": edition.key, "subject": edition.subject, "preheader": edition.preheader}), root)


def _read_edition(folder: Path) -> Edition:
    try:
        meta = json.loads((folder / "edition.json").read_text(encoding="utf-8"))
        return Edition(key=meta["key"], communities=None, subject=meta["subject"],
                       preheader=meta["preheader"],
                       html=(folder / "report.html").read_text(encoding="utf-8"),
                       text=(folder / "report.txt").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError) as e:
        raise DigestError(f"{folder}: the organisers' report being sent cannot be read back "
                          f"({e}); restore the folder to resume its send") from None


@dataclass
class ReportSend:
    """What sending the organisers' report did."""

    period: str
    send: SendReport
    already_done: bool = False
    skipped: list[str] = field(default_factory=list)  # recipients rows skipped


def send_report(config: Config, store: Store, month: Period, *, now: datetime | None = None
                ) -> ReportSend | None:
    """Send the report for `month` to the organisers, once, resumably; None if not configured.

    The first send freezes its edition to `out/<month>/report/` and its audience into
    the ledger; a later run resends only what the ledger still owes, with the same
    edition and Message-IDs.
    """
    if config.report_recipients is None:
        return None
    from .. import deliver
    from ..deliver.ledger import Ledger, ledger_status
    from ..recipients import load_recipients
    from ..render import Renderer

    label = ledger_period(month)
    status = ledger_status(store, label)
    if status.done:
        from ..deliver import SendReport

        return ReportSend(label, SendReport(period=label, method=config.delivery.method,
                                            total=status.total, sent=status.counts["sent"],
                                            failed=status.counts["failed"], status=status),
                          already_done=True)
    readers = load_recipients(config.report_recipients, {c.id for c in config.communities})
    folder = _edition_folder(config, month)
    ledger = Ledger(store, create=False)
    if ledger.frozen(label):  # the ledger keeps what the first organisers got
        frozen = ledger.editions(label)
        edition = next(iter(frozen.values())).edition if frozen else _read_edition(folder)
    else:
        now = now or utcnow()
        report = build_report(config, store, month, now=now)
        renderer = Renderer(config)
        write_page(config, report, renderer)
        edition = email_edition(config, report, renderer)
        _write_edition(config, folder, edition)
    pairs = [(r, edition) for r in readers.recipients]
    sent = deliver.send_period(config, store, label, pairs, editions=[edition], now=now)
    return ReportSend(label, sent, skipped=[f"{config.report_recipients}: {p}; row skipped"
                                           for p in readers.skipped])
