"""May this client receive this batch's services on this date?

- Enrollment: the client needs an enrollment in the batch's project (Program) active on the date
  provided (entered on or before it, not exited before it). None: ENROLLMENT_REQUIRED.
- Bars: a bar is in force on a date from its start date through its end date (no end date:
  indefinitely). It applies to a batch when its scope covers the batch: the batch's organization
  (bar without project), its project (bar without location), or its location.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from hmis.clients.models import Bar, Client, Enrollment


def active_enrollment(*, client: Client, project, on: date) -> Enrollment | None:
    """The client's enrollment in `project` active on `on` (the most recent entry if several)."""
    return (
        Enrollment.objects.active_on(on)
        .filter(client=client, project=project)
        .order_by("-entry_date", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ServiceScope:
    """Where a service outside a batch is given: what a bar's scope is matched against (the
    same attributes a batch has)."""

    organization_id: int
    project_id: int
    location_id: int | None = None


def bar_scope_filter(batch) -> Q:
    """Bars whose scope covers `batch` (its organization, project or location)."""
    scope = Q(organization_id=batch.organization_id, project__isnull=True) | Q(
        project_id=batch.project_id, location__isnull=True
    )
    if batch.location_id:
        scope |= Q(location_id=batch.location_id)
    return scope


def bars_in_force(*, client: Client, batch, on: date) -> list[Bar]:
    """The bars keeping `client` from `batch` on `on`, longest-lasting first."""
    bars = (
        Bar.objects.in_force_on(on)
        .filter(bar_scope_filter(batch), client=client)
        .select_related("organization", "project", "location")
    )
    # Indefinite bars first, then the latest end date: the message names the bar that keeps the
    # client out longest.
    return sorted(bars, key=lambda b: (b.end_date is not None, -(b.end_date or on).toordinal()))


def bar_message(bar: Bar) -> str:
    """'ERROR: Client is barred from program Day Shelter until 12/31/2026. Reason: ...'"""
    until = f"until {bar.end_date:%m/%d/%Y}" if bar.end_date else "indefinitely"
    return f"ERROR: Client is barred from {bar.scope_label} {until}. Reason: {bar.reason}"
