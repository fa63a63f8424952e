"""The yardstick for the outcomes extractor: labelled notes in, figures out.

A labelled note is a meeting-notes file (`<name>.html` or `<name>.md`) beside
`<name>.json`, the truth in the shape `digest outcomes --json` prints for one
meeting (tests/fixtures/minutes/README.md says how the labels were written).
The extractor is run through that command; until it exists on this branch a
small adapter wraps today's `digest.outcomes.extract_outcomes` in the same JSON
(see `extractor()`), so the scorer never depends on the extractor's internals.

Emitted items are matched to labelled ones by text: both sides are folded
(case, accents, punctuation) and a pair matches when the emitted text holds at
least `MATCH_COVERAGE` of the label's content words (stop words aside; a word
also counts when an emitted word is within rapidfuzz ratio `WORD_RATIO` of it,
so "organize" covers "organise" and "speakers" covers "speaker"). Labels are
the core of each item, so what an extractor legitimately adds around it (the
owner's name, the due date, a marker it kept) costs nothing, while a fragment
("review"), a sibling item ("review the draft budget" for "review the draft
charter", 2 of 3) or a short action that lost its topic ("revisit next week"
for "Packaging: revisit next week", 3 of 4) does not pass. 0.8 lets one content
word in five differ. tests/test_outcomes_score.py pins both sides of the line.
One emitted item matches at most one label (greedy, best pair first).
"""

from __future__ import annotations

import json
import re
import statistics
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

MATCH_COVERAGE = 0.8  # share of the label's content words found in the emitted text
WORD_RATIO = 85.0  # rapidfuzz ratio at which two words of 4+ letters count as the same

NOTE_SUFFIXES = (".html", ".md")

# Words that carry no meaning of their own: they neither make nor break a match.
_STOPWORDS = frozenset(
    "a an the to of for and or in on at by with from is are be will we it this that as "
    "le la les de des du un une et à au aux pour en sur par est "
    "der die das den dem des ein eine und zu zum zur im in am für mit von ist "
    "el la los las de del un una y en para por con es al lo"
    .split()
)
# Between owners: punctuation, or a lower-case "and" word with spaces ("E. Ruiz" stays whole).
_OWNER_SPLIT = re.compile(r"\s*[,&/+;]\s*|\s+(?:and|und|et|y)\s+")

# The figures the issue asks for: (key, label, target, higher is better).
TARGETS: dict[str, tuple[str, float, bool]] = {
    "decision_recall": ("decisions recall (marked)", 0.90, True),
    "decision_precision": ("decisions precision (marked)", 0.90, True),
    "action_recall": ("actions recall", 0.90, True),
    "action_precision": ("actions precision", 0.90, True),
    "prose_recall": ("prose decisions recall", 0.40, True),
    "prose_precision": ("prose decisions precision", 0.80, True),
    "owner_accuracy": ("owners right", 0.85, True),
    "due_accuracy": ("dues right", 0.80, True),
    "done_accuracy": ("done state right", 0.95, True),
    "junk_share": ("junk share of emitted", 0.05, False),
    "date_accuracy": ("meeting date right", 0.0, True),  # no target in the issue: shown only
}
MEDIAN_MS_TARGET = 5.0


class LabelError(ValueError):
    """A label file that does not follow the corpus format; the message names file and key."""


# -- the labelled sets ------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledNote:
    """One meeting-notes file and its truth."""

    source: Path
    shape: str  # the folder it sits in
    truth: dict[str, Any]


def load_set(folder: Path) -> list[LabelledNote]:
    """Every labelled note under `folder` (one level of shape folders), sorted by path.

    A notes file without its label, or a label without its notes, is an error:
    a half-labelled corpus would score what nobody checked.
    """
    notes: list[LabelledNote] = []
    for source in sorted(folder.glob("*/*")):
        if source.suffix not in NOTE_SUFFIXES:
            continue
        label = source.with_suffix(".json")
        if not label.exists():
            raise LabelError(f"{source}: no label; write {label.name} beside it")
        notes.append(LabelledNote(source, source.parent.name, read_label(label)))
    for label in sorted(folder.glob("*/*.json")):
        if not any(label.with_suffix(s).exists() for s in NOTE_SUFFIXES):
            raise LabelError(f"{label}: a label without notes (.html or .md) beside it")
    return notes


