"""*Undo* on the desk's last result line: take back a scan made by mistake, within minutes.

A pending entry is removed; an entry the batch posted at once has its services voided with the
reason *scanned by mistake* (which frees the client to be added again). Only the user who made the
scan, only within UNDO_MINUTES; the removal or the voids are audited as usual.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hmis.batches import errors
from hmis.batches.errors import BatchError
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.batches.removing import remove_entry
from hmis.services.models import Service
from hmis.services.voiding import void_service

UNDO_MINUTES = 5
UNDO_REASON = "scanned by mistake"


def undo_add(*, entry: BatchEntry, user) -> BatchEntry:
    if entry.added_by_id != user.pk:
        raise BatchError(errors.NOT_YOURS, "ERROR: Only the user who added this client can undo.")
    if timezone.now() - entry.added_at > timedelta(minutes=UNDO_MINUTES):
        raise BatchError(
            errors.UNDO_EXPIRED,
            f"ERROR: Undo is possible for {UNDO_MINUTES} minutes after a scan. "
            "Remove the entry or void its services instead.",
        )
    with transaction.atomic():
        # Locked: a post running now must not turn the entry posted between the check and undo.
        entry = BatchEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.status == EntryStatus.PENDING:
            return remove_entry(entry=entry, user=user)
        if entry.status != EntryStatus.POSTED:
            raise BatchError(errors.NOT_PENDING, "ERROR: This scan was already undone.")
        for service in Service.objects.live().filter(batch_entry=entry):
            void_service(service=service, user=user, reason=UNDO_REASON)
        entry.refresh_from_db()
    return entry
