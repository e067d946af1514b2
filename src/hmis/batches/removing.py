"""Removing a pending entry from a batch (the wrong client was scanned)."""

from django.db import transaction
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.batches import errors
from hmis.batches.errors import BatchError
from hmis.batches.models import BatchEntry, EntryStatus


def remove_entry(*, entry: BatchEntry, user) -> BatchEntry:
    """Mark a pending entry removed (kept for the audit trail). A posted entry cannot be removed:
    void its services instead."""
    with transaction.atomic():
        # Locked so a concurrent post cannot post the entry while it is being removed.
        entry = BatchEntry.objects.select_for_update().get(pk=entry.pk)
        refuse_if_not_yours(entry=entry, user=user)
        if entry.status != EntryStatus.PENDING:
            raise BatchError(
                errors.NOT_PENDING,
                "ERROR: Only a pending entry can be removed; void a posted service instead.",
            )
        entry.status = EntryStatus.REMOVED
        entry.removed_by = user
        entry.removed_at = timezone.now()
        entry.save(update_fields=["status", "removed_by", "removed_at"])
        record(
            actor=user,
            action=AuditAction.REMOVE,
            obj=entry,
            organization_id=entry.batch.organization_id,
            client_id=entry.client_id,
            changes={"status": [EntryStatus.PENDING, EntryStatus.REMOVED]},
        )
    return entry


def refuse_if_not_yours(*, entry: BatchEntry, user) -> None:
    """A scan station (the kiosk desk, shared by whoever walks up) changes only its own entries."""
    if getattr(user, "role", None) == Role.SCAN_STATION and entry.added_by_id != user.pk:
        raise BatchError(
            errors.NOT_YOURS, "ERROR: This station can only change entries it added itself."
        )
