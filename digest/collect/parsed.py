"""What a feed's parser hands back: its entries and warnings, or the error that refused
the document.

Apart from the parser because the collect run receives these from worker processes:
unpickling them, and catching the error, must not load the parser (feedparser, lxml,
the outcome extractor, a sixth of a second) in the run's own process.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Entry


@dataclass
class ParseResult:
    entries: list[Entry]
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (kind, message)


class FeedError(Exception):
    """A document we will not or cannot read; `kind` is a short stable label.

    Raised by the parser, and by the fetch for a response it refuses (too large, a
    redirect loop, an unknown encoding) before the parser ever sees it."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __reduce__(self) -> tuple[type[FeedError], tuple[str, str]]:
        # Raised in parser processes: it must unpickle with both arguments, or the
        # pool that carries it back counts itself broken.
        return type(self), (self.kind, self.message)
