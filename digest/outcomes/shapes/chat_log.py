"""Chat-log minutes: raw IRC logs and Matrix or Slack exports, pasted as they are.

Every line opens with when and who: "[18:07] <wenona>", "19:06 <mags>",
"[2026-11-05 19:07] kasia.w:", "[7:10 PM] Noor Haddad:", "@ravi:matrix.org:".
The outcome marker comes after that prefix ("#action farid_k to …",
"DECISION: …"), so the prefix is taken off before markers are looked for. The
speaker is whoever typed the line (often the chair), never the owner; a line
with a time and a speaker but no marker is conversation, not minutes, so no
sentence in it is read as a decision or an action. Speakers are people of the
meeting all the same: "#action mirela proofread …" names one of them.
"""

from __future__ import annotations

import re

_TIME = r"(?:\d{4}-\d{2}-\d{2}[ T])?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?"
_STAMP = rf"(?:\[\s*{_TIME}\s*\]|\(\s*{_TIME}\s*\)|{_TIME})"
_NICK = r"[\w.|`^-]{1,32}"
PREFIX = re.compile(
    rf"^\s*(?P<stamp>{_STAMP}\s*)?"
    rf"(?:<\s*[@+%&~]?(?P<angle>{_NICK})\s*>"  # IRC: <nick>
    rf"|\*\s+(?P<me>{_NICK})(?=\s)"  # IRC: * nick does something
    r"|@(?P<mxid>[\w.=/-]+):[\w.-]+(?::\d+)?\s*:"  # Matrix: @user:server:
    rf"|(?P<name>@?{_NICK}|[A-ZÀ-Ý][\w'’.-]*(?:\s+[A-ZÀ-Ý][\w'’.-]*){{0,2}})\s*:)"  # name:
    r"\s+")


def prefix(line: str) -> re.Match[str] | None:
    """The time-and-speaker prefix `line` opens with, if any."""
    return PREFIX.match(line)


def is_chatter(line: str) -> bool:
    """A line of conversation: a time and a speaker, or an IRC `<nick>`, then words."""
    match = PREFIX.match(line)
    return bool(match and (match["stamp"] or match["angle"] or match["me"]))


def speaker(match: re.Match[str]) -> str:
    return (match["angle"] or match["me"] or match["mxid"] or match["name"] or "").lstrip("@")
