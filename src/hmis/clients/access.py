"""The one way views, the API and exports fetch clients for a user, and how much they may see.

A user sees a client's full record when the client belongs to the user's organization (created
there, or enrolled in one of its programs), or when the client has a current release of
information allowing sharing and none refusing it. Otherwise only what prevents a duplicate record:
name, birth year and client ID.
"""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from hmis.accounts.permissions import is_system_admin
from hmis.clients.models import Client, Enrollment, ReleaseOfInformation, RoiPermission


def _roi_in_force(permission: str):
    today = timezone.localdate()
    return ReleaseOfInformation.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today),
        client=OuterRef("pk"),
        start_date__lte=today,
        permission=permission,
    )


def clients_fully_visible_to(user):
    """Clients whose full record `user` may see."""
    clients = Client.objects.live()
    if is_system_admin(user):
        return clients
    own_enrollment = Enrollment.objects.filter(
        client=OuterRef("pk"), project__organization_id=user.organization_id
    )
    shared = Exists(_roi_in_force(RoiPermission.SHARE)) & ~Exists(
        _roi_in_force(RoiPermission.DO_NOT_SHARE)
    )
    return clients.filter(
        Q(organization_id=user.organization_id) | Exists(own_enrollment) | shared
    )


def can_see_full_record(user, client: Client) -> bool:
    return clients_fully_visible_to(user).filter(pk=client.pk).exists()


def get_client_for_user(user, pk) -> Client:
    """A client whose full record the user may see, or 404."""
    try:
        return clients_fully_visible_to(user).get(pk=pk)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client.") from None
