"""The facilitator line of a session's description in the languages communities write
their invitations in: French, German, Spanish, Italian, Dutch and Portuguese labels, with
the spacing each language's typography uses. Real iCalendar text, parsed by the same
`sessions` the build uses."""

from __future__ import annotations

import pytest

from tests.test_calendar import one_event, only_session


@pytest.mark.parametrize("line", [
    # French (a space, a no-break space or a narrow no-break space before the colon)
    "Animateur : Léon Marchetti",
    "Animatrice\u00a0: Léon Marchetti",
    "Animée par\u202f: Léon Marchetti",
    "Facilitatrice : Léon Marchetti",
    # German
    "Moderation: Léon Marchetti",
    "Moderatorin: Léon Marchetti",
    "Leitung: Léon Marchetti",
    "Gastgeberin: Léon Marchetti",
    # Spanish
    "Facilitador: Léon Marchetti",
    "Moderadora: Léon Marchetti",
    "Conduce: Léon Marchetti",
    "Anfitriona: Léon Marchetti",
    # Italian
    "Facilitatore: Léon Marchetti",
    "Moderatrice: Léon Marchetti",
    "Conduttrice: Léon Marchetti",
    # Dutch
    "Gespreksleider: Léon Marchetti",
    "Begeleiding: Léon Marchetti",
    "Voorzitter: Léon Marchetti",
    # Portuguese
    "Moderador: Léon Marchetti",
    "Anfitrião: Léon Marchetti",
    "Mediação: Léon Marchetti",
])
def test_a_facilitator_label_in_another_language_names_the_facilitator(line: str) -> None:
    session = only_session(one_event(
        "ORGANIZER;CN=Shared Calendar:mailto:cal@example.org",
        f"DESCRIPTION:Ordre du jour à venir.\\n{line}\\nLien dans l'invitation."))
    assert session.facilitator == "Léon Marchetti"


@pytest.mark.parametrize("line", [
    "Moderationsregeln: bitte freundlich bleiben",  # a word that starts like a label
    "Leitungswasser: steht bereit",
    "Conducimos: la sesión en inglés",
])
def test_a_word_that_only_starts_like_a_label_is_no_facilitator(line: str) -> None:
    session = only_session(one_event(f"DESCRIPTION:{line}"))
    assert session.facilitator is None
