"""The reader's own part of "At a glance": their actions and the other open actions.

Personal blocks must not turn one render per edition into one per reader: a block
depends only on the edition's communities and the actions the reader owns, so each
distinct block is rendered once (a small template, no MJML, no inliner) and an
edition carries a slot (`PERSONAL_SLOT`) that send fills in per reader.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..manifest import PersonalBlock
from ..models import Issue, Recipient, TrackedAction
from ..owners import identities, owners_of
from .view import ALL, GLANCE_CHARS, audience, distinct_actions, edition_key, glance

if TYPE_CHECKING:
    from . import Renderer

OPEN_AT_A_GLANCE = 8  # other open actions listed; the rest are counted
# the reader's own actions listed (overdue first, then soonest due); the rest are counted and
# linked: an owner of dozens would otherwise push the edition over the size budget (the
# largest block counts for every reader of the edition) and everything else off the screen
MINE_AT_A_GLANCE = 5


def _ident(a: TrackedAction) -> tuple[str, str]:
    return (a.community, a.key)


@dataclass
class PersonalBlocks:
    """Every distinct block of one issue, and which reader gets which."""

    renderer: Renderer
    issue: Issue
    every: set[str]
    web_issue_url: str | None = None
    open_shown: int | None = OPEN_AT_A_GLANCE  # other open actions listed (None: all)
    blocks: dict[str, PersonalBlock] = field(default_factory=dict)
    default: dict[str, str] = field(default_factory=dict)  # edition key -> block key
    readers: dict[str, str] = field(default_factory=dict)  # address -> block key, non-default
    largest: dict[str, int] = field(default_factory=dict)  # edition key -> bytes of its largest
    _by_content: dict[tuple[str, tuple[tuple[str, str], ...]], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        waiting = [a for a in self.issue.actions if a.state != "done"]
        self.open = sorted(waiting, key=lambda a: (not a.overdue, a.due is None, a.due,
                                                   a.held_on))
        self.by_owner: dict[str, list[TrackedAction]] = defaultdict(list)
        for a in self.open:
            for owner in owners_of(a.owner):
                self.by_owner[owner].append(a)

    def owned(self, reader: Recipient) -> list[TrackedAction]:
        """The open actions (any community) whose owners include `reader`."""
        found: dict[tuple[str, str], TrackedAction] = {}
        for ident in identities(reader):
            for a in self.by_owner.get(ident, ()):
                found[_ident(a)] = a
        return distinct_actions([a for a in self.open if _ident(a) in found])

    def block(self, communities: frozenset[str] | None, mine: list[TrackedAction]) -> str:
        """The key of the block for readers of `communities` who own `mine`: rendered the
        first time it is asked for."""
        key = edition_key(communities)
        content = (key, tuple(_ident(a) for a in mine))
        found = self._by_content.get(content)
        if found is not None:
            return found
        # each action once: notes listed under two communities are followed up in both, and
        # a copy of the reader's own action is theirs too
        own = {_ident(a) for a in mine}
        listed = distinct_actions([*mine, *(a for a in self.open
                                            if communities is None or a.community in communities)])
        others = [a for a in listed if _ident(a) not in own]
        shown = others[:self.open_shown] if self.open_shown is not None else others
        mine_shown = mine[:MINE_AT_A_GLANCE] if self.open_shown is not None else mine
        # the edition's decisions come after the reader's own actions (see glance.mjml.j2)
        seen = glance(self.issue, [s for s in self.issue.sections
                                   if communities is None or s.community_id in communities],
                      communities)
        context = dict(mine=mine_shown, more_mine=len(mine) - len(mine_shown), others=shown,
                       more=len(others) - len(shown), more_url=self.web_issue_url,
                       decided=seen.decided, more_decided=seen.more_decided,
                       named=communities is None or len(communities) > 1, chars=GLANCE_CHARS)
        html = self.renderer.personal_html(**context)
        text = self.renderer.personal_text(**context)
        block_key = hashlib.sha256(f"{html}\x1f{text}".encode()).hexdigest()[:16]
        self.blocks.setdefault(block_key, PersonalBlock(block_key, html, text))
        self._by_content[content] = block_key
        self.largest[key] = max(self.largest.get(key, 0), len(html.encode("utf-8")))
        return block_key

    def assign(self, readers: Iterable[Recipient]) -> None:
        """Give every reader their block; remember only those who differ from the default."""
        self.default[ALL] = self.block(None, [])
        for reader in readers:
            communities = audience(reader.communities, self.every)
            key = edition_key(communities)
            if key not in self.default:
                self.default[key] = self.block(communities, [])
            mine = self.owned(reader)
            chosen = self.block(communities, mine) if mine else self.default[key]
            if chosen != self.default[key]:
                self.readers[reader.email.strip().lower()] = chosen
