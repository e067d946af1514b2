"""GET /api/batches and GET /api/batches/{id}: the batches you may see (a scan station: its own)."""

from django.db.models import Prefetch, prefetch_related_objects
from ninja import Query, Router

from hmis.accounts.permissions import Perm
from hmis.api.auth import api_requires
from hmis.api.schemas import BatchOut, BatchPage, ErrorOut
from hmis.batches.access import batches_visible_to, get_batch_for_user
from hmis.batches.models import BatchServiceCode
from hmis.inputs import MAX_OFFSET

router = Router(tags=["batches"])

PAGE_LIMIT = 100


def _codes():
    return Prefetch(
        "service_codes", queryset=BatchServiceCode.objects.select_related("service_code")
    )


def _with_codes(batches):
    return batches.select_related("project", "location", "performing_user").prefetch_related(
        _codes()
    )


@router.get("", response={200: BatchPage, 403: ErrorOut})
@api_requires(Perm.VIEW_BATCHES, Perm.SCAN)
def list_batches(
    request,
    active: bool | None = Query(None, description="true: active batches only; false: inactive"),
    limit: int = Query(50, ge=1, le=PAGE_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    batches = batches_visible_to(request.auth)
    if active is not None:
        batches = batches.filter(active=active)
    return {
        "count": batches.count(),
        "items": list(_with_codes(batches.order_by("description", "pk"))[offset : offset + limit]),
    }


@router.get("/{batch_id}", response={200: BatchOut, 403: ErrorOut, 404: ErrorOut})
@api_requires(Perm.VIEW_BATCHES, Perm.SCAN)
def batch_detail(request, batch_id: int):
    batch = get_batch_for_user(request.auth, batch_id)
    prefetch_related_objects([batch], _codes())
    return batch
