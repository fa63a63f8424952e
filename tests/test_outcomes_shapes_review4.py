"""The shapes of the fourth review set (tests/fixtures/minutes-review4/), one test each.

Owners that are pronouns ("…, and she will order …", "Ana: I will …"), a resolution
said twice, dues in words in four languages, and near-misses that must yield nothing
(topic lines after "AI", futures in a newsletter, narrative and hedges). Each note
is written for the test, in the project's own words; the set itself is scored by
bench/outcomes_bench.py (`--set review4`).
"""

from __future__ import annotations

from datetime import date

from digest.markdown import read_markdown
from digest.outcomes import extract_outcomes


def _actions(found) -> list[tuple[str, str | None, date | None]]:  # type: ignore[no-untyped-def]
    return [(a.text, a.owner, a.due) for a in found.actions]


def _md(text: str, day: date | None = None):  # type: ignore[no-untyped-def]
    return extract_outcomes(read_markdown(text).html, meeting_date=day)


def test_a_pronoun_owner_is_the_one_person_its_sentence_names_and_i_is_the_speaker() -> None:
    found = _md("""# Choir committee 2026-03-04

Dara phoned the venue, and she will send the deposit by Friday.

Omar and Lise counted the folders; they will print the missing scores.

Kit told Mo about the broken stand, and he will fix the stand.

Jun: I will email the new members.

I will write up the minutes.
""")
    assert _actions(found) == [
        ("Send the deposit", "Dara", date(2026, 3, 6)),
        ("Print the missing scores", "Omar, Lise", None),
        ("Fix the stand", None, None),  # two people named: "he" could be either
        ("Email the new members", "Jun", None),
        ("Write up the minutes", None, None),  # no speaker label: nobody is invented
    ]


def test_a_resolution_repeated_as_approved_by_vote_is_one_decision() -> None:
    found = _md("""# Foundation board 2026-09-01

## Resolutions

BE IT RESOLVED, that the travel fund is renewed for 2027.

Resolution 4, the travel fund is renewed for 2027, was approved by unanimous vote.
""")
    assert [d.text for d in found.decisions] == ["The travel fund is renewed for 2027."]


def test_dues_in_words_resolve_and_the_next_session_stays_in_the_text() -> None:
    found = _md("""# Sync 2026-11-19

## Actions
- Eli to mend the banner by end of next week
- Flo to book the van before the December session
""")
    assert _actions(found) == [
        ("Mend the banner", "Eli", date(2026, 11, 27)),
        ("Book the van before the December session", "Flo", None),
    ]
    for text in (
        "# Sitzung 2026-11-05\n\n## Aufgaben\n- Herr Ott: Schlüssel abgeben bis Ende November\n",
        "# Réunion 2026-11-05\n\n## Actions\n- Inès : rendre les clés, fin novembre\n",
        "# Reunión 2026-11-05\n\n## Tareas\n- Sara: devolver las llaves a finales de noviembre\n",
    ):
        assert [a.due for a in _md(text).actions] == [date(2026, 11, 30)], text


def test_topic_lines_after_ai_and_newsletter_futures_and_narrative_are_not_actions() -> None:
    found = _md("""# Ethics circle 2026-04-14

## Topics
- AI Safety - review of the literature on audits
- AI Governance - overview of the new rules
""")
    assert not found.actions
    for text in (
        "# La lettre du club\n\nNadia exposera ses photos à la mairie en mai.\n",
        "# Boletín del club\n\nIván presentará su libro en la biblioteca el jueves.\n",
        "# Neues vom Verein\n\nFrau Weber wird im März ihren Vortrag halten.\n",
        "# Club news\n\nPriya will be presenting at the conference. "
        "The team will need to revisit the plan.\n",
    ):
        assert not _md(text).actions, text
    # the same future in a meeting's notes is a task
    found = _md("# Réunion du club, 14 avril 2026\n\nPrésents : Nadia, Luc\n\n"
                "Nadia contactera la mairie pour la salle.\n")
    assert _actions(found) == [("Contactera la mairie pour la salle", "Nadia", None)]
