"""A batch's entries over the API (api/endpoints/entries.py): add, list, post, remove, units."""

from datetime import date, timedelta

import pytest
import time_machine

from hmis.batches.errors import ENROLLMENT_REQUIRED
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.clients.cards import make_code as make_card_code
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False):
        yield


@pytest.fixture
def enrolled(day_shelter):
    client = f.make_client("Ana", "Lopez")
    f.enroll(client, day_shelter)
    f.issue_card(client, code="CARD0042")
    return client


def add(api, batch, value="CARD0042", scan_type="card", **fields):
    return api.post(
        f"/api/batches/{batch.pk}/entries",
        {"scan_type": scan_type, "value": value, **fields},
        content_type="application/json",
    )


def test_scanned_card_of_an_enrolled_client_is_added_with_201(api_as, staff_a, batch, enrolled):
    response = add(api_as(staff_a), batch)

    assert response.status_code == 201
    body = response.json()
    assert (body["ok"], body["code"], body["replayed"]) == (True, "added", False)
    assert body["client"]["id"] == enrolled.pk
    entry = BatchEntry.objects.get(batch=batch)
    assert body["entry"]["id"] == entry.pk
    assert body["entry"]["status"] == "pending"
    assert body["entry"]["batch_date"] == body["entry"]["date_provided"] == "2026-03-10"
    assert body["entry"]["added_by"] == "J. Doe"


def test_client_id_is_accepted_as_scan_type(api_as, staff_a, batch, enrolled):
    response = add(api_as(staff_a), batch, value=str(enrolled.pk), scan_type="client_id")

    assert response.status_code == 201
    assert response.json()["client"]["id"] == enrolled.pk


def test_auto_posting_batch_answers_posted(api_as, staff_a, day_shelter, enrolled):
    batch = f.make_batch(day_shelter, auto_post=True)

    response = add(api_as(staff_a), batch)

    assert response.status_code == 201
    assert response.json()["code"] == "posted"
    assert response.json()["entry"]["status"] == "posted"
    assert Service.objects.filter(client=enrolled).count() == 1


def test_back_dated_service_keeps_both_dates(api_as, staff_a, batch, enrolled):
    response = add(api_as(staff_a), batch, batch_date="2026-03-09", date_provided="2026-03-08")

    assert response.status_code == 201
    entry = BatchEntry.objects.get(batch=batch)
    assert (entry.batch_date, entry.date_provided) == (date(2026, 3, 9), date(2026, 3, 8))


def test_unenrolled_client_is_refused_with_422_enrollment_required(api_as, staff_a, batch):
    f.issue_card(f.make_client("No", "Enrollment"), code="CARD0099")

    response = add(api_as(staff_a), batch, value="CARD0099")

    assert response.status_code == 422
    body = response.json()
    assert (body["ok"], body["code"]) == (False, "enrollment_required")
    assert body["message"] == ENROLLMENT_REQUIRED
    assert body["client"]["last_name"] == "Enrollment"
    assert body["entry"] is None
    assert not BatchEntry.objects.exists()


def test_unknown_card_is_refused_naming_what_was_scanned(api_as, staff_a, batch):
    code = make_card_code("NXPE234567")

    response = add(api_as(staff_a), batch, value=code)

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_card"
    assert code in response.json()["message"]
    assert response.json()["client"] is None


def test_misread_card_is_refused_as_invalid(api_as, staff_a, batch):
    response = add(api_as(staff_a), batch, value="NOPE1234")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_card"


def test_future_date_provided_is_refused(api_as, staff_a, batch, enrolled):
    response = add(api_as(staff_a), batch, date_provided=str(TODAY + timedelta(days=1)))

    assert response.status_code == 422
    assert response.json()["code"] == "future_date"


def test_second_scan_of_the_same_client_is_409_already_added(api_as, staff_a, batch, enrolled):
    api = api_as(staff_a)
    add(api, batch)

    response = add(api, batch)

    assert response.status_code == 409
    assert response.json()["code"] == "already_added"
    assert "by J. Doe" in response.json()["message"]
    assert BatchEntry.objects.filter(batch=batch).count() == 1


def test_retry_with_the_same_key_replays_the_first_answer(api_as, staff_a, batch, enrolled):
    api = api_as(staff_a)
    first = add(api, batch, key="scan-0001")

    again = add(api, batch, key="scan-0001")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["replayed"] is True
    assert again.json()["code"] == "added"
    assert again.json()["entry"]["id"] == first.json()["entry"]["id"]
    assert BatchEntry.objects.filter(batch=batch).count() == 1


