"""Client alerts: short notes staff must see when the client comes in.

Rules:
- An alert is seen by the organization that wrote it and the organizations it names; a scan
  station sees only alerts marked for the front desk (of its own organization or naming it).
- An alert is active through its expiry date, then expires by itself; it can also be removed.
- The desk shows the active alerts on the scan result line, fetched in one query with the
  answer (`desk_alerts`), high priority first.
- Writing and removing are audited.
"""

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.accounts.permissions import is_system_admin
from hmis.audit.models import AuditAction
from hmis.audit.recording import field_changes, record
from hmis.clients.models import Client, ClientAlert


def alerts_visible_to(user):
    """Alerts `user`'s organization wrote or is named in (front-desk ones only for a station)."""
    alerts = ClientAlert.objects.select_related("written_by", "organization")
    if is_system_admin(user):
        return alerts
    if user.organization_id is None:
        return alerts.none()
    named = ClientAlert.shared_with.through.objects.filter(
        clientalert_id=OuterRef("pk"), organization_id=user.organization_id
    )
    alerts = alerts.filter(Q(organization_id=user.organization_id) | Exists(named))
    if user.role == Role.SCAN_STATION:
        alerts = alerts.filter(front_desk=True)
    return alerts


def any_alert(*, on: date):
    """Annotations for a scan's look-up of the client (`batches.adding.add_to_batch(also=)`):
    `has_alert`, whether any alert is active on the client, so that most scans (of clients with
    none) need no query for `desk_alerts`."""

    def annotations(client_field: str) -> dict:
        alerts = ClientAlert.objects.active_on(on).filter(client_id=OuterRef(client_field))
        return {"has_alert": Exists(alerts.order_by())}

    return annotations


def desk_alerts(user, client: Client, *, on: date | None = None) -> list[ClientAlert]:
    """The active alerts `user` sees on `client`, high priority first. One query, none when the
    scan's look-up found no alert on the client (`any_alert`)."""
    if not getattr(client, "has_alert", True):
        return []
    on = on or timezone.localdate()
    return list(
        alerts_visible_to(user)
        .active_on(on)
        .filter(client_id=client.pk)
        .order_by("priority", "-created_at")[:5]
    )


def get_alert_for_user(user, pk) -> ClientAlert:
    """An alert written by the user's organization (only the writer may remove it), or 404."""
    alerts = ClientAlert.objects.select_related("client")
    if not is_system_admin(user):
        alerts = alerts.filter(organization_id=user.organization_id or 0)
    try:
        return alerts.get(pk=pk)
    except (ClientAlert.DoesNotExist, ValueError, TypeError):
        raise Http404("No such alert.") from None


def _snapshot(alert: ClientAlert, shared_with) -> dict:
    return {
        "text": alert.text,
        "priority": alert.priority,
        "expires_on": alert.expires_on.isoformat(),
        "front_desk": alert.front_desk,
        "shared_with": sorted(org.name for org in shared_with),
    }


def write_alert(
    *,
    client: Client,
    organization_id: int,
    user,
    text: str,
    priority: str,
    expires_on: date,
    front_desk: bool,
    shared_with=(),
) -> ClientAlert:
    with transaction.atomic():
        alert = ClientAlert.objects.create(
            client=client,
            organization_id=organization_id,
            text=text.strip(),
            priority=priority,
            expires_on=expires_on,
            front_desk=front_desk,
            written_by=user,
        )
        alert.shared_with.set(shared_with)
        record(
            actor=user,
            action=AuditAction.CREATE,
            obj=alert,
            client_id=client.pk,
            changes=field_changes({}, _snapshot(alert, shared_with)),
            message="Client alert written",
        )
    return alert


def remove_alert(*, alert: ClientAlert, user) -> ClientAlert:
    with transaction.atomic():
        alert = ClientAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.ended_at is None:
            alert.ended_at = timezone.now()
            alert.ended_by = user
            alert.save(update_fields=["ended_at", "ended_by"])
            record(
                actor=user,
                action=AuditAction.CHANGE,
                obj=alert,
                client_id=alert.client_id,
                changes={"ended_at": [None, alert.ended_at.isoformat()]},
                message="Client alert removed",
            )
    return alert
