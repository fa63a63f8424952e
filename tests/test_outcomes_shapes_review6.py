"""The shapes of the sixth review set (tests/fixtures/minutes-review6/), one test each.

Dues written as weeks ("w/c 16 Nov", "KW 48", "wk 48", "Week 49", "semaine 48", "end of
next week"; "this week" stays vague), and notes in Dutch, Italian and Portuguese
(headings, markers, owners, futures, dues in words, decisions in prose). Each note is
written for the test, in the project's own words; the set itself is scored by
bench/outcomes_bench.py (`--set review6`).
"""

from __future__ import annotations

from datetime import date

from digest.markdown import read_markdown
from digest.outcomes import extract_outcomes
from digest.outcomes.dates import resolve


def _actions(found) -> list[tuple[str, str | None, date | None, bool]]:  # type: ignore[no-untyped-def]
    return [(_core(a.text), a.owner, a.due, a.done) for a in found.actions]


def _core(text: str) -> str:
    """The item's words as written: the extractor capitalises an item's first letter."""
    return text[:1].lower() + text[1:]


def _md(text: str, day: date | None = None):  # type: ignore[no-untyped-def]
    return extract_outcomes(read_markdown(text).html, meeting_date=day)


def test_a_numbered_week_is_due_on_its_friday() -> None:
    found = _md("""# Lantern board, 4 March 2026

## Action items

- Nadia Roux to renew the domain by wk 12
- Olek to sort the spare parts (due Week 13)
- Pia Marr — send the survey, KW14
""")
    assert [(a[1], a[2]) for a in _actions(found)] == [
        ("Nadia Roux", date(2026, 3, 20)), ("Olek", date(2026, 3, 27)),
        ("Pia Marr", date(2026, 4, 3))]


def test_week_commencing_is_due_at_the_end_of_that_week() -> None:
    found = _md("""# Kiln crew, 2 March 2026

## Actions

- Tamsin Obi to clean the shelves, w/c 9 Mar
""")
    assert _actions(found) == [("clean the shelves", "Tamsin Obi", date(2026, 3, 13), False)]


def test_a_week_long_past_at_the_meeting_is_next_years() -> None:
    assert resolve("KW 2", date(2026, 12, 14)) == date(2027, 1, 15)
    assert resolve("Week 50", date(2026, 12, 14)) == date(2026, 12, 11)  # just past: this year


def test_end_of_next_week_in_french_and_english() -> None:
    meeting = date(2026, 3, 4)  # a Wednesday
    assert resolve("end of next week", meeting) == date(2026, 3, 13)
    assert resolve("fin de la semaine prochaine", meeting, ("fr", "en")) == date(2026, 3, 13)


def test_this_week_stays_vague_in_every_language() -> None:
    for words in ("this week", "deze week", "questa settimana", "esta semana", "cette semaine"):
        assert resolve(words, date(2026, 3, 4)) is None, words


def test_a_week_number_that_is_no_due_gives_none() -> None:
    found = _md("""# Metrics sync, 4 March 2026

## Action items

- Ruth Sato to publish the Week 12 report template
- Ivo to compare week 8 and week 9 signups by channel
""")
    assert [a[2] for a in _actions(found)] == [None, None]


def test_dutch_headings_owners_and_dues() -> None:
    found = _md("""# Bestuur Tuinpark Oost, 4 maart 2026

## Besluiten

- De voorjaarsmarkt is op 11 april.

## Actiepunten

- Wim Boer: kramen huren, voor vrijdag
- Anouk zal de gemeente mailen (uiterlijk 20 maart)
- Daan gaat de kas controleren – volgende week
""")
    assert [d.text for d in found.decisions] == ["De voorjaarsmarkt is op 11 april."]
    assert _actions(found) == [
        ("kramen huren", "Wim Boer", date(2026, 3, 6), False),
        ("de gemeente mailen", "Anouk", date(2026, 3, 20), False),
        ("de kas controleren", "Daan", date(2026, 3, 11), False)]


