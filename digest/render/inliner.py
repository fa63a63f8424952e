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
from typing import Any

import premailer

_STYLE_TAG = re.compile(r"<style\b")


class _Premailer(premailer.Premailer):
    """premailer with each stylesheet's rules worked out once (see the module's docstring)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._rules: dict[tuple[str, int], tuple[list[Any], list[Any]]] = {}

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
        out: str = self._premailer.transform(marked)
        out = out.replace(' data-premailer="ignore"', "")
        if not out.lstrip().lower().startswith("<!doctype"):
            out = "<!doctype html>\n" + out
        return out


@functools.lru_cache(maxsize=8)
def inliner(css: str) -> Inliner:
    """The Inliner of `css`, made once per stylesheet (a build has one, a test a few)."""
    return Inliner(css)
