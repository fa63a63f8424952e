"""Checks of a built email that nobody can argue with: accessibility, contrast, client support.

Used by the tests and by `digest preview`, so the organiser sees the same
warnings the test suite would fail on. Everything here reads the *built* HTML:
the colours, sizes and structure come from the templates through MJML and
premailer, so what is checked is what the reader gets.

The styling checks need a small CSS cascade (inline styles, `<style>` rules
with specificity and `!important`, media queries for a viewport width and a
colour scheme) because most of the email's colours live in head rules (dark
mode) and MJML attributes (inline), and a check that saw only one of them
would miss the pairs that matter.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import cssselect
import cssutils
import lxml.html
from lxml import etree

from . import packaged
from .outcomes.blocks import element_text

MIN_FONT_PX = 14.0
MIN_CONTRAST = 4.5
CLIENTS = ("gmail.*", "outlook.*", "apple-mail.*", "yahoo.*")
VAGUE_LINK_TEXT = frozenset({
    "read more", "more", "click here", "here", "link", "this", "learn more", "continue",
    "continue reading", "view", "details", "more info", "more information", "see more",
    "go", "open", "this link", "full story", "read", "…", "...",
})
CANIEMAIL_SCRIPT = packaged.asset("caniemail_check.mjs")

cssutils.log.setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Finding:
    """One problem found in an email: which check, what, and where."""

    check: str  # headings | alt | link-text | font-size | contrast | lang | client
    message: str
    accepted: bool = False  # a client finding the reviewed baseline explains

    def __str__(self) -> str:
        return f"{self.check}: {self.message}"


# --- colours -------------------------------------------------------------------------------

_NAMED = {"white": "#ffffff", "black": "#000000", "red": "#ff0000", "blue": "#0000ff",
          "green": "#008000", "gray": "#808080", "grey": "#808080", "navy": "#000080"}
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}\b")
_RGB = re.compile(r"rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+%?))?\s*\)")

Rgb = tuple[int, int, int]


def parse_colour(value: str) -> Rgb | None:
    """A CSS colour as (r, g, b); None for transparent, inherit or anything not a colour."""
    value = value.strip().lower()
    if value in _NAMED:
        value = _NAMED[value]
    if m := _HEX.search(value):
        h = m.group(0)[1:]
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
    if m := _RGB.search(value):
        alpha = m.group(4)
        if alpha is not None and float(alpha.rstrip("%")) == 0:
            return None
        return int(float(m.group(1))), int(float(m.group(2))), int(float(m.group(3)))
    return None


def luminance(rgb: Rgb) -> float:
    """WCAG 2 relative luminance."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: Rgb, b: Rgb) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def hex_of(rgb: Rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


# --- a small cascade ------------------------------------------------------------------------

@dataclass
class _Decl:
    value: str
    important: bool
    inline: bool
    specificity: tuple[int, int, int]
    order: int

    @property
    def key(self) -> tuple[bool, bool, tuple[int, int, int], int]:
        return (self.important, self.inline, self.specificity, self.order)


_WANTED = ("color", "background-color", "background", "font-size", "display", "visibility")


def _media_applies(media: str, width: int, scheme: str) -> bool:
    """Evaluate the media queries emails use: screen, min/max-width, prefers-color-scheme."""
    media = media.strip().lower()
    if not media or media in ("all", "screen"):
        return True
    for query in media.split(","):
        ok = True
        for part in re.split(r"\band\b", query):
            part = part.strip()
            if part in ("", "only screen", "screen", "all", "only all"):
                continue
            if m := re.fullmatch(r"\(\s*(min|max)-width\s*:\s*([\d.]+)px\s*\)", part):
                limit = float(m.group(2))
                ok &= width >= limit if m.group(1) == "min" else width <= limit
            elif m := re.fullmatch(r"\(\s*prefers-color-scheme\s*:\s*(\w+)\s*\)", part):
                ok &= m.group(1) == scheme
            else:
                ok = False  # print, a feature we do not model: not applied
        if ok:
            return True
    return False


