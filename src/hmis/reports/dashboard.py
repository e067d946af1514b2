"""The program dashboard's figures, each computed by the database in one or two statements.

Everything counts live services (voided ones do not count) on clients' records, whatever their
source, in the programs the user may report on, narrowed by program, location and batch:
- *clients served*: different clients with at least one service;
- a *visit* is a client served on a day (two services on one day are one visit);
- a client is *new* in a period when their first service ever at the agency (any program of the
  organization, before any filter) falls in the period, and *returning* when they had one before;
- *today by hour* places each client at the hour they were added to a batch (or the service was
  recorded, for services entered by hand or imported), in the agency's time zone.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, Min, OuterRef, Sum
from django.db.models.functions import Coalesce, ExtractHour, TruncMonth, TruncWeek
from django.utils import timezone

from hmis.reports.queries import projects_reported_to
from hmis.services.models import Service

DAY, WEEK, MONTH = "day", "week", "month"
VISIT_BANDS = ("Once", "2-5 times", "6 or more times")


def served(*, user, start: date, end: date, project=None, location=None, batch=None):
    """Live services from `start` to `end` in the user's programs, narrowed by the filters."""
    services = Service.objects.live().filter(
        project__in=projects_reported_to(user), date_provided__range=(start, end)
    )
    if project is not None:
        services = services.filter(project=project)
    if location is not None:
        services = services.filter(location=location)
    if batch is not None:
        services = services.filter(batch_entry__batch=batch)
    return services


@dataclass(frozen=True)
class Point:
    label: str
    start: date
    clients: int


@dataclass(frozen=True)
class Unduplicated:
    per: str
    points: list[Point]  # every day, week or month of the period, oldest first
    last_year: list[Point]  # the same period a year earlier, point for point
    total: int  # different clients over the whole period
    total_last_year: int

    @property
    def pairs(self) -> list[tuple[Point, Point | None]]:
        """Each point with last year's (None where last year's period has fewer)."""
        return [
            (point, self.last_year[i] if i < len(self.last_year) else None)
            for i, point in enumerate(self.points)
        ]


def _bucket_starts(start: date, end: date, per: str) -> list[date]:
    if per == DAY:
        first, step = start, lambda d: d + timedelta(days=1)
    elif per == WEEK:  # weeks start on Monday, as the database truncates them
        first, step = start - timedelta(days=start.weekday()), lambda d: d + timedelta(days=7)
    else:
        first = start.replace(day=1)

        def step(d):
            return (d.replace(day=28) + timedelta(days=4)).replace(day=1)

    starts, current = [], first
    while current <= end:
        starts.append(current)
        current = step(current)
    return starts


def _label(day: date, per: str) -> str:
    if per == MONTH:
        return day.strftime("%b %Y")
    if per == WEEK:
        return f"Week of {day:%m/%d}"
    return day.strftime("%a %m/%d")


def _per_bucket(services, per: str, start: date, end: date) -> tuple[list[Point], int]:
    if per == DAY:
        rows = services.values("date_provided").annotate(clients=Count("client_id", distinct=True))
        counts = {row["date_provided"]: row["clients"] for row in rows.order_by()}
    else:
        trunc = TruncWeek if per == WEEK else TruncMonth
        rows = (
            services.annotate(bucket=trunc("date_provided"))
            .values("bucket")
            .annotate(clients=Count("client_id", distinct=True))
            .order_by()
        )
        counts = {_as_date(row["bucket"]): row["clients"] for row in rows}
    points = [Point(_label(s, per), s, counts.get(s, 0)) for s in _bucket_starts(start, end, per)]
    total = services.aggregate(n=Count("client_id", distinct=True))["n"]
    return points, total


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def unduplicated(*, per: str = DAY, **filters) -> Unduplicated:
    """Different clients per day, week or month, and the same period a year before. 4 queries."""
    start, end = filters["start"], filters["end"]
    points, total = _per_bucket(served(**filters), per, start, end)
    before = {**filters, "start": _year_before(start), "end": _year_before(end)}
    last_year, total_last_year = _per_bucket(served(**before), per, before["start"], before["end"])
    return Unduplicated(per, points, last_year, total, total_last_year)


