"""clients/matching.py: likely duplicates before a new client is created."""

from datetime import date

import pytest

from hmis.clients.access import clients_listed_to
from hmis.clients.matching import find_duplicates
from hmis.clients.models import Client
from tests import factories as f

pytestmark = pytest.mark.django_db


def _found(user, **typed) -> list[int]:
    return [m.client.pk for m in find_duplicates(clients=clients_listed_to(user), **typed)]


@pytest.fixture
def jose(org_a):
    return f.make_client("José", "Núñez", organization=org_a, dob=date(1980, 4, 7))


def test_names_in_either_order_and_without_accents_match(staff_a, jose):
    assert _found(staff_a, first_name="Nunez", last_name="Jose") == [jose.pk]


def test_a_small_misspelling_matches(staff_a, jose):
    assert _found(staff_a, first_name="Jose", last_name="Nunes") == [jose.pk]


def test_a_nickname_matches_the_full_first_name(staff_a, org_a):
    william = f.make_client("William", "Porter", organization=org_a)
    assert _found(staff_a, first_name="Bill", last_name="Porter") == [william.pk]


def test_a_different_person_does_not_match(staff_a, jose):
    assert _found(staff_a, first_name="Maria", last_name="Lopez") == []


def test_same_birth_date_lifts_a_weaker_name_match(staff_a, jose):
    assert _found(staff_a, first_name="Josef", last_name="Munoz") == []
    assert _found(staff_a, first_name="Josef", last_name="Munoz", dob=date(1980, 4, 7)) == [jose.pk]


def test_birth_day_and_month_swapped_count_as_the_same_birth_date(staff_a, jose):
    matches = find_duplicates(
        clients=clients_listed_to(staff_a),
        first_name="Josue",
        last_name="Nunoz",
        dob=date(1980, 7, 4),
    )
    assert [m.client.pk for m in matches] == [jose.pk]
    assert matches[0].swapped_dob and "birth day and month swapped" in matches[0].reasons


def test_same_ssn_last_four_and_birth_date_match_whatever_the_name(staff_a, jose):
    Client.objects.filter(pk=jose.pk).update(ssn_last4="6789")
    assert _found(
        staff_a, first_name="Pat", last_name="Doe", dob=date(1980, 4, 7), ssn_last4="6789"
    ) == [jose.pk]
    assert _found(staff_a, first_name="Pat", last_name="Doe", ssn_last4="6789") == []


def test_another_organizations_client_is_listed_without_its_full_record(staff_b, jose):
    matches = find_duplicates(
        clients=clients_listed_to(staff_b), first_name="Jose", last_name="Nunez"
    )
    assert [m.client.pk for m in matches] == [jose.pk]
    assert matches[0].full_record is False


def test_deleted_clients_and_the_client_itself_are_left_out(staff_a, jose, org_a):
    gone = f.make_client("Jose", "Nunez", organization=org_a)
    Client.objects.filter(pk=gone.pk).update(deleted_at="2025-01-01T00:00:00Z")
    assert _found(staff_a, first_name="Jose", last_name="Nunez", exclude_pk=jose.pk) == []


def test_nothing_typed_finds_nothing(staff_a, jose):
    assert _found(staff_a, first_name="", last_name="") == []


@pytest.mark.postgres
def test_postgresql_finds_candidates_through_the_trigram_index(staff_a, jose):
    assert _found(staff_a, first_name="Nunes", last_name="Jose") == [jose.pk]


def test_match_pair_compares_two_recorded_clients_by_the_intake_rules(db):
    from hmis.clients.matching import match_pair

    robert = f.make_client("Robert", "King", dob=date(1970, 1, 1), ssn_last4="4321")
    bob = f.make_client("Bob", "King", dob=None, ssn_last4="4321")
    zed = f.make_client("Zed", "Quinn", dob=date(1961, 9, 9), ssn_last4="4321")

    match = match_pair(robert, bob)
    assert match is not None and match.nickname and match.same_ssn_last4
    assert match_pair(robert, zed) is None