class Cascade:
    """Computed colour, background, font size and visibility of every element of a document.

    Not a browser: enough CSS for what email templates use, applied the way
    browsers do (specificity, `!important`, inline styles, inheritance).
    """

    def __init__(self, html: str, *, width: int = 600, scheme: str = "light") -> None:
        self.root = lxml.html.document_fromstring(html.encode("utf-8"))
        self.width, self.scheme = width, scheme
        self._decls: dict[etree._Element, dict[str, _Decl]] = {}
        order = 0
        for style in self.root.iter("style"):
            if not _media_applies(style.get("media", ""), width, scheme):
                continue
            sheet = cssutils.parseString(style.text or "", validate=False)
            for selector, decls in self._rules(sheet.cssRules):
                order += 1
                self._apply(selector, decls, order)
        for el in self.root.iter():
            if not isinstance(el.tag, str):
                continue
            if bgcolor := el.get("bgcolor"):  # presentational hint: below every CSS rule
                self._set(el, "background-color", _Decl(bgcolor, False, False, (-1, 0, 0), 0))
            if inline := el.get("style"):
                decl = cssutils.parseStyle(inline, validate=False)
                for prop in decl:
                    if prop.name in _WANTED:
                        order += 1
                        self._set(el, prop.name, _Decl(prop.value, prop.priority == "important",
                                                       True, (1, 0, 0), order))

    def _rules(self, rules: Iterable[cssutils.css.CSSRule]
               ) -> Iterator[tuple[str, list[tuple[str, str, bool]]]]:
        for rule in rules:
            if rule.type == rule.MEDIA_RULE:
                if _media_applies(rule.media.mediaText, self.width, self.scheme):
                    yield from self._rules(rule.cssRules)
            elif rule.type == rule.STYLE_RULE:
                decls = [(p.name, p.value, p.priority == "important") for p in rule.style
                         if p.name in _WANTED]
                if decls:
                    for selector in rule.selectorList:
                        yield selector.selectorText, decls

    def _apply(self, selector: str, decls: list[tuple[str, str, bool]], order: int) -> None:
        try:
            parsed = cssselect.parse(selector)
            xpath = cssselect.HTMLTranslator().css_to_xpath(selector)
        except (cssselect.SelectorError, NotImplementedError):
            return  # :hover and friends do not change what is on screen at rest
        specificity = parsed[0].specificity() if parsed else (0, 0, 0)
        for el in self.root.xpath(xpath):
            for name, value, important in decls:
                self._set(el, name, _Decl(value, important, False, specificity, order))

    def _set(self, el: etree._Element, name: str, decl: _Decl) -> None:
        if name == "background":
            name = "background-color"
            if parse_colour(decl.value) is None and "none" not in decl.value:
                return  # an image or gradient: no colour to pair with
        current = self._decls.setdefault(el, {})
        if name not in current or decl.key >= current[name].key:
            current[name] = decl

    def own(self, el: etree._Element, name: str) -> str | None:
        decl = self._decls.get(el, {}).get(name)
        return decl.value if decl else None

    def hidden(self, el: etree._Element) -> bool:
        for node in [el, *el.iterancestors()]:
            if node.tag in ("head", "style", "script", "title"):
                return True
            if (self.own(node, "display") or "").strip().startswith("none"):
                return True
            if (self.own(node, "visibility") or "").strip() == "hidden":
                return True
        return False

    def colour(self, el: etree._Element) -> Rgb:
        for node in [el, *el.iterancestors()]:
            if (value := self.own(node, "color")) and (rgb := parse_colour(value)):
                return rgb
            if node.tag == "a" and node.get("href"):
                return (0, 0, 238)  # a link with no colour of its own is the UA's blue
        return (0, 0, 0)

    def background(self, el: etree._Element) -> Rgb:
        for node in [el, *el.iterancestors()]:
            if (value := self.own(node, "background-color")) and (rgb := parse_colour(value)):
                return rgb
        return (255, 255, 255)

    def font_px(self, el: etree._Element) -> float:
        chain = [el, *el.iterancestors()]
        size = 16.0
        for node in reversed(chain):
            value = (self.own(node, "font-size") or "").strip().lower()
            if m := re.fullmatch(r"([\d.]+)(px|pt|em|rem|%)?", value):
                n, unit = float(m.group(1)), m.group(2) or "px"
                size = {"px": n, "pt": n * 4 / 3, "em": n * size, "rem": n * 16,
                        "%": n * size / 100}[unit]
            elif value in ("small", "x-small", "xx-small", "smaller"):
                size = {"small": 13.0, "x-small": 10.0, "xx-small": 9.0}.get(value, size / 1.2)
        return size


@dataclass(frozen=True)
class TextRun:
    """A piece of visible text and the styles it is shown with."""

    text: str
    tag: str
    colour: Rgb
    background: Rgb
    font_px: float

    @property
    def contrast(self) -> float:
        return contrast_ratio(self.colour, self.background)


