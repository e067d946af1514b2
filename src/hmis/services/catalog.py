"""Reads of the service catalog: the groups and codes an organization may put in its batches."""

from django.db.models import Q, QuerySet

from hmis.services.models import ServiceCode, ServiceGroup

PICKER_LIMIT = 50


def groups_available_to(organization_id: int | None) -> QuerySet[ServiceGroup]:
    """Active groups shared by every agency or owned by the organization."""
    return ServiceGroup.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=organization_id), active=True
    )


def codes_available_to(organization_id: int | None) -> QuerySet[ServiceCode]:
    return ServiceCode.objects.filter(
        active=True, group__in=groups_available_to(organization_id)
    ).select_related("group")


def find_codes(
    *, organization_id: int | None, group_id: int | None, search: str, limit: int = PICKER_LIMIT
) -> list[ServiceCode]:
    """The *Find Service Provided* search: codes of one group (or all) whose name contains the
    search words, by name, at most `limit`."""
    codes = codes_available_to(organization_id)
    if group_id:
        codes = codes.filter(group_id=group_id)
    for word in search.split():
        codes = codes.filter(name__icontains=word)
    return list(codes.order_by("name", "pk")[:limit])
