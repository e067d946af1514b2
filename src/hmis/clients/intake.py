"""Intake at the desk: create a client record and set a photo, with audit.

Enrolling moved to `hmis.clients.enrolling` (re-exported here for callers of the old name)."""

from datetime import date

from django.db import transaction

from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.clients.enrolling import enroll_client  # noqa: F401 (moved; the old name still works)
from hmis.clients.models import Client


def create_client(
    *,
    user,
    first_name: str,
    last_name: str,
    middle_name: str = "",
    dob: date | None = None,
) -> Client:
    """A new client record owned by the user's organization."""
    with transaction.atomic():
        client = Client.objects.create(
            first_name=first_name.strip(),
            middle_name=middle_name.strip(),
            last_name=last_name.strip(),
            dob=dob,
            # HUD DOB data quality: 1 full DOB reported, 99 data not collected.
            dob_data_quality=1 if dob else 99,
            organization_id=user.organization_id,
            created_by=user,
        )
        record(
            actor=user,
            action=AuditAction.CREATE,
            obj=client,
            client_id=client.pk,
            changes={
                "first_name": [None, client.first_name],
                "last_name": [None, client.last_name],
            },
            message="Client created at intake",
        )
    return client


def set_client_photo(*, client: Client, user, photo) -> Client:
    """Store a new photo (shown on the desk so staff can check the card belongs to the person)."""
    with transaction.atomic():
        old = client.photo.name if client.photo else ""
        client.photo = photo
        client.save(update_fields=["photo"])
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=client,
            client_id=client.pk,
            changes={"photo": [old, client.photo.name]},
            message="Photo uploaded",
        )
    return client