def text_runs(html: str, *, width: int = 600, scheme: str = "light") -> list[TextRun]:
    """Every element's own visible text, with its computed colour, background and size."""
    cascade = Cascade(html, width=width, scheme=scheme)
    runs = []
    for el in cascade.root.iter():
        if not isinstance(el.tag, str):
            continue
        text = (el.text or "") + "".join(c.tail or "" for c in el)
        text = re.sub(r"[\s\u034f\u200c\u00a0]+", " ", text).strip()
        if not text or cascade.hidden(el):
            continue
        runs.append(TextRun(text[:60], el.tag, cascade.colour(el), cascade.background(el),
                            cascade.font_px(el)))
    return runs


def contrast_findings(runs: list[TextRun], scheme: str) -> list[Finding]:
    """Text whose colour on its background is under 4.5:1, once per colour pair.

    `runs` are the page's text runs in colour scheme `scheme`.
    """
    seen: set[tuple[Rgb, Rgb]] = set()
    out = []
    for run in runs:
        pair = (run.colour, run.background)
        if pair in seen or run.contrast >= MIN_CONTRAST:
            continue
        seen.add(pair)
        out.append(Finding("contrast", f"{scheme} mode: {hex_of(run.colour)} on "
                           f"{hex_of(run.background)} is {run.contrast:.2f}:1 (at least "
                           f"{MIN_CONTRAST}:1), e.g. <{run.tag}> {run.text!r}"))
    return out


def colour_pairs(html: str, *, scheme: str = "light", width: int = 600
                 ) -> dict[tuple[str, str], float]:
    """Every (text colour, background) pair the email shows, with its contrast ratio."""
    return {(hex_of(r.colour), hex_of(r.background)): round(r.contrast, 2)
            for r in text_runs(html, width=width, scheme=scheme)}


# --- accessibility lint ---------------------------------------------------------------------

def _text_of(el: lxml.html.HtmlElement) -> str:
    return element_text(el, alt=True)  # the notes reader's walk: one rule for text in HTML