def read_label(path: Path) -> dict[str, Any]:
    """A label file, checked key by key against the `digest outcomes --json` meeting shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise LabelError(f"{path}: line {e.lineno}: not valid JSON ({e.msg})") from None
    _check_keys(path, "", data, {"title", "link", "date", "decisions", "actions"})
    if not isinstance(data["title"], str):
        raise LabelError(f"{path}: title must be a string")
    if data["link"] is not None:
        raise LabelError(f"{path}: link must be null for a file")
    _check_date(path, "date", data["date"])
    for i, decision in enumerate(_list(path, "decisions", data["decisions"])):
        where = f"decisions[{i}]"
        _check_keys(path, where, decision, {"text", "prose"})
        _check_text(path, where, decision["text"])
        if not isinstance(decision["prose"], bool):
            raise LabelError(f"{path}: {where}.prose must be true or false")
    for i, action in enumerate(_list(path, "actions", data["actions"])):
        where = f"actions[{i}]"
        _check_keys(path, where, action, {"text", "owner", "due", "done"})
        _check_text(path, where, action["text"])
        if action["owner"] is not None and not (isinstance(action["owner"], str)
                                                and action["owner"].strip()):
            raise LabelError(f"{path}: {where}.owner must be a name or null")
        _check_date(path, f"{where}.due", action["due"])
        if not isinstance(action["done"], bool):
            raise LabelError(f"{path}: {where}.done must be true or false")
    return data


def _check_keys(path: Path, where: str, value: object, keys: set[str]) -> None:
    if not isinstance(value, dict):
        raise LabelError(f"{path}: {where or 'the file'} must be an object")
    if set(value) != keys:
        missing, extra = sorted(keys - set(value)), sorted(set(value) - keys)
        raise LabelError(f"{path}: {where or 'top level'}: missing keys {missing}, "
                         f"unknown keys {extra}; expected exactly {sorted(keys)}")


def _check_text(path: Path, where: str, value: object) -> None:
    if not isinstance(value, str) or not _content_words(value):
        raise LabelError(f"{path}: {where}.text must be a non-empty sentence")


def _check_date(path: Path, where: str, value: object) -> None:
    if value is None:
        return
    try:
        date.fromisoformat(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise LabelError(f"{path}: {where} must be an ISO date (YYYY-MM-DD) or null, "
                         f"not {value!r}") from None


def _list(path: Path, key: str, value: object) -> list[Any]:
    if not isinstance(value, list):
        raise LabelError(f"{path}: {key} must be a list")
    return value


# -- running the extractor ---------------------------------------------------------------

Extract = Callable[[Path], dict[str, Any]]


def extractor() -> tuple[str, Extract]:
    """The extractor to score: the `digest outcomes --json` command, else today's adapter.

    The adapter exists only until the command lands on this branch; the lead
    can delete `_adapter_extract` once it has.
    """
    from digest.cli import cli

    if "outcomes" in getattr(cli, "commands", {}):
        return "digest outcomes --json", _command_extract
    return "adapter over digest.outcomes.extract_outcomes (no `digest outcomes` command yet)", \
        _adapter_extract


def _command_extract(source: Path) -> dict[str, Any]:
    """One file through `digest outcomes --json`, in-process."""
    from click.testing import CliRunner

    from digest.cli import cli

    result = CliRunner().invoke(cli, ["outcomes", "--json", str(source)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if result.exit_code != 0:
        raise RuntimeError(f"{source}: `digest outcomes --json` exited {result.exit_code}: "
                           f"{result.output.strip()[:300]}")
    meetings = json.loads(result.stdout)
    if not isinstance(meetings, list):
        raise RuntimeError(f"{source}: `digest outcomes --json` printed {type(meetings)}, "
                           "not a JSON array of meetings")
    if not meetings:
        return {"title": "", "link": None, "date": None, "decisions": [], "actions": []}
    if len(meetings) > 1:  # a single file is one meeting; keep every item regardless
        merged = dict(meetings[0])
        merged["decisions"] = [d for m in meetings for d in m.get("decisions", [])]
        merged["actions"] = [a for m in meetings for a in m.get("actions", [])]
        return merged
    return dict(meetings[0])


def _adapter_extract(source: Path) -> dict[str, Any]:
    """Today's extractor wrapped as one meeting of `digest outcomes --json` (temporary)."""
    from digest.markdown import read_markdown
    from digest.outcomes import extract_outcomes

    text = source.read_text(encoding="utf-8")
    title = source.stem
    if source.suffix == ".md":
        document = read_markdown(text)
        html = document.html
        title = str(document.meta.get("title") or title)
    else:
        html = text
    found = extract_outcomes(html)
    return {
        "title": title,
        "link": None,
        "date": found.held_on.isoformat() if found.held_on else None,
        "decisions": [{"text": d.text} for d in found.decisions],
        "actions": [{"text": a.text, "owner": a.owner,
                     "due": a.due.isoformat() if a.due else None, "done": a.done}
                    for a in found.actions],
    }


@dataclass
class Run:
    """What an extractor emitted for each note, and how long each note took."""

    emitted: list[dict[str, Any]]
    ms: list[float]


