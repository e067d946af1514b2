"""A batch's entries: add a client (scan or Client ID), list, post, remove, change units."""

from django.utils import timezone
from ninja import Body, Query, Router

from hmis.accounts.permissions import Perm
from hmis.api.auth import api_requires
from hmis.api.errors import status_for_code
from hmis.api.ratelimit import count_api_lookup
from hmis.api.schemas import (
    AddEntryIn,
    AddResultOut,
    EntryOut,
    EntryPage,
    EntryUnitsOut,
    ErrorOut,
    PostIn,
    PostOut,
    UnitsIn,
)
from hmis.batches.access import get_batch_for_user, get_entry_for_user
from hmis.batches.adding import SCAN_CLIENT_ID, add_to_batch
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.batches.posting import post_batch
from hmis.batches.removing import remove_entry
from hmis.batches.units import set_entry_units, units_for_entries
from hmis.inputs import MAX_OFFSET, ApiDate

router = Router(tags=["batch entries"])

PAGE_LIMIT = 200


@router.post(
    "/{batch_id}/entries",
    response={
        201: AddResultOut,
        200: AddResultOut,
        403: AddResultOut,
        409: AddResultOut,
        422: AddResultOut,
        429: ErrorOut,
    },
    summary="Add a client to a batch",
)
@api_requires(Perm.SCAN)
def add_entry(request, batch_id: int, payload: AddEntryIn):
    """Scan a community card or type a Client ID. 201: added (code `added`, or `posted` when the
    batch posts automatically); 200: the stored answer to an earlier request with the same `key`
    (`replayed` true); 409/422: refused, with the reason's `code` and `message` (e.g. 422
    `enrollment_required`: "ERROR: Enrollment is a Required Field.", 409 `already_added`); 403
    `card_only`: a scan station sent a Client ID (it adds by card only). A refusal names the
    client (`client`) only to a caller who may see that client."""
    batch = get_batch_for_user(request.auth, batch_id)
    if payload.scan_type == SCAN_CLIENT_ID:
        count_api_lookup(request)  # a typed Client ID is a look-up; a card scan is not
    batch_date = payload.batch_date or timezone.localdate()
    result = add_to_batch(
        batch=batch,
        user=request.auth,
        scan_type=payload.scan_type,
        typed=payload.value,
        batch_date=batch_date,
        date_provided=payload.date_provided or batch_date,
        key=payload.key,
        bar_override_reason=payload.bar_override_reason,
    )
    if result.ok:
        status = 200 if result.replayed else 201
    else:
        status = status_for_code(result.code)
    return status, result


@router.get("/{batch_id}/entries", response={200: EntryPage, 403: ErrorOut, 404: ErrorOut})
@api_requires(Perm.VIEW_BATCHES, Perm.SCAN)
def list_entries(
    request,
    batch_id: int,
    day: ApiDate | None = Query(None, alias="date", description="Date Service Provided"),  # noqa: B008
    batch_date: ApiDate | None = Query(None),  # noqa: B008
    status: EntryStatus | None = Query(None, description="Default: pending and posted"),  # noqa: B008
    limit: int = Query(100, ge=1, le=PAGE_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Newest first."""
    batch = get_batch_for_user(request.auth, batch_id)
    entries = BatchEntry.objects.filter(batch=batch)
    if day is not None:
        entries = entries.filter(date_provided=day)
    if batch_date is not None:
        entries = entries.filter(batch_date=batch_date)
    if status is None:
        entries = entries.exclude(status=EntryStatus.REMOVED)
    else:
        entries = entries.filter(status=status)
    page = entries.select_related("client", "added_by").order_by("-added_at", "-pk")
    return {"count": entries.count(), "items": list(page[offset : offset + limit])}


@router.post("/{batch_id}/post", response={200: PostOut, 403: ErrorOut, 404: ErrorOut})
@api_requires(Perm.POST_SERVICES)
def post_services(request, batch_id: int, payload: PostIn | None = Body(None)):  # noqa: B008
    """Post Services: every pending entry (or only `batch_date`'s) becomes services on the
    clients' records. Entries that no longer qualify stay pending, with the reason."""
    batch = get_batch_for_user(request.auth, batch_id)
    result = post_batch(
        batch=batch, user=request.auth, batch_date=payload.batch_date if payload else None
    )
    return {
        "posted": [entry.pk for entry in result.posted],
        "left_pending": result.left_pending,
        "services_created": result.services_created,
    }


@router.delete(
    "/{batch_id}/entries/{entry_id}",
    response={200: EntryOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
@api_requires(Perm.SCAN)
def delete_entry(request, batch_id: int, entry_id: int):
    """Remove a pending entry (the wrong client was scanned). Posted: void the services instead."""
    batch = get_batch_for_user(request.auth, batch_id)
    entry = get_entry_for_user(request.auth, batch, entry_id)
    return remove_entry(entry=entry, user=request.auth)


@router.put(
    "/{batch_id}/entries/{entry_id}/units",
    response={200: EntryUnitsOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
@api_requires(Perm.SCAN)
def put_units(request, batch_id: int, entry_id: int, payload: UnitsIn):
    """Set a pending entry's units for some of its batch's service codes (two meals, not one)."""
    batch = get_batch_for_user(request.auth, batch_id)
    entry = get_entry_for_user(request.auth, batch, entry_id)
    set_entry_units(
        entry=entry,
        user=request.auth,
        units={item.service_code_id: item.units for item in payload.units},
    )
    overrides = units_for_entries([entry]).get(entry.pk, {})
    return {
        "entry_id": entry.pk,
        "units": [
            {"service_code_id": code_id, "units": overrides.get(code_id, units)}
            for code_id, units in batch.service_codes.values_list("service_code_id", "units")
        ],
    }
