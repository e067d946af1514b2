"""Service pages: the Find Service Provided picker and voiding a service with a reason."""

from datetime import date

import pytest
from django.urls import reverse

from hmis.batches.adding import add_client_to_batch
from hmis.batches.posting import post_batch
from hmis.services.models import Service, ServiceGroup
from tests import factories as f
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(desk_batch, carded, back_dating_staff_a):
    staff_a = back_dating_staff_a
    client = carded("VOID0001", "Maria", "Lopez")
    add_client_to_batch(
        batch=desk_batch,
        client=client,
        user=staff_a,
        batch_date=date(2025, 3, 4),
        date_provided=date(2025, 3, 4),
    )
    post_batch(batch=desk_batch, user=staff_a)
    return Service.objects.filter(client=client).order_by("pk").first()


def test_picker_finds_codes_of_a_group_by_search(web_a, group, visit_code, meal_code, org_b):
    other = ServiceGroup.objects.create(name="Transport", organization=group.organization)
    f.make_code("Bus meal voucher", group=other)
    f.make_code("Their meal", group=ServiceGroup.objects.create(name="B", organization=org_b))
    page = web_a.get(reverse("services:picker"), {"group": group.pk, "q": "meal"}).content.decode()
    assert f'data-pick-code="{meal_code.pk}"' in page
    assert "Bus meal voucher" not in page and "Their meal" not in page
    page = web_a.get(reverse("services:picker"), {"q": "meal"}).content.decode()
    assert "Bus meal voucher" in page and "Their meal" not in page


def test_picker_says_when_nothing_matches(web_a, group):
    page = web_a.get(reverse("services:picker"), {"q": "zzz"}).content.decode()
    assert "No service code matches" in page


def test_void_needs_a_reason_and_then_voids(web_a, service):
    url = reverse("services:void", args=[service.pk])
    assert "Reason for voiding" in web_a.get(url).content.decode()
    page = web_a.post(url, {"reason": ""}).content.decode()
    assert "This field is required." in page
    response = web_a.post(url, {"reason": "Scanned the wrong card"})
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.is_void and service.void_reason == "Scanned the wrong card"
    profile = web_a.get(reverse("clients:profile", args=[service.client_id])).content.decode()
    assert "Void" in profile and "Scanned the wrong card" in profile


def test_voiding_twice_says_so(web_a, service):
    url = reverse("services:void", args=[service.pk])
    web_a.post(url, {"reason": "Wrong card"})
    page = web_a.post(url, {"reason": "Again"}).content.decode()
    assert "already voided" in page


def test_outsider_gets_404_voiding_another_agencys_service(web_b, service):
    response = web_b.post(reverse("services:void", args=[service.pk]), {"reason": "x"})
    assert response.status_code == 404
    service.refresh_from_db()
    assert not service.is_void


def test_read_only_user_cannot_void(readonly_a, service):
    http = signed_in(readonly_a)
    assert (
        http.post(reverse("services:void", args=[service.pk]), {"reason": "x"}).status_code == 403
    )


def test_void_needs_a_csrf_token(staff_a, service):
    http = signed_in(staff_a, csrf=True)
    assert (
        http.post(reverse("services:void", args=[service.pk]), {"reason": "x"}).status_code == 403
    )
