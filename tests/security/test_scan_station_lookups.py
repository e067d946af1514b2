"""Finding 1: a scan station adds by card only, on every path, and a refusal names a client only
to a user who may see that client."""

import pytest
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.api.tokens import create_api_token
from hmis.batches.adding import SCAN_CARD, SCAN_CLIENT_ID, add_to_batch
from hmis.batches.errors import CARD_ONLY, CARD_ONLY_MESSAGE, ENROLLMENT_REQUIRED
from hmis.batches.models import BatchEntry
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def station(org_a, batch):
    station = f.make_user(org_a, Role.SCAN_STATION, username="kiosk")
    batch.scan_stations.add(station)
    return station


@pytest.fixture
def client_of_b(org_b):
    client = f.make_client("Evangelina", "Outsider", organization=org_b)
    f.issue_card(client, code="BCARD0001")
    return client


def _api_add(client_http, batch, scan_type, value):
    return client_http.post(
        f"/api/batches/{batch.pk}/entries",
        {"scan_type": scan_type, "value": value},
        content_type="application/json",
    )


def _token_client(user):
    from django.test import Client as HttpClient

    _, secret = create_api_token(user=user, name="kiosk")
    return HttpClient(headers={"Authorization": f"Bearer {secret}"})


def test_api_refuses_client_id_lookups_from_a_scan_station(station, batch, client_of_b):
    response = _api_add(_token_client(station), batch, "client_id", str(client_of_b.pk))

    assert response.status_code == 403
    body = response.json()
    assert (body["code"], body["message"]) == (CARD_ONLY, CARD_ONLY_MESSAGE)
    assert body["client"] is None
    assert "Evangelina" not in response.content.decode()
    assert not BatchEntry.objects.exists()


def test_domain_refuses_client_id_from_a_scan_station_whatever_the_caller(station, batch, org_a):
    own = f.make_client("Rosa", "Member", organization=org_a)
    result = add_to_batch(
        batch=batch,
        user=station,
        scan_type=SCAN_CLIENT_ID,
        typed=str(own.pk),
        batch_date=timezone.localdate(),
        date_provided=timezone.localdate(),
    )

    assert (result.ok, result.code, result.client) == (False, CARD_ONLY, None)


def test_card_refusal_of_another_organizations_client_does_not_name_them_to_a_station(
    station, batch, client_of_b
):
    response = _api_add(_token_client(station), batch, "card", "BCARD0001")

    body = response.json()
    assert (response.status_code, body["code"]) == (422, "enrollment_required")
    assert body["message"] == ENROLLMENT_REQUIRED
    assert body["client"] is None
    assert "Evangelina" not in response.content.decode()


def test_web_desk_refusal_does_not_name_another_organizations_client_to_a_station(
    client, station, batch, client_of_b
):
    client.force_login(station)
    response = client.post(
        f"/batches/{batch.pk}/scan/",
        {
            "scan_type": "card",
            "typed": "BCARD0001",
            "batch_date": timezone.localdate().isoformat(),
            "date_provided": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 200
    assert ENROLLMENT_REQUIRED in response.content.decode()
    assert "Evangelina" not in response.content.decode()


def test_staff_who_may_search_still_see_who_was_refused(staff_a, batch, client_of_b):
    result = add_to_batch(
        batch=batch,
        user=staff_a,
        scan_type=SCAN_CARD,
        typed="BCARD0001",
        batch_date=timezone.localdate(),
        date_provided=timezone.localdate(),
    )

    assert (result.code, result.client) == ("enrollment_required", client_of_b)
