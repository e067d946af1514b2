"""clients/intake.py: new clients, enrollments and photos from the desk, with audit."""

from datetime import date

import pytest
from django.core.files.base import ContentFile

from hmis.audit.models import AuditEvent
from hmis.clients.enrolling import enroll_client
from hmis.clients.intake import create_client, set_client_photo
from hmis.clients.models import Enrollment

pytestmark = pytest.mark.django_db


def test_create_client_belongs_to_the_users_organization_and_is_audited(staff_a):
    client = create_client(user=staff_a, first_name=" Nia ", last_name="Cole", dob=None)
    assert (client.first_name, client.last_name) == ("Nia", "Cole")
    assert client.organization == staff_a.organization and client.created_by == staff_a
    assert client.dob_data_quality == 99
    assert AuditEvent.objects.filter(client_id=client.pk, action="create").exists()


def test_enroll_client_enrolls_once_and_is_audited(staff_a, day_shelter):
    client = create_client(user=staff_a, first_name="Nia", last_name="Cole", dob=date(1990, 1, 2))
    first = enroll_client(
        client=client, project=day_shelter, entry_date=date(2026, 3, 1), user=staff_a
    )
    again = enroll_client(
        client=client, project=day_shelter, entry_date=date(2026, 3, 1), user=staff_a
    )
    assert first == again
    assert Enrollment.objects.filter(client=client).count() == 1
    assert first.entry_date == date(2026, 3, 1) and first.created_by == staff_a
    assert (
        AuditEvent.objects.filter(
            client_id=client.pk, object_type="clients.Enrollment", action="create"
        ).count()
        == 1
    )


def test_set_client_photo_stores_the_file_and_audits(staff_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = create_client(user=staff_a, first_name="Nia", last_name="Cole")
    set_client_photo(client=client, user=staff_a, photo=ContentFile(b"png", name="face.png"))
    client.refresh_from_db()
    assert client.photo.name.startswith("client-photos/")
    assert AuditEvent.objects.filter(client_id=client.pk, message="Photo uploaded").exists()
