"""Changing a pending entry's units per service code before posting (two meals, not one)."""

from django.db import transaction

from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.batches import errors
from hmis.batches.errors import BatchError
from hmis.batches.models import BatchEntry, EntryStatus, EntryUnits
from hmis.batches.removing import refuse_if_not_yours


def set_entry_units(*, entry: BatchEntry, user, units: dict[int, int]) -> None:
    """Set `entry`'s units for each service code id in `units`. Only the batch's own codes, only
    whole numbers of at least 1, only while the entry is pending; all or nothing."""
    with transaction.atomic():
        entry = BatchEntry.objects.select_for_update().get(pk=entry.pk)
        refuse_if_not_yours(entry=entry, user=user)
        if entry.status != EntryStatus.PENDING:
            raise BatchError(
                errors.NOT_PENDING, "ERROR: Only a pending entry's units can be changed."
            )
        batch_units = dict(entry.batch.service_codes.values_list("service_code_id", "units"))
        for code_id, value in units.items():
            if code_id not in batch_units:
                raise BatchError(errors.INVALID_UNITS, "ERROR: That service is not in this batch.")
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise BatchError(
                    errors.INVALID_UNITS, "ERROR: Units must be a whole number of 1 or more."
                )
        current = dict(
            EntryUnits.objects.filter(entry=entry).values_list("service_code_id", "units")
        )
        changes = {}
        for code_id, value in units.items():
            old = current.get(code_id, batch_units[code_id])
            if old == value:
                continue
            EntryUnits.objects.update_or_create(
                entry=entry, service_code_id=code_id, defaults={"units": value}
            )
            changes[f"units[{code_id}]"] = [old, value]
        if changes:
            record(
                actor=user,
                action=AuditAction.CHANGE,
                obj=entry,
                organization_id=entry.batch.organization_id,
                client_id=entry.client_id,
                changes=changes,
            )


def units_for_entries(entries: list[BatchEntry]) -> dict[int, dict[int, int]]:
    """{entry id: {service code id: units}} of the overrides of `entries`, in one query."""
    found: dict[int, dict[int, int]] = {}
    rows = EntryUnits.objects.filter(entry__in=[e.pk for e in entries]).values_list(
        "entry_id", "service_code_id", "units"
    )
    for entry_id, code_id, value in rows:
        found.setdefault(entry_id, {})[code_id] = value
    return found
