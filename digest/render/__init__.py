"""Render: an issue into editions (HTML + text), written under `out/<period>/`.

HTML goes Jinja2 -> MJML -> mjml-python -> premailer. Only our own rules
(`templates/inline.css`) are inlined: MJML's reset and media queries stay in
`<style>` blocks, because inlining them bloats every element and kills the
responsive layout and dark mode (see shared/REFERENCE.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import jinja2
import mjml

from .. import packaged
from ..config import Config
from ..errors import DigestError
from ..files import write_file
from ..invites import ics
from ..manifest import (
    MANIFEST,
    CommunitySummary,
    DecisionLine,
    EditionRecord,
    Headline,
    Manifest,
    PersonalBlock,
    SessionLine,
    fill_slot,
    read_manifest,
    write_manifest,
)
from ..models import Edition, Issue, Item
from ..store import to_text, utcnow
from ..text import clean_text
from . import filters
from .view import (
    ALL,
    DETAIL_LEVELS,
    View,
    audience,
    build_view,
    edition_key,
    edition_sections,
    intro_text,
    section_summary,
    session_when,
)

GMAIL_CLIP_BYTES = 102 * 1024
SIZE_BUDGET_BYTES = 90 * 1024
HEADLINES_IN_FEED = 5
__all__ = ["MANIFEST", "Renderer", "read_build", "read_edition", "write_editions"]
LOGO = "logo.png"  # optional, in the templates folder; needs web_url to reach the email
SITE_INDEX = "site-index.html.j2"  # the web archive's list of issues
_PACKAGE_TEMPLATES = packaged.templates()
_INDENT = re.compile(r"\n[ \t]+")


class TemplateError(DigestError):
    """A template that does not render: names the template and the line."""


def templates_dir(config: Config) -> Path:
    path = config.templates_path or _PACKAGE_TEMPLATES
    if not (path / "digest.mjml.j2").is_file():
        raise TemplateError(f"{path}: no digest.mjml.j2 here; set [digest] templates to the "
                            "folder holding digest.mjml.j2, digest.txt.j2 and inline.css")
    return path


class Renderer:
    """Holds the template environments so many editions, and the web archive's pages,
    render without compiling the templates again: build one per build."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.path = templates_dir(config)
        # a template missing from a custom folder (one made before the site index was a
        # template, say) comes from the packaged templates
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(folder)) for folder in
                                      dict.fromkeys([self.path, _PACKAGE_TEMPLATES])])
        self.html_env = _environment(loader, autoescape=True)
        self.text_env = _environment(loader, autoescape=False)
        css = self.path / "inline.css"  # like the templates: the package's when left out
        css = css if css.is_file() else _PACKAGE_TEMPLATES / "inline.css"
        self.inline_css = css.read_text(encoding="utf-8")
        self.has_logo = (self.path / LOGO).is_file()
        # whether a level whose MJML output is already over the budget may skip the inliner
        # (see _fit): true while the inliner has never shrunk a document
        self._skip_over = True

    def render(self, issue: Issue, communities: frozenset[str] | None,
               extra_bytes: int = 0) -> Edition:
        """Render at the most detail that keeps the HTML under the size budget.

        Gmail clips larger messages and then drops head styles, so a busy month
        shows shorter excerpts and fewer outcome lines (each links to the rest)
        rather than a broken email. When even the last level is over the budget the
        edition says so (`over_budget`) and the build warns.
        """
        calendar = self.calendar(issue, communities)
        # the largest personal block and the calendar attachment go out with the HTML
        extra = extra_bytes + (len(calendar) * 4 // 3 if calendar else 0)
        view, html = self._fit(issue, communities, SIZE_BUDGET_BYTES - extra)
        return Edition(key=view.key, communities=communities, subject=view.subject,
                       preheader=view.preheader, html=html, text=self.text(view),
                       detail_level=DETAIL_LEVELS.index(view.detail), calendar=calendar)

    def _fit(self, issue: Issue, communities: frozenset[str] | None, room: int
             ) -> tuple[View, str]:
        """The first detail level whose inlined HTML weighs less than `room` bytes (else the
        last), and that HTML: what inlining every level in turn would choose.

        The inliner is most of an edition's time, so a level is inlined only when it might
        fit: inlining only adds to MJML's output (style attributes, line breaks), so a level
        whose MJML output alone is `room` or more is over the budget without it. Should
        the inliner ever give fewer bytes than it was given, that shortcut is unsafe: every
        level is then inlined, for this edition and the rest of the build.
        """
        for detail in DETAIL_LEVELS:
            view = build_view(self.config, issue, communities, detail)
            compiled = self.compiled(view)
            compiled_bytes = len(compiled.encode("utf-8"))
            if self._skip_over and compiled_bytes >= room and detail is not DETAIL_LEVELS[-1]:
                continue
            html = inline_css(compiled, self.inline_css)
            html_bytes = len(html.encode("utf-8"))
            if html_bytes < compiled_bytes and self._skip_over:
                self._skip_over = False
                return self._fit(issue, communities, room)
            if html_bytes < room:
                break
        return view, html

    def calendar(self, issue: Issue, communities: frozenset[str] | None) -> bytes | None:
        """Without a web archive to link to, the edition's coming sessions travel as one
        text/calendar attachment."""
        if self.config.web_url:
            return None
        sessions = [x for s in issue.sections
                    if communities is None or s.community_id in communities
                    for x in s.sessions]
        if not sessions:
            return None
        return ics(sessions, product=self.config.organisation,
                   stamp=issue.built_at or utcnow())

    def personal_html(self, **context: object) -> str:
        # the block skips the inliner: it writes inline.css's list margins itself, and they
        # change sides with the direction
        return _render(self.html_env, "glance-personal.html.j2", dir=self.config.direction,
                       **context).strip()

    def personal_text(self, **context: object) -> str:
        text = _render(self.text_env, "glance-personal.txt.j2", **context).strip()
        return text + "\n" if text else ""  # a blank line before what follows the slot

    def render_editions(self, issue: Issue, audiences: Iterable[frozenset[str] | None],
                        extra_bytes: dict[str, int] | None = None) -> list[Edition]:
        """The full edition plus one per distinct set of communities: render once per set.
        `extra_bytes` (by edition key) is what goes into the edition at send time."""
        every = {c.id for c in self.config.communities}
        wanted: dict[str, frozenset[str] | None] = {ALL: None}
        for communities in audiences:
            communities = audience(communities, every)
            wanted.setdefault(edition_key(communities), communities)
        return [self.render(issue, c, (extra_bytes or {}).get(key, 0))
                for key, c in wanted.items()]

    def logo_url(self, view: View) -> str | None:
        """Where the logo is published: the web archive copies logo.png to its root."""
        if not self.has_logo:
            return None
        if view.web:
            return f"../{LOGO}"
        return f"{self.config.web_url}{LOGO}" if self.config.web_url else None

    def mjml(self, view: View) -> str:
        if view.logo_url is None:
            view.logo_url = self.logo_url(view)
        # Template indentation is only bytes in the email: HTML folds it, and we use no <pre>.
        return _INDENT.sub("\n", _render(self.html_env, "digest.mjml.j2", v=view))

    def html(self, view: View) -> str:
        return inline_css(self.compiled(view), self.inline_css)

    def compiled(self, view: View) -> str:
        """The view's HTML as MJML compiles it, before the inliner."""
        # Second guard: text is cleaned when parsed, but a control character that got
        # into the state some other way must not make mjml-python refuse the issue.
        source = clean_text(self.mjml(view))
        try:
            compiled = mjml.mjml2html(source, fonts={}, disable_comments=True)
        except ValueError as e:
            raise TemplateError(f"{self.path / 'digest.mjml.j2'}: the MJML it produced does not "
                                f"compile: {e}") from None
        if view.dir == "rtl":
            # mjml-python writes direction:ltr on every column whatever the section says, and
            # that would undo <html dir="rtl"> for everything inside the columns
            compiled = compiled.replace("direction:ltr;", "direction:rtl;")
        return compiled

    def text(self, view: View) -> str:
        text = clean_text(_render(self.text_env, "digest.txt.j2", v=view))
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"

    def site_index(self, issues: list[Manifest]) -> str:
        """The web archive's index page: `issues` are the site's issue.json, newest first."""
        c = self.config
        return _render(self.html_env, SITE_INDEX, lang=c.language, dir=c.direction,
                       title=c.title, organisation=c.organisation, issues=issues)


def inline_css(html: str, css: str) -> str:
    """Inline `css` into `html`, leaving every existing <style> block alone (see
    inliner.Inliner: premailer, with the stylesheet worked out once)."""
    from .inliner import inliner  # here: premailer loads cssutils (~0.2 s), which the report's
    # web page never needs

    return inliner(css)(html)


def size_warnings(editions: Iterable[Edition]) -> list[str]:
    """A warning for each edition still over the size budget at the least detail."""
    return [f"edition {e.key} is {e.html_bytes / 1024:.0f} KB even at the least detail "
            f"(budget {SIZE_BUDGET_BYTES // 1024} KB); Gmail may clip it"
            for e in editions if e.html_bytes >= SIZE_BUDGET_BYTES]


def write_editions(config: Config, issue: Issue, editions: list[Edition],
                   warnings: list[str] | None = None, *,
                   blocks: Iterable[PersonalBlock] = (),
                   default_blocks: dict[str, str] | None = None,
                   readers: dict[str, str] | None = None, draft: bool = False,
                   built_for: Iterable[str] | None = None) -> Manifest:
    """Write `out/<period>/`: digest.html/.txt (full edition), editions/<key>.*, issue.json.

    `draft` marks a period that has not ended: preview shows it, send refuses it.
    `built_for` are the manifest.reader_fingerprint of the readers the blocks were made for."""
    folder = config.out_path / issue.period.label
    root = config.out_path
    records = []
    full = editions[0]
    by_key = {b.key: b for b in blocks}
    for edition in editions:
        default = (default_blocks or {}).get(edition.key)
        edition, record = as_written(edition, by_key.get(default) if default else None)
        write_file(folder / record.html, edition.html, root)
        write_file(folder / record.text, edition.text, root)
        if edition.calendar and record.calendar:
            write_file(folder / record.calendar, edition.calendar, root)
        if edition.key == ALL:
            full = edition
        records.append(record)
    manifest = Manifest(
        period=issue.period.label, period_title=issue.period.title(), title=issue.title,
        subject=full.subject, intro=intro_text(issue), built_at=to_text(utcnow()) or "",
        posts=issue.post_count, meetings=issue.meeting_count, sessions=issue.session_count,
        warnings=tuple(warnings or ()), communities=community_summaries(issue),
        quiet=tuple(s.name for s in issue.quiet), editions=tuple(records),
        blocks=tuple(by_key.values()), readers=dict(readers or {}), draft=draft, folder=folder,
        built_for=tuple(sorted(set(built_for))) if built_for is not None else None,
    )
    write_manifest(folder, manifest, root)
    return manifest


def as_written(edition: Edition, block: PersonalBlock | None) -> tuple[Edition, EditionRecord]:
    """The edition as `write_editions` writes it (`block`, the default personal block, in its
    slot) and its record: the preview serves these before anything is written."""
    stem = "digest" if edition.key == ALL else f"editions/{edition.key}"
    html, html_slot = fill_slot(edition.html, block.html if block else "")
    text, text_slot = fill_slot(edition.text, block.text if block else "")
    edition = replace(edition, html=html, text=text)
    record = EditionRecord(
        key=edition.key,
        communities=tuple(sorted(edition.communities))
        if edition.communities is not None else None,
        subject=edition.subject, preheader=edition.preheader,
        html=f"{stem}.html", text=f"{stem}.txt",
        html_bytes=edition.html_bytes, detail_level=edition.detail_level,
        calendar=f"{stem}.ics" if edition.calendar else None,
        default_block=block.key if block else None, html_slot=html_slot,
        text_slot=text_slot,
    )
    return edition, record


def community_summaries(issue: Issue) -> tuple[CommunitySummary, ...]:
    """Each community's summary and headlines, for the site index and the Atom feed.

    A post (or meeting's notes) listed under several communities stands once, under the
    first, naming the others (`Headline.also_in`), and the others count it as "also in":
    the rule of the email's full edition (view.edition_sections), so the feed and the email
    never disagree about what a community holds. Its decisions are listed once too.
    """
    sections, also = edition_sections(issue, list(issue.sections))
    elsewhere: dict[str, list[str]] = {}  # post key -> the later communities listing it
    for s in sections:
        for pointer in also.get(s.community_id, ()):
            names = elsewhere.setdefault(issue.post_key(pointer.item), [])
            if s.name not in names:
                names.append(s.name)

    def headline(title: str, item: Item) -> Headline:
        return Headline(title, item.link, tuple(elsewhere.get(issue.post_key(item), ())))

    return tuple(
        CommunitySummary(
            id=s.community_id, name=s.name,
            summary=section_summary(s, also.get(s.community_id)),
            headlines=tuple(headline(i.title, i) for i in s.posts[:HEADLINES_IN_FEED])
            + tuple(headline(f"Meeting: {m.title}", m) for m in s.meetings),
            # what a feed entry says besides headlines: decisions (linking to their notes)
            # and the coming sessions
            decisions=tuple(DecisionLine(d.text, m.link)
                            for m in s.meetings for d in m.outcomes.decisions),
            sessions=tuple(SessionLine(x.title, session_when(x), x.location, x.join_url)
                           for x in s.sessions))
        for s in sections)


def read_build(config: Config, period_label: str) -> Manifest:
    """What `digest build` wrote for a period: the one reader of out/<period>/issue.json."""
    return read_manifest(config.out_path / period_label)


def read_edition(config: Config, period_label: str, key: str = ALL) -> Edition:
    """One built edition by its key ("all", "data+design", ...), for a test send or a preview."""
    return read_build(config, period_label).edition(key)


def _searched(loader: jinja2.BaseLoader | None) -> list[str]:
    """The folders a loader looks in, for a "template not found" message."""
    if isinstance(loader, jinja2.ChoiceLoader):
        return [path for inner in loader.loaders for path in _searched(inner)]
    if isinstance(loader, jinja2.FileSystemLoader):
        return [str(path) for path in loader.searchpath]
    return []


def _environment(loader: jinja2.BaseLoader, autoescape: bool) -> jinja2.Environment:
    # auto_reload off: a template is compiled once per Renderer (one per build; the preview
    # makes a new one when a template changes), not looked up on disk for every edition
    env = jinja2.Environment(loader=loader, autoescape=autoescape, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             auto_reload=False)
    filters.install(env)
    return env


def _render(env: jinja2.Environment, name: str, **context: object) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(f"{e.filename or name}:{e.lineno}: template syntax error: "
                            f"{e.message}") from None
    except jinja2.TemplateNotFound as e:
        folders = _searched(env.loader)
        raise TemplateError(f"template {e.name} not found in {', '.join(folders)}") from None
    except jinja2.UndefinedError as e:
        raise TemplateError(f"{name}: {e.message}: the template uses a name it is not "
                            "given") from None
