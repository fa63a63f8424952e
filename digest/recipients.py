"""Who receives the digest: `recipients.csv` read into checked `Recipient` values.

The file is edited by hand by organisers, so one bad row must not stop the
issue reaching everybody else: bad rows are collected as `RowProblem`s (with
their line number and what to fix) and the build reports how many it skipped.
Only a file that cannot be read as a recipients list at all is a `ConfigError`.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from .addresses import address_problem, clean_address, display_name_problem, round_trips
from .errors import ConfigError
from .models import Recipient

HEADER = ("email", "name", "communities")
OPTIONAL = ("aliases",)  # `;`-separated other names of the reader (@handles, initials)


@dataclass(frozen=True)
class RowProblem:
    """A row of recipients.csv that was skipped, and why."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class RecipientList:
    """The rows that can be sent to, and the rows that were skipped."""

    recipients: list[Recipient] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)


def _parse_communities(raw: str, known: set[str]) -> tuple[frozenset[str] | None, str | None]:
    ids = [part.strip() for part in raw.split(";")]
    ids = [i for i in ids if i]
    if not ids:
        return None, None
    unknown = sorted({i for i in ids if i not in known})
    if unknown:
        names = ", ".join(unknown)
        choices = ", ".join(sorted(known)) or "(none configured)"
        what = "unknown community id" if len(unknown) == 1 else "unknown community ids"
        return None, f"{what} {names}; known ids are: {choices}"
    return frozenset(ids), None


def _delimiter(header_line: str) -> str:
    """`;` or a tab when the header is separated by them, else `,`.

    A spreadsheet in a comma-decimal locale (most of Europe) saves "CSV" with
    semicolons and has no setting to save commas instead; its list cells
    (`"design;research"`) come quoted, so the file reads the same either way.
    Excel's "Text (Tab delimited)" and Google Sheets' TSV separate cells by tabs.
    """
    line = header_line.lstrip("\ufeff")
    for candidate in (";", "\t"):
        try:  # parsed, not split: a header may come quoted ("email";"name";…)
            cells = next(csv.reader([line], delimiter=candidate), [])
        except csv.Error:
            continue
        if tuple(c.strip().lower() for c in cells[:len(HEADER)]) == HEADER:
            return candidate
    # a misspelt header ("email;name;comunities"): read with its own separator, it can be
    # told which column is wrong; read with `,` it would be one column
    for candidate in (";", "\t"):
        others = [d for d in _SEPARATOR_NAMES if d != candidate]
        if _cells(line, candidate) > 1 and all(_cells(line, d) == 1 for d in others):
            return candidate
    return ","


# What each separator is called in a message: a tab is invisible in a terminal.
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16's byte-order mark, little or big endian


def _decode(raw: bytes) -> str:
    """The text of the file: UTF-8 (with or without a BOM), or UTF-16 when it starts
    with UTF-16's byte-order mark (Excel's tab-separated "Unicode Text")."""
    if raw.startswith(_UTF16_BOMS):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def load_recipients(path: Path, known_communities: set[str]) -> RecipientList:
    """Read `path` (`email,name,communities[,aliases]`) into recipients and skipped rows.

    Empty communities means every community; ids are separated by `;`. A file
    whose header is separated by semicolons (a European spreadsheet's CSV) is read
    with `;` between cells, one separated by tabs (a spreadsheet's tab-delimited text,
    in UTF-8 or Excel's UTF-16 "Unicode Text") with tabs.
    Blank lines are ignored. Duplicates are detected case-insensitively on the
    whole address; the first row wins and later ones are reported.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            path, None,
            "the recipients file does not exist; create it with the header line "
            "'email,name,communities' and one recipient per line",
        ) from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read the recipients file: {exc.strerror}") from None
    if b"\x00" in raw and not raw.startswith(_UTF16_BOMS):
        # UTF-16 without its byte-order mark decodes as "UTF-8" full of NULs
        raise ConfigError(
            path, None, "the recipients file holds NUL bytes: it looks like UTF-16 without a "
            "byte-order mark; save it as UTF-8 (or as UTF-16 with one)")
    try:
        text = _decode(raw)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            path, None, f"the recipients file is not UTF-8 (byte {exc.start}); save it as UTF-8"
        ) from None

    # Each physical line is parsed on its own: one stray quote must cost one row,
    # not swallow every later line into a single cell (names must fit on one line).
    # split on "\n" only: str.splitlines would also break a name at U+2028 and friends
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    delimiter = _delimiter(lines[0])
    try:
        header = next(csv.reader(lines[:1], delimiter=delimiter, skipinitialspace=True), None)
    except csv.Error as exc:
        raise ConfigError(path, None, f"line 1: {exc}") from None
    columns = tuple(h.strip().lower() for h in header) if header else ()
    while columns and not columns[-1]:  # a spreadsheet's empty columns after the last
        columns = columns[:-1]
    if columns not in (HEADER, HEADER + OPTIONAL):
        if header and (problem := _header_problem(columns, delimiter)):
            raise ConfigError(path, None, problem, line=1)
        found = repr(lines[0]) if header else "an empty file"
        if header and delimiter == "\t":
            found = f"{lines[0].replace(chr(9), ', ')!r}, separated by tabs"
        if any("@" in c for c in columns):
            found += ", a recipient: add the header line above it"
        raise ConfigError(
            path, None,
            f"the first line must be the header 'email,name,communities' or "
            f"'email,name,communities,aliases' (found {found})",
        )

    result = RecipientList()
    seen: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        try:
            row = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
        except csv.Error as exc:
            result.skipped.append(RowProblem(number, f"cannot read the row: {exc}"))
            continue
        if not row or all(not cell.strip() for cell in row):
            continue
        while len(row) > len(columns) and not row[-1].strip():
            row = row[:-1]  # the empty cells of those columns
        problem, recipient = _check_row(row, number, known_communities, seen, len(columns),
                                        delimiter)
        if problem:
            result.skipped.append(RowProblem(number, problem))
        elif recipient is not None:
            seen[recipient.email.lower()] = number
            result.recipients.append(recipient)
    return result


def _header_problem(columns: tuple[str, ...], delimiter: str) -> str | None:
    """What is wrong with a header line that names columns, one problem at a time (an
    unknown column, with the known one it is closest to; a missing one; the order), or None
    when the line is no header at all (a recipient's row, say: the caller says so)."""
    if any("@" in c for c in columns):
        return None
    known = HEADER + OPTIONAL
    shape = (f"the header is {delimiter.join(HEADER)!r} or {delimiter.join(known)!r}, in "
             "that order")
    if delimiter == "\t":
        shape = (f"the header is {', '.join(HEADER)} or {', '.join(known)}, in that order, "
                 "separated by tabs")
    for number, column in enumerate(columns, start=1):
        if not column:
            return f"column {number} of the header has no name; {shape}"
        if column in known:
            continue
        normal = column.replace("-", "_").replace(" ", "_")
        absent = [k for k in known if k not in columns]
        close = (difflib.get_close_matches(normal, absent, n=1, cutoff=0.6)
                 or difflib.get_close_matches(normal, known, n=1, cutoff=0.6))
        hint = (f"did you mean {close[0]!r}?" if close
                else f"the columns are {', '.join(known)} ({OPTIONAL[0]} optional)")
        return f"unknown column {column!r} in the header; {hint}"
    if missing := [k for k in HEADER if k not in columns]:
        return f"the header has no {missing[0]!r} column; {shape}"
    if repeated := next((c for c in columns if columns.count(c) > 1), None):
        return f"the header names the column {repeated!r} twice; {shape}"
    return f"the header's columns are in another order; {shape}"


def _cells(line: str, delimiter: str) -> int:
    """How many cells `line` has when read with `delimiter`."""
    try:
        return len(next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), []))
    except csv.Error:
        return 0


