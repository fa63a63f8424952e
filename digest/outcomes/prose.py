"""Decisions written as sentences: "We agreed to move the meetup to Thursdays."

Minutes pasted into a blog post, or written as paragraphs under each topic,
say what was decided in a sentence. Only a sentence that reports a decision
counts: the verb is in the past or perfect ("agreed", "has been approved",
"reached consensus"), the subject is the meeting (we, the group, the
committee, a named body) or the decided thing ("the RFC was accepted"), and
nothing in it keeps the question open ("discussed whether", "will decide",
"not yet agreed", a question mark).
"""

from __future__ import annotations

import re

from .languages import NAME_PARTICLE

# Who decides: the meeting, or a body that sits in it.
_GROUP = (r"(?:we|everyone|everybody|attendees|members|participants|they"
          r"|the\s+(?:\w+[\s-]+){0,3}?(?:group|committee|board|council|team|panel|sc|tsc|wg|cop"
          r"|meeting|members|community|steering\s+committee|working\s+group|maintainers"
          r"|chairs?|room|leads?|organisers|organizers|attendees|participants|roundtable"
          r"|assembly|forum|guild|chapter|network|club|circle|collective|trustees|directors"
          r"|governors|council|cabinet|caucus|squad|crew|core\s+team))")
# A short capitalised word may be a body ("The SC", "Board"), but not these: nobody, or
# people each with their own view, is not the meeting deciding.
_NOT_BODY = r"(?!(?:Nobody|Noone|None|People|Someone|Somebody|Some|Many|Most|Few)\b)"
_BODY = rf"(?:{_GROUP}|i|all|{_NOT_BODY}(?:[A-Z][A-Za-z]{{1,6}}|[A-Z]{{2,6}}))"
_ADVERB = r"(?:(?:unanimously|formally|finally|also|then|eventually|quickly|all)\s+)?"
_DECIDED = (r"(?:agreed|decided|resolved|concluded|voted|approved|accepted|adopted|chose|opted"
            r"|settled\s+on|signed\s+off\s+on|went\s+with)")
