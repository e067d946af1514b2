"""Finding 5: every read of a client's record is audited, through the API as on the web."""

import pytest

from hmis.audit.models import AuditAction, AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_a(org_a):
    return f.make_client("Marisol", "Quintanilla", organization=org_a)


def _reads(client):
    return AuditEvent.objects.filter(action=AuditAction.READ, client_id=client.pk)


def test_api_client_detail_writes_a_read_row(api_as, staff_a, client_a):
    response = api_as(staff_a).get(f"/api/clients/{client_a.pk}", REMOTE_ADDR="192.0.2.7")

    assert response.status_code == 200
    row = _reads(client_a).get()
    assert (row.actor, row.organization_id, row.ip_address) == (
        staff_a,
        client_a.organization_id,
        "192.0.2.7",
    )


def test_api_search_writes_a_read_row_for_each_client_returned(api_as, staff_a, client_a):
    response = api_as(staff_a).get("/api/clients", {"q": "Quintanilla"})

    assert [item["id"] for item in response.json()["items"]] == [client_a.pk]
    assert _reads(client_a).count() == 1


def test_api_search_that_finds_nobody_writes_no_read_row(api_as, staff_a, client_a):
    api_as(staff_a).get("/api/clients", {"q": "Nobody"})

    assert not AuditEvent.objects.filter(action=AuditAction.READ).exists()
