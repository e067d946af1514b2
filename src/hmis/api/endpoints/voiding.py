"""POST /api/services/{id}/void: void a posted service of your own organization, with a reason."""

from ninja import Router

from hmis.accounts.permissions import Perm
from hmis.api.auth import api_requires
from hmis.api.schemas import ErrorOut, ServiceOut, VoidIn
from hmis.services.access import get_service_for_user
from hmis.services.voiding import void_service

router = Router(tags=["services"])


@router.post(
    "/{service_id}/void",
    response={200: ServiceOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
@api_requires(Perm.VOID_SERVICES)
def void(request, service_id: int, payload: VoidIn):
    """Soft-delete the service (kept for the audit trail and exported as HUD DateDeleted).
    422 `reason_required` without a reason; 409 `already_void`."""
    service = get_service_for_user(request.auth, service_id)
    return void_service(service=service, user=request.auth, reason=payload.reason)
