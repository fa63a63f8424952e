"""Scribed minutes: IRC MeetBot (#agreed, #action) and W3C-style (RESOLUTION, ACTION).

Their markers ("AGREED:", "ACTION: nick to …", "RESOLUTION:", "[NEW] ACTION:")
are shared item markers; what is theirs is the owner as an IRC nick, lower
case and often with digits or dots ("boats to comment on the RFC").
"""

from __future__ import annotations

import re

# Words that come before "to"/"will" without being anyone: "need to", "going to".
_NOT_NICKS = frozenset(
    "we i you they he she it this that there who what how when where why have has had need needs "
    "want wants try going due up back able plan plans order also then still all everyone "
    "someone nobody anyone group team move moved bumped deferred pushed carried next continue "
    "refer add link open close return agree agreed decide decided vote voted ask asked".split())
_NICK_TO = re.compile(r"^(?P<owner>[a-z][a-z0-9_.\-]{1,30}[a-z0-9_]?)\s+(?:to|will)\s+(?=\w)")


def owner(text: str) -> tuple[str, str] | None:
    match = _NICK_TO.match(text)
    if match and match["owner"] not in _NOT_NICKS:
        return match["owner"], text[match.end():]
    return None
