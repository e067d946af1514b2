"""POST /api/clients/{id}/enrollments, /api/enrollments/{id}/exit, /api/clients/{id}/services:
the web pages' rules, with their stable error codes."""

from datetime import date

import pytest

from hmis.clients.models import Enrollment
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db

ENTRY = {"disabling_condition": 0, "living_situation": 116}


def _json(http, url, body):
    return http.post(url, body, content_type="application/json")


def test_enroll_creates_an_enrollment_with_hud_elements(api_as, staff_a, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    response = _json(
        api_as(staff_a),
        f"/api/clients/{client.pk}/enrollments",
        {"project_id": day_shelter.pk, "entry_date": "2025-03-01", **ENTRY},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["hud_data"] == {"DisablingCondition": 0, "LivingSituation": 116}
    assert body["relationship_to_hoh"] == 1 and body["exit_date"] is None


def test_second_open_enrollment_is_409_already_enrolled(api_as, staff_a, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    f.enroll(client, day_shelter, date(2025, 1, 1))
    response = _json(
        api_as(staff_a),
        f"/api/clients/{client.pk}/enrollments",
        {"project_id": day_shelter.pk, "entry_date": "2025-03-01", **ENTRY},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "already_enrolled"


def test_invalid_hud_answer_is_422(api_as, staff_a, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    response = _json(
        api_as(staff_a),
        f"/api/clients/{client.pk}/enrollments",
        {
            "project_id": day_shelter.pk,
            "entry_date": "2025-03-01",
            "disabling_condition": 5,
            "living_situation": 116,
        },
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_answer")


def test_another_organizations_program_is_404(api_as, staff_a, org_a, org_b):
    client = f.make_client(organization=org_a)
    theirs = f.make_project(org_b)
    response = _json(
        api_as(staff_a),
        f"/api/clients/{client.pk}/enrollments",
        {"project_id": theirs.pk, "entry_date": "2025-03-01", **ENTRY},
    )
    assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_exit_and_its_refusals(api_as, staff_a, org_a, day_shelter):
    enrollment = f.enroll(f.make_client(organization=org_a), day_shelter, date(2025, 3, 1))
    http = api_as(staff_a)
    url = f"/api/enrollments/{enrollment.pk}/exit"
    early = _json(http, url, {"exit_date": "2025-02-01", "destination": 410})
    assert (early.status_code, early.json()["code"]) == (422, "exit_before_entry")
    assert early.json()["message"] == (
        "ERROR: Exit Date (02/01/2025) cannot be before the Entry Date (03/01/2025)."
    )
    done = _json(http, url, {"exit_date": "2025-04-01", "destination": 410})
    assert done.status_code == 200 and done.json()["exit_date"] == "2025-04-01"
    again = _json(http, url, {"exit_date": "2025-04-02", "destination": 410})
    assert (again.status_code, again.json()["code"]) == (409, "already_exited")


def test_add_service_posts_it_or_refuses_with_the_desk_code(
    api_as, staff_a, org_a, day_shelter, batch
):
    client = f.make_client(organization=org_a)
    code = batch.service_codes.first().service_code
    http = api_as(staff_a)
    body = {"service_code_id": code.pk, "project_id": day_shelter.pk, "date_provided": "2025-03-03"}
    refused = _json(http, f"/api/clients/{client.pk}/services", body)
    assert (refused.status_code, refused.json()["code"]) == (422, "enrollment_required")
    assert refused.json()["message"] == "ERROR: Enrollment is a Required Field."
    f.enroll(client, day_shelter, date(2025, 1, 1))
    posted = _json(http, f"/api/clients/{client.pk}/services", {**body, "units": 3})
    assert posted.status_code == 201
    assert Service.objects.get(client=client).units == 3


def test_add_service_past_a_bar_needs_the_override_permission_and_a_reason(
    api_as, staff_a, org_a, day_shelter, batch
):
    client = f.make_client(organization=org_a)
    f.enroll(client, day_shelter, date(2025, 1, 1))
    f.bar(client, organization=org_a, reason="Fighting")
    code = batch.service_codes.first().service_code
    url = f"/api/clients/{client.pk}/services"
    body = {"service_code_id": code.pk, "project_id": day_shelter.pk, "date_provided": "2025-03-03"}
    refused = _json(api_as(staff_a), url, body)
    assert refused.json()["code"] == "barred"
    not_allowed = _json(api_as(staff_a), url, {**body, "bar_override_reason": "Please"})
    assert not_allowed.json()["code"] == "override_not_allowed"
    assert not Service.objects.filter(client=client).exists()
    staff_a.can_override_bars = True
    staff_a.save(update_fields=["can_override_bars"])
    posted = _json(api_as(staff_a), url, {**body, "bar_override_reason": "Case manager OK"})
    assert posted.status_code == 201, posted.content
    assert Service.objects.filter(client=client).count() == 1


def test_outsider_and_read_only_are_refused(api_as, staff_b, readonly_a, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    enrollment = f.enroll(client, day_shelter)
    assert (
        _json(
            api_as(staff_b),
            f"/api/enrollments/{enrollment.pk}/exit",
            {"exit_date": "2025-02-01", "destination": 410},
        ).status_code
        == 404
    )
    assert (
        _json(
            api_as(readonly_a),
            f"/api/enrollments/{enrollment.pk}/exit",
            {"exit_date": "2025-02-01", "destination": 410},
        ).status_code
        == 403
    )
