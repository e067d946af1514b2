"""Finding 4: an audit row carries the organization whose data was touched (the client's, the
batch's), not the actor's; each organization sees only rows about its own data."""

import pytest
from django.db import transaction

from hmis.accounts.models import Role
from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.cards import issue_card
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def sysadmin_of_a(org_a):
    """A system administrator who belongs to organization A."""
    return f.make_user(org_a, Role.SYSTEM_ADMIN, username="root_a")


@pytest.fixture
def client_of_b(org_b):
    return f.make_client("Teodora", "Bclient", organization=org_b)


def _audit_client_ids(http, admin, client):
    http.force_login(admin)
    response = http.get("/audit/", {"client_id": client.pk})
    assert response.status_code == 200
    return [event.client_id for event in response.context["page"].object_list]


def test_a_system_admin_reading_another_organizations_client_is_recorded_for_that_client(
    client, sysadmin_of_a, client_of_b, org_b, agency_admin_a, agency_admin_b
):
    client.force_login(sysadmin_of_a)
    assert client.get(f"/clients/{client_of_b.pk}/").status_code == 200
    with transaction.atomic():
        issue_card(client=client_of_b, user=sysadmin_of_a)

    rows = AuditEvent.objects.filter(client_id=client_of_b.pk)
    assert {row.action for row in rows} >= {AuditAction.READ, AuditAction.CREATE}
    assert {row.organization_id for row in rows} == {org_b.pk}
    assert _audit_client_ids(client, agency_admin_a, client_of_b) == []
    assert len(_audit_client_ids(client, agency_admin_b, client_of_b)) == rows.count()


def test_rows_about_a_batch_carry_the_batchs_organization(batch, org_a, sysadmin_of_a):
    from hmis.audit.recording import record

    event = record(actor=f.make_user(None, Role.SYSTEM_ADMIN), action=AuditAction.CHANGE, obj=batch)

    assert event.organization_id == org_a.pk


def test_a_sign_in_row_carries_the_users_organization(staff_a, org_a):
    from hmis.audit.recording import record

    event = record(actor=staff_a, action=AuditAction.LOGIN, obj=staff_a)

    assert event.organization_id == org_a.pk