def test_retry_of_a_refusal_replays_the_refusal(api_as, staff_a, batch):
    api = api_as(staff_a)
    add(api, batch, value="NOPE1234", key="scan-0002")

    again = add(api, batch, value="NOPE1234", key="scan-0002")

    assert again.status_code == 422
    assert (again.json()["code"], again.json()["replayed"]) == ("invalid_card", True)


def test_malformed_body_is_invalid_input(api_as, staff_a, batch):
    response = add(api_as(staff_a), batch, scan_type="name")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["errors"]


def test_scan_station_can_add_to_its_assigned_batch(api_as, scan_station_a, batch, enrolled):
    response = add(api_as(scan_station_a), batch)

    assert response.status_code == 201


def test_scan_station_cannot_add_to_a_batch_not_assigned_to_it(
    api_as, scan_station_a, day_shelter, enrolled
):
    other = f.make_batch(day_shelter)

    assert add(api_as(scan_station_a), other).status_code == 404


def test_outsider_cannot_add_to_another_organizations_batch(api_as, staff_b, batch, enrolled):
    response = add(api_as(staff_b), batch)

    assert response.status_code == 404
    assert not BatchEntry.objects.exists()


def test_add_query_count_is_bounded(
    api_as, staff_a, batch, enrolled, django_assert_max_num_queries
):
    api = api_as(staff_a)
    add(api, batch, value=str(enrolled.pk), scan_type="client_id")  # token use recorded

    with django_assert_max_num_queries(25):
        add(api, batch, key="k-1")


@pytest.fixture
def entries(api_as, staff_a, batch, day_shelter):
    """Three clients added today, one yesterday, one removed."""
    api = api_as(staff_a)
    for n in range(5):
        client = f.make_client("Guest", f"Number{n}")
        f.enroll(client, day_shelter)
        f.issue_card(client, code=f"GUEST{n:04d}")
    for n in range(3):
        add(api, batch, value=f"GUEST{n:04d}")
    add(api, batch, value="GUEST0003", date_provided="2026-03-09", batch_date="2026-03-09")
    removed = add(api, batch, value="GUEST0004").json()["entry"]["id"]
    api.delete(f"/api/batches/{batch.pk}/entries/{removed}")
    return api


def test_list_shows_live_entries_newest_first(entries, batch):
    body = entries.get(f"/api/batches/{batch.pk}/entries").json()

    assert body["count"] == 4
    assert [e["client"]["last_name"] for e in body["items"]][:1] == ["Number3"]


def test_list_filters_on_date_provided(entries, batch):
    body = entries.get(f"/api/batches/{batch.pk}/entries", {"date": "2026-03-10"}).json()

    assert sorted(e["client"]["last_name"] for e in body["items"]) == [
        "Number0",
        "Number1",
        "Number2",
    ]


def test_list_can_show_removed_entries(entries, batch):
    body = entries.get(f"/api/batches/{batch.pk}/entries", {"status": "removed"}).json()

    assert [e["client"]["last_name"] for e in body["items"]] == ["Number4"]


def test_list_query_count_is_constant(entries, batch, django_assert_num_queries):
    # The token, the batch, the count, the page with clients and who added them.
    with django_assert_num_queries(4):
        response = entries.get(f"/api/batches/{batch.pk}/entries", {"limit": 200})

    assert response.json()["count"] == 4


def test_read_only_user_can_list_entries(api_as, readonly_a, batch):
    assert api_as(readonly_a).get(f"/api/batches/{batch.pk}/entries").status_code == 200


def test_outsider_cannot_list_entries(api_as, staff_b, batch):
    assert api_as(staff_b).get(f"/api/batches/{batch.pk}/entries").status_code == 404


def test_post_turns_pending_entries_into_services(entries, batch):
    response = entries.post(f"/api/batches/{batch.pk}/post", content_type="application/json")

    assert response.status_code == 200
    body = response.json()
    assert len(body["posted"]) == 4
    assert body["left_pending"] == []
    assert body["services_created"] == 4
    assert Service.objects.filter(batch_entry__batch=batch).count() == 4


def test_post_of_one_batch_date_only(entries, batch):
    response = entries.post(
        f"/api/batches/{batch.pk}/post",
        {"batch_date": "2026-03-09"},
        content_type="application/json",
    )

    assert len(response.json()["posted"]) == 1


