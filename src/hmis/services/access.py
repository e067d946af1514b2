"""The one way views, the API and exports fetch services (transactions on a client's record) for
a user: only those given by the user's own organization's programs, whatever the client's release
of information says."""

from django.http import Http404

from hmis.accounts.models import Role
from hmis.accounts.permissions import is_system_admin
from hmis.services.models import Service


def services_visible_to(user):
    """Services (voided ones included: callers add `.live()`) of the user's organization."""
    services = Service.objects.all()
    if is_system_admin(user):
        return services
    if user.organization_id is None or user.role == Role.SCAN_STATION:
        return services.none()
    return services.filter(project__organization_id=user.organization_id)


def get_service_for_user(user, pk) -> Service:
    """The service, or 404 for anyone outside the organization that gave it."""
    try:
        return (
            services_visible_to(user).select_related("client", "service_code", "project").get(pk=pk)
        )
    except (Service.DoesNotExist, ValueError, TypeError):
        raise Http404("No such service.") from None


def get_managed_group(admin, pk):
    """A service group the administrator may manage, or 404 (another organization's, or a shared
    group for an agency administrator)."""
    from hmis.services.catalog import groups_managed_by
    from hmis.services.models import ServiceGroup

    try:
        return groups_managed_by(admin).get(pk=pk)
    except (ServiceGroup.DoesNotExist, ValueError, TypeError):
        raise Http404("No such service group.") from None


def get_managed_code(admin, group, pk):
    """A code of a group the caller already fetched through `get_managed_group`."""
    from hmis.services.models import ServiceCode

    try:
        return ServiceCode.objects.get(pk=pk, group=group)
    except (ServiceCode.DoesNotExist, ValueError, TypeError):
        raise Http404("No such service code.") from None
