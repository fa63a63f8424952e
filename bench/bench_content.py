"""Cost of the content extractors on realistic and hostile input.

Run: PYTHONPATH=. python bench/bench_content.py
Prints per-call times for meeting-notes outcomes (the test fixtures, a 1 MB
page, 256-deep nesting) and for expanding a 2,000-event calendar.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from digest.calendar import sessions
from digest.markdown import read_markdown
from digest.outcomes import extract_outcomes

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "meeting_notes"


def timed(fn, *args, repeat: int = 5) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def show(name: str, size: int, seconds: float, note: str = "") -> None:
    print(f"{name:34} {size:>9} B {seconds * 1e3:9.2f} ms {note}")


def main() -> None:
    for path in sorted(FIXTURES.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        show(f"outcomes {path.name}", len(html), timed(extract_outcomes, html))
    notes = [p for p in sorted((FIXTURES.parent / "minutes_rules").iterdir())]
    per_note = []
    for path in notes:
        text = path.read_text(encoding="utf-8")
        html = read_markdown(text).html if path.suffix == ".md" else text
        extract_outcomes(html)  # warm: dateparser loads its languages once per process
        per_note.append(timed(extract_outcomes, html))
    print(f"outcomes per note, median of {len(notes)} rule fixtures: "
          f"{statistics.median(per_note) * 1000:.2f} ms (max {max(per_note) * 1000:.2f} ms)")
    filler = "<p>" + "Long discussion of the options and their trade-offs. " * 45 + "</p>"
    rows = "".join(f"<li>Item {i}: Sam to look at it by 14 November</li>" for i in range(2000))
    big = filler * 200 + "<h2>Actions</h2><ul>" + rows + "</ul>" + filler * 200
    show("outcomes 1 MB page", len(big), timed(extract_outcomes, big))
    deep = "<h2>Actions</h2><ul><li>Ana to check</li></ul>"
    deep += "<div><b>" * 60_000 + "</b></div>" * 60_000
    show("outcomes deep nesting", len(deep), timed(extract_outcomes, deep))

    london = ZoneInfo("Europe/London")
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:e{i}\r\n"
        f"DTSTART;TZID=W. Europe Standard Time:2026{i % 12 + 1:02d}{i % 27 + 1:02d}T100000\r\n"
        f"DTEND;TZID=W. Europe Standard Time:2026{i % 12 + 1:02d}{i % 27 + 1:02d}T110000\r\n"
        + ("RRULE:FREQ=WEEKLY\r\n" if i % 5 == 0 else "")
        + f"SUMMARY:Event {i}\r\nEND:VEVENT\r\n"
        for i in range(2000)
    )
    ics = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:bench\r\n{events}END:VCALENDAR\r\n".encode()
    window = (datetime(2026, 11, 1, tzinfo=london), datetime(2026, 12, 1, tzinfo=london))
    found = sessions(ics, "bench", *window, london)
    cost = timed(sessions, ics, "bench", *window, london, repeat=3)
    show("calendar 2000 events, 400 weekly", len(ics), cost, f"({len(found)} sessions)")


if __name__ == "__main__":
    main()
