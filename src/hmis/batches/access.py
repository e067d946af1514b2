"""The one way views, the API and commands fetch a batch for a user."""

from django.http import Http404

from hmis.accounts.models import Role
from hmis.accounts.permissions import is_system_admin
from hmis.batches.models import BatchEntry, ServiceBatch


def batches_visible_to(user):
    """Batches of the user's organization; a scan station sees only the batches assigned to it."""
    batches = ServiceBatch.objects.all()
    if is_system_admin(user):
        return batches
    if user.role == Role.SCAN_STATION:
        return batches.filter(scan_stations=user, organization_id=user.organization_id)
    return batches.filter(organization_id=user.organization_id)


def get_batch_for_user(user, pk) -> ServiceBatch:
    """The batch, or 404 for anyone outside its organization (and for unassigned scan stations)."""
    try:
        return (
            batches_visible_to(user)
            .select_related("project", "location", "performing_user", "organization")
            .get(pk=pk)
        )
    except (ServiceBatch.DoesNotExist, ValueError, TypeError):
        raise Http404("No such batch.") from None


def get_entry_for_user(user, batch: ServiceBatch, pk) -> BatchEntry:
    """An entry of a batch the caller already fetched through `get_batch_for_user`."""
    try:
        return BatchEntry.objects.select_related("client").get(pk=pk, batch=batch)
    except (BatchEntry.DoesNotExist, ValueError, TypeError):
        raise Http404("No such entry.") from None
