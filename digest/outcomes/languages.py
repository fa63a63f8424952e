"""Words that name outcome sections and items, in the languages notes are written in.

Headings are compared without accents and case ("Décisions" = "decisions",
"Nächste Schritte" = "nachste schritte"), so each language lists its words
once. A note's language is told by counting common words; it picks the
languages dateparser tries for dues ("vendredi" is a Friday only in French).
"""

from __future__ import annotations

import re
import unicodedata

DATE_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "nl", "it", "pt")

# Phrases first (they become one word), then single words.
SECTION_PHRASES: tuple[tuple[str, str], ...] = (
    (r"\baction (?:items?|points?|list|register|log)\b", "actions"),
    (r"\bnext (?:steps?|actions?)\b", "actions"),
    (r"\bto ?dos?\b|\bto do list\b", "actions"),
    (r"\bfollow ?ups?\b", "actions"),
    (r"\bwho does what\b", "actions"),
    (r"\bwhat (?:we|was|has been) (?:agreed|decided)\b", "decisions"),
    # French
    (r"\bprochaines? etapes?\b|\ba faire\b|\bplan d action\b|\bsuites? a donner\b", "actions"),
    (r"\breleve de decisions?\b|\bce qui a ete decide\b", "decisions"),
    # German
    (r"\bnachste schritte\b|\bto do s?\b|\boffene punkte\b", "actions"),
    # Spanish
    (r"\bproximos pasos\b|\bsiguientes pasos\b|\bpendientes\b", "actions"),
    (r"\bacuerdos? tomados?\b", "decisions"),
    # Dutch, Italian, Portuguese
    (r"\bvolgende stappen\b|\bwie wat wanneer\b", "actions"),
    (r"\bprossimi passi\b|\bcose da fare\b|\bcompiti assegnati\b", "actions"),
    (r"\bproximos passos\b", "actions"),
)
DECISION_WORDS = frozenset(
    "decision decisions outcome outcomes agreed agreement agreements decided resolution "
    "resolutions resolved conclusion conclusions consensus "
    "decisions decide decidees conclusions resolutions "  # fr (accents folded)
    "beschluss beschlusse beschlossen entscheidung entscheidungen ergebnis ergebnisse "  # de
    "acuerdo acuerdos decision decisiones resoluciones conclusiones "  # es
    "besluit besluiten besluitenlijst afspraken besluitvorming "  # nl
    "decisione decisioni delibera delibere deliberazioni conclusioni "  # it
    "decisao decisoes deliberacao deliberacoes resolucoes conclusoes".split()  # pt
)
ACTION_WORDS = frozenset(
    "action actions task tasks "
    "taches "  # fr ("actions" is shared)
    "aufgabe aufgaben massnahmen manahmen aktionen "  # de
    "accion acciones tareas "  # es
    "actie acties actiepunt actiepunten actielijst taken "  # nl
    "azione azioni compiti "  # it
    "acao acoes tarefas encaminhamento encaminhamentos".split()  # pt
)
FILLER = frozenset(
    "key main final major the made taken reached meeting meetings today todays our summary of or "
    "list log recorded and new open outstanding for time arising from this session call items "
    "points s owners with a all up last previous carried over forward ongoing suggested "
    "recommended proposed by person assigned review "
    "les des de la du et ou prises principales reunion "  # fr
    "die der und oder getroffene offene zur sitzung "  # de
    "los las de y del reunion principales "  # es
    "en van het genomen vergadering "  # nl
    "e di della delle prese riunione "  # it
    "e da das dos tomadas reuniao".split()  # pt
)

