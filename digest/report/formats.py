"""The report as data: `--format json` (exactly the shape issue 12 specifies) and `--format csv`
(one row per community and month, the same fields)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .model import FIGURES, OrganisationReport

COMMUNITY_FIELDS = ("id", "name", "status", "days_since_activity", "top_facilitator",
                    "top_facilitator_share", "rota_flag")
CSV_HEADER = (*COMMUNITY_FIELDS, "month", *FIGURES)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def to_data(report: OrganisationReport) -> dict[str, Any]:
    return {
        "period": report.period,
        "months": list(report.months),
        "communities": [{
            "id": c.id,
            "name": c.name,
            "status": c.status,
            "days_since_activity": c.days_since_activity,
            "top_facilitator": c.top_facilitator,
            "top_facilitator_share": _share(c.top_facilitator_share),
            "rota_flag": c.rota_flag,
            "months": [{"month": m.month, **{name: getattr(m, name) for name in FIGURES}}
                       for m in c.months],
        } for c in report.communities],
    }


def to_json(report: OrganisationReport) -> str:
    return json.dumps(to_data(report), ensure_ascii=False, indent=2) + "\n"


def to_csv(report: OrganisationReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for c in to_data(report)["communities"]:
        head = [c[name] for name in COMMUNITY_FIELDS]
        head[COMMUNITY_FIELDS.index("rota_flag")] = "true" if c["rota_flag"] else "false"
        for m in c["months"]:
            writer.writerow(["" if v is None else _cell(v) for v in head]
                            + [m["month"], *(m[name] for name in FIGURES)])
    return out.getvalue()


def _cell(value: object) -> object:
    """A text cell a spreadsheet will not run: a facilitator's name comes from a calendar,
    and `=HYPERLINK(…)` there would be a formula when the CSV is opened (OWASP's CSV
    injection); such text is prefixed with an apostrophe, as the spreadsheets do."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
