"""GET /api/clients?q= and GET /api/clients/{id} (hmis/api/endpoints/clients.py)."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def jose(day_shelter):
    client = f.make_client("José", "Núñez")
    f.enroll(client, day_shelter)
    f.issue_card(client, code="CARD0001")
    return client


def test_search_finds_a_visible_client_by_name_in_either_order(api_as, staff_a, jose):
    response = api_as(staff_a).get("/api/clients", {"q": "nunez jose"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == jose.pk
    assert body["items"][0]["first_name"] == "José"
    assert body["items"][0]["active_card"] == "CARD0001"


def test_search_by_client_id(api_as, staff_a, jose):
    response = api_as(staff_a).get("/api/clients", {"q": str(jose.pk)})

    assert [c["id"] for c in response.json()["items"]] == [jose.pk]


def test_search_does_not_show_another_organizations_clients(api_as, staff_b, jose):
    response = api_as(staff_b).get("/api/clients", {"q": "jose"})

    assert response.status_code == 200
    assert response.json() == {"count": 0, "items": []}


def test_scan_station_may_not_search_clients(api_as, scan_station_a, jose):
    response = api_as(scan_station_a).get("/api/clients", {"q": "jose"})

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_search_without_a_query_is_invalid_input(api_as, staff_a):
    response = api_as(staff_a).get("/api/clients")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_search_results_are_bounded(api_as, staff_a, day_shelter):
    for n in range(6):
        f.enroll(f.make_client("Sam", f"Smith{n}"), day_shelter)

    response = api_as(staff_a).get("/api/clients", {"q": "sam", "limit": 4})

    assert response.json()["count"] == 4
    assert api_as(staff_a).get("/api/clients", {"q": "sam", "limit": 500}).status_code == 422


def test_search_query_count_does_not_grow_with_results(
    api_as, staff_a, day_shelter, django_assert_max_num_queries
):
    for n in range(15):
        client = f.make_client("Sam", f"Smith{n}")
        f.enroll(client, day_shelter)
        f.issue_card(client)
    api = api_as(staff_a)

    # Five more than before, however many results: the look-up counters (one upsert), and the
    # 15 reads' audit rows (one insert after reading the chain's head, in a savepoint).
    with django_assert_max_num_queries(11):
        response = api.get("/api/clients", {"q": "sam", "limit": 50})

    assert response.json()["count"] == 15


def test_client_detail_shows_the_record_and_own_enrollments(api_as, staff_a, jose, org_b):
    f.enroll(jose, f.make_project(org_b, "Other agency shelter"))

    response = api_as(staff_a).get(f"/api/clients/{jose.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == jose.pk
    assert body["last_name"] == "Núñez"
    assert body["dob"] == "1980-05-17"
    assert body["active_card"] == "CARD0001"
    assert [e["project_name"] for e in body["enrollments"]] == ["Day Shelter"]


def test_client_detail_of_another_organizations_client_is_404(api_as, staff_b, jose):
    response = api_as(staff_b).get(f"/api/clients/{jose.pk}")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such client."}


def test_client_detail_of_unknown_client_is_404(api_as, staff_a):
    assert api_as(staff_a).get("/api/clients/999999").status_code == 404


def test_scan_station_may_not_open_a_client(api_as, scan_station_a, jose):
    assert api_as(scan_station_a).get(f"/api/clients/{jose.pk}").status_code == 403
