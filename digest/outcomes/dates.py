"""Dates in notes: when an action is due, and when the meeting was held.

Dues are written as people speak ("by Friday", "next week", "end of month",
"5/22", "14 November", "vendredi"); they mean a day relative to the meeting,
not to when we read the notes. dateparser does the language work; this module
adds what it does not read ("end of month", "EOW", "mid-November") and keeps
its cost down with a cache (notes repeat the same few phrases).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from .languages import DATE_LANGUAGES, fold

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)|(?<!\d)(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)")
# "EOD Friday", "COB on Thursday", "end of day Monday": that day, not the meeting's.
_END_OF_DAY_ON = re.compile(r"^(?:eod|cob|end\s+of\s+(?:the\s+)?day)\s+(?:on\s+)?(?=[^\W\d_])",
                            re.IGNORECASE)
# "the 20th": that day of the meeting's month, or of the next month when it is past.
_ORDINAL_DAY = re.compile(r"^(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)$", re.IGNORECASE)
_RECENT_DAYS = 31  # a date without its year this close before the meeting is in its year
_END_OF = re.compile(
    r"^(?:the\s+)?(?:end\s+of\s+(?:the\s+)?(?P<unit>day|week|month|quarter|year)"
    r"|(?P<short>eod|cob|eow|eom|eoy))$", re.IGNORECASE)
# "end of November", "Ende November", "fin novembre", "a finales de noviembre"
_END_OF_MONTH = re.compile(r"^(?:(?:the\s+)?end\s+of|ende|fin(?:\s+de|\s+d')?"
                           r"|(?:a\s+)?finales\s+de)\s+(?P<month>[^\W\d_]{3,})$", re.IGNORECASE)
_END_OF_NEXT = re.compile(r"^(?:the\s+)?end\s+of\s+(?:the\s+)?next\s+(?P<unit>week|month)$",
                          re.IGNORECASE)
_MID = re.compile(r"^mid[- ]?(?P<month>[a-z]+)$", re.IGNORECASE)
_END_WORDS = {  # "fin du mois", "Ende des Monats", "fin de mes": the same as "end of month"
    "fin du mois": "month", "fin de mois": "month", "ende des monats": "month",
    "monatsende": "month", "fin de mes": "month", "fin del mes": "month",
    "fin de la semaine": "week", "ende der woche": "week", "fin de semana": "week",
    "fin de la semana": "week", "a finales de mes": "month", "finales de mes": "month",
    "a fin de mes": "month", "a fin du mois": "month",
    "fine della settimana": "week", "fine del mese": "month",
}
# "end of this week", "fin de cette semaine", "Ende dieser Woche": the end of the meeting's
# week or month, as "end of the week" is (where "this week" alone names no day).
_END_OF_THIS = re.compile(
    r"^(?:the\s+)?end\s+of\s+this\s+(?P<unit>week|month|quarter|year)$"
    r"|^(?:a\s+)?fin\s+de\s+(?:cette\s+(?P<fr_week>semaine)|ce\s+(?P<fr_month>mois))$"
    r"|^ende\s+(?:dieser\s+(?P<de_week>woche)|dieses\s+(?P<de_month>monats))$"
    r"|^(?:a\s+)?(?:el\s+)?(?:fin|final)\s+de\s+(?:esta\s+(?P<es_week>semana)|este\s+(?P<es_month>mes))$"
    r"|^(?:la\s+)?fine\s+di\s+quest[ao]\s+(?:(?P<it_week>settimana)|(?P<it_month>mese))$",
    re.IGNORECASE)


def _end_of_this(text: str) -> str | None:
    """The unit ("week", "month", …) an "end of this …" phrase names, or None."""
    match = _END_OF_THIS.match(text)
    if match is None:
        return None
    if match["unit"]:
        return match["unit"].lower()
    named = next(k for k, v in match.groupdict().items() if v)
    return named.split("_")[1]


_NEXT_WEEK_WORDS = frozenset(("semana que vem", "a semana que vem", "proxima semana",
                              "a proxima semana", "volgende week", "settimana prossima",
                              "la settimana prossima", "la prossima settimana"))
_LEAD_WORDS = re.compile(
    r"^(?:due|by|until|before|bis(?:\s+zu[mr])?|avant(?:\s+le)?|d['’ʼ]ici(?:\s+(?:le|la|à|a))?|hasta(?:\s+el)?"
    r"|antes\s+del?|para\s+el|f[äa]llig(?:\s+am)?|[ée]ch[ée]ance|on|for"
    r"|uiterlijk(?:\s+op)?|voor|entro(?:\s+il|\s+la|\s+l['’ʼ])?|at[ée](?:\s+(?:o|a|ao|dia))?"
    r"|prazo|scadenza|termine)\s*:?\s+",
    re.IGNORECASE)
_WEEKISH = re.compile(r"w/c|kw|wk|week|semaine|settimana|semana|woche", re.IGNORECASE)
_NUMERIC = re.compile(r"^(\d{1,2})([./])(\d{1,2})\.?(?:[./](\d{2,4}))?$")
_NEVER = re.compile(r"\b(?:next\s+(?:meeting|session|call|sync|time)|tbd|tbc|asap|ongoing"
                    r"|q[1-4]|this\s+(?:week|month)|next\s+month|deze\s+week|questa\s+settimana"
                    r"|esta\s+semana|cette\s+semaine|diese\s+woche)\b",  # vague spans: no day
                    re.IGNORECASE)


# "KW 48", "wk48", "Week 49", "semaine 48": an ISO week; "w/c 16 Nov": the week that day
# starts. Either is due by the end of that week's working days, as "end of week" is.
_WEEK_NUMBER = re.compile(r"^(?:the\s+|la\s+|die\s+|a\s+)?(?:kw|wk|week|semaine|settimana"
                          r"|semana|woche)\.?\s*(?P<week>\d{1,2})$", re.IGNORECASE)
_WEEK_OF = re.compile(r"^(?:w/c|week\s+(?:commencing|beginning|starting))\s+(?P<day>\S.*)$",
                      re.IGNORECASE)
# "fin de la semaine prochaine", "ende nächster Woche": the end of the week after the meeting's
_END_OF_NEXT_WEEK = re.compile(r"^(?:fin\s+de\s+la\s+semaine\s+prochaine"
                               r"|ende\s+n[äa]chster\s+woche|fine\s+(?:della\s+)?settimana"
                               r"\s+prossima|final\s+da\s+pr[óo]xima\s+semana)$", re.IGNORECASE)


def _week(text: str, meeting: date | None, languages: tuple[str, ...]) -> date | None:
    """The Friday of the week `text` names, or None when it names no week."""
    numbered = _WEEK_NUMBER.match(text)
    if numbered:
        if meeting is None:
            return None
        number = int(numbered["week"])
        for year in (meeting.year, meeting.year + 1):
            try:
                friday = date.fromisocalendar(year, number, 5)
            except ValueError:
                return None
            if (meeting - friday).days <= _RECENT_DAYS:  # a week long past is next year's
                return friday
        return None
    start = _WEEK_OF.match(text)
    if start:
        day = resolve(start["day"], meeting, languages)
        return None if day is None else day + timedelta(days=4 - min(day.weekday(), 4))
    if _END_OF_NEXT_WEEK.match(text) and meeting is not None:
        return _end_of("week", meeting + timedelta(days=7))
    return None


def resolve(words: str, meeting: date | None, languages: tuple[str, ...] = DATE_LANGUAGES
            ) -> date | None:
    """The day `words` name, counted from the meeting's date; None when it names none.

    Without a meeting date only a date that carries its year resolves: "Friday"
    alone says nothing about which Friday.
    """
    text = " ".join(words.strip().strip(".,;:()[]").split())
    this_end = _end_of_this(_LEAD_WORDS.sub("", text))
    if this_end:  # before `_NEVER`: "this week" is vague, its end is not
        return _end_of(this_end, meeting) if meeting else None
    if not text or _NEVER.search(text):
        return None
    text = _END_OF_DAY_ON.sub("", _LEAD_WORDS.sub("", text))
    iso = _ISO.search(text)
    if iso:
        parts = iso.groups()[:3] if iso[1] else iso.groups()[3:]
        try:
            return date(*(int(p) for p in parts))
        except ValueError:
            return None
    if _WEEKISH.search(text):
        week = _week(text, meeting, languages)
        if week is not None:
            return week
    ordinal = _ORDINAL_DAY.match(text)
    if ordinal:
        return _day_of_month(int(ordinal[1]), meeting) if meeting else None
    numeric = _NUMERIC.match(text)
    if numeric:
        return _numeric(numeric, meeting, languages)
    if meeting is None:
        if not re.search(r"\b(?:19|20)\d{2}\b", text):
            return None
        meeting = date.today()
    return _resolve(text.lower(), meeting, languages)


@lru_cache(maxsize=4096)
def _resolve(text: str, meeting: date, languages: tuple[str, ...]) -> date | None:
    following = _END_OF_NEXT.match(text)
    if following:  # "end of next week": the end of the week after the meeting's
        later = (meeting + timedelta(days=7) if following["unit"] == "week"
                 else (meeting.replace(day=1) + timedelta(days=32)))
        return _end_of(following["unit"], later)
    if fold(text) in _NEXT_WEEK_WORDS:  # words dateparser does not read in every language
        return meeting + timedelta(days=7)
    end = _END_OF.match(text)
    unit = _END_WORDS.get(text) or (end and (end["unit"] or end["short"]))
    if unit:
        return _end_of(unit, meeting)
    mid = _MID.match(text) or _END_OF_MONTH.match(text)
    if mid:
        month = _month_number(mid["month"], languages)
        if month is None:
            return None
        year = meeting.year + (1 if month < meeting.month else 0)
        if text.startswith("mid"):
            return date(year, month, 15)
        return date(year, month, calendar.monthrange(year, month)[1])
    import dateparser  # here: a note with no dues never pays for it

    settings = {"RELATIVE_BASE": datetime(meeting.year, meeting.month, meeting.day),
                "PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False,
                "PREFER_DAY_OF_MONTH": "first" if re.fullmatch(r"[a-z]+\s+\d{4}", text)
                else "current"}
    try:
        found = dateparser.parse(text, languages=list(languages), settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    if found is None:
        return None
    if re.fullmatch(r"[a-zäéû]+\s+\d{4}", text):  # "March 2027": by the end of that month
        return _end_of("month", found.date())
    day = found.date()
    if day.year > meeting.year and not re.search(r"\d{4}", text):
        # "2 November" at a meeting on 4 November: a reviewed action's due, two days
        # before, not next year's (as "11/2" reads in `_numeric`)
        try:
            earlier = day.replace(year=day.year - 1)
        except ValueError:
            return day
        if 0 < (meeting - earlier).days <= _RECENT_DAYS:
            return earlier
    return day


def _day_of_month(day: int, meeting: date) -> date | None:
    """The next `day` of a month on or after the meeting ("by the 20th")."""
    year, month = meeting.year, meeting.month
    for _ in range(3):
        if day <= calendar.monthrange(year, month)[1]:
            found = date(year, month, day)
            if found >= meeting:
                return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _numeric(match: re.Match[str], meeting: date | None, languages: tuple[str, ...]
             ) -> date | None:
    """"7/22", "17.9.", "27/03", "18.02.2026": month first only in English with slashes
    (and only when it can be), day first everywhere else."""
    a, sep, b, year_text = int(match[1]), match[2], int(match[3]), match[4]
    month_first = sep == "/" and languages[:1] == ("en",)
    month, day = (a, b) if month_first else (b, a)
    if month > 12:
        month, day = day, month
    try:
        if year_text:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
            return date(year, month, day)
        if meeting is None:
            return None
        found = date(meeting.year, month, day)
        if (meeting - found).days > 31:  # "1/15" in a December meeting: next January
            found = date(meeting.year + 1, month, day)
        return found
    except ValueError:
        return None


def _end_of(unit: str, day: date) -> date:
    if unit in ("day", "eod", "cob"):
        return day
    if unit in ("week", "eow"):
        return day + timedelta(days=4 - day.weekday() if day.weekday() <= 4 else 6 - day.weekday())
    if unit in ("month", "eom"):
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if unit == "quarter":
        last = ((day.month - 1) // 3 + 1) * 3
        return date(day.year, last, calendar.monthrange(day.year, last)[1])
    return date(day.year, 12, 31)


def _month_number(word: str, languages: tuple[str, ...]) -> int | None:
    import dateparser

    found = dateparser.parse(f"1 {word} 2000", languages=list(languages))
    return found.month if found else None


# -- the meeting's own date --------------------------------------------------------------

_MONTHS = (
    r"jan(?:uary|vier|uar|\.)?|feb(?:ruary|ruar|\.)?|f[ée]vr(?:ier|\.)?|mar(?:ch|s|\.)?|m[äa]rz"
    r"|apr(?:il|\.)?|avr(?:il|\.)?|abr(?:il)?|may|mai|mayo|june?|juin|juni|junio"
    r"|july?|juil(?:let|\.)?|juli|julio|aug(?:ust|\.)?|ao[uû]t|ago(?:sto)?"
    r"|sep(?:t(?:ember|embre|iembre)?|\.)?|oct(?:ober|obre|\.)?|okt(?:ober)?"
    r"|nov(?:ember|embre|iembre|\.)?|dec(?:ember|\.)?|d[ée]c(?:embre)?|dez(?:ember)?|dic(?:iembre)?"
    r"|enero|febrero|marzo|octubre|janv(?:ier)?"
    r"|januari|februari|maart|mei|augustus|gennaio|febbraio|aprile|maggio|giugno|luglio"
    r"|settembre|ottobre|dicembre|janeiro|fevereiro|mar[çc]o|maio|junho|julho|setembro"
    r"|outubro|novembro|dezembro"
)
_WEEKDAY = (r"(?:mon|tue|wed|thu|fri|sat|sun|lun|mar|mer|jeu|ven|sam|dim|mo|di|mi|do|fr|sa|so"
            r"|mié|jue|vie|sáb|dom)[a-zéèäüñá]*\.?,?\s+")
# A date that names its year: 2026-10-14, 14 October 2026, October 14, 2026, 14.10.2026,
# 14/10/2026 (day first unless that cannot be), "le 14 octobre 2026", "14. Oktober 2026".
DATED = re.compile(
    r"(?<![\w-])(?:"
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    rf"|(?:{_WEEKDAY})?(?P<dmy>\d{{1,2}}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?:{_MONTHS})\.?,?\s+(?:de\s+)?\d{{4}})"
    rf"|(?:{_WEEKDAY})?(?P<mdy>(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
    r"|(?P<num>\d{1,2}[./]\d{1,2}[./]\d{4})"
    r")(?![\w-])",
    re.IGNORECASE,
)


_YEAR_DIGITS = re.compile(r"\d{4}")


def may_name_year(text: str) -> bool:
    """False when `text` has no four digits in a row, so `first_date` finds nothing in it."""
    return _YEAR_DIGITS.search(text) is not None


def first_date(text: str, languages: tuple[str, ...] = DATE_LANGUAGES) -> date | None:
    """The first date with a year in `text` ("Design crit, 14 October 2026" → 2026-10-14)."""
    if not may_name_year(text):  # every form of DATED has four digits in a row
        return None
    for match in DATED.finditer(text):
        found = _explicit(match, languages)
        if found is not None:
            return found
    return None


_DAY_MONTH = re.compile(
    rf"(?<![\w-])(?:\d{{1,2}}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?:{_MONTHS})"
    rf"|(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?)(?![\w-])", re.IGNORECASE)


def day_and_month(text: str, near: date, languages: tuple[str, ...] = DATE_LANGUAGES
                  ) -> date | None:
    """A date without its year ("Crit – 29 October") on or before `near` (the notes' date)."""
    match = _DAY_MONTH.search(text)
    if not match:
        return None
    found = _parse_written(f"{' '.join(match.group(0).split())} {near.year}", languages)
    if found is not None and found > near:
        found = _parse_written(f"{' '.join(match.group(0).split())} {near.year - 1}", languages)
    return found


def _explicit(match: re.Match[str], languages: tuple[str, ...]) -> date | None:
    try:
        if match["iso"]:
            y, m, d = (int(p) for p in match["iso"].split("-"))
            return date(y, m, d)
        if match["num"]:
            numeric = _NUMERIC.match(match["num"])
            return _numeric(numeric, None, languages) if numeric else None
    except ValueError:
        return None
    words = match["dmy"] or match["mdy"]
    return _parse_written(" ".join(words.split()), languages)


# Month names by their first letters, accents folded (en, fr, de, es): enough to read a
# written date that carries its year without a parser ("14. Oktober 2026", "7 de octubre").
_MONTH_PREFIXES = (
    ("jan", 1), ("ene", 1), ("feb", 2), ("fev", 2), ("mar", 3), ("maerz", 3), ("apr", 4),
    ("avr", 4), ("abr", 4), ("may", 5), ("mai", 5), ("jun", 6), ("juin", 6), ("jul", 7),
    ("juil", 7), ("aug", 8), ("aou", 8), ("ago", 8), ("sep", 9), ("oct", 10), ("okt", 10),
    ("nov", 11), ("dec", 12), ("dez", 12), ("dic", 12),
    ("gen", 1), ("maa", 3), ("mei", 5), ("mag", 5), ("giu", 6), ("lug", 7), ("set", 9),
    ("ott", 10), ("out", 10),
)


def _month_of(word: str) -> int | None:
    folded = fold(word).strip(".")
    if folded.startswith("mars") or folded.startswith("marz") or folded.startswith("marzo"):
        return 3
    if folded.startswith("juil"):
        return 7
    for prefix, number in _MONTH_PREFIXES:
        if folded.startswith(prefix):
            return number
    return None


@lru_cache(maxsize=1024)
def _parse_written(text: str, languages: tuple[str, ...]) -> date | None:
    """"14 October 2026", "October 14, 2026", "7 de octubre de 2026" as a date."""
    words = re.findall(r"[^\W\d_]+|\d+", text)
    numbers = [int(w) for w in words if w.isdigit()]
    months = [m for w in words if not w.isdigit() and (m := _month_of(w)) is not None]
    if len(numbers) != 2 or not months:
        return None
    day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
    try:
        return date(year, months[-1], day)  # "martes 7 de octubre": the last one
    except ValueError:
        return None