@dataclass(frozen=True)
class NewReturning:
    new: int
    returning: int


def new_and_returning(**filters) -> NewReturning:
    """Clients served in the period whose first service at the agency is in it (new) or before
    it (returning). 2 queries."""
    services = served(**filters)
    earlier = Service.objects.live().filter(
        client_id=OuterRef("client_id"),
        project__organization_id=OuterRef("project__organization_id"),
        date_provided__lt=filters["start"],
    )
    total = services.aggregate(n=Count("client_id", distinct=True))["n"]
    returning = services.filter(Exists(earlier)).aggregate(n=Count("client_id", distinct=True))["n"]
    return NewReturning(new=total - returning, returning=returning)


@dataclass(frozen=True)
class CodeRow:
    code: str
    services: int
    units: int
    clients: int


def by_code(**filters) -> list[CodeRow]:
    """Services, units and different clients per service code, most used first. 1 query."""
    rows = (
        served(**filters)
        .values("service_code_id", "service_code__name")
        .annotate(
            services=Count("pk"),
            units=Sum("units"),
            clients=Count("client_id", distinct=True),
        )
        .order_by("-services", "service_code__name")
    )
    return [
        CodeRow(r["service_code__name"], r["services"], r["units"] or 0, r["clients"]) for r in rows
    ]


def visits_per_client(**filters) -> dict[str, int]:
    """How many clients came once, 2-5 times, or more (a visit: a day served). 1 query, one row
    per client served (streamed)."""
    bands = dict.fromkeys(VISIT_BANDS, 0)
    visits = (
        served(**filters)
        .values("client_id")
        .annotate(days=Count("date_provided", distinct=True))
        .order_by()
        .values_list("days", flat=True)
    )
    for days in visits.iterator(chunk_size=5000):
        band = VISIT_BANDS[0] if days == 1 else VISIT_BANDS[1] if days <= 5 else VISIT_BANDS[2]
        bands[band] += 1
    return bands


@dataclass(frozen=True)
class Today:
    day: date
    clients: int
    by_hour: list[tuple[int, int]]  # (hour 0-23, different clients first seen that hour)


def today(*, user, project=None, location=None, batch=None) -> Today:
    """Clients served today, and when they came: each client counted at the hour of their first
    arrival. 2 queries."""
    day = timezone.localdate()
    services = served(
        user=user, start=day, end=day, project=project, location=location, batch=batch
    )
    clients = services.aggregate(n=Count("client_id", distinct=True))["n"]
    arrivals = (
        services.annotate(
            hour=ExtractHour(
                Coalesce("batch_entry__added_at", "created_at"),
                tzinfo=timezone.get_current_timezone(),
            )
        )
        .values("client_id")
        .annotate(first_hour=Min("hour"))
        .order_by()
        .values_list("first_hour", flat=True)
    )
    per_hour = dict.fromkeys(range(24), 0)
    for hour in arrivals:
        per_hour[hour] += 1
    return Today(day=day, clients=clients, by_hour=sorted(per_hour.items()))


@dataclass(frozen=True)
class ScopeRow:
    name: str
    clients: int
    services: int
    units: int


def breakdown(**filters) -> dict[str, list[ScopeRow]]:
    """Clients, services and units per program, per location and per batch. 3 queries."""
    services = served(**filters)
    found = {}
    for label, id_field, name_field, none_label in [
        ("Program", "project_id", "project__name", ""),
        ("Location", "location_id", "location__name", "(no location)"),
        ("Batch", "batch_entry__batch_id", "batch_entry__batch__description", "(not from a batch)"),
    ]:
        rows = (
            services.values(id_field, name_field)
            .annotate(
                clients=Count("client_id", distinct=True),
                services=Count("pk"),
                units=Sum("units"),
            )
            .order_by("-services", name_field)
        )
        found[label] = [
            ScopeRow(r[name_field] or none_label, r["clients"], r["services"], r["units"] or 0)
            for r in rows
        ]
    return found
