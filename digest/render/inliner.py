"""premailer, set up once per stylesheet: the CSS is parsed and formatted once, not per edition.

premailer re-reads its `css_text` on every `transform`: cssutils parses it (premailer
caches that) and then every property is serialised again through cssutils, which cost
more than half of premailer's time for each edition. The rules a stylesheet gives do not
change between documents, so they are worked out once here and reused; what premailer
then does to each document (parse, match, merge, serialise) is unchanged, and so are the
bytes it writes.

This module imports premailer (and cssutils, ~0.2 s): import it only to inline.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import types
from typing import Any

import cssutils
import premailer
from lxml import etree

_STYLE_TAG = re.compile(r"<style\b")


_merge_styles = premailer.premailer.merge_styles
_create_cssselector = premailer.premailer._create_cssselector
_XML_SPACE = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space folds
_ONE_CLASS = re.compile(r"\.(-?[_a-zA-Z][-_a-zA-Z0-9]*)")
_WITH_CLASS = etree.XPath("descendant-or-self::*[@class]")


@functools.lru_cache(maxsize=4096)
def _merged(inline_style: str, new_styles: tuple[tuple[tuple[str, str], ...], ...],
            classes: tuple[str, ...], remove_unset_properties: bool) -> str:
    return str(_merge_styles(inline_style, [list(s) for s in new_styles], list(classes),
                             remove_unset_properties=remove_unset_properties))


def merge_styles(inline_style: str, new_styles: list[list[tuple[str, str]]], classes: list[str],
                 remove_unset_properties: bool = False) -> str:
    """premailer's merge_styles, kept: an edition's hundreds of links and headings repeat
    a few distinct (inline style, rules) pairs, and merging was a quarter of premailer's
    time. A pure function of its arguments, so the result is the same."""
    return _merged(inline_style, tuple(tuple(s) for s in new_styles), tuple(classes),
                   remove_unset_properties)


@functools.lru_cache(maxsize=1024)
def _float_of(style: str) -> types.SimpleNamespace:
    return types.SimpleNamespace(float=cssutils.parseStyle(style).float)


class _ImageFloats:
    """Stands for cssutils in premailer's transform, which asks it only for the float of
    each image's style (to add align=): parsed once per distinct style, not per image."""

    parseStyle = staticmethod(_float_of)  # noqa: N815  # the name transform calls


class _ClassIndex(threading.local):
    """The elements of the document being inlined, by class: built once per document."""

    page: Any = None
    by_class: dict[str, list[Any]] = {}


_CLASSES = _ClassIndex()


class _ClassSelector:
    """What lxml's CSSSelector(".name") finds (each element whose class attribute, split at
    XML white space, holds `name`, in document order), from one index of the document's
    classes: premailer evaluates each class rule over the whole tree, and those XPath
    walks were a third of its time."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, page: Any) -> list[Any]:
        if _CLASSES.page is not page:
            by_class: dict[str, list[Any]] = {}
            for element in _WITH_CLASS(page):
                for token in dict.fromkeys(_XML_SPACE.split(element.get("class"))):
                    by_class.setdefault(token, []).append(element)
            _CLASSES.page, _CLASSES.by_class = page, by_class
        return list(_CLASSES.by_class.get(self.name, ()))


@functools.lru_cache(maxsize=1024)
def create_cssselector(selector: str) -> Any:
    """premailer's selector for `selector`, but one class alone is looked up in the index."""
    one_class = _ONE_CLASS.fullmatch(selector)
    return _ClassSelector(one_class[1]) if one_class else _create_cssselector(selector)


def _transform_with(**functions: Any) -> Any:
    """premailer's own Premailer.transform, running with `functions` in place of the module's
    functions of those names (for our documents only: premailer itself is left alone)."""
    original = premailer.Premailer.transform
    scope = {**vars(premailer.premailer), **functions}
    return types.FunctionType(original.__code__, scope, original.__name__,
                              original.__defaults__, original.__closure__)


class _Probe:
    """Stands for an element: what premailer would set on its attributes."""

    def __init__(self) -> None:
        self.attrib: dict[str, str] = {}


class _Premailer(premailer.Premailer):
    """premailer with each stylesheet's rules worked out once, and the HTML attributes a
    style gives (bgcolor, align, valign) worked out once per distinct style (see the
    module's docstring)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._rules: dict[tuple[str, int], tuple[list[Any], list[Any]]] = {}
        self._attributes: dict[str, tuple[tuple[str, str], ...]] = {}

    transform = _transform_with(merge_styles=merge_styles, cssutils=_ImageFloats,
                                _create_cssselector=create_cssselector)

    def _style_to_basic_html_attributes(self, element: Any, style_content: str,
                                        force: bool = False) -> None:
        if not force:  # premailer passes force=True: what is set depends on the style alone
            super()._style_to_basic_html_attributes(element, style_content, force)
            return
        found = self._attributes.get(style_content)
        if found is None:
            probe = _Probe()
            super()._style_to_basic_html_attributes(probe, style_content, True)
            found = self._attributes[style_content] = tuple(probe.attrib.items())
        for key, value in found:
            element.attrib[key] = value

    def _parse_style_rules(self, css_body: str, ruleset_index: int) -> tuple[list, list]:
        key = (css_body, ruleset_index)
        found = self._rules.get(key)
        if found is None:
            found = self._rules[key] = super()._parse_style_rules(css_body, ruleset_index)
        rules, leftover = found
        return list(rules), list(leftover)  # the caller extends and may change its lists


class Inliner:
    """Inlines one stylesheet into documents, leaving every existing <style> block alone.

    premailer drops the doctype (a case-sensitive check), so it is put back. It
    would also turn `width: 100%` into `width="100%"` on images, which Outlook for
    Windows reads as "natural size": the templates' pixel width attributes stay.
    """

    def __init__(self, css: str) -> None:
        # Options read at transform time only, so one instance serves every document;
        # the stylesheet's leftovers (the rules that cannot be inlined) are kept in
        # <style> tags (`keep_style_tags`), so nothing mutates the cached rules.
        self._premailer = _Premailer(
            css_text=css, strip_important=False, keep_style_tags=True, allow_network=False,
            disable_validation=True, remove_classes=False,
            cssutils_logging_level=logging.CRITICAL,
            disable_basic_attributes=["width", "height"],
        )

    def __call__(self, html: str) -> str:
        marked = _STYLE_TAG.sub('<style data-premailer="ignore"', html)
        try:
            out: str = self._premailer.transform(marked)
        finally:
            _CLASSES.page = None  # the tree is not kept past its document
        out = out.replace(' data-premailer="ignore"', "")
        if not out.lstrip().lower().startswith("<!doctype"):
            out = "<!doctype html>\n" + out
        return out


@functools.lru_cache(maxsize=8)
def inliner(css: str) -> Inliner:
    """The Inliner of `css`, made once per stylesheet (a build has one, a test a few)."""
    return Inliner(css)