# "Decision:", "ACTION:", "#agreed", "Beschluss:" at the start of an item or line.
ITEM_MARKER = re.compile(
    r"^\s*(?:\[(?:new|continues|pending|done|completed)\]\s*)?#?(?P<label>"
    r"action(?:\s+item|\s+point)?s?|ai|aps?|todo|to\s?do|task|next\s+actions?|next\s+steps?"
    r"|follow[- ]?ups?|decision|decided|agreed|agreement|resolved|resolution|resolutions"
    r"|conclusion|outcome"
    r"|d[ée]cision|d[ée]cid[ée]|action\s+[àa]\s+mener|[àa]\s+faire|t[âa]che"
    r"|beschluss|beschlossen|entscheidung|aufgabe|ergebnis"
    r"|acuerdo|acordado|decisi[óo]n|acci[óo]n|tarea|pendiente"
    r"|besluit|actie(?:punt)?|decisione|azione|decis[ãa]o|a[çc][ãa]o|delibera[çc][ãa]o"
    r"|encaminhamento|tarefa"
    r")\s*(?:[-#]?\d+\s*)?(?:\((?P<marked>[^)]{1,40})\)\s*)?[:\-–—]\s*"
    r"|^\s*(?:it\s+was\s+|(?:now,?\s+therefore,?\s+)?be\s+it\s+(?:further\s+)?)?"
    r"(?P<resolved>resolved|agreed|decided|beschlossen),?\s+"
    r"(?:that\s+|dass\s+|(?=to\b|against\b|not\s+to\b))",
    re.IGNORECASE,
)
# MeetBot commands need no colon ("#agreed the glossary …", "#action kit write …"), nor
# does a marker in capitals in a chat line ("ACTION ravi to send …"). `marked` never
# matches: the extractor reads the same groups as ITEM_MARKER's.
HASHTAG_MARKER = re.compile(
    r"^\s*(?P<label>#(?i:agreed?|accepted|action|decided|decision|resolved|todo)"
    r"|ACTION|AGREED|DECISION|DECIDED|TODO"
    # Logseq's workflow keywords, before a word in lower case ("NOW THEREFORE" is not one)
    r"|(?:DOING|NOW|LATER|WAITING|DONE)(?=\s+(?:\[#[A-C]\]\s+)?[^\W\d_][^\W\dA-Z_]))"
    r"(?P<marked>(?!))?\s+(?=\S)")
_ACTION_LABELS = re.compile(
    r"^(?:action|ai|ap|todo|to\s?do|task|next|follow|[àa]\s+faire|t[âa]che|aufgabe|acci|tarea"
    r"|pendiente|doing|now|later|waiting|done|actie|azione|a[çc][ãa]o|encaminhamento|tarefa)",
    re.IGNORECASE)


def marker_kind(label: str | None) -> str:
    """"actions" or "decisions" for a matched item marker's label ("RESOLVED that": None)."""
    if label is None:
        return "decisions"
    return "actions" if _ACTION_LABELS.match(label.strip("# ")) else "decisions"


def fold(text: str) -> str:
    """Lower case without accents: "Nächste Schritte" → "nachste schritte"."""
    lower = text.lower()
    if lower.isascii():  # nothing to decompose: most text, and the quickest test
        return lower
    decomposed = unicodedata.normalize("NFKD", lower.replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The small words inside a surname ("Wim de Boer", "Ana van der Berg", "Jean de la Croix",
# "Ludwig von Trapp", "Inês dos Santos"), each before the capitalised word it belongs to.
# Not "y", "et", "und": those join two people.
NAME_PARTICLE = (r"(?:(?:van|von|de|da|di|del|della|du|des|dos|das|do|ter|ten|zu|af|bin|ibn)"
                 r"(?:\s+(?:der|den|de|la|le|los|las))?\s+)")

_COMMON = {
    "en": frozenset("the and to of we will is are for with this that on be by".split()),
    "fr": frozenset("le la les et des du une pour est sur avec nous qui dans pas".split()),
    "de": frozenset("der die das und ist nicht mit wir für ein eine auf den zu von".split()),
    "es": frozenset("el la los las y que del para una con por es en se lo".split()),
    "nl": frozenset("het een van niet zijn voor dat wordt ook naar bij maar zal gaat".split()),
    "it": frozenset("il di che non per della alla gli nel anche sono entro questo".split()),
    "pt": frozenset("não os uma do em são ao mais foi também pela pelo com vai até".split()),
}
# dateparser's languages tried after the note's own: the ones notes were first written in
# (each one more costs every due that reaches dateparser).
_FALLBACK = ("en", "fr", "de", "es")


def detect(text: str, hint: str | None = None) -> tuple[str, ...]:
    """Languages to read dates in: the note's own first, then the configured one, then English,
    then the rest."""
    words = re.findall(r"[^\W\d_]+", text[:4000].lower())
    scores = {lang: sum(1 for w in words if w in common) for lang, common in _COMMON.items()}
    best = max(scores, key=lambda lang: scores[lang]) if words else "en"
    order = [best]
    if hint and hint[:2] in _COMMON:
        order.append(hint[:2])
    order.append("en")
    # A short note may hold none of the common words ("Frau Berg: Plakate drucken bis
    # 4. Dezember"): the other languages come last, so a date in one still resolves.
    order.extend(_FALLBACK)
    return tuple(dict.fromkeys(order))
