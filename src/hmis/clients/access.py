"""The one way views, the API and exports fetch clients for a user, and how much they may see.

A user sees a client's full record when the client belongs to the user's organization (created
there, or enrolled in one of its programs), or when the client has a current release of
information allowing sharing (with the whole continuum or with the user's organization), not
revoked, and none refusing it. Otherwise only what prevents a duplicate record:
name, birth year and client ID (`client_summary`).

Whatever the release says, enrollments and bars are seen only by their own organization
(`enrollments_visible_to`, `bars_visible_to`); services likewise (`hmis.services.access`).
Scan-station accounts only scan: the helpers give them no client except those added at the desks
of their own batches (so the desk can show the photo to check the card holder); their role has no
permission for search, profiles or exports anyway.
"""

from dataclasses import dataclass

from django.db.models import BooleanField, Exists, OuterRef, Q, Value
from django.http import Http404
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.accounts.permissions import is_system_admin
from hmis.clients.models import (
    Bar,
    Client,
    CommunityCard,
    Enrollment,
    ReleaseOfInformation,
    RoiPermission,
)


def _roi_in_force(permission: str, *, organization_id: int | None = None):
    """Releases of `permission` in force today and not revoked; for sharing, only those with
    the whole continuum or naming `organization_id`."""
    today = timezone.localdate()
    releases = ReleaseOfInformation.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today),
        client=OuterRef("pk"),
        start_date__lte=today,
        permission=permission,
        revoked_at__isnull=True,
    )
    if permission == RoiPermission.SHARE:
        named = ReleaseOfInformation.shared_with.through.objects.filter(
            releaseofinformation_id=OuterRef("pk"), organization_id=organization_id
        )
        releases = releases.filter(Q(whole_continuum=True) | Exists(named))
    return releases


def _outside_every_organization(user) -> bool:
    """No organization (and not a system admin), or a scan station: sees no records.

    Guarded explicitly: `filter(organization_id=None)` would match every row without one."""
    return user.organization_id is None or user.role == Role.SCAN_STATION


def _scanned_at_station(user):
    from hmis.batches.models import BatchEntry, EntryStatus

    return BatchEntry.objects.filter(
        client=OuterRef("pk"),
        batch__scan_stations=user,
        batch__organization_id=user.organization_id,
    ).exclude(status=EntryStatus.REMOVED)


def clients_fully_visible_to(user):
    """Clients whose full record `user` may see."""
    clients = Client.objects.live()
    if is_system_admin(user):
        return clients
    if user.role == Role.SCAN_STATION and user.organization_id is not None:
        return clients.filter(Exists(_scanned_at_station(user)))
    if _outside_every_organization(user):
        return clients.none()
    own_enrollment = Enrollment.objects.live().filter(
        client=OuterRef("pk"), project__organization_id=user.organization_id
    )
    shared = Exists(
        _roi_in_force(RoiPermission.SHARE, organization_id=user.organization_id)
    ) & ~Exists(_roi_in_force(RoiPermission.DO_NOT_SHARE))
    return clients.filter(Q(organization_id=user.organization_id) | Exists(own_enrollment) | shared)


def can_see_full_record(user, client: Client) -> bool:
    return clients_fully_visible_to(user).filter(pk=client.pk).exists()


def get_client_for_user(user, pk) -> Client:
    """A client whose full record the user may see, or 404."""
    try:
        return clients_fully_visible_to(user).get(pk=pk)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client.") from None


@dataclass(frozen=True)
class ClientSummary:
    """What any organization may see of a client, to avoid creating a duplicate record."""

    client_id: int
    first_name: str
    last_name: str
    birth_year: int | None
    full_record: bool

    @property
    def display_name(self) -> str:
        if self.last_name and self.first_name:
            return f"{self.last_name}, {self.first_name}"
        return self.first_name or self.last_name or f"Client {self.client_id}"


def client_summary(user, client: Client, *, full_record: bool | None = None) -> ClientSummary:
    """Name, birth year and client ID, plus whether `user` may open the full record (pass
    `full_record` when already known, e.g. from an annotated list, to skip the query)."""
    if full_record is None:
        full_record = can_see_full_record(user, client)
    return ClientSummary(
        client_id=client.pk,
        first_name=client.first_name,
        last_name=client.last_name,
        birth_year=client.dob.year if client.dob else None,
        full_record=full_record,
    )


def clients_listed_to(user):
    """Clients `user` may find in a search (to avoid duplicates), annotated with `full_record`:
    only the summary fields may be shown where it is False. Scan stations list nothing."""
    clients = Client.objects.live()
    if is_system_admin(user):
        return clients.annotate(full_record=Value(True, output_field=BooleanField()))
    if _outside_every_organization(user):
        return clients.none()
    visible = clients_fully_visible_to(user).filter(pk=OuterRef("pk"))
    return clients.annotate(full_record=Exists(visible))


def enrollments_visible_to(user):
    """Enrollments in the user's organization's programs (never another organization's)."""
    enrollments = Enrollment.objects.live().select_related("project")
    if is_system_admin(user):
        return enrollments
    if _outside_every_organization(user):
        return enrollments.none()
    return enrollments.filter(project__organization_id=user.organization_id)


def get_enrollment_for_user(user, pk) -> Enrollment:
    try:
        return enrollments_visible_to(user).select_related("client").get(pk=pk)
    except (Enrollment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such enrollment.") from None


def bars_visible_to(user):
    """Bars entered by the user's organization (never another organization's)."""
    bars = Bar.objects.select_related("organization", "project", "location", "service_code")
    if is_system_admin(user):
        return bars
    if _outside_every_organization(user):
        return bars.none()
    return bars.filter(organization_id=user.organization_id)


def get_bar_for_user(user, pk) -> Bar:
    try:
        return bars_visible_to(user).select_related("client").get(pk=pk)
    except (Bar.DoesNotExist, ValueError, TypeError):
        raise Http404("No such bar.") from None


def get_card_for_user(user, pk) -> CommunityCard:
    """A community card of a client whose full record the user may see, or 404."""
    try:
        return CommunityCard.objects.select_related("client").get(
            pk=pk, client__in=clients_fully_visible_to(user)
        )
    except (CommunityCard.DoesNotExist, ValueError, TypeError):
        raise Http404("No such card.") from None
