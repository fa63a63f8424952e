"""A generated organisation whose whole history is known, for `digest report`'s tests and bench.

Items go into the store as collect stores them (`Store.upsert_entries`), calendars
as collect saves them (`Store.save_calendar`), so the report reads exactly what
a real organisation's state holds. Every figure the tests expect follows from
the rules written here, one community per shape:

- steady: 2 posts and 1 meeting note a month; monthly sessions with a rota of four
  facilitators, the March 2026 one cancelled;
- rota: 1 post a month; a monthly recurring session from February 2026, February's
  occurrence cancelled, led by Priya Shah except June's (Tom Reed): 7 of 8;
- slipping: 4 posts a month until July 2026, then 1 a month;
- quiet: 1 post a month until June 2026, then nothing; its feed failing;
- back: 1 post a month until May 2026, then nothing until one in October 2026;
- fresh: configured, nothing collected yet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from digest.collect.state import FeedState, save_states
from digest.models import Action, Decision, Entry, MeetingOutcomes
from digest.store import Store
from tests.support import rss

SEEN = datetime(2026, 11, 20, tzinfo=UTC)
ROTA = ("Ada Lane", "Ben Cole", "Cy Dunn", "Di Ems")
NAMES = {"steady": "Steady Builders", "rota": "Rota Circle", "slipping": "Slipping Sketchers",
         "quiet": "Quiet Quills", "back": "Back Again", "fresh": "Fresh Start"}


def months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=UTC)


def post(community: str, n: str, when: datetime, author: str) -> Entry:
    return Entry(identity=f"{community}-{n}", community=community, kind="post",
                 feed_url=f"https://{community}.example.org/feed", title=f"{community} {n}",
                 link=f"https://{community}.example.org/{n}", author=author, published=when,
                 updated=None, excerpt=f"Post {n}.")


def notes(community: str, y: int, m: int, author: str) -> Entry:
    """One meeting's notes: 2 decisions, 3 actions (one done; one due ten days later, done
    except in October 2026; one with no due date)."""
    held = date(y, m, 12)
    late = (y, m) == (2026, 10)
    actions = (Action("Write up the pattern library", "Ada Lane", held + timedelta(days=8),
                      None, done=True),
               Action("Book the next room", "Ben Cole", held + timedelta(days=10), None,
                      done=not late),
               Action("Think about a newsletter", "Cy Dunn", None, "some time", done=False))
    return Entry(identity=f"{community}-notes-{y}-{m}", community=community, kind="meeting",
                 feed_url=f"https://{community}.example.org/notes", title=f"Meeting {y}-{m}",
                 link=f"https://{community}.example.org/notes/{y}-{m}", author=author,
                 published=at(y, m, 12, 14), updated=None, excerpt="Notes.",
                 outcomes=MeetingOutcomes(decisions=(Decision("Keep the format"),
                                                     Decision("Meet online in winter")),
                                          actions=actions, held_on=held))


def event(uid: str, start: str, facilitator: str, *, status: str | None = None,
          rrule: str | None = None, recurrence_id: str | None = None) -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", f"DTSTART:{start}",
             "DURATION:PT1H", "SUMMARY:Community session",
             f"DESCRIPTION:Our monthly session.\\nFacilitator: {facilitator}"]
    if rrule:
        lines.append(f"RRULE:{rrule}")
    if recurrence_id:
        lines.append(f"RECURRENCE-ID:{recurrence_id}")
    if status:
        lines.append(f"STATUS:{status}")
    return "\r\n".join([*lines, "END:VEVENT"])


def calendar(events: list[str]) -> bytes:
    return ("\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Example//Rota//EN",
                         *events, "END:VCALENDAR"]) + "\r\n").encode()


def steady_calendar() -> bytes:
    events = []
    for y, m in months((2025, 9), (2026, 11)):
        cancelled = (y, m) == (2026, 3)
        events.append(event(f"steady-{y}-{m}@example.org", f"{y}{m:02d}15T120000Z",
                            ROTA[m % 4], status="CANCELLED" if cancelled else None))
    return calendar(events)


def rota_calendar() -> bytes:
    uid = "rota-series@example.org"
    return calendar([
        event(uid, "20260210T170000Z", "Priya Shah", rrule="FREQ=MONTHLY;COUNT=10"),
        event(uid, "20260210T170000Z", "Priya Shah", recurrence_id="20260210T170000Z",
              status="CANCELLED"),
        event(uid, "20260610T170000Z", "Tom Reed", recurrence_id="20260610T170000Z"),
    ])


CALENDARS = {"steady": steady_calendar, "rota": rota_calendar}


def history() -> list[Entry]:
    out: list[Entry] = []
    for y, m in months((2024, 11), (2026, 10)):
        out += [post("steady", f"{y}-{m}-a", at(y, m, 5), "Ada Lane"),
                post("steady", f"{y}-{m}-b", at(y, m, 20), "Ben Cole"),
                notes("steady", y, m, "ADA LANE "),
                post("rota", f"{y}-{m}", at(y, m, 8), "Priya Shah")]
    for y, m in months((2025, 5), (2026, 10)):
        days = (10,) if (y, m) >= (2026, 8) else (3, 10, 17, 24)
        out += [post("slipping", f"{y}-{m}-{d}", at(y, m, d), "Ola Ng") for d in days]
    for y, m in months((2025, 1), (2026, 6)):
        out.append(post("quiet", f"{y}-{m}", at(y, m, 15, 12), "Raj Iyer"))
    for y, m in months((2025, 6), (2026, 5)):
        out.append(post("back", f"{y}-{m}", at(y, m, 20), "Sue Park"))
    out.append(post("back", "return", at(2026, 10, 5), "Tim Roe"))
    return out


def write_config(root: Path, *, report_recipients: str | None = None,
                 extra_communities: dict[str, str] | None = None, known: bool = True) -> Path:
    """digest.toml and the community list; `known`: with the six communities above."""
    names = (NAMES if known else {}) | (extra_communities or {})
    (root / "feeds").mkdir(parents=True, exist_ok=True)
    blocks = []
    for cid, name in names.items():
        # local files, so a `digest run` collects without a network: the feeds are empty
        # now (their history is in the store), the calendars say what the store holds
        feed = root / "feeds" / f"{cid}.xml"
        feed.write_text(rss([], f"{name} blog"), encoding="utf-8")
        block = (f'[[community]]\nid = "{cid}"\nname = "{name}"\n'
                 f'posts = ["{feed.name}"]\n')
        if cid in CALENDARS:
            (root / "feeds" / f"{cid}.ics").write_bytes(CALENDARS[cid]())
            block += f'calendar = "{cid}.ics"\n'
        blocks.append(block)
    (root / "feeds" / "communities.toml").write_text("\n".join(blocks), encoding="utf-8")
    (root / "recipients.csv").write_text("email,name,communities\nann@example.org,Ann,\n",
                                         encoding="utf-8")
    report = f'[report]\nrecipients = "{report_recipients}"\n' if report_recipients else ""
    (root / "digest.toml").write_text(
        '[digest]\norganisation = "Example Housing Trust"\ntimezone = "Europe/London"\n'
        'web_url = "https://intranet.example.org/cop-digest/"\nquiet_after = 2\n'
        '[delivery]\nmethod = "outbox"\nfrom = "CoP Digest <cop-digest@example.org>"\n'
        f'recipients = "recipients.csv"\n{report}', encoding="utf-8")
    return root / "digest.toml"


def fill_store(root: Path) -> None:
    """The history as collect would have stored it, under the locations the config names."""
    feeds = (root / "feeds").resolve()
    with Store(root / "var" / "digest.db") as store:
        store.upsert_entries(history(), seen_at=SEEN)
        for cid, make in CALENDARS.items():
            store.save_calendar(str(feeds / f"{cid}.ics"), cid, make(), SEEN)
        save_states(store, [
            FeedState(url=str(feeds / "quiet.xml"), community="quiet", role="posts",
                      status="error", error_kind="http", error_message="HTTP 500",
                      consecutive_failures=4, last_success=datetime(2026, 7, 2, tzinfo=UTC)),
            FeedState(url=str(feeds / "steady.xml"), community="steady", role="posts",
                      status="ok", last_success=datetime(2026, 11, 19, tzinfo=UTC))])


def organisation(root: Path, **kwargs: object) -> Path:
    """The whole organisation on disk; returns its digest.toml."""
    config = write_config(root, **kwargs)  # type: ignore[arg-type]
    fill_store(root)
    return config
