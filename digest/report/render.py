"""The report as pages: the organisers' web page and their email, from the same figures.

Charts are HTML tables: each month a cell whose bottom border is the bar, with
the numbers in the row below and a caption saying what is drawn, so they draw
in Gmail and Outlook (no SVG, no script), survive the loss of `<style>` (every
style that draws is inline) and read aloud as a table of numbers. Status is
said in words with a symbol; colour only repeats it. Every colour pair is
checked for 4.5:1 with `digest.checks` (tests/test_report.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..config import Config
from ..models import Edition
from ..render import Renderer, _render
from .model import CommunityHealth, MonthFigures, OrganisationReport

PAGE_TEMPLATE = "report.html.j2"
EMAIL_TEMPLATE = "report-email.html.j2"
TEXT_TEMPLATE = "report.txt.j2"
EDITION_KEY = "organisers"
BAR_PX = 36  # the tallest bar of a community's chart
ORG_BAR_PX = 72  # the organisation's chart

# text on background, and the bars on the background: all at least 4.5:1
PALETTE = {
    "text": "#1f2328",
    "muted": "#4a5360",
    "background": "#ffffff",
    "panel": "#f2f4f7",
    "bar": "#2b5797",
    "baseline": "#5f6873",
    "link": "#1d4f91",
}
# status: (symbol, text colour, background); the word is always shown with them
STATUS_LOOK = {
    "active": ("✓", "#1a6633", "#e6f4ea"),
    "back": ("↑", "#1d4f91", "#e7effa"),
    "slipping": ("↘", "#7a4200", "#fdf0dc"),
    "quiet": ("○", "#8c1c2b", "#fbe8eb"),
}


@dataclass(frozen=True)
class Bar:
    label: str  # "N"
    title: str  # "November 2025"
    value: int
    px: int  # the bar's height; 1 for a zero, drawn as a baseline


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    caption: str  # says what is drawn and the figures worth knowing, for those who cannot see it


def _month(label: str) -> date:
    return date.fromisoformat(f"{label}-01")


def chart(values: list[int], months: list[str], height: int, what: str,
          scale: int | None = None) -> Chart:
    """Bars for `values` (one per month of `months`), the tallest `height` px unless `scale`
    (the value of a full-height bar) is given so several charts compare."""
    top = max([scale or 0, *values, 1])
    bars = [Bar(label=f"{_month(m):%b}"[0], title=f"{_month(m):%B %Y}", value=v,
                px=max(1, round(v * height / top))) for v, m in zip(values, months, strict=True)]
    if not values:
        return Chart(bars, height, f"{what}: no months.")
    peak = max(range(len(values)), key=lambda i: (values[i], i))
    first, last = _month(months[0]), _month(months[-1])
    caption = (f"{what} per month, {first:%B %Y} to {last:%B %Y}: {sum(values)} in all, the "
               f"most {values[peak]} in {_month(months[peak]):%B %Y}, {values[-1]} in "
               f"{last:%B}.")
    return Chart(bars, height, caption)


def trend_words(totals: list[MonthFigures]) -> str:
    """The organisation's last three months against the three before, in a sentence."""
    activity = [m.activity for m in totals]
    last = sum(activity[-3:])
    if len(activity) < 6:
        return f"{last} posts, meeting notes and sessions in the last three months."
    before = sum(activity[-6:-3])
    if before == 0:
        change = "none in the three months before"
    elif last == before:
        change = "the same as the three months before"
    else:
        pct = round(abs(last - before) * 100 / before)
        change = f"{'up' if last > before else 'down'} {pct}% on the three months before ({before})"
    return f"{last} posts, meeting notes and sessions in the last three months, {change}."


@dataclass
class ReportView:
    """What the report templates are given."""

    report: OrganisationReport
    title: str
    period_title: str
    lang: str
    dir: str
    web_url: str | None  # the published web page of the report, for the email's link
    palette: dict[str, str]
    status_look: dict[str, tuple[str, str, str]]
    org_chart: Chart
    charts: dict[str, Chart]  # per community, on one scale so they compare
    own_charts: dict[str, Chart]  # per community, each on its own scale (the web page)
    trend: str
    totals: list[MonthFigures]

    @property
    def communities(self) -> list[CommunityHealth]:
        return self.report.communities


def build_view(config: Config, report: OrganisationReport) -> ReportView:
    months = report.months
    totals = report.totals
    scale = max([c.months and max(m.activity for m in c.months) or 0
                 for c in report.communities] + [1])
    last = _month(report.period)
    return ReportView(
        report=report,
        title=f"{config.title}: how the communities are doing",
        period_title=f"{_month(months[0]):%B %Y} to {last:%B %Y}",
        lang=config.language, dir=config.direction,
        web_url=f"{config.web_url}organisers/" if config.web_url else None,
        palette=PALETTE, status_look=STATUS_LOOK,
        org_chart=chart([m.activity for m in totals], months, ORG_BAR_PX,
                        "Posts, meeting notes and sessions held across the organisation"),
        charts={c.id: chart([m.activity for m in c.months], months, BAR_PX,
                            f"{c.name}: posts, notes and sessions", scale)
                for c in report.communities},
        own_charts={c.id: chart([m.activity for m in c.months], months, BAR_PX * 2,
                                f"{c.name}: posts, meeting notes and sessions held")
                    for c in report.communities},
        trend=trend_words(totals), totals=totals)


def render_page(renderer: Renderer, view: ReportView) -> str:
    return _render(renderer.html_env, PAGE_TEMPLATE, v=view)


def render_email(renderer: Renderer, view: ReportView) -> Edition:
    """The organisers' email: one edition, the same for every organiser."""
    html = _render(renderer.html_env, EMAIL_TEMPLATE, v=view)
    text = _render(renderer.text_env, TEXT_TEMPLATE, v=view)
    report = view.report
    counts = {s: len(cs) for s, cs in report.by_status().items()}
    risky = len(report.at_risk())
    subject = (f"Communities in {_month(report.period):%B %Y}: {counts['active']} active, "
               f"{counts['slipping']} slipping, {counts['quiet']} quiet, {counts['back']} back")
    preheader = (f"{risky} communit{'y' if risky == 1 else 'ies'} to look at. {view.trend}")
    return Edition(key=EDITION_KEY, communities=None, subject=subject, preheader=preheader,
                   html=html, text=text)
