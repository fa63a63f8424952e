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
_NICK = r"[a-z][a-z0-9_.\-]{0,30}[a-z0-9_]"
_NICK_TO = re.compile(
    rf"^(?P<owner>{_NICK}(?:\s*(?:,|&|\band\b)\s*{_NICK})*)\s*(?:\s(?:to|will)\s+|:\s+)(?=\w)")
# MeetBot writes "#action kit write a converter": a nick, then the verb. A nick has a digit or
# an underscore, or is followed by one of these verbs (so "revisit next month" is no one's).
_NICK_VERB = re.compile(rf"^(?P<owner>{_NICK})\s+(?P<verb>[a-z]+)\b")
_VERBS = frozenset(
    "add archive ask audit book bring call check clean close collect compare confirm contact "
    "create document draft email export file find fix follow get implement investigate list "
    "look make merge move open order organise organize plan poll post prepare present price "
    "propose publish reach read release remove rename reply report request review run schedule "
    "send set share ship start summarise summarize tag test tidy try update upload write".split())
_STAMP = re.compile(r"\s*\(\s*[\w.\-]+,\s*\d{1,2}:\d{2}(?::\d{2})?\s*\)\s*$")


def clean(text: str) -> str:
    """Without the bot's "(nick, 19:15)" stamp at the end of a line."""
    return _STAMP.sub("", text)


def owner(text: str) -> tuple[str, str] | None:
    match = _NICK_TO.match(text)
    if match and match["owner"].split()[0] not in _NOT_NICKS and match["owner"] not in _VERBS:
        return re.sub(r"\s*(?:,|&|\band\b)\s*", ", ", match["owner"]), text[match.end():]
    match = _NICK_VERB.match(text)
    if match and match["owner"] not in _NOT_NICKS and match["owner"] not in _VERBS and (
            match["verb"] in _VERBS or re.search(r"[\d_]", match["owner"])):
        return match["owner"], text[len(match["owner"]):].lstrip()
    return None
