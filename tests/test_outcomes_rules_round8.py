"""The extractor's rules of round 8, one test per behaviour, near-misses beside them.

Actions stated under a topic heading in Italian (a future, a "Scadenza:" sentence, "Sara:
scrivere …, entro lunedì"); owners whose names hold particles ("Wim de Boer", "Ana van der
Berg", "Jean de la Croix"); "Paul Mercier doit …" naming the whole owner; "end of this
week" due at that week's Friday. Each note is written for the test, in our own words.
"""

from __future__ import annotations

from datetime import date

from digest.markdown import read_markdown
from digest.outcomes import extract_outcomes
from digest.outcomes.dates import resolve


def _md(text: str):  # type: ignore[no-untyped-def]
    return extract_outcomes(read_markdown(text).html)


def _actions(found) -> list[tuple[str, str | None, date | None]]:  # type: ignore[no-untyped-def]
    return [(a.text[:1].lower() + a.text[1:], a.owner, a.due) for a in found.actions]


_ITALIAN = """# Verbale dell'assemblea dei soci del 18 novembre 2026

Presenti: Rita Monti, Bruno Caselli, Ivo Sala.

## Punto 1 – Biblioteca di quartiere

Il gruppo ha discusso dell'orario della biblioteca e di chi apre il sabato, senza
decidere nulla per ora.

{items}
"""


def test_an_italian_future_under_a_topic_is_an_action_with_its_due_label() -> None:
    found = _md(_ITALIAN.format(items="- Bruno Caselli organizzerà il turno del sabato. "
                                      "Scadenza: 27 novembre"))
    assert _actions(found) == [("organizzerà il turno del sabato", "Bruno Caselli",
                                date(2026, 11, 27))]


def test_a_due_label_sentence_after_a_promise_is_its_due_in_english_too() -> None:
    found = _md("""# Tenants' forum, 18 November 2026

## Item 3 – Bins

- Ola Brandt will order two new bins. Deadline: 4 December
""")
    assert _actions(found) == [("order two new bins", "Ola Brandt", date(2026, 12, 4))]


def test_an_italian_future_that_is_a_state_is_no_action() -> None:
    found = _md(_ITALIAN.format(items="- Ivo Sala sarà assente a dicembre."))
    assert not found.actions


def test_a_present_person_colon_infinitive_and_due_under_a_topic_is_an_action() -> None:
    found = _md(_ITALIAN.format(items="- Rita: chiamare il tecnico della caldaia, entro lunedì"))
    assert _actions(found) == [("chiamare il tecnico della caldaia", "Rita", date(2026, 11, 23))]


def test_a_person_colon_line_without_a_due_or_a_verb_first_is_talk() -> None:
    found = _md(_ITALIAN.format(items="""- Rita: chiamare il tecnico della caldaia
- Bruno: la caldaia è vecchia, entro lunedì
- Rita: preparare il volantino costa troppo, entro lunedì si vedrà"""))
    assert not found.actions


def test_a_name_colon_is_an_owner_only_for_someone_listed_as_there() -> None:
    found = _md("""# Tenants' forum, 18 November 2026

Present: Ola Brandt, Kemal Ider

## Item 3 – Bins

- Kemal: write to the council about the bins, by Monday
- Rosa: write to the council about the lights, by Monday
""")
    assert _actions(found) == [("write to the council about the bins", "Kemal",
                                date(2026, 11, 23))]


def test_names_with_particles_are_whole_owners() -> None:
    found = _md("""# Harbour choir committee, 18 November 2026

## Actions

- Wim de Boer: book the rehearsal room by 30 November
- Ana van der Berg will print the scores
- Luis de la Fuente to collect the robes
- Ludwig von Trapp: tune the piano
- Send the concert poster — Inês dos Santos
""")
    assert [a[1] for a in _actions(found)] == [
        "Wim de Boer", "Ana van der Berg", "Luis de la Fuente", "Ludwig von Trapp",
        "Inês dos Santos"]
    assert _actions(found)[1][0] == "print the scores"


def test_a_name_with_particles_owns_a_sentence_under_a_topic() -> None:
    found = _md("""# Réunion du bureau du 18 novembre 2026

## Point 2 – Local

Jean de la Croix doit envoyer le devis avant le 30 novembre.
""")
    assert _actions(found) == [("envoyer le devis", "Jean de la Croix", date(2026, 11, 30))]


def test_a_particle_needs_a_capitalised_name_after_it() -> None:
    found = _md("""# Harbour choir committee, 18 November 2026

## Actions

- Ana van der Berg: order the chairs by Friday
- Tomas to bring the keys de facto
""")
    assert [(a[0], a[1]) for a in _actions(found)] == [
        ("order the chairs", "Ana van der Berg"), ("bring the keys de facto", "Tomas")]


def test_a_french_doit_in_an_action_list_names_the_whole_owner() -> None:
    found = _md("""# Réunion d'équipe du 18 novembre 2026

Présents : Paul Mercier, Inès Caron

## Actions

- Paul Mercier doit réparer la pompe avant le 25 novembre
- Inès Caron va relancer le fournisseur
""")
    assert _actions(found) == [("réparer la pompe", "Paul Mercier", date(2026, 11, 25)),
                               ("relancer le fournisseur", "Inès Caron", None)]


def test_end_of_this_week_is_that_weeks_friday() -> None:
    wednesday = date(2026, 11, 18)
    for words in ("end of this week", "by the end of this week", "the end of this week",
                  "fin de cette semaine", "Ende dieser Woche", "fine di questa settimana"):
        assert resolve(words, wednesday) == date(2026, 11, 20), words
    assert resolve("end of this month", wednesday) == date(2026, 11, 30)


def test_this_week_alone_stays_vague() -> None:
    assert resolve("this week", date(2026, 11, 18)) is None
    assert resolve("cette semaine", date(2026, 11, 18)) is None


def test_an_action_due_by_the_end_of_this_week() -> None:
    found = _md("""# Tenants' forum, 18 November 2026

## Actions

- Ola Brandt to email the landlord by the end of this week
- Kemal to sweep the stairs this week
""")
    assert _actions(found) == [("email the landlord", "Ola Brandt", date(2026, 11, 20)),
                               ("sweep the stairs this week", "Kemal", None)]
