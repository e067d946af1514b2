"""POST /api/services/{id}/void (hmis/api/endpoints/voiding.py)."""

from datetime import date

import pytest

from hmis.audit.models import AuditEvent
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(day_shelter, staff_a):
    client = f.make_client("Ana", "Lopez")
    enrollment = f.enroll(client, day_shelter)
    return Service.objects.create(
        client=client,
        enrollment=enrollment,
        service_code=f.make_code("Meal"),
        date_provided=date(2026, 3, 1),
        project=day_shelter,
        provider=staff_a,
    )


def void(api, service, reason="Scanned the wrong card"):
    return api.post(
        f"/api/services/{service.pk}/void", {"reason": reason}, content_type="application/json"
    )


def test_service_is_voided_with_the_reason(api_as, staff_a, service):
    response = void(api_as(staff_a), service)

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["service_code"], body["void_reason"]) == (
        service.pk,
        "Meal",
        "Scanned the wrong card",
    )
    assert body["deleted_at"] is not None
    service.refresh_from_db()
    assert service.is_void
    assert AuditEvent.objects.filter(action="void", object_id=str(service.pk)).exists()


def test_void_without_a_reason_is_422_reason_required(api_as, staff_a, service):
    response = void(api_as(staff_a), service, reason="  ")

    assert response.status_code == 422
    assert response.json()["code"] == "reason_required"
    service.refresh_from_db()
    assert not service.is_void


def test_voiding_twice_is_409_already_void(api_as, staff_a, service):
    api = api_as(staff_a)
    void(api, service)

    response = void(api, service)

    assert response.status_code == 409
    assert response.json()["code"] == "already_void"


def test_outsider_gets_404_on_another_organizations_service(api_as, staff_b, service):
    response = void(api_as(staff_b), service)

    assert response.status_code == 404
    service.refresh_from_db()
    assert not service.is_void


def test_read_only_user_may_not_void(api_as, readonly_a, service):
    assert void(api_as(readonly_a), service).status_code == 403


def test_scan_station_may_not_void(api_as, scan_station_a, service):
    assert void(api_as(scan_station_a), service).status_code == 403
