"""A client shared by release of information: another organization sees the profile, but none of
the first organization's services, enrollments or bars, and every read is audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.models import ReleaseOfInformation, RoiPermission
from tests import factories as f


@pytest.fixture
def shared_client(client_a, org_a, service_a, bar_a):
    f.enroll(client_a, f.make_project(org_a, "A-private-program"))
    ReleaseOfInformation.objects.create(
        client=client_a,
        organization=org_a,
        permission=RoiPermission.SHARE,
        start_date=timezone.localdate() - timedelta(days=1),
    )
    return client_a


def test_shared_profile_hides_other_organizations_services_enrollments_and_bars(
    client, staff_b, shared_client
):
    client.force_login(staff_b)
    response = client.get(f"/clients/{shared_client.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Quintanilla" in body
    for secret in ("Confidential-service-note-A", "Confidential-bar-reason-A", "A-private-program"):
        assert secret not in body, f"another organization's {secret!r} shown on a shared profile"


def test_own_organization_sees_its_services_enrollments_and_bars(client, staff_a, shared_client):
    client.force_login(staff_a)
    body = client.get(f"/clients/{shared_client.pk}/").content.decode()
    for own in ("Confidential-service-note-A", "Confidential-bar-reason-A", "A-private-program"):
        assert own in body


def test_opening_a_profile_is_audited(client, staff_b, shared_client):
    client.force_login(staff_b)
    client.get(f"/clients/{shared_client.pk}/")
    event = AuditEvent.objects.get(action=AuditAction.READ)
    assert (event.actor, event.client_id) == (staff_b, shared_client.pk)
