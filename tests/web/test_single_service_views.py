"""*Add service* on the profile: one service posted at once under the batch rules."""

from datetime import date

import pytest
from django.urls import reverse

from hmis.audit.models import AuditEvent
from hmis.services.models import Service
from tests import factories as f
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def _post(http, client, code, project, day="2025-03-03", **extra):
    return http.post(
        reverse("services:add", args=[client.pk]),
        {
            "service_code": code.pk,
            "date_provided": day,
            "units": "2",
            "comments": "Walk-in",
            "project": project.pk,
            **extra,
        },
    )


def test_add_service_posts_it_on_the_profile(web_a, org_a, day_shelter, visit_code):
    client = f.make_client(organization=org_a)
    f.enroll(client, day_shelter, date(2025, 1, 1))
    page = web_a.get(reverse("services:add", args=[client.pk])).content.decode()
    assert "Find Service Provided" in page and "Date Service Provided" in page
    response = _post(web_a, client, visit_code, day_shelter)
    assert response.status_code == 302
    service = Service.objects.get(client=client)
    assert (service.units, service.comments, service.date_provided) == (
        2,
        "Walk-in",
        date(2025, 3, 3),
    )
    profile = web_a.get(reverse("clients:profile", args=[client.pk])).content.decode()
    assert "Day Shelter – Homeless Drop-In Centers" in profile


def test_add_service_without_enrollment_shows_the_seed_error(web_a, org_a, day_shelter, visit_code):
    client = f.make_client(organization=org_a)
    page = _post(web_a, client, visit_code, day_shelter).content.decode()
    assert "ERROR: Enrollment is a Required Field." in page
    assert not Service.objects.exists()


def test_add_service_without_a_code_asks_for_one(web_a, org_a, day_shelter, visit_code):
    client = f.make_client(organization=org_a)
    f.enroll(client, day_shelter, date(2025, 1, 1))
    page = web_a.post(
        reverse("services:add", args=[client.pk]),
        {"date_provided": "2025-03-03", "units": "1", "project": day_shelter.pk},
    ).content.decode()
    assert "Choose a service with Find Service Provided." in page


def test_other_organization_gets_404(web_b, org_a):
    client = f.make_client(organization=org_a)
    assert web_b.get(reverse("services:add", args=[client.pk])).status_code == 404


def test_barred_client_offers_the_override_only_to_who_may_override(
    staff_a, org_a, day_shelter, visit_code
):
    client = f.make_client(organization=org_a)
    f.enroll(client, day_shelter, date(2025, 1, 1))
    f.bar(client, organization=org_a, reason="Fighting")
    http = signed_in(staff_a)
    page = _post(http, client, visit_code, day_shelter).content.decode()
    assert "Reason: Fighting" in page and "Reason for override" not in page
    # A reason sent by a user without the permission is not even read.
    _post(http, client, visit_code, day_shelter, bar_override_reason="Please")
    assert not Service.objects.filter(client=client).exists()

    staff_a.can_override_bars = True
    staff_a.save(update_fields=["can_override_bars"])
    http = signed_in(staff_a)
    response = _post(http, client, visit_code, day_shelter)
    assert response.status_code == 200
    assert "give a reason for the override" in response.content.decode()
    assert "bar_override_reason" in response.context["form"].errors
    assert not Service.objects.filter(client=client).exists()
    response = _post(http, client, visit_code, day_shelter, bar_override_reason="Case manager OK")
    assert response.status_code == 302
    service = Service.objects.get(client=client)
    assert (
        AuditEvent.objects.get(object_id=str(service.pk), action="bar_override").message
        == "Case manager OK"
    )
