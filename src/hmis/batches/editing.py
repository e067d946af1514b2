"""Creating, changing and deactivating service batches (the seed's *Batch* form)."""

from django.db import transaction

from hmis.audit.models import AuditAction
from hmis.audit.recording import field_changes, record
from hmis.batches.models import BatchServiceCode, ServiceBatch
from hmis.projects.models import Location, Project
from hmis.services.models import ServiceCode

_TRACKED = (
    "description",
    "auto_post",
    "performing_user_id",
    "default_comments",
    "project_id",
    "location_id",
    "active",
)


def _snapshot(batch: ServiceBatch) -> dict:
    values = {name: getattr(batch, name) for name in _TRACKED}
    values["service_codes"] = (
        sorted(f"{row.service_code_id}x{row.units}" for row in batch.service_codes.all())
        if batch.pk
        else []
    )
    return values


def save_batch(
    *,
    user,
    batch: ServiceBatch | None = None,
    description: str,
    auto_post: bool,
    performing_user,
    default_comments: str,
    project: Project,
    location: Location | None,
    codes: list[tuple[ServiceCode, int]],
) -> ServiceBatch:
    """Create a batch (`batch=None`) or change one, replacing its service codes, in one transaction
    with an audit record. The caller has validated the inputs (the batch form does)."""
    with transaction.atomic():
        creating = batch is None
        if creating:
            batch = ServiceBatch(organization_id=project.organization_id, created_by=user)
            before: dict = {}
        else:
            # Lock the batch so two editors saving at once do not interleave their code rows.
            batch = ServiceBatch.objects.select_for_update().get(pk=batch.pk)
            before = _snapshot(batch)
        batch.description = description
        batch.auto_post = auto_post
        batch.performing_user = performing_user
        batch.default_comments = default_comments
        batch.project = project
        batch.location = location
        batch.save()
        batch.service_codes.all().delete()
        BatchServiceCode.objects.bulk_create(
            [BatchServiceCode(batch=batch, service_code=code, units=units) for code, units in codes]
        )
        after = _snapshot(batch)
        record(
            actor=user,
            action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=batch,
            organization_id=batch.organization_id,
            changes=field_changes(before, after),
            message=f"Batch {'created' if creating else 'changed'}: {batch.description}",
        )
    return batch


def deactivate_batch(*, batch: ServiceBatch, user) -> ServiceBatch:
    """Hide a batch from the desk and the list's active rows; its entries and services stay."""
    with transaction.atomic():
        batch = ServiceBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.active:
            return batch
        batch.active = False
        batch.save(update_fields=["active", "updated_at"])
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=batch,
            organization_id=batch.organization_id,
            changes={"active": [True, False]},
            message=f"Batch deactivated: {batch.description}",
        )
    return batch
