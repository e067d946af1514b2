"""A client's request to inspect their record: everything held on them, as JSON, audited."""

import json

import pytest

from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.ssn import set_ssn


@pytest.fixture
def full_client(client_a, service_a, bar_a):
    set_ssn(client_a, "123-45-6789")
    client_a.save()
    return client_a


def download(web, user, client):
    web.force_login(user)
    return web.get(f"/client-rights/{client.pk}/record.json")


def test_agency_admin_downloads_the_whole_record(client, agency_admin_a, full_client, service_a):
    response = download(client, agency_admin_a, full_client)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="client-{full_client.pk}-record.json"'
    )
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["client_id"] == full_client.pk
    assert data["details"]["first_name"] == "Marisol"
    assert data["details"]["dob"] == "1979-03-14"
    assert data["details"]["ssn"] == "***-**-6789"
    assert "123456789" not in response.content.decode()
    assert [s["comments"] for s in data["services"]] == ["Confidential-service-note-A"]
    assert [b["reason"] for b in data["bars"]] == ["Confidential-bar-reason-A"]
    assert len(data["enrollments"]) == 1


def test_export_is_audited_and_listed_in_the_next_export(client, agency_admin_a, full_client):
    download(client, agency_admin_a, full_client)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, client_id=full_client.pk)
    assert event.actor == agency_admin_a
    data = json.loads(client.get(f"/client-rights/{full_client.pk}/record.json").content)
    assert "export" in [row["action"] for row in data["audit_trail"]]


def test_other_organization_gets_404_on_the_export(client, agency_admin_b, full_client):
    assert download(client, agency_admin_b, full_client).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("persona", ["staff_a", "readonly_a", "scan_station_a"])
def test_roles_without_export_get_403(client, persona, request, full_client):
    assert download(client, request.getfixturevalue(persona), full_client).status_code == 403


def test_export_is_a_fixed_number_of_queries(
    client, agency_admin_a, full_client, django_assert_max_num_queries
):
    client.force_login(agency_admin_a)
    with django_assert_max_num_queries(20):
        client.get(f"/client-rights/{full_client.pk}/record.json")
