"""The reports' reads: aggregates computed by the database, one or two queries each.

Attendance counts the clients added to batches (batch entries) by Date Service Provided:
- a *visit* is one live entry: a client in two batches on one day (visit, then shower) is two
  visits and one unique client;
- removed entries do not count, and neither does a posted entry whose services were all voided
  (a wrong scan corrected after posting); pending entries do (the client was there).

Services delivered counts live services (not voided) on clients' records, whatever their source
(a batch, HUD CSV import), per period, program and service code: how many, how many units, and
how many different clients.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth

from hmis.accounts.permissions import is_system_admin
from hmis.batches.access import batches_visible_to
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.projects.models import Location, Project
from hmis.services.models import Service

DAY = "day"
MONTH = "month"


def projects_reported_to(user):
    """Programs whose figures `user` may see: their organization's (all for system admins)."""
    projects = Project.objects.filter(deleted_at__isnull=True)
    if is_system_admin(user):
        return projects
    return projects.filter(organization_id=user.organization_id)


def locations_reported_to(user):
    return Location.objects.filter(project__in=projects_reported_to(user))


@dataclass(frozen=True)
class AttendanceDay:
    day: date
    unique_clients: int
    visits: int


@dataclass(frozen=True)
class Attendance:
    days: list[AttendanceDay]  # every day of the range, oldest first, zero days included
    unique_clients: int  # different clients over the whole range
    visits: int


def attendance(
    *, user, start: date, end: date, project=None, location=None, batch=None
) -> Attendance:
    """Unique clients and visits per day from `start` to `end` (inclusive). Two queries."""
    has_live_service = Service.objects.live().filter(batch_entry=OuterRef("pk"))
    entries = BatchEntry.objects.filter(
        Q(status=EntryStatus.PENDING) | Q(Exists(has_live_service), status=EntryStatus.POSTED),
        batch__in=batches_visible_to(user),
        date_provided__range=(start, end),
    )
    if project is not None:
        entries = entries.filter(batch__project=project)
    if location is not None:
        entries = entries.filter(batch__location=location)
    if batch is not None:
        entries = entries.filter(batch=batch)

    per_day = {
        row["date_provided"]: row
        for row in entries.values("date_provided")
        .annotate(visits=Count("pk"), unique_clients=Count("client_id", distinct=True))
        .order_by("date_provided")
    }
    totals = entries.aggregate(visits=Count("pk"), unique_clients=Count("client_id", distinct=True))
    days = []
    day = start
    while day <= end:
        row = per_day.get(day, {})
        days.append(AttendanceDay(day, row.get("unique_clients", 0), row.get("visits", 0)))
        day += timedelta(days=1)
    return Attendance(days=days, unique_clients=totals["unique_clients"], visits=totals["visits"])


def _services(*, user, start: date, end: date, project=None, service_code=None):
    services = Service.objects.live().filter(
        project__in=projects_reported_to(user), date_provided__range=(start, end)
    )
    if project is not None:
        services = services.filter(project=project)
    if service_code is not None:
        services = services.filter(service_code=service_code)
    return services


def services_delivered(*, period: str = DAY, **filters):
    """Rows of {period, project_id, program, service_code_id, code_name, services, units,
    unique_clients}, by period, program and code: a queryset (slice it or stream it).
    `filters`: user, start, end, and optionally project, service_code."""
    when = TruncMonth("date_provided") if period == MONTH else F("date_provided")
    return (
        _services(**filters)
        .annotate(period=when)
        .values(
            "period",
            "project_id",
            "service_code_id",
            program=F("project__name"),
            code_name=F("service_code__name"),
        )
        .annotate(
            services=Count("pk"),
            units=Sum("units"),
            unique_clients=Count("client_id", distinct=True),
        )
        .order_by("period", "program", "code_name", "project_id", "service_code_id")
    )


def services_delivered_totals(**filters) -> dict:
    """{services, units, unique_clients} over the whole report, in one query."""
    totals = _services(**filters).aggregate(
        services=Count("pk"), units=Sum("units"), unique_clients=Count("client_id", distinct=True)
    )
    totals["units"] = totals["units"] or 0
    return totals
