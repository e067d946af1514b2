"""Intake at the desk: create a client record and enroll a client in a program, with audit."""

from datetime import date

from django.db import transaction

from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.clients.models import Client, Enrollment
from hmis.projects.models import Project


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


def enroll_client(*, client: Client, project: Project, entry_date: date, user) -> Enrollment:
    """Enroll `client` in `project` from `entry_date`, or return the enrollment already active
    that day in that project (a second click must not make a second enrollment)."""
    with transaction.atomic():
        # Lock the client row so two simultaneous intakes of one client make one enrollment.
        Client.objects.select_for_update().filter(pk=client.pk).first()
        existing = (
            Enrollment.objects.active_on(entry_date).filter(client=client, project=project).first()
        )
        if existing is not None:
            return existing
        enrollment = Enrollment.objects.create(
            client=client, project=project, entry_date=entry_date, created_by=user
        )
        record(
            actor=user,
            action=AuditAction.CREATE,
            obj=enrollment,
            organization_id=project.organization_id,
            client_id=client.pk,
            changes={"project": [None, project.name], "entry_date": [None, str(entry_date)]},
            message=f"Enrolled in {project.name}",
        )
    return enrollment


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
