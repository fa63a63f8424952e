"""What a meeting decided and who does what next, read from its notes.

The package reads a note's HTML once into blocks (`blocks`); `extractor`
applies the shared rules for sections, item markers, owners and dues, with
heading and marker words per language (`languages`), dates (`dates`) and
decisions and actions written as prose (`prose`), motions with their result
said apart (`votes`), and lets a file per note shape
(`shapes/`) add what only that tool writes. `sources` reads the command
line's SOURCEs for `digest outcomes`; `stored` re-reads stored notes for
`digest collect --reextract`.
"""

from __future__ import annotations

from .extractor import MAX_CHARS, MAX_ITEMS, extract_outcomes, heading_kind

__all__ = ["MAX_CHARS", "MAX_ITEMS", "extract_outcomes", "heading_kind"]