def run_set(notes: Sequence[LabelledNote], extract: Extract) -> Run:
    """Extract every note once, timing each call (one file per call)."""
    emitted, ms = [], []
    for note in notes:
        start = time.perf_counter()
        emitted.append(extract(note.source))
        ms.append((time.perf_counter() - start) * 1000)
    return Run(emitted, ms)


# -- matching ----------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """`text` folded for comparison: no accents, no case, no punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^\w]+|_", " ", plain).split()


def _content_words(text: str) -> set[str]:
    found = words(text)
    content = {w for w in found if w not in _STOPWORDS}
    return content or set(found)


def similarity(emitted: str, label: str) -> tuple[float, float]:
    """(share of the label's content words in `emitted`, token-sort ratio 0..100).

    The second figure only ranks candidate pairs: the tighter emission wins.
    """
    label_words = _content_words(label)
    if not label_words:
        return 0.0, 0.0
    emitted_words = set(words(emitted))
    covered = sum(1 for w in label_words if w in emitted_words or (
        len(w) >= 4 and any(len(e) >= 4 and fuzz.ratio(w, e) >= WORD_RATIO
                            for e in emitted_words)))
    tightness = fuzz.token_sort_ratio(" ".join(words(emitted)), " ".join(words(label)))
    return covered / len(label_words), float(tightness)


def is_match(emitted: str, label: str) -> bool:
    return similarity(emitted, label)[0] >= MATCH_COVERAGE


def match(emitted: Sequence[str], labels: Sequence[str]) -> dict[int, int]:
    """Emitted index → label index, one to one, best-scoring pairs first."""
    pairs = []
    for i, text in enumerate(emitted):
        for j, label in enumerate(labels):
            coverage, tightness = similarity(text, label)
            if coverage >= MATCH_COVERAGE:
                pairs.append((coverage, tightness, -i, -j, i, j))
    pairs.sort(reverse=True)
    taken_e: dict[int, int] = {}
    taken_l: set[int] = set()
    for *_, i, j in pairs:
        if i not in taken_e and j not in taken_l:
            taken_e[i] = j
            taken_l.add(j)
    return taken_e


def owners(value: str | None) -> frozenset[str]:
    """A set of owners, compared without case, accents, '@' or order."""
    if not value:
        return frozenset()
    names = (" ".join(words(part.strip().lstrip("@"))) for part in _OWNER_SPLIT.split(value))
    return frozenset(n for n in names if n)


# -- scores ------------------------------------------------------------------------------


@dataclass
class Ratio:
    hit: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.hit += ok

    @property
    def value(self) -> float | None:
        return self.hit / self.total if self.total else None


@dataclass
class Scores:
    """Counts over a set of notes; `ratios` holds one Ratio per TARGETS key."""

    notes: int = 0
    ratios: dict[str, Ratio] = field(default_factory=lambda: {k: Ratio() for k in TARGETS})
    emitted_items: int = 0
    empty_notes: int = 0  # labelled with no outcomes
    empty_notes_with_output: list[str] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)  # one line per error, for --details

    def value(self, key: str) -> float | None:
        return self.ratios[key].value

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.ms) if self.ms else None

    @property
    def p95_ms(self) -> float | None:
        if not self.ms:
            return None
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    def failed_targets(self, *, timing: bool = False) -> list[str]:
        """The targets this set misses (figures without data are not judged)."""
        failed = []
        for key, (name, target, higher) in TARGETS.items():
            v = self.value(key)
            if v is None or target == 0.0:
                continue
            if (v < target) if higher else (v > target):
                failed.append(f"{name}: {v:.1%} (target {'≥' if higher else '≤'} {target:.0%})")
        if self.empty_notes_with_output:
            failed.append(f"notes without outcomes that gave some: "
                          f"{len(self.empty_notes_with_output)}")
        if timing and self.median_ms is not None and self.median_ms > MEDIAN_MS_TARGET:
            failed.append(f"median {self.median_ms:.1f} ms per note (target ≤ 5 ms)")
        return failed


def score(pairs: Iterable[tuple[str, dict[str, Any], dict[str, Any]]],
          ms: Sequence[float] = ()) -> Scores:
    """Score (name, truth, emitted) triples; both dicts in the meeting JSON shape."""
    scores = Scores(ms=list(ms))
    for name, truth, emitted in pairs:
        scores.notes += 1
        _score_note(scores, name, truth, emitted)
    return scores


