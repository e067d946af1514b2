"""*Add service* on the profile: one service posted at once under the batch rules."""

from datetime import date

import pytest
from django.urls import reverse

from hmis.services.models import Service
from tests import factories as f

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