def _spilled_communities(row: list[str], known: set[str]) -> str | None:
    """`wards;estates` when a semicolon file's row has a list of communities written
    without quotes, spread over the communities cell and the next (the aliases cell, or
    one more than the header has); None otherwise. Read as it stands, the reader would
    silently lose every community but the first."""
    cells = [c.strip() for c in row[len(HEADER) - 1:]]
    spilled = []
    for cell in cells:
        if cell not in known:
            break
        spilled.append(cell)
    return ";".join(spilled) if len(spilled) > 1 else None


def _check_row(
    row: list[str], line: int, known: set[str], seen: dict[str, int], width: int = 3,
    delimiter: str = ",",
) -> tuple[str | None, Recipient | None]:
    if delimiter == ";" and (spilled := _spilled_communities(row, known)):
        return (f"the communities {spilled} are split over several cells: in a file "
                f'separated by semicolons, put the list in quotes ("{spilled}")', None)
    if width > len(HEADER) and len(row) == len(HEADER):
        row = [*row, ""]  # the aliases cell may be left off
    if len(row) < len(HEADER):
        for other in _SEPARATOR_NAMES:
            if other != delimiter and _cells(delimiter.join(row), other) in (len(HEADER), width):
                return (f"this row is separated by {_SEPARATOR_NAMES[other]}s but the header "
                        f"by {_SEPARATOR_NAMES[delimiter]}s: use the same separator on every "
                        "line", None)
    if len(row) != width:
        if delimiter == "\t":  # a tab cannot be typed into a name: a cell is missing
            names = ", ".join((HEADER + OPTIONAL)[:width])
            return (f"expected {width} columns ({names}, separated by tabs) but found "
                    f"{len(row)}", None)
        names = delimiter.join((HEADER + OPTIONAL)[:width])
        # with semicolons between cells, the lists hold semicolons too, not only a name
        hint = ("quote a name that contains a comma" if delimiter == "," else
                "quote a cell that contains a semicolon (a name, or a list of communities "
                "or aliases)")
        return (f"expected {width} columns ({names}) but found {len(row)}; {hint}", None)
    address, name, communities_raw, *rest = (cell.strip() for cell in row)
    aliases = tuple(a.strip() for a in rest[0].split(";") if a.strip()) if rest else ()
    problem = address_problem(address)
    if problem:
        return problem, None
    if address.lower() in seen:
        return f"{address} is already listed on line {seen[address.lower()]}", None
    if "\r" in name or "\n" in name:
        return "the name must fit on one line", None
    if problem := display_name_problem(name):
        return problem, None
    if not round_trips(" ".join(name.split()), clean_address(address)):
        return f"the name {name!r} does not read back unchanged from a To header", None
    communities, problem = _parse_communities(communities_raw, known)
    if problem:
        return problem, None
    if any("\r" in a or "\n" in a for a in aliases):
        return "aliases must fit on one line", None
    return None, Recipient(email=address, name=name, communities=communities, line=line,
                           aliases=aliases)
