"""Motions and votes whose result is said apart from them.

Society, council and board minutes put a motion on one line and its fate on
another: "Vote: adopt the RFC" … "Result: carried 7–2"; "MOTION: to …" with
"Passed unanimously" nested under it; "Motion 2: That …" / "Proposed: …
Seconded: …" / "Result: defeated"; "Ana moves to adopt …; Ben seconds. Motion
carries 8-0-0." A motion is a decision, in the motion's words, once its result
says it passed. One that failed, fell, was withdrawn or tabled is none, and a
motion with no result near it (an agenda's "Motion: that …") is left to the
other rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# "Motion 1:", "VOTE:", "Motion (Dana/Eitan):", "Motion that …", "Vote on …", "Ana moves to …"
_OPENER = re.compile(
    r"^\s*(?:(?i:motion|vote|resolution|proposal)(?:\s*(?i:no\.?\s*)?#?\d+[a-z]?)?"
    r"(?:\s*\([^)]{1,60}\))?\s*[:.\-–—]\s*"
    r"|(?i:motion)\s+(?=(?i:that|to)\b)"
    # "Motion by: Trustee Okoro to adopt …", "Motion by: Ana Ruiz moved to …"
    r"|(?i:motion\s+(?:made\s+)?by)\s*:?\s*[^:;]{1,60}?\s+(?:(?i:moved|moves)\s+)?(?i:to|that)\s+"
    r"|(?i:vote\s+on)\s+(?:(?i:the\s+motion)\s+)?"
    r"|[A-ZÀ-Ý][\w.'’-]*(?:\s+[A-ZÀ-Ý][\w.'’-]*){0,2}\s+(?i:moves|moved)\s+(?:(?i:to|that)\s+)?"
    r"|(?i:it\s+was\s+moved(?:\s+and\s+seconded)?\s+(?:that|to))\s+)"
    r"(?P<text>\S.*)$")
_PASSED = re.compile(r"\b(?:carried|carries|passed|passes|adopted|approved|agreed|accepted"
                     r"|unanimous(?:ly)?|so\s+resolved)\b", re.IGNORECASE)
_FAILED = re.compile(r"\b(?:fail(?:ed|s)?|fell|falls|defeated|lost|rejected|declined|withdrawn"
                     r"|tabled|lapsed|deferred|postponed|no\s+seconder|not\s+(?:carried|passed"
                     r"|adopted|approved|seconded|agreed))\b", re.IGNORECASE)
# A line that reports a result opens on its label, a result word or a tally.
_RESULT_START = re.compile(
    r"^\s*(?:(?:the\s+)?(?:result|outcome|vote|votes|decision|motion|resolution|voting)\b"
    r"|after\s+[\w\s,]{1,40}?\bthe\s+motion\b"
    r"|\d+\s*(?:for|in\s+favou?r|yes|ayes?|[-–—:/])|(?:for|ayes?|yes)\s*:?\s*\d"
    r"|ayes?\s*:"  # a roll call: "Ayes: Reyes, Okoro. Nays: none. Motion carried 5–0."
    rf"|{_PASSED.pattern}|{_FAILED.pattern})", re.IGNORECASE)
_SELF_REPORT = re.compile(r"\b(?:was|were|has\s+been|is)\s+(?:\w+\s+)?(?P<state>approved|carried"
                          r"|adopted|passed|agreed|accepted|rejected|defeated|lost)\b",
                          re.IGNORECASE)
# What follows the motion's words: who moved and seconded it.
_MOVER_TAIL = re.compile(
    r"\s*(?:\((?:[^()]*\b(?:moved|proposed|seconded|by)\b[^()]*)\)"
    r"|;\s*[\w .'’-]{1,40}\s+seconds?\b.*"
    r"|,\s*(?:moved|proposed|seconded)\s+by\b.*)\s*$", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“(]?[A-Z0-9À-Ý])")
LOOKAHEAD = 4  # lines after a motion in which its result may be said
MAX_RESULT = 120  # characters: a longer line is discussion, not a result


@dataclass(frozen=True)
class Vote:
    """A motion the minutes report passed, and the lines it was read from."""

    text: str
    lines: tuple[int, ...]


# A tally alone: "7–2", "5-0-1" (for, against, abstentions), "3 for, 6 against",
# "For 8, against 0", "Ayes: 5, Nays: 2".
_TALLY = re.compile(
    r"(?<![\d.:/])(?P<ayes>\d{1,3})\s*[-–—:]\s*(?P<noes>\d{1,3})(?:\s*[-–—:]\s*\d{1,3})?(?![\d.:/])"
    r"|(?P<ayes2>\d{1,3})\s+(?:for|in\s+favou?r|yes|ayes?)\b[^\d]{0,12}?(?P<noes2>\d{1,3})\s+"
    r"(?:against|no|nays?|noes)\b"
    r"|\b(?:for|in\s+favou?r|yes|ayes?)\s*:?\s*(?P<ayes3>\d{1,3})\b[^\d]{0,12}?"
    r"\b(?:against|no|nays?|noes)\s*:?\s*(?P<noes3>\d{1,3})\b",
    re.IGNORECASE)


def _result(line: str) -> bool | None:
    """True when `line` says a motion passed, False when it failed, None when it says neither.

    A result given only as a tally passed when more voted for than against; a tie
    did not pass (no casting vote is assumed)."""
    if len(line) > MAX_RESULT or not _RESULT_START.match(line):
        return None
    if _FAILED.search(line):
        return False
    if _PASSED.search(line):
        return True
    tally = _TALLY.search(line)
    if tally is None:
        return None
    ayes = tally["ayes"] or tally["ayes2"] or tally["ayes3"]
    noes = tally["noes"] or tally["noes2"] or tally["noes3"]
    return int(ayes) > int(noes)


def _motion(line: str) -> tuple[str, bool | None] | None:
    """The motion's words in `line` and any result said on the same line."""
    opened = _OPENER.match(line)
    if opened is None or _result(opened["text"]) is not None:
        return None  # "Vote: 5 for, 2 against — carried" is a result, not a motion
    body = opened["text"].strip()
    if ":" in body:  # "Vote on the 2027 calendar: approved 6–1"
        head, _, tail = body.rpartition(":")
        said = _result(tail)
        if said is not None and head.strip():
            return _tidy(head), said
    first, *rest = _SENTENCE.split(body)
    first = _MOVER_TAIL.sub("", first)
    if ";" in first:  # "adopt the plan; Cora seconds. Motion carries": the tail was cut
        first = first.split(";")[0]
    for sentence in rest:
        said = _result(sentence.strip())
        if said is not None:
            return _tidy(first), said
    own = _SELF_REPORT.search(first)
    if own:  # "VOTE: The consent agenda was approved without objection."
        return _tidy(first), own["state"].lower() not in ("rejected", "defeated", "lost")
    return _tidy(first), None


def _tidy(text: str) -> str:
    return _MOVER_TAIL.sub("", text).strip().rstrip(".;:,").strip()


def passed_motions(lines: Sequence[str | None]) -> tuple[list[Vote], set[int]]:
    """Motions that passed among `lines` (None marks a heading: a motion's result is
    never across one), and the index of every line a motion or its result took,
    passed or not, so no other rule reads them again."""
    votes: list[Vote] = []
    taken: set[int] = set()
    for index, line in enumerate(lines):
        if line is None or index in taken:
            continue
        found = _motion(line)
        if found is None or not found[0]:
            continue
        text, said = found
        used = [index]
        if said is None:
            for ahead in range(index + 1, min(index + 1 + LOOKAHEAD, len(lines))):
                other = lines[ahead]
                if other is None or _motion(other) is not None:
                    break
                said = _result(other)
                if said is not None:
                    used.append(ahead)
                    break
        if said is None:
            continue
        taken.update(used)
        if said:
            votes.append(Vote(text, tuple(used)))
    return votes, taken
