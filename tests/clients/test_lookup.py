from datetime import timedelta

import pytest
from django.utils import timezone

from hmis.clients import errors
from hmis.clients.cards import make_code
from hmis.clients.errors import LookupFailed
from hmis.clients.lookup import find_client_by_card, find_client_by_id, search_clients
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_active_card_resolves_to_its_client():
    client = f.make_client("Maria", "Lopez")
    f.issue_card(client, code="K7MPX4QA")
    found = find_client_by_card("K7MPX4QA")
    assert found == client
    assert found.active_card.code == "K7MPX4QA"


def test_unknown_card_is_refused_naming_the_code():
    code = make_code("ZZZZ9999ZZ")  # a well-formed code that is on no card
    with pytest.raises(LookupFailed) as failure:
        find_client_by_card(code)
    assert failure.value.code == errors.UNKNOWN_CARD
    assert failure.value.message == f"No client has this card: {code}"


def test_misread_code_is_refused_as_not_valid():
    with pytest.raises(LookupFailed) as failure:
        find_client_by_card("ZZZZ9999")
    assert failure.value.code == errors.INVALID_CARD


def test_revoked_card_is_refused_and_never_resolves_the_client():
    client = f.make_client()
    f.issue_card(client, code="OLDCARD1", revoked_at=timezone.now() - timedelta(days=2))
    with pytest.raises(LookupFailed) as failure:
        find_client_by_card("OLDCARD1")
    assert failure.value.code == errors.REVOKED_CARD


def test_empty_scan_is_refused():
    with pytest.raises(LookupFailed) as failure:
        find_client_by_card("   ")
    assert failure.value.code == errors.EMPTY_INPUT


def test_client_id_resolves_exactly():
    client = f.make_client()
    assert find_client_by_id(str(client.pk)) == client
    with pytest.raises(LookupFailed) as failure:
        find_client_by_id(str(client.pk + 1000))
    assert failure.value.code == errors.UNKNOWN_CLIENT
    assert str(client.pk + 1000) in failure.value.message


def test_non_numeric_client_id_is_unknown():
    with pytest.raises(LookupFailed) as failure:
        find_client_by_id("abc")
    assert failure.value.message == "No client has Client ID abc."


def test_name_search_ignores_case_and_accents_in_either_order():
    jose = f.make_client("José", "Núñez")
    f.make_client("Joseph", "Dunn")
    assert search_clients("jose nunez")[0] == jose
    assert search_clients("NUNEZ JOSE")[0] == jose
    assert search_clients("núñez")[0] == jose
    assert [c.pk for c in search_clients("nun")] == [jose.pk]


def test_name_search_ranks_whole_names_first():
    ann = f.make_client("Ann", "Lee")
    f.make_client("Annabelle", "Leeds")
    results = search_clients("ann lee")
    assert results[0] == ann
    assert len(results) == 2


def test_name_search_matches_hyphens_and_apostrophes():
    client = f.make_client("Siobhan", "O'Brien-Smith")
    assert search_clients("obrien")[0] == client
    assert search_clients("smith siobhan")[0] == client


def test_search_by_number_finds_the_client_id():
    client = f.make_client()
    assert search_clients(str(client.pk)) == [client]


def test_search_attaches_active_card_and_respects_the_limit():
    for n in range(5):
        f.issue_card(f.make_client("Sam", f"Smith{n}"))
    results = search_clients("sam", limit=3)
    assert len(results) == 3
    assert all(r.active_card is not None for r in results)


def test_search_within_a_narrower_queryset():
    inside = f.make_client("Kim", "Park")
    f.make_client("Kim", "Parker")
    from hmis.clients.models import Client

    assert search_clients("kim", clients=Client.objects.filter(pk=inside.pk)) == [inside]


def test_search_costs_two_queries_whatever_the_number_of_matches(django_assert_num_queries):
    for n in range(30):
        f.issue_card(f.make_client("Lee", f"Wong{n}"))
    with django_assert_num_queries(2):
        results = search_clients("lee")
        assert len(results) == 20


@pytest.mark.postgres
def test_name_search_has_a_trigram_index_on_postgresql():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'clients_client_search_name_trgm'"
        )
        (definition,) = cursor.fetchone()
    assert "gin_trgm_ops" in definition
