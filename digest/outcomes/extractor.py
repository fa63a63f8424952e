"""Sections, markers and items: the outcomes of one note, read from its blocks.

Notes say what was decided and who does what in a few ways, all read here:
a section under a heading or bold lead-in ("Decisions", "Next steps",
"Prochaines étapes"), whose list items, table rows and lines are its items;
a marker at the start of any item or line, at any depth ("Decision:",
"ACTION:", "#agreed", "RESOLVED that"); a list that is outcomes by its markup
(a shape's: Confluence decision and task lists, checkbox lists); and, outside
sections, a sentence that reports a decision (`prose`). Each item then gives
up its owner, due (resolved against the meeting's date, `dates`) and done
state; status words, chrome and sign-offs are not items; an action too short
to stand alone carries its topic.

`blocks` reads the page; `shapes` adds what one tool writes its own way.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import lxml.html

from ..models import Action, Decision, MeetingOutcomes
from ..text import cut_at_word
from . import blocks, dates, languages, prose, shapes, votes
from .shapes import chat_log


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MAX_ITEMS = 40  # per kind: a guard against hostile pages. The email shows fewer (render
# Detail.outcomes_per_list), but every action is kept for following it up across issues.
MAX_CHARS = 240

OutcomeList = str  # which list a section's items go to: "decisions" | "actions" | "mixed"

_LEAD_IN_LEVEL = 7  # a bold lead-in ranks below every real heading

# Feed and page chrome (Confluence "Page edited by <a>…" / "View Online", mail footers).
# Only short blocks with links count (see `_is_chrome`): the same words in an
# author's sentence ("Unsubscribe the old list", "Moved by Ana, seconded by Ben")
# are outcomes.
_CHROME_LIMIT = 300  # characters; longer blocks are content
_CHROME_WORDS_IN_SECTION = 3  # words outside links, e.g. "Page edited by"
_CHROME = re.compile(
    r"^\s*(?:view online|view changes(?: online)?|view page|stop watching|manage notifications"
    r"|add comment|like(?=\s*(?:[·|•]|$))|unsubscribe|view in browser|this message was sent by"
    r"|edited by|last updated|powered by|report abuse)\b"
    r"|^\s*(?:page\s+|blog post\s+)?(?:added|edited|created|updated|changed|modified"
    r"|commented on|moved)\s+by\b"
    r"|^\s*[\w .'’-]{1,60}\s(?:edited|added|created|changed|commented on)\s+(?:the\s+|a\s+)?"
    r"(?:page|blog post|comment)\b",
    re.IGNORECASE,
)

# Heading words (every language, accents folded). A heading counts when every word in it
# is one of these.
_PHRASES = [(re.compile(p), kind) for p, kind in languages.SECTION_PHRASES]
_DECISION_WORDS = languages.DECISION_WORDS
_ACTION_WORDS = languages.ACTION_WORDS
_FILLER = languages.FILLER

# Marker at the start of one item or line that says what it is ("Action: …", "RESOLUTION: …").
_ITEM_LABEL = languages.ITEM_MARKER
_PLAIN_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z &/'’-]{1,40}?)\s*(?:[:–—-]\s*|$)")
_NOTHING = re.compile(
    r"^[\[(]?(?:none|n/?a|nil|tbc|tbd|-+|—|nothing(?: to report)?(?: this time)?"
    r"|no (?:decisions?|actions?|action items?|outcomes?)(?: (?:made|taken|agreed|recorded))?"
    r"(?: (?:this time|today|this week|this month))?)[\])]?\.?$"
    r"|^unassigned\s*:?\s*[\[(]?none[\])]?$",
    re.IGNORECASE,
)
_BULLET = re.compile(
    r"^\s*(?:[-*•·▪◦‣–—>]|\d{1,2}[.)]|\[[ xX✓✔]?\]|[☐☑☒✅✔✓□■]\ufe0f?)\s*"
)

# Owner and due-date patterns over one item's text.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    r"|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre"
    r"|d[ée]cembre|januar|februar|m[äa]rz|juni|juli|oktober|dezember|enero|febrero|marzo"
    r"|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre"
    r"|januari|februari|maart|mei|augustus|gennaio|febbraio|aprile|maggio|giugno|luglio"
    r"|settembre|ottobre|dicembre|janeiro|fevereiro|mar[çc]o|maio|junho|julho|setembro"
    r"|outubro|novembro|dezembro)\.?"
)
_WEEKDAY = (r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
            r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|montag|dienstag|mittwoch"
            r"|donnerstag|freitag|samstag|sonntag|lunes|martes|mi[ée]rcoles|jueves|viernes"
            r"|s[áa]bado|domingo|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
            r"|luned[iì]|marted[iì]|mercoled[iì]|gioved[iì]|venerd[iì]|sabato|domenica"
            r"|(?:segunda|ter[çc]a|quarta|quinta|sexta)(?:-feira)?)")
# A week as a due: "w/c 16 Nov" (week commencing), "KW 48", "wk48", "Week 49", "semaine 48".
_WEEK = (r"(?:(?:w/c|week\s+(?:commencing|beginning|starting))\s+\d{1,2}(?:st|nd|rd|th|\.)?\s+"
         r"(?:of\s+)?[a-zé]{3,9}\.?"
         r"|(?:w/c|week\s+(?:commencing|beginning|starting))\s+[a-zé]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?"
         r"|(?:kw|wk|week|semaine|settimana|semana|woche)\.?\s*\d{1,2}(?![\d./:]))")
_DATE = (
    r"(?:\d{4}-\d{2}-\d{2}|\d{4}/\d{1,2}/\d{1,2}"
    rf"|(?:eod|cob|end\s+of\s+(?:the\s+)?day)\s+(?:on\s+)?{_WEEKDAY}"
    rf"|(?:{_WEEKDAY},?\s+)?\d{{1,2}}(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?{_MONTH}"
    r"(?:,?\s+(?:de\s+)?\d{4})?"
    rf"|(?:{_WEEKDAY},?\s+)?{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}\.\d{1,2}\.(?:\d{2,4}\b)?"
    rf"|(?:next\s+|this\s+)?{_WEEKDAY}|{_WEEK}"
    rf"|(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?:day|week|month|quarter|year|sprint|{_MONTH})"
    r"|(?:the\s+)?end\s+of\s+(?:the\s+)?next\s+(?:week|month)"
    rf"|ende\s+{_MONTH}|fin\s+(?:de\s+|d')?{_MONTH}|(?:a\s+)?finales\s+de\s+{_MONTH}"
    rf"|mid[- ]{_MONTH}"
    r"|eo[dwm]|cob|tomorrow|today"
    r"|(?:the\s+)?next\s+(?:meeting|session|call|catch[- ]?up|sync)"
    r"|(?:next|this)\s+(?:week|month)|in\s+(?:\d+|two|three|a)\s+(?:days?|weeks?)"
    r"|(?:a\s+)?fin(?:ales)?\s+d[eu]\s+(?:la\s+|cette\s+|ce\s+|este\s+|esta\s+)?"
    r"(?:mois|semaine|mes|semana)|fine\s+(?:della|di\s+questa)\s+settimana"
    r"|ende\s+(?:de[rs]|dieser|dieses)\s+(?:woche|monats)|n[äa]chste\s+woche|la\s+semaine\s+prochaine"
    r"|la\s+semana\s+que\s+viene|la\s+pr[óo]xima\s+semana|demain|morgen|ma[ñn]ana"
    r"|fin\s+de\s+la\s+semaine\s+prochaine|volgende\s+week|(?:la\s+)?settimana\s+prossima"
    r"|la\s+prossima\s+settimana|(?:a\s+)?semana\s+que\s+vem|(?:a\s+)?pr[óo]xima\s+semana"
    r"|domani|amanh[ãa]"
    r"|q[1-4](?:\s+\d{4})?"
    rf"|{_MONTH}(?:\s+\d{{4}})?)"
)
# "before the December session": a month that names a meeting is no day (the words stay).
_MEETING_WORD = (r"(?:session|meeting|call|sync|agm|gathering|workshop|sitzung|r[ée]union"
                 r"|reuni[óo]n)")
_DUE = re.compile(
    rf"\s*[,;|]?\s*[(\[]?\b(?:due(?:\s+date)?|(?:due\s+)?by|deadline|before|until"
    rf"|target(?:\s+date)?|no later than|d['’ʼ]ici(?:\s+(?:le|la|à|a))?|avant(?:\s+le|\s+la)?"
    rf"|pour\s+le|bis(?:\s+zu[mr])?"
    rf"|hasta(?:\s+el)?|para(?:\s+el)?|antes\s+del?|f[äa]llig(?:\s+am)?|fecha|[ée]ch[ée]ance"
    rf"|vencimiento|plazo|for|on|revisit(?:\s+on)?"
    rf"|uiterlijk(?:\s+op)?|voor|entro(?:\s+il|\s+la|\s+l['’ʼ])?|at[ée](?:\s+(?:o|a|ao|dia))?"
    rf"|prazo|scadenza|termine)\s*:?\s*"
    rf"(?P<due>{_DATE})\b(?!\s+{_MEETING_WORD})[)\]]?\.?",
    re.IGNORECASE,
)
_TRAILING_DUE = re.compile(
    rf"(?:\s*[–—,·|]|\s+-)\s*(?:(?:due|by|bis|avant|d['’ʼ]ici(?:\s+(?:le|la|à|a))?|hasta|antes\s+del?|revisit(?:\s+on)?"
    rf"|uiterlijk|voor|entro(?:\s+il|\s+la|\s+l['’ʼ])?|at[ée]"
    rf"|[ée]ch[ée]ance|f[äa]llig)\s*:?\s+)?(?P<due>{_DATE})\s*\.?$",
    re.IGNORECASE)
# "tag 2.9.1 tomorrow", "clear the north beds next week": a relative day at the end, no "by".
_TRAILING_WHEN = re.compile(
    r"\s+(?P<due>tomorrow|next\s+week|(?:the\s+)?end\s+of\s+"
    r"(?:the\s+|this\s+)?(?:next\s+)?(?:week|month)|a\s+finales\s+de\s+mes|fin\s+du\s+mois"
    rf"|a\s+finales\s+de\s+{_MONTH}|ende\s+des\s+monats"
    r"|demain|morgen|n[äa]chste\s+woche|la\s+semaine\s+prochaine|la\s+semana\s+que\s+viene"
    r"|volgende\s+week|(?:la\s+)?settimana\s+prossima|(?:a\s+)?semana\s+que\s+vem)"
    r"\s*\.?$", re.IGNORECASE)
# "by the 20th": a day of the month, after a word that makes it a due (not "the 2nd time").
_ORDINAL_DUE = re.compile(
    r"\s*[,;(\[]?\s*\b(?:due(?:\s+on)?|by|before|until|no\s+later\s+than)\s+"
    r"(?P<due>(?:the\s+)?\d{1,2}(?:st|nd|rd|th))\b[)\]]?", re.IGNORECASE)
# "12 Nov – Priya: …", "by 11/20: Leo — …", "Fri 13 Nov — Sam to …": the due leads the item.
_LEADING_DUE = re.compile(
    rf"^(?:(?:due|by|bis|avant|hasta)\s*:?\s+)?(?P<due>{_DATE})\s*(?:[:–—|,]|\s-)\s+(?=\S)",
    re.IGNORECASE)
_WEAK_DUE_WORD = re.compile(r"^[\s,;|(\[]*(?:for|on)\b", re.IGNORECASE)


def _due_phrase(text: str) -> re.Match[str] | None:
    """The due phrase of an action: "by 4 Nov" wins over "for the next session", which
    more often says what the work is for than when it is due."""
    found = list(_DUE.finditer(text))
    strong = [m for m in found if not _WEAK_DUE_WORD.match(m.group(0))]
    chosen = strong or found
    return chosen[0] if chosen else None


_DUE_LABEL = re.compile(
    r"\s*[,;|]?\s*[(\[]?\b(?:due(?:\s+date)?|deadline)\s*:\s*(?P<due>[^,;()\[\]|]{1,30}?)"
    r"\s*(?=[,;)\]|]|$)[)\]]?",
    re.IGNORECASE,
)
_DATE_ONLY = re.compile(rf"^\s*(?:due\s*:?\s*|by\s+)?(?P<due>{_DATE})\s*$", re.IGNORECASE)
# Latin letters with their accents: "Élodie", "Małgorzata", "Øyvind" are names too.
_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOW = "a-zß-öø-ÿĀ-žƀ-ɏ"
_NAME_WORD = (rf"(?:[{_UP}][{_LOW}'’]+(?:[{_UP}][{_LOW}'’]+)?(?:-[{_UP}]?[{_LOW}'’]+)?"
              rf"|[{_UP}]{{2,3}}|[{_UP}]\.)")
_NAME = rf"{_NAME_WORD}(?:\s+{languages.NAME_PARTICLE}?{_NAME_WORD}){{0,2}}"
_NAMES = rf"{_NAME}(?:\s*(?:,|&|\+|\band\b|\by\b|\bund\b|\bet\b|/)\s*{_NAME})*"
_OWNER_LABEL = re.compile(  # only the label is case-free: names must be capitalised
    r"\s*[,;|]?\s*[(\[]?\b(?i:owners?|assignee|assigned\s+to|who|responsible|lead|actionee"
    r"|verantwoordelijke|responsabile|respons[áa]vel|incaricat[oa]"
    rf"|action\s+owner)\s*[:=\-–]\s*(?P<owner>@?[\w.'’-]+(?:\s+{_NAME_WORD}){{0,2}}"
    rf"(?:\s*(?:,|&|\band\b)\s*@?{_NAME})*)[)\]]?",
)
_ASSIGNED_TO = re.compile(  # "Assigned to Ana Lima · Due Nov 20" (Planner, Loop): no colon
    rf"\s*[,;|·•]?\s*[(\[]?\b(?i:assigned\s+to)\s+(?P<owner>@?{_NAMES})[)\]]?")
_AT = re.compile(
    rf"(?<![\w.@])@(?P<name>[A-Za-z][\w.'’-]*[\w'’]|[A-Za-z])(?P<more>(?:\s+{_NAME_WORD}){{0,2}})"
)
_ROLE = (r"(?:team|group|managers?|committee|office|desk|crew|leads?|chairs?|secretary|treasurer"
         r"|clerk|staff|officers?|coordinators?|wg|working\s+group|sub-?committee|trustees)")
_NAME_TO = re.compile(
    rf"^(?:(?i:the)\s+)?(?P<owner>{_NAMES}|[{_UP}][{_LOW}]+\s+{_ROLE}|(?i:{_ROLE}))"
    r"\s+(?:to|will|is\s+to|are\s+to"
    # Dutch, Italian, Portuguese promises; a future ("preparerà", "enviará") is the work
    r"|zal|gaat|vai|si\s+occupa\s+di|fica\s+respons[áa]vel\s+por|(?=[a-zàèéìòù]{3,}(?:rà|rá)\s)"
    # French and Spanish ones, as `prose` reads them in a sentence: "Paul Mercier doit refaire …"
    r"|doit|va|se\s+charge\s+de|s['’]occupe\s+de|se\s+encarga\s+de|se\s+ocupa\s+de)"
    r"\b\s*(?=\w)")  # a whole word: "Ana van der Berg" is not "Ana" + "va"
# "Marta Kowal — announce …", "Sofia - to reword …", "(SK) list …", "@nadia-k @tobi review …":
# the owner leads.
_LEAD_OWNER = re.compile(
    rf"^(?:(?P<owner>{_NAMES})\s+[—–-]{{1,2}}\s+(?:(?:to|will)\s+)?"
    rf"|(?P<owner2>\((?:{_NAMES})\))\s+"
    r"|(?P<owner3>@[\w.-]+(?:\s+@[\w.-]+)+)\s+)(?=\w)")
# "kit write a converter", "olha and rafe to write": people the notes name, then the task.
_PERSON_FIRST = re.compile(
    r"^(?P<owner>@?[\w.'’-]+(?:\s*(?:,|&|\band\b|\by\b|\bund\b|\bet\b)\s*@?[\w.'’-]+)*)"
    r"(?:\s+(?:to|will)\b)?\s+(?=\w)")
_TOPIC_LABEL = re.compile(r"^(?:topic|thema|tema|sujet|item|agenda\s+item)\s*\d*\s*[:\-–—.]\s*",
                          re.IGNORECASE)
_EVERYONE_TO = re.compile(
    r"^(?:everyone|everybody|all|all members|the group|the team|tous|alle|todos)\s+(?:to|will)\s+",
    re.IGNORECASE)
_TICKED = re.compile(r"^\s*(?:[-*•]\s*)?(?:\[[xX✓✔]\]|[☑☒✅✔✓])")
_TRAILING_STATUS = re.compile(
    r"\s*(?:[-–—:|·•]\s*|\(\s*)(?:status\s*:\s*)?(?P<state>done|completed?|closed|finished"
    r"|in progress|ongoing|open|pending|not started|erledigt|fait|termin[ée]|hecho)\s*\)?\.?$",
    re.IGNORECASE)
_DONE_CELL = re.compile(r"^(?:done|complete[d]?|closed|finished|yes|y|✓|✔|✅|☑|x|erledigt"
                        r"|fait|termin[ée]e?|hecho|completad[oa])\.?$", re.IGNORECASE)
_TICK_MARKS = "✓✔✅☑"
_MARKS = re.compile(r"[^\w\s/'’-]+")  # emoji, ticks, traffic lights around a status word


def _is_done_cell(text: str) -> bool:
    """A Status cell saying done: "Done", "✅", "✅ Done", "Done ✔️", "🟢 Complete";
    "🟡 In progress" or "❌ Not done" is not."""
    words = " ".join(_MARKS.sub(" ", text).split())
    if not words:
        return any(mark in text for mark in _TICK_MARKS)
    return bool(_DONE_CELL.match(words))


_OPEN_STATES = frozenset({"in progress", "ongoing", "open", "pending", "not started"})
# "Ben: publish the notes", "TBD: tidy the wiki" (the words after the colon start lower case)
# "Ben: publish …" (one name: the task starts lower case), "Frau Krüger: Halle anfragen",
# "Carmen Ortiz y Lucía Fernández: buscar …"
_NAME_COLON = re.compile(rf"^(?P<owner>@[\w.'’-]+|{_NAMES})\s*:\s+(?=\w)")
_TRAILING_DASH_NAME = re.compile(rf"\s+[-–—]{{1,2}}\s*(?P<owner>@?{_NAMES})\s*\.?$")
_TRAILING_BRACKET = re.compile(r"\s*[(\[](?P<inner>[^()\[\]]{1,80})[)\]]\s*\.?$")
_NOT_NAMES = _words(
    "we i you they he she it this that these those the a an all everyone everybody each someone "
    "somebody nobody anyone team need needs plan plans try continue move keep going want please "
    "agreed decided decision action actions todo next review check follow ask send share update "
    "create write draft book set add make find get look investigate schedule organise organize "
    "prepare confirm contact email call reach circulate publish propose present run start finish "
    "tbc tbd n/a na none group members community cop here channel bumped moved deferred "
    "postponed pushed carried dropped parked revisit discuss revisited unassigned committee "
    "board council chair chairs secretariat staff volunteers "
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "may june july august september october november december"
)

# "Ana: I will …", "Ana Ribeiro: …": the line's speaker, whose "I" it is.
_SPEAKER = re.compile(rf"^\s*(?P<name>{_NAME})\s*:\s+")
_LABEL_WORDS = _words(
    "note notes summary status context background question answer comment comments fyi aob "
    "idea info reminder result results outcome outcomes topic topics agenda item items news "
    "reply feedback minutes attendees present apologies regrets location time date")

_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold(?:er)?|[6-9]00)\b", re.IGNORECASE)
_NOT_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:normal|lighter|[1-5]00)\b", re.IGNORECASE)
_CSS_BOLD_CLASS = re.compile(r"\.([\w-]+)\s*\{[^}]*font-weight\s*:\s*(?:bold|[6-9]00)", re.I)


@dataclass
class _Section:
    kind: OutcomeList
    level: int
    took_list: bool = False  # once a list/table was taken, stray prose is not outcome
    # A lead-in inside a quote, a <details>, a table cell or a list item is over where
    # that box ends ("> **Decisions** …" does not reach the actions below the quote).
    scope: lxml.html.HtmlElement | None = None
    # "**Rosa Delgado**" on its own above a list of actions (AI notes by speaker): the
    # owner of the items below it that name none themselves.
    owner: str | None = None


_SCOPES = frozenset(("blockquote", "details", "td", "th", "li", "aside", "figure"))


def _scope_of(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return next((a for a in el.iterancestors() if a.tag in _SCOPES), None)


def _within(el: lxml.html.HtmlElement, scope: lxml.html.HtmlElement) -> bool:
    return any(a is scope for a in el.iterancestors())


def extract_outcomes(html: str, *, title: str | None = None, meeting_date: date | None = None,
                     language: str | None = None) -> MeetingOutcomes:
    """The decisions and actions recorded in meeting-notes `html`.

    `title` (the entry's or page's) may name the meeting's date; `meeting_date`
    is the date to resolve relative dues against when the notes do not say
    when the meeting was (a feed's published date); `language` is a hint
    ("fr", "de", "es"), else the note's language is detected.

    Empty when the notes have no outcome section; the caller then shows the
    excerpt instead.
    """
    root = blocks.parse(html)
    if root is None:
        return MeetingOutcomes()
    return _Extractor(root, title=title, meeting_date=meeting_date, language=language).run()


@dataclass(frozen=True)
class _Reading:
    """What every item of one note is read against: its meeting's date and languages."""

    meeting: date | None
    languages: tuple[str, ...]
    people: frozenset[str] = frozenset()  # lower-case names and nicks the notes list


# "Present: ana, kit (12)", "People present (lines said)", "Attendees" sections.
_PEOPLE_LABEL = re.compile(
    r"^\s*(?:attendees|attendance|present|participants|people\s+present(?:\s+\([^)]*\))?"
    r"|regrets|apologies|anwesend|teilnehmer(?:innen|ende)?|pr[ée]sents?|asistentes"
    r"|invitados|chair|scribe|facilitator|notes"
    r"|presenti|partecipanti|presentes|participantes|aanwezig(?:en)?|deelnemers)"  # it pt nl
    r"\s*[:\-–]\s*(?P<names>.+)$", re.IGNORECASE)
_AFTER_SENTENCE = re.compile(r"(?<=[.;])\s+")
_PEOPLE_WORDS = ("attend", "present", "participant", "regrets", "apologies", "anwesend",
                 "teilnehm", "présent", "asistentes", "invitados", "chair", "scribe",
                 "facilitator", "notes", "partecipanti", "aanwezig", "deelnemers")
_PEOPLE_HEADING = re.compile(
    r"^(?:attendees|attendance|participants|people\s+present.*|present|who\s+was\s+there"
    r"|anwesend|teilnehmende|pr[ée]sents|asistentes|presenti|partecipanti|presentes"
    r"|participantes|aanwezig(?:en)?|deelnemers)\s*:?$", re.IGNORECASE)
# Headings of who was (or was not) there, a roll call's parts among them ("Voting members",
# "Observers"): a checkbox list under one ticks people off, it lists no tasks.
_ROLL_HEADING = re.compile(
    r"^(?:attendees|attendance|participants|people\s+present.*|present|who\s+was\s+there"
    r"|anwesend|teilnehmende|pr[ée]sents|asistentes|roll\s+call|quorum|absent|regrets"
    r"|apologies|guests|observers|(?:voting|non[- ]voting)\s+members|members\s+present"
    r"|(?:\w+\s+)?(?:representatives|members)(?:\s+present)?)\b", re.IGNORECASE)


# An agenda, not minutes: "Agenda", "Agenda for next time", "Draft agenda – 8 December".
_AGENDA = re.compile(r"\bagenda\b(?!.*\b(?:minutes|notes|outcomes?|summary)\b)"
                     r"|\b(?:tagesordnung|ordre\s+du\s+jour|orden\s+del\s+d[ií]a)\b",
                     re.IGNORECASE)
_MEETING_TITLE = re.compile(
    r"\b(?:meeting|minutes|r[ée]union|compte[- ]rendu|proc[èe]s[- ]verbal|sitzung|protokoll"
    r"|versammlung|besprechung|reuni[óo]n|acta|asamblea"
    r"|call|sync|stand-?up|check-?in|huddle|retro(?:spective)?|agm|triage|catch-?up)\b",
    re.IGNORECASE)
# An opening that reports a meeting: "At our meeting on …", "from the committee meeting",
# "Notes from the members' evening" (not "at our next meeting", which announces one).
_REPORTED_MEETING = re.compile(
    r"\b(?:at|from|of|during|after)\s+(?:the|our|this|last|today'?s|yesterday'?s|tonight'?s)"
    r"\s+(?:(?!next\b|upcoming\b|coming\b)[\w'’-]+\s+){0,3}"
    r"(?:meeting|call|sync|session|evening|assembly|agm|gathering)\b"
    r"|\bnotes\s+(?:from|of)\b|\b(?:we|us|members|everyone)\s+met\b"
    r"|\blors\s+de\s+(?:la|notre)\s+(?:derni[èe]re\s+)?r[ée]union\b"
    r"|\b(?:in|bei|auf)\s+der\s+(?:letzten\s+)?(?:sitzung|versammlung)\b"
    r"|\ben\s+la\s+(?:[úu]ltima\s+)?reuni[óo]n\b", re.IGNORECASE)
_OPENING_UNITS = 4  # the title and first paragraphs say what a page is
# Titles of news, not of a meeting's notes, even with a date in them.
_NEWS_TITLE = re.compile(r"\b(?:newsletter|news|bulletin|digest|round-?up|blog|gazette"
                         r"|nachrichten|bolet[íi]n|coming\s+up|what'?s\s+on)\b", re.IGNORECASE)
_VOTE_HINT = re.compile(r"\b(?:motion|vote|moved?s?)\b", re.IGNORECASE)
_VOTE_WORDS = ("motion", "vote", "move")  # one of which `_VOTE_HINT` needs
_CHAT_HINT = re.compile(r"^\s*(?:[\[(]?\d{1,2}:\d{2}|[\[(]\d{4}-\d{2}-\d{2}|<\s*[@+]?\w)",
                        re.MULTILINE)

_DATE_FIELD = re.compile(
    r"^\s*(?:meeting\s+)?(?:date|datum|fecha|when|held(?:\s+on)?|date\s+de\s+la\s+r[ée]union"
    r"|sitzungsdatum|fecha\s+de\s+la\s+reuni[óo]n)\s*[:\-–|]?\s*", re.IGNORECASE)
_MEETING_DATE_UNITS = 12  # the meeting's date is said near the top, or not at all
# A task's own date (Logseq DEADLINE/SCHEDULED, Tasks 📅, Dataview fields) is not the meeting's.
_TASK_DATE = re.compile(r"\b(?:DEADLINE|SCHEDULED):\s*<|[📅🗓⏳🛫]|\b(?:due|scheduled|start)::",
                        re.IGNORECASE)


class _Extractor:
    def __init__(self, root: lxml.html.HtmlElement, *, title: str | None = None,
                 meeting_date: date | None = None, language: str | None = None) -> None:
        self.root = root
        self.title = title
        self.stated_date = meeting_date
        self.language = language
        self.bold_classes = _bold_classes(root)
        self.found: dict[str, list[Decision | Action]] = {"decisions": [], "actions": []}
        self.seen: set[str] = set()
        self.seen_bases: set[str] = set()
        self.topic: str | None = None  # the heading or parent item an item sits under
        self.topic_level = 0
        self.reading = _Reading(meeting_date, languages.DATE_LANGUAGES)
        self.vote_lines: set[str] = set()  # motions and results `_votes` has read
        self.prose_actions: list[Action] = []  # actions read from sentences
        # Under an agenda ("Priya will present the charter") nothing is promised yet.
        self.agenda = bool(title and _AGENDA.search(title))
        self.of_a_meeting = True
        self.date_stated = False  # the meeting's date is in the title or a "Date:" field
        # The level of the heading over a roll call (0: none): its checkbox lists are no tasks.
        self.roll_level = 0
        # Each block's text and each item's label, read once: several passes look at the
        # same blocks (the date, the people, the votes, then the outcomes). Never changed.
        self.texts: dict[lxml.html.HtmlElement, blocks.Rich] = {}
        self.item_labels: dict[lxml.html.HtmlElement,
                               tuple[OutcomeList | None, blocks.Rich]] = {}

    def _text(self, el: lxml.html.HtmlElement) -> blocks.Rich:
        """`blocks.flatten(el)`, once per block (the tree does not change while read)."""
        rich = self.texts.get(el)
        if rich is None:
            rich = self.texts[el] = blocks.flatten(el)
        return rich

    def run(self) -> MeetingOutcomes:
        blocks.strip_noise(self.root)
        blocks.regroup(self.root)
        units = list(blocks.units(self.root, _is_data_table))
        sample = " ".join(blocks.head_text(u, 2000) or "" for u in units[:40])
        langs = languages.detect(f"{self.title or ''} {sample}", self.language)
        held_on = self._held_on(units, langs)
        self.reading = _Reading(held_on or self.stated_date, langs, self._people(units))
        # Notes of a meeting say so; a newsletter's futures ("Priya will run a workshop",
        # "Marta presentará su informe") are news, not tasks.
        self.of_a_meeting = self._of_a_meeting(units)
        self._votes(units)
        section: _Section | None = None
        for el in units:
            section = self._unit(el, section)
            if all(len(v) >= MAX_ITEMS for v in self.found.values()):
                break
        return MeetingOutcomes(
            decisions=tuple(o for o in self.found["decisions"] if isinstance(o, Decision)),
            actions=tuple(o for o in self.found["actions"] if isinstance(o, Action)),
            held_on=held_on,
        )

    def _of_a_meeting(self, units: list[lxml.html.HtmlElement]) -> bool:
        """Whether the source is a meeting's notes, not a newsletter or a blog post.

        Its own words decide, not where it came from (a meetings feed also carries
        news, and every feed entry has a date): who was there, a title that names a
        meeting ("sync", "Sitzung") or its date, the meeting's date in a "Date:" field,
        an outcome section, or an opening that reports a meeting ("At our meeting on
        …", "Notes from the members' evening").
        """
        if self.reading.people or self.date_stated or (
                self.title and _MEETING_TITLE.search(self.title)):
            return True
        if any(el.tag in blocks.HEADINGS and heading_kind(blocks.element_text(el))
               for el in units):
            return True
        opening = " ".join(blocks.head_text(el, 2000) for el in units[:_OPENING_UNITS])
        return bool(_REPORTED_MEETING.search(f"{self.title or ''} {opening}"))

    def _votes(self, units: list[lxml.html.HtmlElement]) -> None:
        """Motions whose result is said on a line of its own (`votes`), read first.

        A motion and its result may sit in two paragraphs, two lines of one, or an
        item and the item nested under it, so they are read over the page's lines
        in order, before the blocks. The lines they took are no one else's: the
        result "Motion carried" is not a decision of its own, nor is a failed motion.
        """
        text = self.root.text_content()
        if text.isascii() and not any(map(text.lower().__contains__, _VOTE_WORDS)):
            return  # (ASCII: where lower() and the pattern's IGNORECASE agree exactly)
        if not _VOTE_HINT.search(text):
            return
        lines: list[str | None] = []
        for el in units:
            if el.tag in blocks.HEADINGS:
                lines.append(None)
            elif el.tag in ("ul", "ol"):
                for li in el.iter("li"):
                    own = blocks.flatten(li, skip_tags=blocks.NOT_IN_ITEM).text
                    lines.extend(_split_lines(own))
            elif el.tag != "table":
                lines.extend(_split_lines(self._text(el).text))
        lines = [_BULLET.sub("", " ".join(line.split()), count=1) if line else line
                 for line in lines]
        passed, taken = votes.passed_motions(lines)
        self.vote_lines = {fold_key(line) for i in taken if (line := lines[i])}
        for vote in passed:
            self._add(blocks.Rich(vote.text), "decisions", from_vote=True)

    def _people(self, units: list[lxml.html.HtmlElement]) -> frozenset[str]:
        """Who the notes say was there, in lower case: their names can open an action."""
        names: set[str] = set()

        def add(text: str) -> None:
            for part in re.split(r"\s*(?:[,;]|\band\b|&)\s*", text):
                part = re.sub(r"\([^)]*\)", "", part).strip(" .@")
                named = re.sub(languages.NAME_PARTICLE, "", part)  # "Ana van der Berg": 2 words
                if 0 < len(part) <= 40 and len(named.split()) <= 3:
                    names.add(part.lower())
                    names.add(part.split()[0].lower())

        listing = False
        for el in units:
            if el.tag in ("pre", "p", "div", "code", "ul", "ol") and _CHAT_HINT.search(
                    el.text_content()[:2000]):
                for line in el.text_content().split("\n"):
                    found = chat_log.prefix(line)
                    if found and chat_log.is_chatter(line):
                        add(chat_log.speaker(found))  # who speaks in a chat log was there
            if el.tag in blocks.HEADINGS:
                listing = bool(_PEOPLE_HEADING.match(blocks.element_text(el)))
                continue
            if listing and el.tag in ("ul", "ol"):
                for li in el.iter("li"):
                    add(blocks.squash(blocks.flatten(li, skip_tags=blocks.NOT_IN_ITEM).text))
                listing = False
                continue
            for a in el.iter("a"):
                if blocks.is_mention(a):
                    add(blocks.element_text(a))
            if el.tag in ("ul", "ol"):
                for li in el.iter("li"):  # MeetBot's "by person": a nick with their items
                    if not any(n is not li for n in li.iter("ul", "ol")):
                        continue
                    own = blocks.squash(blocks.flatten(li, skip_tags=blocks.NOT_IN_ITEM).text)
                    if _is_grouping(own):
                        add(own.rstrip(":"))
                continue
            head = el.text_content()[:2000].lower()
            if ":" not in head and "-" not in head or not any(w in head for w in _PEOPLE_WORDS):
                continue  # most paragraphs name nobody: skip them without walking them
            for line in self._text(el).text.split("\n"):
                # "Saturday 21 November, community room. Present: Ana, Ben": after a sentence too
                for piece in _AFTER_SENTENCE.split(line) if ". " in line else (line,):
                    match = _PEOPLE_LABEL.match(piece)
                    if match:
                        add(match["names"])
        names.discard("unassigned")
        return frozenset(n for n in names if n not in _NOT_NAMES)

    def _held_on(self, units: list[lxml.html.HtmlElement], langs: tuple[str, ...]) -> date | None:
        """The meeting's date: in the title, a "Date:" field, or the first dated line."""
        if self.title and (found := dates.first_date(self.title, langs)):
            self.date_stated = not _NEWS_TITLE.search(self.title)
            return found
        if self.title and self.stated_date and (
                found := dates.day_and_month(self.title, self.stated_date, langs)):
            return found
        first: date | None = None
        for el in units[:_MEETING_DATE_UNITS]:
            if el.tag in blocks.HEADINGS and heading_kind(blocks.element_text(el)):
                break  # the outcomes start: dates from here on are dues
            rich = self._text(el)
            times = [when for when, _shown in rich.times]
            for line in blocks.restore(rich, rich.text).split("\n"):
                field_match = _DATE_FIELD.match(line)
                if field_match and field_match.end() < len(line):
                    found = dates.first_date(line[field_match.end():], langs)
                    if found is None and times:
                        found = dates.first_date(times[0], langs)
                    if found:
                        self.date_stated = True
                        return found
                if first is None and dates.may_name_year(line) and not _TASK_DATE.search(line):
                    first = dates.first_date(line, langs)
                    # "Makers' circle, 2026-10-20" heading the page dates a meeting; a
                    # byline's "Posted on 1 December 2026" dates a post
                    self.date_stated = bool(first and el.tag in blocks.HEADINGS
                                            and not _NEWS_TITLE.search(line))
        return first

    # -- one block of the page ------------------------------------------------------

    def _unit(self, el: lxml.html.HtmlElement, section: _Section | None) -> _Section | None:
        tag = el.tag
        if section and section.scope is not None and not _within(el, section.scope):
            section = None
        if tag == "summary":  # <details><summary>Action items</summary>…: a lead-in
            kind = heading_kind(blocks.element_text(el))
            return _Section(kind, _LEAD_IN_LEVEL, scope=_scope_of(el)) if kind else None
        if tag in blocks.HEADINGS:
            level = blocks.HEADINGS[tag]
            text = blocks.element_text(el)
            kind = heading_kind(text)
            if level <= 2 or _AGENDA.search(text):
                self.agenda = bool(_AGENDA.search(text))
            if _ROLL_HEADING.match(text) and not kind:
                self.roll_level = self.roll_level or level
            elif level <= self.roll_level:
                self.roll_level = 0
            if kind:
                if level <= self.topic_level:
                    self.topic = None  # "Why" before "Action items": not their topic
                return _Section(kind, level)
            # a page title ("h1", or any heading naming a date) is no item's topic
            is_topic = level > 1 and 0 < len(text) <= 80 and dates.DATED.search(text) is None
            self.topic = text.rstrip(":") if is_topic else None
            self.topic_level = level
            if section and (section.level == _LEAD_IN_LEVEL or level <= section.level):
                return None
            return section
        if tag == "hr":
            return None
        if tag in ("ul", "ol"):
            shaped = shapes.list_kind(el)
            if shaped and shaped[0] == "actions" and (self.roll_level or self.agenda) \
                    and not section:
                shaped = None  # attendance or agenda ticked off: people and topics, not tasks
            if shaped:  # a decision or task list by its markup, wherever it is
                self._list(el, shaped[0], keep=shaped[1])
                if section:
                    section.took_list = True
            elif self._labelled_list(el, section):
                pass
            elif section:
                self._list(el, section.kind, owner=section.owner)
                section.took_list = True
            else:
                self._loose_list(el)
            return section
        if tag == "table":
            self._table(el, section)
            if section:
                section.took_list = True
            return section
        if tag == "dl":
            if section:
                for child in el:
                    if child.tag in ("dt", "dd"):
                        self._paragraph(child, section)
            return section
        if _is_chrome(el, section):
            return section
        return self._lead_in_or_paragraph(el, section)

    def _lead_in_or_paragraph(
        self, el: lxml.html.HtmlElement, section: _Section | None
    ) -> _Section | None:
        bold = self._leading_bold(el)
        if bold is not None:
            label = blocks.element_text(bold)
            kind = heading_kind(label)
            rest = blocks.flatten(el, skip={bold})
            if kind and _opens(section, rest):
                opened = _Section(kind, _LEAD_IN_LEVEL, scope=_scope_of(el))
                self._lines(rest, opened)
                return opened
            if kind:  # "**Action:** Ana to book" inside a heading's section: one item
                self._lines(rest, _Section(kind, _LEAD_IN_LEVEL))
                return section
            if section and section.level == _LEAD_IN_LEVEL and _is_label(label, rest):
                return None  # "Attendees:" after a lead-in section: that section is over
            if _is_label(label, rest) and not rest.text.strip():
                if section and section.kind == "actions":
                    section.owner = _bracket_owner(label.rstrip(":–—- "))
                    section.took_list = False  # the next person's list is read too
                return section  # a sub-label inside a heading's section
        else:
            rich = self._text(el)
            match = _PLAIN_LABEL.match(rich.text)
            kind = heading_kind(match.group(1)) if match else None
            rest = (blocks.Rich(rich.text[match.end():], rich.mentions, rich.times) if match
                    else rich)
            if kind and not rest.text.strip():  # a bare "Decisions:" line opens a section
                return _Section(kind, _LEAD_IN_LEVEL, scope=_scope_of(el))
            if kind:  # plain "Outcome: we liked it." is one item; the prose after it is not
                self._lines(rest, _Section(kind, _LEAD_IN_LEVEL))
                return section
        if section:
            self._paragraph(el, section)
        elif _may_hold_outcome(el.text_content()):  # most prose is discussion: skip it fast
            self._loose_paragraph(self._text(el))
        return section

    def _loose_paragraph(self, rich: blocks.Rich, topic: str | None = None) -> None:
        """Outside an outcome section: marked lines ("AI: …") and decisions said in prose.

        Plain-text minutes (a mail in <pre>, a paste with <br>s) name their sections
        on a line of their own ("DECISIONS", "Action items:", underlined or not): the
        lines below it, up to a blank line, are its items.
        """
        kind: OutcomeList | None = None
        for line in _split_lines(rich.text):
            line = line.strip()
            if not line:
                kind = None
                continue
            if _UNDERLINE.match(line):
                continue
            named = heading_kind(line.rstrip(":")) if len(line) <= 60 else None
            if named:
                kind = named
                continue
            if kind:
                self._add(blocks.Rich(line, rich.mentions, rich.times), kind)
                continue
            marker = _marker(_BULLET.sub("", line, count=1))
            if marker and len(line) > marker.end():
                if marker["label"] is None:  # "RESOLVED to award …. The Clerk to …": one sentence
                    first, *rest = prose.sentences(line, 2)
                    self._add(blocks.Rich(first, rich.mentions, rich.times), "mixed", topic=topic)
                    line = rest[0] if rest else ""
                else:
                    self._add(blocks.Rich(line, rich.mentions, rich.times), "mixed", topic=topic)
                    continue
            if chat_log.is_chatter(line) or (self.vote_lines and fold_key(line) in self.vote_lines):
                continue  # conversation in a chat log: only its marked lines are minutes
            restored = blocks.restore(rich, line)
            if self._assigned_line(restored, topic):
                continue
            self._prose_actions(restored, topic)
            for sentence in prose.decision_sentences(restored):
                self._add(blocks.Rich(sentence), "decisions")

    def _assigned_line(self, line: str, topic: str | None) -> bool:
        """"Sara: scrivere al gestore del verde, entro lunedì" under a topic: an action.

        Outside an action section "Name: …" is mostly who said what; it is a task
        when the name is one the notes list as there, the words after the colon open
        with a verb of work, and the line ends with when it is due.
        """
        match = _NAME_COLON.match(line) if self.reading.people and not self.agenda else None
        if match is None or not all(name.lower() in self.reading.people
                                    for name in _split_names(match["owner"])):
            return False
        rest = line[match.end():]
        if not prose.opens_with_work(rest, language=self.reading.languages[0]):
            return False
        due = _due_phrase(rest)
        if not ((due and not rest[due.end():].strip(" .)]")) or _TRAILING_DUE.search(rest)
                or _TRAILING_WHEN.search(rest)):
            return False  # the due closes the task ("…, entro lunedì si vedrà" is talk)
        self._add(blocks.Rich(line), "actions", topic=topic)
        return True

    def _prose_actions(self, text: str, topic: str | None) -> None:
        """Actions written only as sentences ("Priya will draft the charter by Friday").

        Notes written as paragraphs, or a topic's bullet that tells what happened,
        say who takes what on in a sentence (`prose.action_clauses` says which
        sentences count). An agenda's "Priya will present …" is a plan, not a promise.
        """
        if self.agenda:
            return
        for owner, work in prose.action_clauses(text, self._speaker(text),
                                                futures=self.of_a_meeting):
            self._add(blocks.Rich(work), "actions", owner=_tidy_names(owner) if owner else None,
                      topic=topic, from_prose=True)

    def _speaker(self, line: str) -> str | None:
        """The person a line opens with ("Ana: I will …"), when it is a person: one the
        notes list as there, or a name that is no label ("Update:", "Note:")."""
        match = _SPEAKER.match(line)
        if match is None:
            return None
        name = match["name"]
        if name.lower() in self.reading.people:
            return name
        words = name.lower().split()
        if any(w in _NOT_NAMES or w in _LABEL_WORDS for w in words) or heading_kind(name):
            return None
        return name

    def _loose_list(self, el: lxml.html.HtmlElement) -> None:
        """A list outside any outcome section: markers at any depth, decisions in prose.

        "- Packaging → - Decision: ship it" is a decision two levels down; an
        item that is only a label ("- Action items:") makes the items below it
        outcomes; any other item may still report a decision in a sentence.
        """
        taken: set[lxml.html.HtmlElement] = set()
        for li in el.iter("li"):
            if li in taken:
                continue
            fielded = _fielded_item(li)
            if fielded is not None:  # "Pay the deposit" with "Owner: Omar" and "Due: …" below
                self._add(fielded[0], "actions", topic=self._parent_topic(li))
                taken.update(fielded[1])
                continue
            kind, rest = self._item_label(li)
            parent = li.getparent()
            shaped = shapes.list_kind(parent) if parent is not None and parent is not el else None
            if kind is None and shaped and parent is not None:  # a task list under a topic
                self._list(parent, shaped[0], keep=shaped[1])
                taken.update(parent.iter("li"))
                continue
            if kind is None and _has_arrow(li.text_content()):  # "Fix it → @noor" ("->"
                own = blocks.flatten(li, skip_tags=blocks.NOT_IN_ITEM)  # splits a plain label)
                if _arrow_owner(" ".join(own.text.split()), self.reading.people, strict=True):
                    self._add(own, "actions", topic=self._parent_topic(li))
                    continue
            if kind is None and self.reading.people and ":" in li.text_content()[:60]:
                own = blocks.flatten(li, skip_tags=blocks.NOT_IN_ITEM)  # "Sara:" is no label
                if self._assigned_line(" ".join(own.text.split()), self._parent_topic(li)):
                    continue
            if kind is None:  # a capitalised "RESOLVED to …" inside it, or a decision in prose
                if _may_hold_outcome(rest.text):
                    self._loose_paragraph(rest, topic=self._parent_topic(li))
                continue
            if rest.text.strip():
                self._add(blocks.Rich(" ".join(rest.text.split()), rest.mentions, rest.times), kind,
                          done=shapes.item_done(li), topic=self._parent_topic(li))
            for nested in li.iter("ul", "ol"):
                if nested is not li and blocks.nearest(nested, "li") is li:
                    self._list(nested, kind)
                    taken.update(nested.iter("li"))

    def _parent_topic(self, li: lxml.html.HtmlElement) -> str | None:
        """The text of the item `li` is nested in, else the heading it is under."""
        parent = blocks.nearest(li, "li")
        while parent is not None:  # the nearest item that reads as a topic, not a sentence
            text = " ".join(blocks.flatten(parent, skip_tags=blocks.NOT_IN_ITEM).text.split())
            text = _TOPIC_LABEL.sub("", shapes.clean(_ITEM_LABEL.sub("", text))).rstrip(":").strip()
            if 0 < len(text) <= 60 and len(text.split()) <= 6 and not text.endswith("."):
                return text
            parent = blocks.nearest(parent, "li")
        return self.topic

    def _paragraph(self, el: lxml.html.HtmlElement, section: _Section) -> None:
        if section.took_list:
            return
        rich = self._text(el)
        if rich.text.strip():
            self._lines(rich, section)

    def _lines(self, rich: blocks.Rich, section: _Section) -> None:
        """Each line of a paragraph is an item (Google Docs and Outlook use <br> as bullets)."""
        for line in _split_lines(rich.text):
            if self._full(section.kind):
                break
            line = line.strip()
            if not line or (line.endswith(":") and len(line) < 120):
                continue  # empty, or an intro such as "Carried over from last time:"
            self._add(blocks.Rich(line, rich.mentions, rich.times), section.kind)

    def _full(self, kind: OutcomeList) -> bool:
        """No room left for items of this kind: stop reading (keeps huge pages cheap)."""
        kinds = ("decisions", "actions") if kind == "mixed" else (kind,)
        return all(len(self.found[k]) >= MAX_ITEMS for k in kinds)

    def _list(
        self,
        el: lxml.html.HtmlElement,
        kind: OutcomeList,
        *,
        keep: Callable[[lxml.html.HtmlElement], bool] | None = None,
        owner: str | None = None,
    ) -> None:
        """Each <li> of `el` (or of a lone `li`), nested ones included, is an item.

        Nested items are items in their own right: sub-bullets under "Next steps"
        are usually the actions themselves. An item that only names a person
        with items below it ("- ana" → "- ana to …", MeetBot's "by person")
        groups them and is no item itself; a status word under an item ("Done",
        "No progress") is not an item. `keep` filters items (Confluence's
        undecided decisions).
        """
        fields: set[lxml.html.HtmlElement] = set()
        for li in el.iter("li"):
            if self._full(kind):
                break
            if li in fields or (keep is not None and not keep(li)):
                continue
            fielded = _fielded_item(li) if kind != "decisions" else None
            if fielded is not None:
                self._add(fielded[0], "actions", done=shapes.item_done(li),
                          topic=self._parent_topic(li), default_owner=owner)
                fields.update(fielded[1])
                continue
            rich = blocks.flatten(li, skip_tags=blocks.NOT_IN_ITEM)
            has_items = any(n is not li for n in li.iter("ul", "ol"))
            if has_items and _is_grouping(rich.text):
                continue
            self._add(rich, kind, done=shapes.item_done(li), topic=self._parent_topic(li),
                      default_owner=owner)

    def _labelled_list(self, el: lxml.html.HtmlElement, section: _Section | None) -> bool:
        """Markdown notes often go "- **Decisions**" with the decisions nested below.

        True when some item of `el` is such a label; those items are taken
        (the text after the label, and the lists nested in the item).
        """
        items = list(el.iterchildren("li"))
        if len(items) > 50:
            return False  # label lists are short; don't pay for scanning a long one
        labels = [self._item_label(li) for li in items]
        if not any(kind for kind, _ in labels):
            return False
        for li, (kind, rest) in zip(items, labels, strict=True):
            if kind is None:
                if section:  # an ordinary item of the section the list is in
                    self._list(li, section.kind)
                continue
            # the label's item is one item, even where its text wraps over lines
            self._lines(blocks.Rich(" ".join(rest.text.split()), rest.mentions, rest.times),
                        _Section(kind, _LEAD_IN_LEVEL))
            for nested in li.iter("ul", "ol"):
                if nested is not li and blocks.nearest(nested, "li") is li:
                    self._list(nested, kind)
        return True

    def _item_label(self, li: lxml.html.HtmlElement) -> tuple[OutcomeList | None, blocks.Rich]:
        """The outcome kind a list item's leading label names, and the text after it.

        Read once per item: a list is looked at for labels, then read item by item."""
        known = self.item_labels.get(li)
        if known is None:
            known = self.item_labels[li] = self._read_item_label(li)
        return known

    def _read_item_label(self, li: lxml.html.HtmlElement
                         ) -> tuple[OutcomeList | None, blocks.Rich]:
        bold = self._leading_bold(li)
        if bold is not None:
            label = blocks.element_text(bold)
            rest = blocks.flatten(li, skip={bold}, skip_tags=blocks.NOT_IN_ITEM)
        else:
            rich = blocks.flatten(li, skip_tags=blocks.NOT_IN_ITEM)
            text = _without_speaker(_BULLET.sub("", rich.text, count=1))
            marker = _marker(text)
            if marker:  # "Follow-up: …", "AI: …", "#agreed …"
                kind = languages.marker_kind(marker["label"])
                rest_text = text[marker.end():]
                if kind == "actions" and marker["marked"] and _bracket_owner(marker["marked"]):
                    rest_text = f"({marker['marked']}) {rest_text}"  # "AP (Sanne): …"
                if marker["label"] == "DONE":  # Logseq's finished task reads as a ticked box
                    rest_text = f"[x] {rest_text}"
                return kind, blocks.Rich(rest_text, rich.mentions, rich.times)
            match = _PLAIN_LABEL.match(rich.text)
            if not match:
                return None, rich
            label = match.group(1)
            rest = blocks.Rich(rich.text[match.end():], rich.mentions, rich.times)
        return heading_kind(label), rest

    def _table(self, el: lxml.html.HtmlElement, section: _Section | None) -> None:
        rows = [r for r in el.iter("tr") if blocks.nearest(r, "table") is el]
        if not rows:
            return
        header = _header_roles(rows[0])
        if header is not None:
            roles, table_kind = header
            rows = rows[1:]
        else:
            roles, table_kind = {}, None
        kind = table_kind or (section.kind if section else None)
        if kind is None:
            return  # a table outside any outcome section, with no Action/Decision column
        for row in rows:
            if self._full(kind):
                break
            cells = [c for c in row if c.tag in ("td", "th")]
            if not cells:
                continue
            self._row(cells, roles, kind)

    def _row(self, cells: list, roles: dict[str, int], kind: OutcomeList) -> None:
        def cell(role: str) -> blocks.Rich | None:
            index = roles.get(role)
            if index is None or index >= len(cells):
                return None
            rich = blocks.flatten(cells[index])
            rich.text = " ".join(rich.text.split())  # owner and due are used as they are
            return rich

        self._other_cells(cells, roles)
        text_index = roles.get("text")
        if text_index is None and roles:
            return  # the header has no text column: an owner is not an outcome
        text_el = cells[text_index] if text_index is not None and text_index < len(cells) else (
            None if roles else cells[0])
        if text_el is None:
            return
        owner = due = None
        owner_cell, due_cell = cell("owner"), cell("due")
        both = cell("owner_due")
        if both is not None:  # "Priya / 20 Nov", "Priya, Nov 20", "Priya (by Friday)"
            owner, due = _owner_and_due(blocks.restore(both, both.text))
        if not roles:  # no header: guess the other cells by their look
            for other in cells[1:]:
                rich = blocks.flatten(other)
                value = blocks.restore(rich, " ".join(rich.text.split())).strip()
                dated = _DATE_ONLY.match(value)
                if due is None and (rich.times or dated):
                    due = rich.times[0][0] if rich.times else dated["due"] if dated else None
                elif owner is None and (rich.mentions or re.fullmatch(_NAMES, value)):
                    owner = ", ".join(rich.mentions) if rich.mentions else value
        if owner_cell is not None:
            owner = ", ".join(owner_cell.mentions) or blocks.restore(owner_cell, owner_cell.text)
            owner = owner.lstrip("@").strip() or None
        if due_cell is not None:
            due = (due_cell.times[0][0] if due_cell.times
                   else blocks.restore(due_cell, due_cell.text))
            due = due.strip() or None
        status = cell("status")
        done = bool(status and _is_done_cell(status.text))
        for item in _cell_items(text_el):  # a list or lines in the cell: one item each
            if self._full(kind):
                break
            self._add(item, kind, owner=owner, due=due, done=done)

    def _other_cells(self, cells: list, roles: dict[str, int]) -> None:
        """Cells of no outcome column ("Notes") still report what was agreed, as loose
        text does; a table without a header names no columns, so has none."""
        if not roles:
            return
        taken = set(roles.values())
        for index, other in enumerate(cells):
            if index in taken:
                continue
            lists = [el for el in other.iter("ul", "ol")
                     if blocks.nearest(el, "ul") is None and blocks.nearest(el, "ol") is None]
            for el in lists:
                self._loose_list(el)
            rest = blocks.flatten(other, skip=set(lists))
            if rest.text.strip() and _may_hold_outcome(rest.text):
                self._loose_paragraph(rest)

    # -- items ----------------------------------------------------------------------

    def _add(
        self, rich: blocks.Rich, kind: OutcomeList, *, owner: str | None = None,
        due: str | None = None,
        done: bool = False, topic: str | None = None, default_owner: str | None = None,
        from_vote: bool = False, from_prose: bool = False,
    ) -> None:
        if not from_vote and self.vote_lines and fold_key(
                _BULLET.sub("", " ".join(rich.text.split()), count=1)) in self.vote_lines:
            return  # a motion or its result, read with the other by `_votes`
        made = make_outcome(rich, kind, owner=owner, due=due, done=done,
                            topic=topic if topic is not None else self.topic,
                            reading=self.reading, default_owner=default_owner)
        if made is None:
            return
        target, outcome = made
        if isinstance(outcome, Action) and not self._fuller_than_prose(outcome, from_prose):
            return
        if isinstance(outcome, Decision) and not self._new_decision(outcome):
            return
        key = re.sub(r"\W+", " ", outcome.text.lower()).strip()
        base = re.sub(r"\W+", " ", outcome.text.split(": ", 1)[-1].lower()).strip()
        if key in self.seen or key in self.seen_bases or len(self.found[target]) >= MAX_ITEMS:
            return
        self.seen.add(key)
        # "Revisit next month" again in a summary list is no new item; under another topic it is
        self.seen_bases.add(base)
        self.found[target].append(outcome)
        if from_prose and isinstance(outcome, Action):
            self.prose_actions.append(outcome)

    def _new_decision(self, decision: Decision) -> bool:
        """Whether `decision` says something the note's earlier decisions do not.

        A board's minutes state a resolution, then its vote: "BE IT RESOLVED, that the
        fund is renewed" and "Resolution 4, the fund is renewed, was approved by
        unanimous vote". When most of one's words are in the other they are one
        decision; the wording with more words of its own (vote procedure aside) stays.
        """
        said = _substance(decision.text)
        if len(said) < 3:
            return True
        for index, earlier in enumerate(self.found["decisions"]):
            known = _substance(earlier.text)
            if len(known) < 3:
                continue
            shared = len(said & known)
            if shared < 0.8 * min(len(said), len(known)):
                continue
            if len(said) > len(known):
                self.found["decisions"][index] = decision
            return False
        return True

    def _fuller_than_prose(self, action: Action, from_prose: bool) -> bool:
        """Whether `action` is worth keeping beside the actions read from sentences.

        A recap says it twice: "Tariq will draft the guidelines" in its summary,
        "Tariq will draft the guidelines and share them next week" in its list. The
        fuller wording of one owner's task is kept, wherever each was read.
        """
        said = fold_key(action.text)
        for earlier in list(self.prose_actions):
            if earlier.owner != action.owner:
                continue
            known = fold_key(earlier.text)
            if said in known:
                return False
            if known in said:
                self.found["actions"].remove(earlier)
                self.prose_actions.remove(earlier)
        if from_prose:
            return not any(said in fold_key(a.text) for a in self.found["actions"]
                           if isinstance(a, Action) and a.owner == action.owner)
        return True

    def _leading_bold(self, el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
        """The outermost bold element around the first text of `el`, if that text is bold."""
        if el.text and el.text.strip():
            return None
        first = blocks.first_text_element(el)
        if first is None:
            return None
        outer = None
        node: lxml.html.HtmlElement | None = first
        while node is not None and node is not el:
            if self._is_bold(node):
                outer = node
            node = node.getparent()
        return outer

    def _is_bold(self, el: lxml.html.HtmlElement) -> bool:
        style = el.get("style") or ""
        if _NOT_BOLD_STYLE.search(style):  # Google Docs wraps pastes in <b style="…normal">
            return False
        if el.tag in ("strong", "b") or _BOLD_STYLE.search(style):
            return True
        classes = (el.get("class") or "").split()
        return any(c in self.bold_classes for c in classes)


# Heading words that leave a decision still to be taken (they are filler for actions:
# "Suggested next steps" are actions all the same).
_NOT_YET_TAKEN = frozenset("proposed suggested recommended open outstanding".split())


def heading_kind(text: str) -> OutcomeList | None:
    """"decisions", "actions" or "mixed" when `text` names an outcome section, else None.

    Case and punctuation do not matter ("DECISIONS", "Decisions made:",
    "Action items –", "3. Next steps", "Outcomes & next steps").
    """
    text = re.sub(r"\([^)]*\)", " ", text)  # "Action items (3)", "Decisions (click to expand)"
    words = re.sub(r"[^a-z ]+", " ", languages.fold(text).replace("&", " and ").replace("-", " "))
    words = " ".join(words.split())
    if not words or len(words) > 60:
        return None
    for pattern, replacement in _PHRASES:
        words = pattern.sub(replacement, words)
    tokens = words.split()
    decision = [t for t in tokens if t in _DECISION_WORDS]
    action = [t for t in tokens if t in _ACTION_WORDS]
    if not (decision or action):
        return None
    if any(t not in _DECISION_WORDS and t not in _ACTION_WORDS and t not in _FILLER
           for t in tokens):
        return None
    if decision and (tokens[0] == "for" or any(t in _NOT_YET_TAKEN for t in tokens)):
        # "Proposed decisions", "Open decisions", "For decision": still to be taken
        return "actions" if action else None
    if action and decision and all(t == "agreed" for t in decision):
        return "actions"  # "Agreed actions", "Actions agreed"
    if action and decision:
        return "mixed"
    return "actions" if action else "decisions"


def make_outcome(
    rich: blocks.Rich, kind: OutcomeList, *, owner: str | None = None, due: str | None = None,
    done: bool = False, topic: str | None = None, reading: _Reading | None = None,
    default_owner: str | None = None,
) -> tuple[str, Decision | Action] | None:
    """One item's text as a Decision or an Action (and its list), or None for "None"/"N/A".

    An action too short to stand alone ("Revisit next week") carries its
    `topic` ("Packaging: revisit next week"). Dues resolve against the
    meeting's date in `reading`. `default_owner` is whose the item is when its
    text names nobody (a person's name heading the list it is in).
    """
    reading = reading or _Reading(None, languages.DATE_LANGUAGES)
    text = rich.text.translate(blocks.INVISIBLE).replace("\xa0", " ")
    text = " ".join(text.split())
    for _ in range(3):
        stripped = _BULLET.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    state = _STATUS_PREFIX.match(text)
    if state:  # "[DONE] Cara to label the tins", "(open) Ben to …": the state, then the item
        done = done or state["done"] is not None
        text = text[state.end():]
    label = _marker(text)
    if label:
        kind = languages.marker_kind(label["label"])
        text = text[label.end():]
        if owner is None and label["marked"]:  # "AP (Sanne): confirm …", "ACTION (Ana + Ben):"
            owner = _bracket_owner(label["marked"])
        done = done or label["label"] == "DONE"  # Logseq's keyword for a finished task
    if not text.strip() or _NOTHING.match(blocks.restore(rich, text).strip()):
        return None
    plain = blocks.restore(rich, text).strip()
    if _JUNK.match(plain) or (len(plain) < 120 and _CHROME_LINE.search(plain)):
        return None
    text = shapes.clean(text)
    original = text
    if kind == "mixed":
        kind = "actions" if _looks_like_action(rich, text) else "decisions"
    arrow = (_arrow_owner(text, reading.people, strict=kind != "actions") if _has_arrow(text)
             else None)
    if arrow:  # "Draft the letter → Farah": work given to someone, whatever list it is in
        kind = "actions"
        owner = owner or arrow[0]
        text = arrow[1]
    acting = kind == "actions"
    if _TICKED.match(rich.text):
        done = True
    text = _EVERYONE_TO.sub("", text)  # "Everyone to read section 4": nobody in particular
    status = _TRAILING_STATUS.search(text) if acting else None
    if status:  # "… — done", "(completed)": the state, not part of the task
        done = done or status["state"].lower() not in _OPEN_STATES
        text = text[: status.start()]

    # <time datetime> elements: the first is the due date.
    if due is None and rich.times:
        for index, (when, _shown) in enumerate(rich.times):
            token = f"{blocks.TIME_OPEN}{index}{blocks.TIME_CLOSE}"
            if token in text:
                due = when
                text = re.sub(
                    rf"\s*[,;(\[]?\s*(?:\b(?:due(?:\s+date)?|by|before|on|until|deadline)\s*:?\s*)?"
                    rf"{re.escape(token)}[)\]]?",
                    "",
                    text,
                    count=1,
                    flags=re.IGNORECASE,
                )
                break

    # "12 Nov – Priya: restock …", "by 11/20: Leo — book …": a day first, then the item.
    if acting and due is None:
        match = _LEADING_DUE.match(text)
        if match and (any(c.isdigit() for c in match["due"])
                      or re.match(_WEEKDAY, match["due"], re.IGNORECASE)):
            due = match["due"].strip()
            text = text[match.end():]

    # "(Rhea Kapoor) – by end of month", "… – fin du mois": a due at the very end.
    if acting and due is None:
        match = _TRAILING_DUE.search(text)
        if match:
            due = match["due"].strip()
            text = text[: match.start()]

    # "(Maria, due 14 November)", "[Joan Wu]": a trailing bracket of names and dates.
    if acting:
        match = _TRAILING_BRACKET.search(text)
        found = _bracket_parts(match["inner"]) if match else None
        if found and match:
            owner = owner or found[0]
            due = due or found[1]
            text = text[: match.start()]

    # Confluence user mentions.
    if owner is None and rich.mentions:
        owner, text = _take_mentions(rich, text, acting=acting)

    if owner is None:
        match = _OWNER_LABEL.search(text) or _ASSIGNED_TO.search(text)
        if match:
            owner = _tidy_names(match["owner"])
            text = _cut(text, match)
    if due is None:
        match = _DUE_LABEL.search(text) or (_due_phrase(text) if acting else None)
        if match:
            due = match["due"].strip()
            text = _cut(text, match)
    if acting and due is None:
        match = _ORDINAL_DUE.search(text)
        if match:
            due = match["due"].strip()
            text = _cut(text, match)
    if acting and due is None:
        match = _TRAILING_WHEN.search(text)
        if match:
            due = match["due"].strip()
            if len(text[: match.start()].split()) > 1:  # "revisit next week" stays whole
                text = text[: match.start()]
    if acting and owner is None:
        owner, text = _owner_from_text(text, reading.people)

    text = blocks.restore(rich, text)
    text = _tidy(text)
    if not text:
        text = _tidy(blocks.restore(rich, original))
    if text != _tidy(blocks.restore(rich, original)) or re.match(r"[a-z]+\b(?![.@/])", text):
        text = text[:1].upper() + text[1:]  # a sentence once its owner or lead-in is gone
    if acting and topic and _needs_context(text) and fold_key(topic) not in fold_key(text):
        text = f"{topic}: {text[:1].lower()}{text[1:]}"
    text = cut_at_word(text, MAX_CHARS)
    if kind == "decisions":
        if "?" in text:  # "Move the meetup to Tuesdays?": a question, not a decision
            return None
        return kind, Decision(text)
    owner = _real_owner(owner or default_owner)
    resolved = dates.resolve(due, reading.meeting, reading.languages) if due else None
    return kind, Action(text=text, owner=owner, due=resolved, due_text=due, done=done)


# Plain-text minutes pasted into one paragraph: "… — [NEW] ACTION: Pauline to …" starts a line.
_INLINE_MARKER = re.compile(
    r"(?<!\])\s+(?=(?:\[(?:NEW|CONTINUES|DONE|PENDING)\]\s*)?(?:ACTION|RESOLUTION|RESOLVED|AGREED"
    r"|DECISION|TODO)\b(?:[-#]?\d+)?\s*[:\-–—]|RESOLVED\s+(?:that|to)\b)")


_UNDERLINE = re.compile(r"^[-=~_*#]{3,}$")


# Words one of which `_INLINE_MARKER` needs (it is case-sensitive): a line without them
# is not split, and most lines are without them.
_INLINE_MARKER_WORDS = ("ACTION", "RESOL", "AGREED", "DECISION", "TODO")


def _split_lines(text: str) -> list[str]:
    return [_without_speaker(part) for line in text.split("\n")
            for part in (_INLINE_MARKER.split(line)
                         if any(map(line.__contains__, _INLINE_MARKER_WORDS)) else (line,))]


def _without_speaker(line: str) -> str:
    """A chat line's marker without the time and speaker before it (`shapes.chat_log`).

    "[18:07] <wenona> #action farid_k to …" is farid_k's action: wenona only typed
    it. The prefix comes off only when a marker follows, so "Ben: publish …" in
    ordinary notes keeps its owner.
    """
    if "<" not in line and ":" not in line:
        return line
    found = chat_log.prefix(line)
    if found is None or _marker(_BULLET.sub("", line, count=1)):
        return line
    rest = line[found.end():]
    return rest if _marker(rest) else line


# What follows "AI" when it is the subject, not the Action Item marker ("AI Ethics - …").
_AI_TOPIC = (r"(?:Safety|Ethics|Governance|Policy|Policies|Act|Literacy|Research|Strategy|Tools?"
             r"|Risks?|Regulation|Security|Models?|Assistants?|Agents?|News|Use|Adoption"
             r"|Principles|Guidelines|Training|Readiness|Lab|Working|Art|Search|Code|Chat)")
# Steering and SIG notes: "AI Jonas - draft the template", "AI to Mara: ping the team",
# the owner between the capital AI and the task (which starts in lower case).
_AI_OWNER = re.compile(
    rf"^\s*(?P<label>AI)\s+(?!{_AI_TOPIC}\b)(?:to\s+)?(?P<marked>@?[{_UP}][\w.'’-]*(?:\s+[{_UP}][\w.'’-]*)?"
    rf"(?:\s*(?:,|&|\band\b)\s*@?[{_UP}][\w.'’-]*)*)\s*[:\-–—]\s+(?=[{_LOW}])"
    # "AI Safety - review of the policy": a topic about AI, not Safety's action
    r"(?![a-z]+\s+(?:of|on|about|from)\b)")


_FIELD_LINE = re.compile(
    r"^\s*(?P<key>owners?|assigned\s+to|assignee|who|responsible|lead|due(?:\s+date)?|deadline"
    r"|by\s+when|status|verantwortlich|zust[äa]ndig|responsable|[ée]ch[ée]ance|frist|plazo)"
    r"\s*:\s*(?P<value>\S.*)$", re.IGNORECASE)


def _fielded_item(
        li: lxml.html.HtmlElement) -> tuple[blocks.Rich, list[lxml.html.HtmlElement]] | None:
    """An item whose sub-items are all its fields ("Owner: Omar", "Due: 24 September",
    "Status: done"), at least an owner or a due among them: one action, read as
    "Pay the deposit, owner: Omar, due: 24 September — done", and the sub-items it took."""
    nested = [n for n in li.iter("ul", "ol") if n is not li and blocks.nearest(n, "li") is li]
    if len(nested) != 1:
        return None
    subs = [c for c in nested[0] if c.tag == "li"]
    if not subs or len(subs) > 5 or any(n is not c for c in subs for n in c.iter("ul", "ol")):
        return None
    parts: list[str] = []
    keys: set[str] = set()
    for sub in subs:
        line = " ".join(blocks.flatten(sub, skip_tags=blocks.NOT_IN_ITEM).text.split())
        match = _FIELD_LINE.match(_BULLET.sub("", line, count=1))
        if match is None:
            return None
        key = languages.fold(match["key"]).split()[0]
        keys.add(key)
        value = match["value"].rstrip(". ")
        if key == "status":
            parts.append(f"— {value}")
        elif key in ("due", "deadline", "by", "echeance", "frist", "plazo"):
            parts.append(f", due: {value}")
        else:
            parts.append(f", owner: {value}")
    if not keys - {"status"}:
        return None
    own = blocks.flatten(li, skip_tags=blocks.NOT_IN_ITEM)
    text = " ".join(own.text.split()).rstrip(":")
    if not text or len(text) > MAX_CHARS:
        return None
    return blocks.Rich(text + "".join(parts), own.mentions, own.times), subs


def _marker(text: str) -> re.Match[str] | None:
    """The item marker `text` starts with; "RESOLVED that" only in capitals (a scribe's
    mark): "It was resolved that …" in a sentence is kept whole."""
    match = _ITEM_LABEL.match(text) or languages.HASHTAG_MARKER.match(text) or _AI_OWNER.match(text)
    if match and match["label"] is None and not text.lstrip().startswith(
            ("RESOLVED", "AGREED", "BESCHLOSSEN", "DECIDED", "Resolved that", "Resolved to",
             "BE IT RESOLVED", "NOW, THEREFORE, BE IT", "NOW THEREFORE, BE IT", "Be it resolved",
             "Agreed to", "Agreed that", "Decided to", "Decided that", "Decided against",
             "Decided not to")):  # an item that opens on the verb: "Agreed to cap …"
        return None
    return match


# Words of a vote's procedure, not of what was decided ("was approved by unanimous vote").
_PROCEDURE = _words(
    "resolution resolved approved adopted carried passed unanimous unanimously vote voted votes "
    "board directors trustees members present motion special order that the was were with "
    "this from into have been will shall for and")


def _substance(text: str) -> frozenset[str]:
    """The words of a decision that say what was decided (4+ letters, procedure aside),
    by their first six letters ("establish" and "established" are one word)."""
    return frozenset(w[:6] for w in re.findall(r"\w+", fold_key(text).lower())
                     if len(w) >= 4 and w not in _PROCEDURE)


def fold_key(text: str) -> str:
    return re.sub(r"\W+", " ", languages.fold(text)).strip()


# Words without which a paragraph outside a section holds neither a marker nor a decision
# (substring tests: far cheaper than a regex over every paragraph of a long page).
_OUTCOME_HINTS = (
    " to ", " will ",  # first: the commonest, and `any` stops at the first found
    "action", "todo", "to do", "task", "next", "follow", "decision", "decid", "décid", "agree",
    "resol", "conclu", "outcome", "faire", "tâche", "tache", "beschl", "entsch", "aufgabe",
    "ergebnis", "acuerd", "acord", "acción", "accion", "tarea", "pendiente", "approv", "accept",
    "adopt", "consensus", "voted", "ratified", "rejected", "declined", "endorsed", "chose",
    "opted", "settled on", "signed off", "went with", "turned down", "voted down", "convenu",
    "valid", "vereinbart",
    "festgelegt", "angenommen", "genehmigt", "aprob",
    "ai:", "ai ", "ap:", "#",
    " will ", " to ", " shall ", "'ll ", "’ll ",  # actions as sentences (`prose.action_clauses`)
    " se charge", " s'occupe", " s’occupe", " va ", " doit ", " wird ", "übernimmt", "kümmert",
    " se encarga", " se ocupa", "era ", "ira ", "rá ", "beschließt", "beschliesst", " vot",
    *prose.PROMISE_HINTS,  # every promise `prose.action_clauses` reads, in every language
    # a due ("Sara: scrivere …, entro lunedì": `_assigned_line`)
    " by ", "due", "deadline", "entro", "d'ici", "avant", "bis ", "hasta", "antes", "até ",
    "d’ici", "dʼici", "uiterlijk", "scadenza", "prazo", "plazo", "échéance",
)


def _may_hold_outcome(text: str) -> bool:
    return any(map(text.lower().__contains__, _OUTCOME_HINTS))  # `in` for each, no loop


# Not outcomes, though they sit where outcomes do: status words under an action,
# the scribe's sign-off, a field with nothing in it.
_JUNK = re.compile(
    r"^[\[(]?(?:end of (?:minutes|meeting|notes)|meeting (?:adjourned|closed|ended)"
    r"|adjourned|minutes end|fin de la r[ée]union|ende der sitzung)[\])]?\.?$"
    r"|^(?:no labels|\d+ comments?|be the first to like this|like|share|copy link)$"
    r"|^no\s+(?:meeting|call|session)\b|^next\s+(?:meeting|call|session)\s*(?:[:,\-–]|on|is|will)"
    r"|^(?:[^·|]{1,40}\s[·|]\s){2,}[^·|]{1,40}$"  # "Like · Share · Copy link"
    r"|\b(?:edited this page|last edited by|was this (?:recap|summary|page) helpful"
    r"|powered by|meeting (?:started|ended) (?:by|at)|stop watching|manage notifications)\b"
    r"|^(?:status\s*:\s*)?(?:no progress|in progress|done|complete[d]?|ongoing|open|closed"
    r"|pending|carried (?:over|forward)|continued|continues|dropped|deferred|on hold|blocked"
    r"|not started|started|wip|n/?a|no update|no change|same as before|see above|as above"
    r"|bumped(?: to next (?:week|meeting|time))?|postponed|unassigned|erledigt|offen|hecho"
    r"|fait|en cours|pendiente)\.?$",
    re.IGNORECASE,
)
_CHROME_LINE = re.compile(
    r"\b(?:edited this page|last edited by|was this (?:recap|summary|page) helpful|powered by"
    r"|meeting (?:started|ended) (?:by|at)|stop watching|manage notifications|view page history"
    r"|be the first to like"
    r"|(?:generated|created|transcribed|summari[sz]ed|written)\s+(?:by|with|using)\s+(?:[\w-]+\.ai"
    r"|otter|fireflies|fathom|tl;?dv|zoom|gemini|copilot|ai|an ai))\b", re.IGNORECASE)
_VAGUE = re.compile(
    r"^(?:revisit|discuss|continue|follow up|follow-up|look into|think about|decide|come back"
    r"|keep going|carry on|tbd|as noted above|see above|as above|same as|more on this)\b",
    re.IGNORECASE)
_NOT_OWNERS = frozenset(
    "tbd tbc tba all everyone everybody anyone someone none n/a na team group unassigned nobody "
    "? - — all-hands whoever volunteers volunteer".split())


def _needs_context(text: str) -> bool:
    """An action that says what to do only together with its topic."""
    words = re.findall(r"[\w'’]+", text)
    return len(words) <= 1 or (len(words) <= 5 and bool(_VAGUE.match(text)))


def _real_owner(owner: str | None) -> str | None:
    if owner is None:
        return None
    owner = re.sub(r"\s*\([^)]*\)$", "", owner.strip()).strip(".,;:")  # "Idris Bakr (IB)"
    if not owner or owner.lower() in _NOT_OWNERS:
        return None
    return owner


def _looks_like_action(rich: blocks.Rich, text: str) -> bool:
    if rich.mentions or rich.times or _AT.search(text) or _OWNER_LABEL.search(text):
        return True
    if _DUE.search(text):
        return True
    match = _NAME_TO.match(text)
    return bool(match and match["owner"].split()[0].lower() not in _NOT_NAMES)


def _take_mentions(rich: blocks.Rich, text: str, *, acting: bool) -> tuple[str | None, str]:
    """Owner from user mentions at the start or end of the item (anywhere, for an action)."""
    tokens = [f"{blocks.MENTION_OPEN}{i}{blocks.MENTION_CLOSE}" for i in range(len(rich.mentions))]
    present = [(i, t) for i, t in enumerate(tokens) if t in text]
    if not present:
        return None, text
    names = [rich.mentions[i] for i, _ in present]
    any_token = "|".join(re.escape(t) for _, t in present)
    group = rf"(?:{any_token})(?:\s*(?:,|&|\band\b)\s*(?:{any_token}))*"
    lead = re.match(rf"^\s*{group}\s*(?:(?:to|will|is\s+to)\s+|[:\-–—]\s*)?", text)
    if lead:
        return ", ".join(names), text[lead.end():]
    tail = re.search(
        rf"\s*(?:[-–—(\[,;|]|\bowner\s*:?|\bassigned\s+to)?\s*{group}\s*[)\]]?\s*\.?\s*$", text
    )
    if tail:
        return ", ".join(names), text[: tail.start()]
    # A mention inside the sentence stays in it, as a name; for an action it is the owner.
    return (", ".join(names) if acting else None), text


def _owner_from_text(text: str, people: frozenset[str] = frozenset()) -> tuple[str | None, str]:
    match = _AT.search(text)
    if match and match["name"].lower() not in _NOT_NAMES:  # not @here, @channel, @all
        name = (match["name"] + match["more"]).strip()
        lead = re.match(rf"^\s*{re.escape(match.group(0))}\s*(?:(?:to|will)\s+|[:\-–—]\s*)?", text)
        if lead:
            return name, text[lead.end():]
        tail = re.search(rf"\s*[-–—(\[,;|]?\s*{re.escape(match.group(0))}\s*[)\]]?\s*\.?\s*$", text)
        if tail:
            return name, text[: tail.start()]
        return name, text.replace(match.group(0), name, 1)
    match = _NAME_TO.match(text)
    if match and match["owner"].split()[0].lower() not in _NOT_NAMES:
        return _tidy_names(match["owner"]), text[match.end():]
    shaped = shapes.owner(text)
    if shaped:
        return shaped
    match = _LEAD_OWNER.match(text)
    leading: str | None = (match["owner"] or match["owner2"] or match["owner3"]) if match else None
    if match and leading and leading.lstrip("@(").split()[0].lower() not in _NOT_NAMES:
        names = (re.split(r"\s+(?=@)", leading.strip("()")) if leading.startswith("@")
                 else [leading])
        return ", ".join(_tidy_names(n.strip("()")) for n in names), text[match.end():]
    match = _NAME_COLON.match(text)
    single = match is not None and len(match["owner"].split()) == 1
    if match and single and not text[match.end():][:1].islower() \
            and match["owner"].lstrip("@").lower() not in people:
        match = None  # "Docs: Update …" is a topic; "Ben: publish …" names its owner
    if match and match["owner"].lstrip("@").split()[0].lower() not in _NOT_NAMES:
        return _tidy_names(match["owner"]), text[match.end():]
    if people:
        match = _PERSON_FIRST.match(text)
        if match and all(n.lower() in people for n in _split_names(match["owner"])):
            return _tidy_names(match["owner"]), text[match.end():]
    match = _TRAILING_BRACKET.search(text)
    if match:
        owner = _bracket_owner(match["inner"])
        if owner:
            return owner, text[: match.start()]
    match = _TRAILING_DASH_NAME.search(text)
    if match and match["owner"].lstrip("@").split()[0].lower() not in _NOT_NAMES:
        return _tidy_names(match["owner"]), text[: match.start()]
    return None, text


_STATUS_PREFIX = re.compile(
    r"^[\[(](?:(?P<done>done|completed?|closed|finished|erledigt|fait|termin[ée]e?|hecho)"
    r"|open|new|ongoing|pending|in progress|wip|not started)[\])]\s*[:\-–—]?\s*(?=\S)",
    re.IGNORECASE)
_ARROWS = ("→", "->", "=>", "⇒", "➔", "➜", "➡", "⟶")
_ARROW_TAIL = re.compile(
    r"\s*(?:→|->|=>|⇒|➔|➜|➡\ufe0f?|⟶)\s*"
    rf"(?P<owner>@?[\w.'’-]+(?:\s+[{_UP}][\w.'’-]*){{0,2}}"
    rf"(?:\s*(?:,|&|\+|\band\b)\s*@?[\w.'’-]+(?:\s+[{_UP}][\w.'’-]*){{0,2}})*)"
    r"(?P<rest>\s*(?:[(\[,;].*)?)\s*\.?$")


def _has_arrow(text: str) -> bool:
    return any(map(text.__contains__, _ARROWS))


def _arrow_owner(text: str, people: frozenset[str], *, strict: bool = False
                 ) -> tuple[str, str] | None:
    """"Renew the domain → Mira (Fri)", "-> @tomas", "=> Kofi, by 20 Nov": the people after
    the last arrow, and the text without them (what followed them, a due, stays).

    Each must read as a person: an @handle, a capitalised name, or one the notes list
    as there ("→ noor.k"); "→ next week" or "-> done" names nobody. `strict` (an item
    not yet known to be an action) takes only @handles and the people listed: "Hosting
    → Netlify" moves a thing, it gives nobody work."""
    match = _ARROW_TAIL.search(text)
    if match is None:
        return None
    for part in re.split(r"\s*(?:,|&|\+|\band\b)\s*", match["owner"].strip()):
        name = part.lstrip("@")
        if not name or name.split()[0].lower() in _NOT_NAMES:
            return None
        listed = name.lower() in people or name.split()[0].lower() in people
        if not (part.startswith("@") or listed or (not strict and re.fullmatch(_NAMES, part))):
            return None
    return _tidy_names(match["owner"]), f"{text[: match.start()]}{match['rest']}"


def _bracket_parts(inner: str) -> tuple[str | None, str | None] | None:
    """Owner and due date from a bracket, if every part of it is one of those."""
    owner = due = None
    for part in re.split(r"\s*[,;]\s*|\s+[–—-]\s+", inner.strip()):
        if not part:
            continue
        date = _DATE_ONLY.match(part)
        label = _OWNER_LABEL.fullmatch(part)
        if date and due is None:
            due = date["due"]
        elif label and owner is None:
            owner = _tidy_names(label["owner"])
        elif owner is None and (named := _bracket_owner(part)):
            owner = named
        else:
            return None
    return (owner, due) if owner or due else None


def _bracket_owner(inner: str) -> str | None:
    inner = inner.strip()
    first = inner.lstrip("@").split()[0].lower() if inner.strip("@ ") else ""
    if re.fullmatch(rf"@?{_NAMES}", inner) and first not in _NOT_NAMES:
        return _tidy_names(inner)
    return None


def _split_names(names: str) -> list[str]:
    return [p.lstrip("@").strip() for p in re.split(
        r"\s*(?:,|&|\+|\band\b|\by\b|\bund\b|\bet\b|/)\s*", names) if p.strip()]


def _tidy_names(names: str) -> str:
    parts = re.split(r"\s*(?:,|&|\+|\band\b|\by\b|\bund\b|\bet\b|/)\s*", names.strip())
    return ", ".join(p.lstrip("@").strip() for p in parts if p.strip())


def _cut(text: str, match: re.Match[str]) -> str:
    return (text[: match.start()] + " " + text[match.end():]).strip()


def _tidy(text: str) -> str:
    text = re.sub(r"[(\[]\s*[)\]]", "", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = " ".join(text.split())
    text = re.sub(r"^[\s,;:|\-–—·•]+", "", text)
    text = re.sub(r"[\s,;:|\-–—·•]+$", "", text)
    return text.strip()


# -- page structure ---------------------------------------------------------------


def _bold_classes(root: lxml.html.HtmlElement) -> frozenset[str]:
    """Classes that a <style> block makes bold (Google Docs "Download as HTML")."""
    names: set[str] = set()
    for style in root.iter("style"):
        names.update(_CSS_BOLD_CLASS.findall(style.text or ""))
    return frozenset(names)


def _is_chrome(el: lxml.html.HtmlElement, section: _Section | None) -> bool:
    """Is this text block feed or mail chrome rather than something the notes say?

    Chrome is short, carries links and reads like chrome ("Page edited by <a>Ana</a>",
    "<a>View Online</a> · <a>Add Comment</a>"). Inside an open outcome section the
    block must also be little more than its links, so an author's "Unsubscribe the
    old list from <a>the newsletter</a>" stays an outcome.
    """
    links = list(el.iter("a"))
    if not links:
        return False
    text = blocks.head_text(el, _CHROME_LIMIT)
    if not text or not _CHROME.search(text):
        return False
    if section is None:
        return True
    outside_links = blocks.flatten(el, skip=set(links)).text
    return len(re.findall(r"\w+", outside_links)) <= _CHROME_WORDS_IN_SECTION


_GROUPING = re.compile(r"^@?[\w.'’-]+(?:\s+[A-Z][\w'’-]*)?:?$|^unassigned:?$", re.IGNORECASE)


def _is_grouping(text: str) -> bool:
    """An item that only names whose the items below it are ("ana", "Ben Okoro:")."""
    text = text.strip()
    return bool(text) and bool(_GROUPING.match(text)) and heading_kind(text) is None


# Columns a header may name that hold neither the outcome, its owner, due nor state.
_OTHER_COLUMNS = frozenset((
    "notes", "comments", "comment", "id", "no", "nr", "ref", "reference", "number", "priority",
    "rationale", "reason", "reasons", "context", "background", "decided by", "raised by",
    "date raised", "date added", "topic", "category", "type", "link", "links", "remarks",
    "bemerkung", "bemerkungen", "remarques", "commentaire", "commentaires", "observaciones",
    "motivo", "begrundung", "justification"))


_TEXT_ACTIONS = frozenset((
    "action", "actions", "action item", "action items", "action point", "action points", "task",
    "tasks", "next step", "next steps", "to do", "todo", "follow up", "follow ups", "followup",
    "followups", "follow up actions", "aufgabe", "aufgaben", "massnahme", "massnahmen", "tache",
    "taches", "accion", "acciones", "tarea", "tareas", "actie", "acties", "actiepunt",
    "actiepunten", "azione", "azioni", "compito", "compiti", "acao", "acoes", "tarefa", "tarefas",
    "encaminhamento", "encaminhamentos"))
_TEXT_DECISIONS = frozenset((
    "decision", "decisions", "outcome", "outcomes", "agreed", "resolution", "beschluss",
    "beschlusse", "entscheidung", "acuerdo", "acuerdos", "besluit", "besluiten", "decisione",
    "decisioni", "decisao", "decisoes", "deliberacao", "deliberacoes"))
_TEXT_PLAIN = frozenset(("item", "items", "what", "description", "details", "summary"))
_OWNER_NAMES = frozenset((
    "owner", "owners", "owner s", "who", "assignee", "assigned to", "responsible", "lead", "person",
    "action owner", "by whom", "actionee", "wer", "verantwortlich", "zustandig", "responsable",
    "qui", "quien", "porteur", "verantwoordelijke", "wie", "responsabile", "chi", "responsavel",
    "quem"))
_DUE_NAMES = frozenset((
    "due", "due date", "by", "by when", "deadline", "when", "date", "target date", "target",
    "timeline", "due by", "bis", "bis wann", "termin", "frist", "fallig", "echeance",
    "date limite", "pour quand", "fecha", "plazo", "fecha limite", "cuando", "wanneer", "scadenza",
    "entro", "entro quando", "quando", "prazo", "data limite"))
_STATUS_NAMES = frozenset((
    "status", "done", "state", "complete", "completed", "estado", "statut", "progress", "rag",
    "rag status"))


def _column_name(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]+", " ", languages.fold(text)).split())


def _part_role(name: str) -> str | None:
    """What one column name says the column holds, or None for a name we do not know."""
    if name in _TEXT_ACTIONS:
        return "actions"
    if name in _TEXT_DECISIONS:
        return "decisions"
    if name in _TEXT_PLAIN:
        return "text"
    if name in _OWNER_NAMES:
        return "owner"
    if name in _DUE_NAMES:
        return "due"
    if name in _STATUS_NAMES:
        return "status"
    if name in ("none", "n a"):  # "Responsible/None": the cell says so when nobody acts
        return "none"
    if name in _OTHER_COLUMNS or not name:
        return "other"
    return None


# Between the column names one header cell joins: "Owner / Due", "Actions: Responsible".
_HEADER_JOIN = re.compile(r"[/:&|]")
# Words and brackets join an owner with a due: "Owner and due", "Responsible (deadline)",
# "Wer und bis wann", "Responsable y fecha" ("Notes, decisions and action items" is a
# page laid out in a table, not a column of outcomes).
_HEADER_WORD_JOIN = re.compile(r"[/:&|+,()]|\s(?:and|or|und|oder|et|ou|y|o)\s")
_FIELD_ROLES = frozenset(("owner", "due", "status", "none"))


def _cell_roles(text: str) -> frozenset[str] | None:
    """The roles a header cell names: one ("Owner"), or several joined by a slash, a
    colon, a bracket or a word ("Owner / Due", "Actions: Responsible/None", "Owner and
    due", "Responsible (deadline)"); None when a part is no column name."""
    whole = _part_role(_column_name(text))
    if whole is not None:
        return frozenset((whole,))
    folded = languages.fold(f" {text} ")
    parts = [_column_name(p) for p in _HEADER_JOIN.split(folded)]
    named = [_part_role(p) for p in parts]
    if len(parts) < 2 or any(r is None for r in named):
        parts = [name for p in _HEADER_WORD_JOIN.split(folded) if (name := _column_name(p))]
        named = [_part_role(p) for p in parts]
        if not set(named) <= _FIELD_ROLES:
            return None
    if len(parts) < 2 or any(r is None for r in named):
        return None
    return frozenset(r for r in named if r is not None)


def _header_roles(row: lxml.html.HtmlElement) -> tuple[dict[str, int], OutcomeList | None] | None:
    """Column roles from a header row ("Action | Owner | Due"), or None if it is data.

    A cell may name several columns: "Actions: Responsible/None" is the actions
    column (its items name their owner), "Owner / Due" holds both ("owner_due"),
    "Notes/Action Items" is the text column only when no cell names outcomes alone.
    """
    cells = [c for c in row if c.tag in ("td", "th")]
    named = [_cell_roles(c.text_content()) for c in cells]
    roles: dict[str, int] = {}
    kind: OutcomeList | None = None
    texts = {"actions", "decisions", "text"}
    pure = [i for i, r in enumerate(named) if r and r & texts and "other" not in r]
    mixed = [i for i, r in enumerate(named) if r and r & texts and "other" in r]
    if pure or mixed:
        index = (pure or mixed)[0]
        roles["text"] = index
        text_roles = named[index] or frozenset()
        kind = ("actions" if "actions" in text_roles
                else "decisions" if "decisions" in text_roles else None)
    for index, found in enumerate(named):
        if not found or found & texts:
            continue
        if {"owner", "due"} <= found:
            roles.setdefault("owner_due", index)
        for role in ("owner", "due", "status"):
            if found & {"owner", "due", "status"} == {role}:
                roles.setdefault(role, index)
    if kind is None:  # an outcome named in a column that is not the text column
        for other in named:
            if other and "actions" in other:
                kind = "actions"
                break
            if other and "decisions" in other:
                kind = "decisions"
                break
    recognised = sum(1 for r in named if r is not None)
    # A header row names its columns: all <th>, or short cells that all read as column
    # names, or (Word and Docs tables bold a first row of <td>) an outcome column and
    # more known names than unknown ones.
    short = all(len(_column_name(c.text_content())) <= 40 for c in cells)
    header_like = all(c.tag == "th" for c in cells) or (short and (
        recognised == len(cells) or (kind is not None and 2 * recognised > len(cells))))
    if not header_like or recognised == 0:
        return None
    if "text" not in roles:
        free = [i for i in range(len(cells)) if i not in roles.values()]
        if free:
            roles["text"] = free[0]
        # else "Owner | Due" and nothing else: the rows name no outcome (see `_row`)
    return roles, kind


def _is_data_table(table: lxml.html.HtmlElement) -> bool:
    """A table whose first row names its columns, one of them its outcomes ("Action",
    "Follow-up: Owner/None"), holds data, lists in its cells or not; a page laid out in a
    table ("Date | Attendees | Notes, decisions and action items") is no such table."""
    for el in table.iter("h1", "h2", "h3", "h4", "h5", "h6", "table"):
        if el is not table:
            return False
    first = next((r for r in table.iter("tr") if blocks.nearest(r, "table") is table), None)
    header = _header_roles(first) if first is not None else None
    return header is not None and header[1] is not None


def _cell_items(cell: lxml.html.HtmlElement) -> list[blocks.Rich]:
    """The items one table cell holds: each <li>, else each line, else its text."""
    items = [el for el in cell.iter("li")]
    if items:
        return [blocks.flatten(li, skip_tags=blocks.NOT_IN_ITEM) for li in items]
    rich = blocks.flatten(cell)
    return [blocks.Rich(line.strip(), rich.mentions, rich.times)
            for line in _split_lines(rich.text) if line.strip()]


_CELL_DUE = re.compile(
    rf"(?:^|[\s/,;(\[–—-])\s*(?:(?:due|by|bis|before|until|avant|hasta)\s*:?\s+)?"
    rf"(?P<due>{_DATE})\s*[)\]]?\s*\.?$", re.IGNORECASE)


_CELL_DUE_FIRST = re.compile(
    rf"^\s*(?:(?:due|by|bis|before|until|avant|hasta)\s*:?\s+)?(?P<due>{_DATE})\s*"
    r"(?:[:/,;–—]|\s-)\s*(?=\S)", re.IGNORECASE)


def _owner_and_due(value: str) -> tuple[str | None, str | None]:
    """A cell under "Owner / Due": the date at its end is the due, the names before it
    the owner ("Priya / 20 Nov"); or the date first, then the names ("27 Nov – Grace",
    "by 11/24: Hamid", "4 Dec / Oona"). A name that is also a month ("Ines May") stays
    a name."""
    value = " ".join(value.split())
    first = _CELL_DUE_FIRST.match(value)
    if first is not None:
        rest = value[first.end():].lstrip("@").strip()
        if re.fullmatch(rf"@?{_NAMES}|@[\w.-]+", rest):
            return rest, first["due"].strip()
    match = _CELL_DUE.search(value)
    if match is None or (re.fullmatch(_NAMES, value)
                         and re.fullmatch(_MONTH, match["due"].strip(), re.IGNORECASE)):
        return (value.lstrip("@").strip() or None), None
    owner = value[: match.start()].strip(" /,;(-–—").lstrip("@").strip()
    return owner or None, match["due"].strip()


# -- text of one block -----------------------------------------------------------------


def _opens(section: _Section | None, rest: blocks.Rich) -> bool:
    """Does a "Decisions:" lead-in open a section here, or is it one labelled item?

    Inside a heading's section, "Action: Ana to book" is an item (its label
    says which list); a bare "Decisions:" line, or any lead-in outside a
    heading's section, opens a section of its own.
    """
    return section is None or section.level == _LEAD_IN_LEVEL or not rest.text.strip()


def _is_label(label: str, rest: blocks.Rich) -> bool:
    """A bold run that names what follows ("Attendees:", or a whole-line bold title)."""
    return label.endswith((":", "–", "—", "-")) or (not rest.text.strip() and len(label) < 60)
