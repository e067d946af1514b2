"""Voiding a posted service: a soft delete with a reason (HUD CSV exports it as DateDeleted)."""

from django.db import transaction
from django.utils import timezone

from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.errors import DomainError
from hmis.services.models import Service

REASON_REQUIRED = "reason_required"
ALREADY_VOID = "already_void"


def void_service(*, service: Service, user, reason: str) -> Service:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(REASON_REQUIRED, "ERROR: Give a reason for voiding this service.")
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        if service.deleted_at is not None:
            raise DomainError(ALREADY_VOID, "ERROR: This service was already voided.")
        service.deleted_at = timezone.now()
        service.deleted_by = user
        service.void_reason = reason
        service.save(update_fields=["deleted_at", "deleted_by", "void_reason", "updated_at"])
        record(
            actor=user,
            action=AuditAction.VOID,
            obj=service,
            organization_id=service.project.organization_id,
            client_id=service.client_id,
            changes={"deleted_at": [None, service.deleted_at.isoformat()]},
            message=reason,
        )
        if service.batch_entry_id is not None:
            _end_entry_if_all_void(service.batch_entry_id, user)
    return service


def _end_entry_if_all_void(entry_id: int, user) -> None:
    """A visit whose services are all voided no longer counts as added: the client can be added
    to the batch again for that date (the entry's one-live-entry constraint lets go of it)."""
    if Service.objects.live().filter(batch_entry_id=entry_id).exists():
        return
    entry = BatchEntry.objects.select_for_update().get(pk=entry_id)
    if entry.status != EntryStatus.POSTED:
        return
    entry.status = EntryStatus.VOIDED
    entry.save(update_fields=["status"])
    record(
        actor=user,
        action=AuditAction.CHANGE,
        obj=entry,
        organization_id=entry.batch.organization_id,
        client_id=entry.client_id,
        changes={"status": [EntryStatus.POSTED, EntryStatus.VOIDED]},
    )
