"""POST /api/services/{id}/void: void a posted service of your own organization, with a reason."""

from django.http import Http404
from ninja import Router

from hmis.accounts.permissions import Perm, is_system_admin
from hmis.api.auth import api_requires
from hmis.api.schemas import ErrorOut, ServiceOut, VoidIn
from hmis.services.models import Service
from hmis.services.voiding import void_service

router = Router(tags=["services"])


def get_service_for_user(user, pk) -> Service:
    """A service of a program of the user's organization, or 404."""
    services = Service.objects.select_related("service_code", "project")
    if not is_system_admin(user):
        services = services.filter(project__organization_id=user.organization_id)
    try:
        return services.get(pk=pk)
    except (Service.DoesNotExist, ValueError, TypeError):
        raise Http404("No such service.") from None


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