def test_a_dutch_action_table_and_decision_markers() -> None:
    found = _md("""# Overleg Repaircafé Zuid, 5 maart 2026

## Besluitenlijst

- Besluit: we openen ook op zondag.

## Actielijst

| Actiepunt | Verantwoordelijke | Deadline |
|---|---|---|
| Gereedschap inventariseren | Sem Visser | week 11 |
""")
    assert [_core(d.text) for d in found.decisions] == ["we openen ook op zondag."]
    assert _actions(found) == [
        ("gereedschap inventariseren", "Sem Visser", date(2026, 3, 13), False)]


def test_italian_sections_futures_and_entro() -> None:
    found = _md("""# Direttivo Circolo Arci Nord, 3 marzo 2026

## Decisioni

- La cena sociale si terrà il 28 marzo.

## Azioni

- Paola Serra: prenotare la sala entro venerdì
- Franco preparerà i biglietti entro il 20 marzo
- Ilaria si occupa di scrivere ai soci (settimana prossima)
""")
    assert len(found.decisions) == 1
    assert _actions(found) == [
        ("prenotare la sala", "Paola Serra", date(2026, 3, 6), False),
        ("preparerà i biglietti", "Franco", date(2026, 3, 20), False),
        ("scrivere ai soci", "Ilaria", date(2026, 3, 10), False)]


def test_italian_and_portuguese_decisions_in_prose() -> None:
    found = _md("""# Verbale, 3 marzo 2026

Il comitato ha approvato all'unanimità il nuovo regolamento. Si è deciso di aprire il sabato.
A assembleia aprovou as contas do ano. Foi decidido que a feira será em maio.
""")
    assert len(found.decisions) == 4
    assert "regolamento" in found.decisions[0].text and "maio" in found.decisions[3].text


def test_italian_and_portuguese_open_questions_are_no_decisions() -> None:
    found = _md("""# Verbale, 3 marzo 2026

Il comitato deciderà la data alla prossima riunione.
Discutimos se vale a pena mudar o horário, mas ninguém decidiu nada.
""")
    assert not found.decisions


def test_portuguese_deliberations_with_responsible_and_deadline_fields() -> None:
    found = _md("""# Associação Rua Nova, 7 de março de 2026

## Deliberações e encaminhamentos

- Decisão: a biblioteca abre às quartas.
- Consertar o portão – responsável: Rita Lopes, prazo: 20/03
""")
    assert [_core(d.text) for d in found.decisions] == ["a biblioteca abre às quartas."]
    assert _actions(found) == [("consertar o portão", "Rita Lopes", date(2026, 3, 20), False)]


def test_portuguese_promises_and_dues_in_words() -> None:
    found = _md("""# Coletivo Código Aberto, 5 de março de 2026

## Ações

- Caio vai revisar o manual até sexta-feira
- Lara Mendes enviará o orçamento até 12 de março
- Davi: testar a versão nova, semana que vem
""")
    assert _actions(found) == [
        ("revisar o manual", "Caio", date(2026, 3, 6), False),
        ("enviará o orçamento", "Lara Mendes", date(2026, 3, 12), False),
        ("testar a versão nova", "Davi", date(2026, 3, 12), False)]


def test_an_italian_agenda_of_decisions_to_come_gives_nothing() -> None:
    found = _md("""# Convocazione dell'assemblea, 3 marzo 2026

## Ordine del giorno

1. Approvazione del verbale precedente
2. Proposta di calendario 2027 (da votare)
3. Decisioni sul rinnovo delle tessere
""")
    assert not found.decisions and not found.actions


def test_a_dutch_state_in_the_future_is_no_action() -> None:
    found = _md("""# Verslag ledenavond, 4 maart 2026

Marieke zal er niet zijn in april. Giulia sarà assente a marzo.
""")
    assert not found.actions