def test_post_leaves_an_entry_that_no_longer_qualifies_pending_with_the_reason(
    api_as, staff_a, batch, enrolled
):
    api = api_as(staff_a)
    entry_id = add(api, batch).json()["entry"]["id"]
    enrolled.enrollments.update(exit_date=date(2026, 3, 1))

    body = api.post(f"/api/batches/{batch.pk}/post", content_type="application/json").json()

    assert body["posted"] == []
    assert body["left_pending"] == [
        {"id": entry_id, "client_id": enrolled.pk, "pending_reason": ENROLLMENT_REQUIRED}
    ]


def test_scan_station_may_not_post(api_as, scan_station_a, batch):
    assert (
        api_as(scan_station_a)
        .post(f"/api/batches/{batch.pk}/post", content_type="application/json")
        .status_code
        == 403
    )


def test_outsider_cannot_post(api_as, staff_b, batch):
    assert (
        api_as(staff_b)
        .post(f"/api/batches/{batch.pk}/post", content_type="application/json")
        .status_code
        == 404
    )


def test_pending_entry_can_be_removed(api_as, staff_a, batch, enrolled):
    api = api_as(staff_a)
    entry_id = add(api, batch).json()["entry"]["id"]

    response = api.delete(f"/api/batches/{batch.pk}/entries/{entry_id}")

    assert response.status_code == 200
    assert response.json()["status"] == "removed"
    assert BatchEntry.objects.get(pk=entry_id).status == EntryStatus.REMOVED


def test_posted_entry_cannot_be_removed(api_as, staff_a, day_shelter, enrolled):
    batch = f.make_batch(day_shelter, auto_post=True)
    api = api_as(staff_a)
    entry_id = add(api, batch).json()["entry"]["id"]

    response = api.delete(f"/api/batches/{batch.pk}/entries/{entry_id}")

    assert response.status_code == 409
    assert response.json()["code"] == "not_pending"


def test_entry_of_another_batch_is_404(api_as, staff_a, batch, day_shelter, enrolled):
    api = api_as(staff_a)
    entry_id = add(api, batch).json()["entry"]["id"]
    other = f.make_batch(day_shelter)

    assert api.delete(f"/api/batches/{other.pk}/entries/{entry_id}").status_code == 404


def test_outsider_cannot_remove_or_change_units(api_as, staff_a, staff_b, batch, enrolled):
    entry_id = add(api_as(staff_a), batch).json()["entry"]["id"]
    outsider = api_as(staff_b)

    assert outsider.delete(f"/api/batches/{batch.pk}/entries/{entry_id}").status_code == 404
    assert (
        outsider.put(
            f"/api/batches/{batch.pk}/entries/{entry_id}/units",
            {"units": []},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert BatchEntry.objects.get(pk=entry_id).status == EntryStatus.PENDING


def put_units(api, batch, entry_id, units):
    return api.put(
        f"/api/batches/{batch.pk}/entries/{entry_id}/units",
        {"units": [{"service_code_id": c, "units": u} for c, u in units]},
        content_type="application/json",
    )


def test_units_of_a_pending_entry_can_be_changed_and_are_posted(
    api_as, staff_a, day_shelter, enrolled
):
    meal, visit = f.make_code("Meal"), f.make_code("Visit")
    batch = f.make_batch(day_shelter, codes=[(meal, 1), (visit, 1)])
    api = api_as(staff_a)
    entry_id = add(api, batch).json()["entry"]["id"]

    response = put_units(api, batch, entry_id, [(meal.pk, 2)])

    assert response.status_code == 200
    assert response.json() == {
        "entry_id": entry_id,
        "units": [
            {"service_code_id": meal.pk, "units": 2},
            {"service_code_id": visit.pk, "units": 1},
        ],
    }
    api.post(f"/api/batches/{batch.pk}/post", content_type="application/json")
    assert Service.objects.get(client=enrolled, service_code=meal).units == 2


def test_units_for_a_code_outside_the_batch_are_refused(api_as, staff_a, batch, enrolled):
    api = api_as(staff_a)
    entry_id = add(api, batch).json()["entry"]["id"]

    response = put_units(api, batch, entry_id, [(f.make_code().pk, 2)])

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_units"


def test_zero_units_are_invalid_input(api_as, staff_a, batch, enrolled):
    api = api_as(staff_a)
    entry_id = add(api, batch).json()["entry"]["id"]
    code_id = batch.service_codes.get().service_code_id

    response = put_units(api, batch, entry_id, [(code_id, 0)])

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
