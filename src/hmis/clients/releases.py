"""Releases of information, recorded and revoked from the client profile.

Rules:
- A release shares the record with the whole continuum (every organization) or with the
  organizations it names; *Do not share* refuses sharing whatever other releases say. It is in
  force from its begin date through its end date (none: until revoked).
- Revoking ends it at once: clients/access.py reads only releases in force and not revoked, so
  the sharing rules follow the moment the change commits.
- The signed form (PDF or image) is stored like photos, under MEDIA_ROOT, and served only to
  users who may see the client's full record (clients/supervision_views.py `release_form`).
- Recording and revoking are audited with old and new values.
"""

from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from hmis.accounts.permissions import is_system_admin
from hmis.audit.models import AuditAction
from hmis.audit.recording import field_changes, record
from hmis.clients.models import Client, ReleaseOfInformation


def _snapshot(release: ReleaseOfInformation, shared_with) -> dict:
    return {
        "permission": release.permission,
        "whole_continuum": release.whole_continuum,
        "shared_with": sorted(org.name for org in shared_with),
        "start_date": release.start_date.isoformat(),
        "end_date": release.end_date.isoformat() if release.end_date else None,
        "signed_form": release.signed_form.name if release.signed_form else "",
        "revoked_at": release.revoked_at.isoformat() if release.revoked_at else None,
        "revoke_reason": release.revoke_reason,
    }


def record_release(
    *,
    client: Client,
    organization_id: int,
    user,
    permission: str,
    whole_continuum: bool,
    shared_with,
    start_date: date,
    end_date: date | None,
    signed_form=None,
) -> ReleaseOfInformation:
    shared_with = list(shared_with) if not whole_continuum else []
    with transaction.atomic():
        release = ReleaseOfInformation(
            client=client,
            organization_id=organization_id,
            permission=permission,
            whole_continuum=whole_continuum,
            start_date=start_date,
            end_date=end_date,
            recorded_by=user,
        )
        if signed_form:
            release.signed_form = signed_form
        release.save()
        release.shared_with.set(shared_with)
        record(
            actor=user,
            action=AuditAction.CREATE,
            obj=release,
            client_id=client.pk,
            changes=field_changes({}, _snapshot(release, shared_with)),
            message="Release of information recorded",
        )
    return release


def revoke_release(*, release: ReleaseOfInformation, user, reason: str) -> ReleaseOfInformation:
    with transaction.atomic():
        release = ReleaseOfInformation.objects.select_for_update().get(pk=release.pk)
        shared_with = list(release.shared_with.all())
        before = _snapshot(release, shared_with)
        if release.revoked_at is None:
            release.revoked_at = timezone.now()
            release.revoked_by = user
            release.revoke_reason = reason.strip()
            release.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
            record(
                actor=user,
                action=AuditAction.CHANGE,
                obj=release,
                client_id=release.client_id,
                changes=field_changes(before, _snapshot(release, shared_with)),
                message="Release of information revoked",
            )
    return release


def get_release_for_user(user, pk) -> ReleaseOfInformation:
    """A release of a client whose full record the user may see, or 404."""
    from hmis.clients.access import clients_fully_visible_to

    releases = ReleaseOfInformation.objects.select_related("client", "organization")
    if not is_system_admin(user):
        releases = releases.filter(client__in=clients_fully_visible_to(user))
    try:
        return releases.get(pk=pk)
    except (ReleaseOfInformation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such release.") from None