def accessibility_findings(html: str) -> list[Finding]:
    """The faults screen-reader users meet most in email, found in the built HTML."""
    root = lxml.html.document_fromstring(html.encode("utf-8"))
    out: list[Finding] = []
    if not (root.get("lang") or "").strip():
        out.append(Finding("lang", "<html> has no lang attribute"))
    # (tag name, element): an HTML parser's tags are strings
    headings = [(str(el.tag), el) for el in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    h1s = [h for tag, h in headings if tag == "h1"]
    if len(h1s) != 1:
        out.append(Finding("headings", f"{len(h1s)} <h1> elements; an email needs exactly one"))
    if headings and headings[0][0] != "h1":
        out.append(Finding("headings", f"the first heading is <{headings[0][0]}>, not <h1>"))
    level = 0
    for tag, h in headings:
        n = int(tag[1])
        if n > level + 1 and level:
            out.append(Finding("headings", f"<{tag}> {_text_of(h)[:50]!r} skips a level "
                               f"after <h{level}>"))
        if not _text_of(h):
            out.append(Finding("headings", f"an empty <{tag}>"))
        level = n
    for img in root.iter("img"):
        src = (img.get("src") or "")[:60]
        alt = img.get("alt")
        if alt is None:
            out.append(Finding("alt", f"<img src={src!r}> has no alt attribute (use alt=\"\" "
                               "for a decorative image)"))
        elif not alt.strip() and any(a.tag == "a" for a in img.iterancestors()):
            out.append(Finding("alt", f"linked <img src={src!r}> has an empty alt: say where "
                               "the link goes"))
    for a in root.iter("a"):
        href = a.get("href")
        if not href:
            continue  # a named anchor, not a link
        text = _text_of(a) or (a.get("aria-label") or "").strip()
        if not text:
            out.append(Finding("link-text", f"a link to {href[:60]!r} has no text"))
        elif text.lower().strip(" .:!→»›") in VAGUE_LINK_TEXT:
            out.append(Finding("link-text", f"link text {text!r} does not say what it opens "
                               f"({href[:60]})"))
    return out


def font_size_findings(runs: list[TextRun]) -> list[Finding]:
    """Text smaller than 14 px among `runs` (the text runs at one viewport width)."""
    small: dict[float, str] = {}
    for run in runs:
        if run.font_px < MIN_FONT_PX - 0.01:
            small.setdefault(run.font_px, f"<{run.tag}> {run.text!r}")
    return [Finding("font-size", f"{px:g}px text (at least {MIN_FONT_PX:g}px), e.g. {where}")
            for px, where in sorted(small.items())]


def lint(html: str) -> list[Finding]:
    """Every accessibility finding: structure, alt text, link text, sizes, both colour schemes.

    Each cascade is computed once: the desktop light one serves sizes and contrast.
    """
    desktop_light = text_runs(html, width=600, scheme="light")
    return (accessibility_findings(html) + font_size_findings(desktop_light)
            + font_size_findings(text_runs(html, width=375))
            + contrast_findings(desktop_light, "light")
            + contrast_findings(text_runs(html, width=600, scheme="dark"), "dark"))


# --- caniemail through node -----------------------------------------------------------------

@dataclass(frozen=True)
class ClientIssue:
    """A feature of the email that a client does not support (error) or only partly (warning)."""

    client: str
    level: str  # error | warning
    title: str
    notes: tuple[str, ...] = ()
    line: int | None = None


def _node_project() -> Path | None:
    """The folder whose node_modules holds caniemail (`npm install` there): the current
    folder, else the source checkout this package runs from."""
    for folder in (Path.cwd(), Path(__file__).resolve().parent.parent):
        if (folder / "node_modules" / "caniemail").is_dir():
            return folder
    return None


def caniemail_available() -> bool:
    return bool(shutil.which("node")) and _node_project() is not None \
        and CANIEMAIL_SCRIPT.is_file()


class CaniemailError(RuntimeError):
    """node or the caniemail script failed: says how to get it working."""


def caniemail(html: str, clients: tuple[str, ...] = CLIENTS, *, timeout: float = 60
              ) -> list[ClientIssue]:
    """Run the npm package caniemail over `html` for `clients` (globs such as "gmail.*")."""
    node, project = shutil.which("node"), _node_project()
    if not node or project is None or not CANIEMAIL_SCRIPT.is_file():
        raise CaniemailError("caniemail needs node and `npm install` in the project folder")
    with tempfile.NamedTemporaryFile("w", suffix=".html", encoding="utf-8") as f:
        f.write(html)
        f.flush()
        done = subprocess.run([node, str(CANIEMAIL_SCRIPT), str(project), f.name, *clients],
                              capture_output=True, text=True, timeout=timeout, cwd=project)
    if done.returncode != 0:
        raise CaniemailError(f"caniemail failed (exit {done.returncode}): "
                             f"{done.stderr.strip()[:500]}")
    data = json.loads(done.stdout)
    return [ClientIssue(i["client"], i["level"], i["title"], tuple(i.get("notes") or ()),
                        i.get("line")) for i in data["issues"]]


@dataclass(frozen=True)
class BaselineEntry:
    feature: str
    clients: frozenset[str]
    reason: str


def load_baseline(path: Path) -> dict[str, BaselineEntry]:
    """The reviewed list of unsupported features we accept, each with its one-line reason."""
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for i, row in enumerate(data.get("accepted", []), start=1):
        if not isinstance(row, dict) or not row.get("feature") or not row.get("reason") \
                or not isinstance(row.get("clients"), list):
            raise ValueError(f"{path}: accepted[{i}] needs feature, clients (a list) and a "
                             "one-line reason")
        out[row["feature"]] = BaselineEntry(row["feature"], frozenset(row["clients"]),
                                            row["reason"])
    return out


def unexplained(issues: list[ClientIssue], baseline: dict[str, BaselineEntry]
                ) -> dict[str, list[str]]:
    """Unsupported features (errors) not accepted in the baseline: feature -> clients."""
    out: dict[str, set[str]] = {}
    for issue in issues:
        if issue.level != "error":
            continue
        entry = baseline.get(issue.title)
        if entry and issue.client in entry.clients:
            continue
        out.setdefault(issue.title, set()).add(issue.client)
    return {k: sorted(v) for k, v in sorted(out.items())}


def client_summary(issues: list[ClientIssue], baseline: dict[str, BaselineEntry] | None = None
                   ) -> list[Finding]:
    """One line per unsupported feature, for the preview: in plain words what looks different
    in which clients, and if accepted why."""
    from .client_words import describe

    by_feature: dict[str, set[str]] = {}
    for issue in issues:
        if issue.level == "error":
            by_feature.setdefault(issue.title, set()).add(issue.client)
    out = []
    for feature, clients in sorted(by_feature.items()):
        entry = (baseline or {}).get(feature)
        accepted = bool(entry and clients <= entry.clients)
        note = (f" Accepted: {entry.reason}" if entry and accepted
                else " Not in the reviewed baseline.")
        out.append(Finding("client", f"{describe(feature, clients)}.{note}", accepted))
    return out