def _score_note(scores: Scores, name: str, truth: dict[str, Any],
                emitted: dict[str, Any]) -> None:
    r = scores.ratios
    miss = scores.misses.append
    e_dec = [str(d.get("text", "")) for d in emitted.get("decisions") or []]
    e_act = list(emitted.get("actions") or [])
    e_act_text = [str(a.get("text", "")) for a in e_act]
    l_dec = truth["decisions"]
    l_act = truth["actions"]
    scores.emitted_items += len(e_dec) + len(e_act)

    if not l_dec and not l_act:
        scores.empty_notes += 1
        if e_dec or e_act:
            scores.empty_notes_with_output.append(name)

    # Decisions: marked and prose labels compete for the same emitted items.
    d_map = match(e_dec, [d["text"] for d in l_dec])
    matched_dec = set(d_map.values())
    prose_flags = [(d.get("prose") if isinstance(d, dict) else None)
                   for d in emitted.get("decisions") or []]
    for j, label in enumerate(l_dec):
        key = "prose_recall" if label["prose"] else "decision_recall"
        r[key].add(j in matched_dec)
        if j not in matched_dec:
            miss(f"{name}: decision not found{' (prose)' if label['prose'] else ''}: "
                 f"{label['text']!r}")
    for i, text in enumerate(e_dec):
        found = d_map.get(i)
        if found is not None:
            key = "prose_precision" if l_dec[found]["prose"] else "decision_precision"
            r[key].add(True)
            continue
        miss(f"{name}: emitted decision matches no decision label: {text!r}")
        # Unmatched: count against the rule that emitted it when the command says
        # which ("prose": true/false), else against both (conservative).
        flag = prose_flags[i]
        if flag is not False:
            r["prose_precision"].add(False)
        if flag is not True:
            r["decision_precision"].add(False)

    # Actions.
    a_map = match(e_act_text, [a["text"] for a in l_act])
    matched_act = set(a_map.values())
    for j, label in enumerate(l_act):
        r["action_recall"].add(j in matched_act)
        if j not in matched_act:
            miss(f"{name}: action not found: {label['text']!r}")
    for i, action in enumerate(e_act):
        found = a_map.get(i)
        r["action_precision"].add(found is not None)
        if found is None:
            miss(f"{name}: emitted action matches no action label: {e_act_text[i]!r}")
            continue
        label = l_act[found]
        want, got = owners(label["owner"]), owners(action.get("owner"))
        if want or got:
            r["owner_accuracy"].add(want == got)
            if want != got:
                miss(f"{name}: owner {action.get('owner')!r}, labelled {label['owner']!r}: "
                     f"{label['text']!r}")
        if label["due"] or action.get("due"):
            r["due_accuracy"].add(label["due"] == action.get("due"))
            if label["due"] != action.get("due"):
                miss(f"{name}: due {action.get('due')!r}, labelled {label['due']!r}: "
                     f"{label['text']!r}")
        r["done_accuracy"].add(bool(action.get("done")) == label["done"])
        if bool(action.get("done")) != label["done"]:
            miss(f"{name}: done {bool(action.get('done'))}, labelled {label['done']}: "
                 f"{label['text']!r}")

    # Junk: emitted items that pass for no label of either kind.
    all_labels = [d["text"] for d in l_dec] + [a["text"] for a in l_act]
    for text in e_dec + e_act_text:
        junk = not any(is_match(text, label) for label in all_labels)
        r["junk_share"].add(junk)
        if junk:
            miss(f"{name}: junk: {text!r}")

    if truth["date"] or emitted.get("date"):
        r["date_accuracy"].add(truth["date"] == emitted.get("date"))
        if truth["date"] != emitted.get("date"):
            miss(f"{name}: meeting date {emitted.get('date')!r}, labelled {truth['date']!r}")


def score_set(notes: Sequence[LabelledNote], run: Run) -> Scores:
    return score(((str(n.source), n.truth, e) for n, e in zip(notes, run.emitted, strict=True)),
                 run.ms)


# -- report ------------------------------------------------------------------------------


def report(title: str, scores: Scores, *, shapes: int | None = None) -> str:
    """A plain-text table of every figure beside its target."""
    head = f"{title}: {scores.notes} notes" + (f" in {shapes} shapes" if shapes else "")
    lines = [head, f"  {'figure':<40}{'value':>8}  {'n':>9}   target"]
    for key, (name, target, higher) in TARGETS.items():
        ratio = scores.ratios[key]
        value = "n/a" if ratio.value is None else f"{ratio.value:.1%}"
        goal = "—" if target == 0.0 else f"{'≥' if higher else '≤'} {target:.0%}"
        lines.append(f"  {name:<40}{value:>8}  {ratio.hit:>4}/{ratio.total:<4}   {goal}")
    lines.append(f"  {'notes without outcomes that gave some':<40}"
                 f"{len(scores.empty_notes_with_output):>8}  {'':>4}/{scores.empty_notes:<4}   0")
    for label, v in (("median ms per note", scores.median_ms), ("p95 ms per note", scores.p95_ms)):
        shown = "n/a" if v is None else f"{v:.2f}"
        goal = "≤ 5" if label.startswith("median") else "—"
        lines.append(f"  {label:<40}{shown:>8}  {'':>9}   {goal}")
    return "\n".join(lines)
