"""GET /api/batches and GET /api/batches/{id} (hmis/api/endpoints/batches.py)."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_list_shows_the_organizations_batches_with_their_service_codes(api_as, staff_a, batch):
    response = api_as(staff_a).get("/api/batches")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == batch.pk
    assert item["description"] == "Drop-in visit"
    assert item["project"]["name"] == "Day Shelter"
    assert item["performing_user"] == "Jane Doe"
    assert [(c["name"], c["units"]) for c in item["service_codes"]] == [("Day Shelter visit", 1)]


def test_outsider_sees_no_batch_of_another_organization(api_as, staff_b, batch):
    response = api_as(staff_b).get("/api/batches")

    assert response.json() == {"count": 0, "items": []}


def test_outsider_gets_404_on_another_organizations_batch(api_as, staff_b, batch):
    response = api_as(staff_b).get(f"/api/batches/{batch.pk}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_scan_station_sees_only_its_assigned_batches(api_as, scan_station_a, batch, day_shelter):
    other = f.make_batch(day_shelter, description="Not assigned")
    api = api_as(scan_station_a)

    assert [b["id"] for b in api.get("/api/batches").json()["items"]] == [batch.pk]
    assert api.get(f"/api/batches/{batch.pk}").status_code == 200
    assert api.get(f"/api/batches/{other.pk}").status_code == 404


def test_list_filters_on_active(api_as, staff_a, batch, day_shelter):
    old = f.make_batch(day_shelter, description="Old", active=False)
    api = api_as(staff_a)

    assert [b["id"] for b in api.get("/api/batches", {"active": "true"}).json()["items"]] == [
        batch.pk
    ]
    assert [b["id"] for b in api.get("/api/batches", {"active": "false"}).json()["items"]] == [
        old.pk
    ]


def test_list_is_paginated_and_bounded(api_as, staff_a, day_shelter):
    for n in range(5):
        f.make_batch(day_shelter, description=f"Batch {n}")
    api = api_as(staff_a)

    page = api.get("/api/batches", {"limit": 2, "offset": 2}).json()

    assert page["count"] == 5
    assert [b["description"] for b in page["items"]] == ["Batch 2", "Batch 3"]
    assert api.get("/api/batches", {"limit": 1000}).status_code == 422


def test_list_query_count_does_not_grow_with_batches(
    api_as, staff_a, day_shelter, django_assert_num_queries
):
    api = api_as(staff_a)
    api.get("/api/batches")  # the token's last use is written once a minute at most
    for n in range(10):
        f.make_batch(
            day_shelter, description=f"B{n}", codes=[(f.make_code(), 1), (f.make_code(), 2)]
        )

    # The token, the count, the page of batches, their service codes.
    with django_assert_num_queries(4):
        response = api.get("/api/batches")

    assert response.json()["count"] == 10


def test_batch_detail_query_count_is_constant(
    api_as, staff_a, day_shelter, django_assert_num_queries
):
    batch = f.make_batch(day_shelter, codes=[(f.make_code(), 1) for _ in range(5)])
    api = api_as(staff_a)
    api.get(f"/api/batches/{batch.pk}")

    with django_assert_num_queries(3):
        response = api.get(f"/api/batches/{batch.pk}")

    assert len(response.json()["service_codes"]) == 5
