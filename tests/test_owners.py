"""Whose action is it: an owner as the notes wrote it, matched to a reader of recipients.csv."""

from __future__ import annotations

import pytest

from digest.models import Recipient
from digest.owners import identities, is_owner, owners_of
from digest.recipients import load_recipients


def reader(email: str, name: str, *aliases: str) -> Recipient:
    return Recipient(email=email, name=name, communities=None, aliases=aliases)


IDA = reader("ida.brennan@example.org", "Ida Brennan", "@ibrennan", "IB")


@pytest.mark.parametrize("owner", [
    "Ida Brennan", "ida brennan", "IDA  BRENNAN", "@ibrennan", "@IBrennan", "IB", "ib",
    "ida.brennan", "Ida Brennan (facilitator)", "Ida Brennan & Tomasz Wolny",
    "Tomasz Wolny and Ida Brennan", "Tomasz Wolny, Ida Brennan", "IB / TW",
])
def test_the_full_name_an_alias_a_handle_or_the_local_part_names_the_reader(owner):
    assert is_owner(IDA, owner)


@pytest.mark.parametrize("owner", [
    "Ida", "@ida", "Brennan", "Ida B.", "Ida Brennan-Smith", "Tomasz Wolny", "I.W.", None, "",
])
def test_anything_less_than_a_whole_identity_is_not_the_reader(owner):
    assert not is_owner(IDA, owner)


def test_accents_and_case_do_not_matter_either_way():
    zoe = reader("zoe.muller@example.org", "Zoë Müller")
    assert is_owner(zoe, "Zoe Muller")
    assert is_owner(zoe, "ZOË MÜLLER")
    plain = reader("jose@example.org", "Jose Ramirez")
    assert is_owner(plain, "José Ramírez")


def test_a_reader_sharing_only_a_first_name_never_gets_the_action():
    """Ana Souza (ana@...) reads the digest; the action belongs to Ana Lima, or to "Ana"."""
    souza = reader("ana@example.org", "Ana Souza")
    for owner in ("Ana Lima", "Ana", "@ana", "ana", "Ana L.", "Ana & Ben Okoro"):
        assert not is_owner(souza, owner), owner
    assert is_owner(souza, "Ana Souza")


def test_a_first_name_counts_only_when_the_reader_says_so_in_their_aliases():
    souza = reader("ana@example.org", "Ana Souza", "Ana")
    assert is_owner(souza, "Ana")


def test_a_surname_first_name_is_read_both_ways_round():
    ada = reader("aokafor@example.org", "Okafor, Ada")
    assert "ada okafor" in identities(ada)
    assert is_owner(ada, "Ada Okafor")
    assert is_owner(ada, "@aokafor")
    assert not is_owner(ada, "Ada")


def test_several_owners_are_each_an_owner():
    assert owners_of("Ana Lima & Ben Okoro; @cwei") == ["ana lima", "ben okoro", "cwei"]


def test_recipients_csv_reads_an_optional_aliases_column(tmp_path):
    path = tmp_path / "recipients.csv"
    path.write_text("email,name,communities,aliases\n"
                    "ida.brennan@example.org,Ida Brennan,data,@ibrennan; IB\n"
                    "tw@example.org,Tomasz Wolny,data\n"
                    "x@example.org,Xavier Yeo,data,@xy,extra\n", encoding="utf-8")
    result = load_recipients(path, {"data"})
    ida, tomasz = result.recipients
    assert ida.aliases == ("@ibrennan", "IB")
    assert tomasz.aliases == ()
    assert [p.line for p in result.skipped] == [4]


def test_the_old_three_column_header_still_reads(tmp_path):
    path = tmp_path / "recipients.csv"
    path.write_text("email,name,communities\nida@example.org,Ida Brennan,\n", encoding="utf-8")
    (ida,) = load_recipients(path, {"data"}).recipients
    assert ida.aliases == ()


def test_a_title_that_carries_the_meeting_date_is_recognised():
    from digest.render.view import title_has_date

    assert title_has_date("Data clinic notes, 8 October", 8, 10, 2026)
    assert title_has_date("2026-10-27 Organisers' check-in", 27, 10, 2026)
    assert title_has_date("Steering group: October 21st", 21, 10, 2026)
    assert not title_has_date("Steering group", 21, 10, 2026)
    assert not title_has_date("18 ways to read 2026 data", 21, 10, 2026)


def test_meeting_dates_come_from_the_notes_when_they_say(tmp_path):
    from dataclasses import replace
    from datetime import date

    from digest.models import MeetingOutcomes
    from digest.render.view import meeting_date
    from tests.email_sample import sample_issue, sample_org

    config = sample_org(tmp_path)
    meeting = sample_issue(config).sections[0].meetings[0]  # published 15 October
    assert meeting_date(meeting, config) == "15 Oct 2026"
    held = replace(meeting, outcomes=MeetingOutcomes(held_on=date(2026, 10, 13)))
    assert meeting_date(held, config) == "13 Oct 2026"
    titled = replace(held, title="Data community, 13 October")
    assert meeting_date(titled, config) is None


def test_a_handle_with_dots_in_the_aliases_matches_the_same_handle_in_the_notes():
    zoe = reader("zmuller@example.org", "Zoë Müller", "@zoë.m")
    for owner in ("@zoe.m", "@Zoë.M", "zoe.m"):
        assert is_owner(zoe, owner), owner
    assert not is_owner(zoe, "@zoe.mx")


def test_initials_read_the_same_with_or_without_dots():
    assert is_owner(IDA, "I.B.") and is_owner(IDA, "I. B.") and is_owner(IDA, "i.b")
    assert not is_owner(IDA, "I.B.W.") and not is_owner(IDA, "T.W.")


def test_a_reader_without_a_name_is_not_given_a_first_name_from_their_address():
    """ana@ with no name in recipients.csv: 'ana' may be anyone called Ana."""
    nameless = reader("ana@example.org", "")
    for owner in ("Ana", "@ana", "ana", "Ana & Ben"):
        assert not is_owner(nameless, owner), owner
    dotted = reader("ana.lima@example.org", "")
    assert is_owner(dotted, "Ana Lima") and is_owner(dotted, "@ana.lima")
    assert not is_owner(dotted, "Ana")


def test_an_owner_written_as_an_address_is_that_reader():
    assert is_owner(IDA, "ida.brennan@example.org")
    assert is_owner(IDA, "Tomasz Wolny, IDA.Brennan@Example.org")
    assert not is_owner(IDA, "ida.brennan@elsewhere.example")