_PATTERNS = (
    re.compile(rf"^(?:[^,]{{1,40}},\s*)?{_BODY}\s+(?:(?:have|has|had)\s+)?{_ADVERB}{_DECIDED}\b"
               r"(?!\s+(?:on\s+)?whether)", re.IGNORECASE),
    # "After a long debate we agreed …", "In the end the group decided …": the group may
    # come later in the sentence, but it must be the group.
    re.compile(rf"\b{_GROUP}\s+(?:(?:have|has|had)\s+)?{_ADVERB}{_DECIDED}\b"
               r"(?!\s+(?:on\s+)?whether)", re.IGNORECASE),
    re.compile(r"\bit\s+(?:was|has\s+been)\s+(?:\w+\s+)?"
               r"(?:agreed|decided|resolved|concluded)\s+(?:that|to|not\s+to)\b", re.IGNORECASE),
    re.compile(r"\b(?:was|were|has\s+been|have\s+been|is\s+now)\s+(?:unanimously\s+|formally\s+)?"
               r"(?:approved|accepted|adopted|ratified|rejected|declined|endorsed|agreed"
               r"|turned\s+down|voted\s+down|carried)\b"
               r"(?!\s+(?:if|when|once|provided))", re.IGNORECASE),
    re.compile(r"\bconsensus\s+(?:is|was|has\s+been)\s+(?:reached\s+)?(?:to|that|on|for)\b"
               r"|\b(?:reached|by)\s+consensus\b|\bthe\s+consensus\s+(?:is|was)\b", re.IGNORECASE),
    re.compile(r"\b(?:the\s+)?decision\s+(?:is|was|has\s+been)\s+(?:made\s+)?(?:to|that)\b",
               re.IGNORECASE),
    # fr / de / es
    re.compile(r"\b(?:nous\s+avons|on\s+a|il\s+a\s+[ée]t[ée]|le\s+groupe\s+a)\s+"
               r"(?:d[ée]cid[ée]|convenu|adopt[ée]|valid[ée]|approuv[ée])\b", re.IGNORECASE),
    re.compile(r"\b(?:wir\s+haben|es\s+wurde|die\s+gruppe\s+hat)\s+(?:\w+\s+){0,6}?"
               r"(?:beschlossen|entschieden|vereinbart|festgelegt)\b"
               r"|\b(?:wurde|wurden)\s+(?:\w+\s+)?(?:beschlossen|angenommen|genehmigt)\b",
               re.IGNORECASE),
    # a body deciding in the present or perfect: "Der Vorstand beschließt einstimmig, …",
    # "Le conseil a approuvé …", "Se acuerda por unanimidad …"
    re.compile(r"\b(?:der|die|das)\s+[\w-]*(?:vorstand|ausschuss|versammlung|rat|gruppe|gremium"
               r"|team|kreis|beirat)\s+(?:\w+\s+)?beschlie(?:ß|ss)t\b"
               r"|\b(?:le|la|l')\s*(?:conseil|bureau|comit[ée]|groupe|collectif|assembl[ée]e)"
               r"\s+(?:a\s+)?(?:d[ée]cid[ée]|approuv[ée]|adopt[ée]|valid[ée]|vot[ée])\b"
               r"|\bse\s+(?:acuerda|decide|aprueba)\b", re.IGNORECASE),
    # it / pt: "il comitato ha approvato …", "Si è deciso di …", "A assembleia aprovou …",
    # "Foi decidido que …"
    re.compile(r"\b(?:il|la|l')\s*(?:comitato|consiglio|assemblea|direttivo|gruppo)\s+"
               r"(?:ha\s+)?(?:approvato|deciso|deliberato|adottato)\b"
               r"|\bsi\s+[èe]\s+(?:deciso|stabilito|concordato)\b|\b[èe]\s+stat[oa]\s+approvat[oa]\b"
               r"|\b(?:a|o)\s+(?:assembleia|comiss[ãa]o|diretoria|conselho|grupo|coletivo)\s+"
               r"(?:aprovou|decidiu|deliberou)\b"
               r"|\bfo(?:i|ram)\s+(?:decidid[oa]s?|aprovad[oa]s?|deliberad[oa]s?)\b",
               re.IGNORECASE),
    re.compile(r"\b(?:se\s+(?:acord[óo]|decidi[óo]|aprob[óo])|acordamos|decidimos|aprobamos"
               r"|(?:fue|fueron|ha\s+sido)\s+aprobad[oa]s?)\b", re.IGNORECASE),
)
_OPEN = re.compile(
    r"\?|\bwhether\b|\bif\s+we\s+should\b|\bnot\s+(?:yet\s+)?(?:agreed|decided|approved)\b"
    r"|\b(?:will|would|should|could|may|might|to)\s+(?:be\s+)?(?:decide|agree|vote|approve)"
    r"|\bto\s+be\s+(?:decided|agreed|confirmed)\b|\bno\s+(?:decision|consensus|agreement)\b"
    r"|\bdiscuss(?:ed|ing|ion)\s+(?:about\s+)?(?:whether|if|how|what|options)\b"
    r"|\bonce\b|\bunless\b|\bif\s+(?:it|they|the)\b|\bpending\b|\bneeds?\s+to\b"
    r"|\b(?:decided|agreed)\s+(?:yet|nothing)\b|\bnobody\s+(?:has\s+)?(?:decided|agreed)\b",
    re.IGNORECASE,
)
# An earlier decision recalled ("Back in 2024 the guild decided …", "Last year we agreed …")
# is not this meeting's: a time in the past said before the verb.
_EARLIER = re.compile(
    r"\bback\s+in\b|\b(?:years?|months?|weeks?)\s+ago\b|\blast\s+(?:year|month|time|spring"
    r"|summer|autumn|winter)\b(?!'s)|\bpreviously\b|\bin\s+the\s+past\b|\bat\s+the\s+time\b",
    re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])(?<!\b\d\.)(?<!\b\d\d\.)\s+(?=[\"“(]?[A-Z0-9À-Ý])")
MAX_SENTENCE = 300


# Every pattern above needs one of these: text without them is skipped at once (most of a
# long page is discussion; a substring test is far cheaper than eight searches a sentence).
_TRIGGERS = (
    "agreed", "decided", "resolved", "concluded", "voted", "approved", "accepted", "adopted",
    "chose", "opted", "ratified", "rejected", "declined", "endorsed", "consensus", "decision",
    "settled on", "signed off", "went with", "turned down", "voted down", "carried",
    "décid", "decid", "convenu", "adopt", "valid", "approuv", "beschlossen", "entschieden",
    "vereinbart", "festgelegt", "angenommen", "genehmigt", "acord", "aprob",
    "beschließt", "beschliesst", "acuerda", "vot", "approv", "aprov", "deciso", "deliber",
    "stabilito", "concordato",
)


def _triggered(text: str) -> bool:
    return any(map(text.lower().__contains__, _TRIGGERS))  # `in` for each, without a loop


def sentences(text: str, limit: int = 0) -> list[str]:
    """`text` cut at sentence ends (into at most `limit` pieces when given)."""
    return _SENTENCE_END.split(" ".join(text.split()), maxsplit=max(limit - 1, 0))


def decision_sentences(text: str) -> list[str]:
    """The sentences of `text` that report a decision, as written."""
    if not _triggered(text):
        return []
    found = []
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        sentence = sentence.strip()
        if len(sentence) < 12 or len(sentence) > MAX_SENTENCE or not _triggered(sentence):
            continue
        verb = next((m for p in _PATTERNS if (m := p.search(sentence))), None)
        if verb is None or _OPEN.search(sentence) or _a_person_undertakes(sentence):
            continue
        earlier = _EARLIER.search(sentence)
        if earlier and earlier.start() < verb.end():
            continue
        found.append(sentence)
    return found


# -- actions written as sentences ---------------------------------------------------------
#
# "Priya will draft the charter by Friday", "Sam agreed to book the room", "Rosa offered to
# write the announcement", "The ops team to follow up with legal": someone named, a promise
# ("will", "agreed to", "offered to", "is going to", "to"), and a verb that is a piece of
# work. Narrative in the future is not an action: the meeting itself or nobody in particular
# ("we will discuss", "everyone will think"), a state or a hedge ("will be away", "will
# probably"), or ongoing care ("will continue to monitor", "will keep an eye on").

_PERSON = rf"[A-ZÀ-Ý][\w'’-]+(?:\s+{NAME_PARTICLE}?[A-ZÀ-Ý][\w'’-]+){{0,2}}"
_TEAM = (r"[A-Za-z][\w-]*\s+(?:team|crew|desk|office|wg|working\s+group|sub-?committee)"
         r"|treasurer|secretary|chair(?:person)?|clerk|coordinator|organisers?|organizers?")
_PROMISE = (r"(?:(?P<future>will|shall|is\s+going\s+to|are\s+going\s+to)|is\s+to|are\s+to|to"
            r"|(?:has\s+|have\s+)?(?P<undertook>agreed|offered|volunteered|promised|undertook)\s+to)")
_ACTION_CLAUSE = re.compile(
    rf"^(?:[^:]{{1,40}}:\s+)?(?:(?i:the)\s+)?(?:(?P<people>{_PERSON}(?:\s*(?:,|&|\band\b)\s*"
    rf"{_PERSON})*)|(?P<team>(?i:{_TEAM})))\s+(?:also\s+)?{_PROMISE}\s+(?:also\s+)?"
    r"(?P<work>(?P<verb>[a-z]+)\b.*)$")
_CLAUSE_BREAK = re.compile(r"\s*(?:,\s*(?:and|then|while)\s+|;\s*(?:and\s+)?|\s+and\s+then\s+"
                           r"|\s+and\s+(?=(?:she|he|they)\s+(?:will|agreed|offered|volunteered"
                           r"|promised|is|are)\b))")
_CLAUSE_BREAK_NEEDS = (",", ";", "and")  # one of which every break above has
# "…, and she will order …", "Ana: I will update …", "I'll collect …": the promise of a
# pronoun. Whose it is comes from the sentence or the line's speaker (`_pronoun_owner`).
_PRONOUN_ACTION = re.compile(
    rf"^(?:[^:]{{1,40}}:\s+)?(?P<pronoun>I|[Ss]he|[Hh]e|[Tt]hey)(?:\s+(?:also\s+)?{_PROMISE}\s+"
    r"|(?P<contracted>'ll|’ll)\s+)(?:also\s+)?(?P<work>(?P<verb>[a-z]+)\b.*)$")
_SUBJECT = re.compile(
    rf"^(?:[^:]{{1,40}}:\s+)?(?P<people>{_PERSON}(?:\s*(?:,|&|\band\b)\s*{_PERSON})*)\s")
# Capitalised words that open a sentence or name a day, not a person.
_NOT_PEOPLE = frozenset(
    "the a an after before on in at by for from yesterday today tomorrow then also but and so "
    "last next this that these those our their his her its my your we she he they it there "
    "here when while once if as all both everyone monday tuesday wednesday thursday friday "
    "saturday sunday january february march april may june july august september october "
    "november december".split())
# Verbs that are a piece of work someone can be asked about next time.
_WORK = frozenset(
    "add approach arrange ask audit book bring buy call cancel chase check circulate clean collect "
    "compile confirm contact coordinate create deliver design draft draw email export file find "
    "fix follow gather get host invite install investigate invoice liaise lead look mend message "
    "order organise organize pay phone photograph pick plan post prepare present price print "
    "publish put reach record recruit register remind remove renew repair reply report research "
    "reserve return review ring run schedule send set share sign sort source speak submit "
    "summarise summarize talk test text tidy translate update upload visit write".split())
# Subjects that are the meeting, nobody in particular, or not people ("Tickets will go …").
_NOT_DOERS = frozenset(
    "we i you he she they it everyone everybody someone somebody nobody anyone people all this "
    "that there here members group committee board meeting team council attendees participants "
    "papers tickets minutes notes details slides".split())
_HEDGES = re.compile(r"\b(?:probably|maybe|perhaps|possibly|hopefully|try\s+to)\b", re.IGNORECASE)


# French, German and Spanish: a named person, then a promise the language's way. The
# verb phrase that is only the promise ("se charge de", "wird") comes off; a verb that is
# the work itself stays ("contactera la mairie", "übernimmt die Prüfung").
_FOREIGN_ACTION = re.compile(
    rf"^(?:[^:]{{1,40}}:\s+)?(?P<people>{_PERSON}(?:\s*(?:,|&|\bet\b|\bund\b|\by\b)\s*{_PERSON})*)"
    r"\s+(?:(?:se\s+charge|s'occupe|s’occupe|se\s+encarga|se\s+ocupa)\s+de\s+|va\s+a?\s*|doit\s+"
    r"|(?:zal|gaat|vai|si\s+occupa\s+di|fica\s+respons[áa]vel\s+por)\s+"
    r"|wird\s+|(?P<verb>(?:übernimmt|kümmert\s+sich\s+um|k[üu]mmert\s+sich\s+darum)\s+"
    r"|[a-zàâçéèêëîïôûùüÿñ]{3,}(?:era|ira|ra|rá|rà)\s+))"
    r"(?P<work>\S.*)$")
# Futures that are a state, not work ("sera absent", "aura lieu", "podrá venir").
_NOT_WORK = re.compile(r"^(?:sera|seront|aura|auront|pourra|ira|será|habrá|podrá|estará|tendrá"
                       r"|sarà|avrà|potrà|terrà|estará|poderá|terá|haverá)\s",
                       re.IGNORECASE)
# Dutch and German put the verb last: "zal er niet zijn in april", "wird nicht da sein" is
# a state (or a promise not made), not work.
_STATE_LAST = re.compile(r"\b(?:niet|nicht)\b|\b(?:zijn|wezen|hebben|worden|blijven)\b"
                         r"(?:\s+\w+){0,3}$|\b(?:sein|bleiben|werden)$", re.IGNORECASE)
_FOREIGN_NOT_DOERS = frozenset(
    "im am in der die das es wir ich er sie man le la les il elle on nous ils elles el los las "
    "se nosotros ella ellos todos tous alle".split())
_FOREIGN_HEDGES = re.compile(r"\b(?:wahrscheinlich|vielleicht|eventuell|peut-être|probablement"
                             r"|quizás|quizá|probablemente|tal\s+vez)\b", re.IGNORECASE)


def _foreign_clause(clause: str) -> tuple[str, str] | None:
    match = _FOREIGN_ACTION.match(clause)
    if match is None or match["people"].split()[0].lower() in _FOREIGN_NOT_DOERS:
        return None
    work = f"{match['verb'] or ''}{match['work']}".rstrip(".!").strip()
    if _NOT_WORK.match(work) or _FOREIGN_HEDGES.search(work) or len(work.split()) < 2 \
            or _STATE_LAST.search(work):
        return None
    return match["people"], work


_ENGLISH_PROMISES = (" will ", " to ", " shall ", "'ll ", "’ll ")
# Text that may hold a French, German or Spanish promise: one of these words, or a verb in
# the future. The future's ending is looked for first: the pattern is far dearer.
_FOREIGN_WORDS = ("se", "s'", "s’", "va", "doit", "wird", "übernimmt", "kümmert", "zal", "gaat",
                  "vai", "si", "fica")
_FOREIGN_WORD = re.compile(rf"\s(?:{'|'.join(_FOREIGN_WORDS)})\s")
_FUTURE_ENDINGS = ("era", "ira", "rá", "rà")
# What text must hold for `action_clauses` to find a promise in it (the extractor skips a
# paragraph holding none): the words of `_FOREIGN_WORD`, the future's endings, English's.
PROMISE_HINTS: tuple[str, ...] = (
    *(f" {w} " for w in _FOREIGN_WORDS),
    *(f"{e} " for e in _FUTURE_ENDINGS), *(f"{e}." for e in _FUTURE_ENDINGS),
    *_ENGLISH_PROMISES)
_FOREIGN_FUTURE = re.compile(r"\s\w+(?:era|ira|rá|rà)\s")


def action_clauses(text: str, speaker: str | None = None, *, futures: bool = True
                   ) -> list[tuple[str | None, str]]:
    """(owner, the work as written) for each promise of work a sentence of `text` makes.

    `futures` says whether a promise in the future is read: outside a meeting's notes (a
    newsletter, a blog post) "Priya will run a workshop on Friday" and "Thomas animera un
    atelier" announce, they assign nothing; "Sam agreed to book the room" is still read.

    The owner of "I will …" is `speaker` (the name the line opens with, "Ana: I will …");
    without one it is nobody: an owner is never guessed.
    """
    english = any(map(text.__contains__, _ENGLISH_PROMISES))
    foreign = futures and (_FOREIGN_WORD.search(text) is not None or (
        any(map(text.__contains__, _FUTURE_ENDINGS)) and _FOREIGN_FUTURE.search(text) is not None))
    if not english and not foreign:
        return []
    found: list[tuple[str | None, str]] = []
    for sentence in _with_due_labels(sentences(text)):
        if "?" in sentence or len(sentence) > MAX_SENTENCE:
            continue
        if foreign and (other := _foreign_clause(sentence.strip())):
            found.append(other)
            continue
        if not any(map(sentence.__contains__, _ENGLISH_PROMISES)):
            continue  # (spaces are single here) every English clause below needs one
        whole = sentence.strip()
        clauses = (_CLAUSE_BREAK.split(whole) if any(map(whole.__contains__, _CLAUSE_BREAK_NEEDS))
                   else (whole,))
        for clause in clauses:
            said = _PRONOUN_ACTION.match(clause)
            if said is not None:
                if not futures and (said["future"] or said["contracted"]):
                    continue
                if said["verb"] in _WORK and not _HEDGES.search(said["work"]):
                    found.append((_pronoun_owner(said["pronoun"], sentence, speaker),
                                  said["work"].rstrip(".!").strip()))
                continue
            match = _ACTION_CLAUSE.match(clause)
            if match is None or match["verb"] not in _WORK or _HEDGES.search(match["work"]):
                continue
            if not futures and match["future"]:
                continue
            owner = match["people"] or match["team"]
            if owner.split()[0].lower() in _NOT_DOERS | _WORK:  # "Call to order at 19:05"
                continue
            if match["team"] and match["undertook"] == "agreed":
                continue  # "The ops team agreed to …": a body deciding, read as a decision
            found.append((owner, match["work"].rstrip(".!").strip()))
    return found


# "Deadline: 28 November", "Scadenza: 28 novembre", "Échéance : lundi": a sentence that only
# says when the sentence before it is due.
_DUE_LABEL_SENTENCE = re.compile(
    r"^(?:due(?:\s+date)?|deadline|[ée]ch[ée]ance|date\s+limite|scadenza|termine"
    r"|fecha(?:\s+l[íi]mite)?|plazo|prazo|frist|f[äa]llig(?:\s+am)?|uiterlijk)\s*:\s*\S[^.?!]{0,40}\.?$",
    re.IGNORECASE)


def _with_due_labels(said: list[str]) -> list[str]:
    """`said`'s sentences, each due label joined to the sentence before it as its due."""
    joined: list[str] = []
    for sentence in said:
        if joined and _DUE_LABEL_SENTENCE.match(sentence.strip()):
            joined[-1] = f"{joined[-1].rstrip().rstrip('.')}, {sentence.strip()}"
        else:
            joined.append(sentence)
    return joined


# The infinitive's endings of the languages whose "Sara: scrivere …" puts the verb first
# (fr -er -ir -re, it -are -ere -ire, es and pt -ar -er -ir). German and Dutch put it last
# ("Sara: Plakate drucken"), and their replies open with words ending so ("leider erst
# nächste Woche", "immer noch offen"): notes in them are not read this way.
_INFINITIVE_ENDINGS = ("ar", "er", "ir", "re")
_VERB_FIRST_LANGUAGES = frozenset(("fr", "it", "es", "pt"))
# Words of those languages that end like an infinitive but open a reply, not a task
# ("premier retour positif", "notre stand sera prêt", "sempre lui"), with the verbs of
# being and having, which state rather than promise work.
_NOT_INFINITIVES = frozenset("""
    premier première dernier dernière notre votre autre entre contre encore quatre guère
    naguère avoir janvier février septembre octobre novembre décembre
    sempre mentre oltre nostre vostre altre essere avere settembre ottobre novembre dicembre
    primer cualquier mujer lugar estar haber tener
    qualquer mulher ficar
""".split())


def opens_with_work(text: str, *, language: str) -> bool:
    """Whether `text` opens with a verb of work, as a task is written ("write to …",
    "scrivere al …", "écrire à …"): in English notes one of the work verbs, in French,
    Italian, Spanish and Portuguese ones a word in lower case with an infinitive's ending;
    `language` is the note's."""
    first = text.split(maxsplit=1)[0].rstrip(",.;:") if text.strip() else ""
    if not first.isalpha() or not first.islower():
        return False
    if language == "en":
        return first in _WORK
    if language not in _VERB_FIRST_LANGUAGES or first in _NOT_INFINITIVES:
        return False
    return len(first) > 4 and first.endswith(_INFINITIVE_ENDINGS)


def _pronoun_owner(pronoun: str, sentence: str, speaker: str | None) -> str | None:
    """Who "I", "she", "he" or "they" is, or None when the sentence does not say for sure.

    "she"/"he" is the one person the sentence names ("Ana spoke to the printer, and she
    will …"); two names ("Rosa and Kai …, and she will …") leave it open. "they" is the
    people the sentence opens with when it names nobody else.
    """
    if pronoun == "I":
        return speaker
    named = [m.group(0) for m in re.finditer(_PERSON, sentence)
             if m.group(0).split()[0].lower() not in _NOT_PEOPLE]
    if pronoun.lower() in ("she", "he"):
        return named[0] if len(named) == 1 and len(named[0].split()) <= 3 else None
    subject = _SUBJECT.match(sentence)
    if subject is None or len(named) != len(re.findall(_PERSON, subject["people"])):
        return None
    return subject["people"]


def _a_person_undertakes(sentence: str) -> bool:
    """"Sam agreed to book the room": one person taking work on, not the meeting deciding."""
    match = _ACTION_CLAUSE.match(sentence)
    return bool(match and match["people"] and match["undertook"]
                and match["people"].split()[0].lower() not in _NOT_DOERS
                and re.fullmatch(_BODY, match["people"].split()[0]) is not None
                and not re.fullmatch(r"[A-Z]{2,6}|Board|Council|Committee|Group|Team",
                                     match["people"].split()[0]))
