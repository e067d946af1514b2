"""What an HMIS lead fixes each week: clients served with missing or *data not collected*
universal data elements (with HUD's data-quality percentages), enrollments left open with no
service for N days, pending batch entries never posted, and services back-dated more than N days.
Each list is bounded (the first LIST_ROWS, with the full count) and each answer a fixed number of
queries. (Likely duplicate clients come from the intake matching, not here.)"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.utils import timezone

from hmis.batches.access import batches_visible_to
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.clients.models import Client, Enrollment
from hmis.hudcsv import codes
from hmis.reports.dashboard import served
from hmis.reports.demographics import RACES
from hmis.reports.queries import projects_reported_to
from hmis.services.models import Service

LIST_ROWS = 50
DK_PNA = (codes.DOESNT_KNOW, codes.PREFERS_NOT)
PARTIAL = 2


@dataclass
class Element:
    """One universal data element over the clients served: HUD's Data Quality report columns."""

    number: str
    name: str
    doesnt_know: int = 0  # client doesn't know or prefers not to answer
    missing: int = 0  # information missing or data not collected
    issues: int = 0  # partial or approximate
    served: int = 0  # the clients served, of whom these are counted
    clients: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, problem)

    def count(self, client, problem: str | None) -> None:
        if problem is None:
            return
        if problem == "doesnt_know":
            self.doesnt_know += 1
        elif problem == "missing":
            self.missing += 1
        else:
            self.issues += 1
        if len(self.clients) < LIST_ROWS:
            label = {
                "doesnt_know": "Client doesn't know or prefers not to answer",
                "missing": "Missing or data not collected",
                "issues": "Partial or approximate",
            }[problem]
            self.clients.append((client["pk"], _name(client), label))

    @property
    def total(self) -> int:
        return self.doesnt_know + self.missing + self.issues

    @property
    def rate(self) -> float:
        """HUD's % of issue rate: the clients with an issue over the clients served."""
        return round(100 * self.total / self.served, 2) if self.served else 0.0


@dataclass
class Completeness:
    clients: int
    elements: list[Element]


def _name(client: dict) -> str:
    last, first = client["last_name"], client["first_name"]
    return f"{last}, {first}" if last and first else (first or last or f"Client {client['pk']}")


def _name_problem(c) -> str | None:
    if c["name_data_quality"] in DK_PNA:
        return "doesnt_know"
    if c["name_data_quality"] == codes.NOT_COLLECTED or not (c["first_name"] and c["last_name"]):
        return "missing"
    return "issues" if c["name_data_quality"] == PARTIAL else None


def _ssn_problem(c) -> str | None:
    if c["ssn_data_quality"] in DK_PNA:
        return "doesnt_know"
    if c["ssn_data_quality"] == codes.NOT_COLLECTED or not c["ssn_last4"]:
        return "missing"
    return "issues" if c["ssn_data_quality"] == PARTIAL else None


def _dob_problem(c) -> str | None:
    if c["dob_data_quality"] in DK_PNA:
        return "doesnt_know"
    if c["dob_data_quality"] == codes.NOT_COLLECTED or c["dob"] is None:
        return "missing"
    return "issues" if c["dob_data_quality"] == PARTIAL else None


def _race_problem(c) -> str | None:
    data = c["hud_data"] or {}
    if any(data.get(column) == 1 for column, _ in RACES):
        return None
    return "doesnt_know" if data.get("RaceNone") in DK_PNA else "missing"


def _sex_problem(c) -> str | None:
    value = (c["hud_data"] or {}).get("Sex")
    if value in (0, 1):
        return None
    return "doesnt_know" if value in DK_PNA else "missing"


def _veteran_problem(c) -> str | None:
    if c["veteran_status"] in (0, 1):
        return None
    return "doesnt_know" if c["veteran_status"] in DK_PNA else "missing"


ELEMENTS = [
    ("3.01", "Name", _name_problem),
    ("3.02", "Social Security Number", _ssn_problem),
    ("3.03", "Date of birth", _dob_problem),
    ("3.04", "Race and ethnicity", _race_problem),
    ("4.21", "Sex", _sex_problem),
    ("3.07", "Veteran status", _veteran_problem),
]


def completeness(**filters) -> Completeness:
    """The universal data elements of the clients served in the period. One query."""
    elements = [Element(number, name) for number, name, _ in ELEMENTS]
    clients = (
        Client.objects.filter(pk__in=Subquery(served(**filters).values("client_id")))
        .order_by("last_name", "first_name", "pk")
        .values(
            "pk",
            "first_name",
            "last_name",
            "name_data_quality",
            "ssn_last4",
            "ssn_data_quality",
            "dob",
            "dob_data_quality",
            "veteran_status",
            "hud_data",
        )
    )
    total = 0
    for client in clients.iterator(chunk_size=2000):
        total += 1
        for element, (_, _, problem) in zip(elements, ELEMENTS, strict=True):
            element.count(client, problem(client))
    for element in elements:
        element.served = total
    return Completeness(total, elements)


@dataclass(frozen=True)
class Listing:
    count: int
    rows: list  # the first LIST_ROWS


def _listing(queryset) -> Listing:
    rows = list(queryset[: LIST_ROWS + 1])
    count = len(rows) if len(rows) <= LIST_ROWS else queryset.count()
    return Listing(count, rows[:LIST_ROWS])


def stale_enrollments(*, user, days: int, project=None, **_) -> Listing:
    """Enrollments still open (no exit) that have had no service for `days` days, oldest first."""
    since = timezone.localdate() - timedelta(days=days)
    recent = Service.objects.live().filter(enrollment=OuterRef("pk"), date_provided__gt=since)
    enrollments = Enrollment.objects.live().filter(
        project__in=projects_reported_to(user), exit_date__isnull=True, entry_date__lte=since
    )
    if project is not None:
        enrollments = enrollments.filter(project=project)
    return _listing(
        enrollments.filter(~Exists(recent))
        .select_related("client", "project")
        .order_by("entry_date", "pk")
    )


def unposted_entries(*, user, project=None, location=None, batch=None, **_) -> Listing:
    """Pending batch entries of days before today, per batch and dates, oldest first."""
    entries = BatchEntry.objects.filter(
        batch__in=batches_visible_to(user),
        status=EntryStatus.PENDING,
        date_provided__lt=timezone.localdate(),
    )
    if project is not None:
        entries = entries.filter(batch__project=project)
    if location is not None:
        entries = entries.filter(batch__location=location)
    if batch is not None:
        entries = entries.filter(batch=batch)
    return _listing(
        entries.values("batch_id", "batch__description", "batch_date", "date_provided")
        .annotate(entries=Count("pk"))
        .order_by("date_provided", "batch__description", "batch_id", "batch_date")
    )


def _start_of(day: date):
    return timezone.make_aware(datetime.combine(day, time.min))


def backdated_services(*, days: int, start: date, end: date, **filters) -> Listing:
    """Live services recorded (created) in the period more than `days` days after the date they
    were provided, most late first."""
    services = (
        Service.objects.live()
        .filter(
            project__in=projects_reported_to(filters["user"]),
            # created_at has no index of its own; a row is never updated before it is created,
            # so this bound lets the database use the updated_at index.
            updated_at__gte=_start_of(start),
            created_at__date__range=(start, end),
            created_at__date__gt=F("date_provided") + timedelta(days=days),
        )
        .select_related("client", "service_code", "project", "created_by")
    )
    if filters.get("project") is not None:
        services = services.filter(project=filters["project"])
    if filters.get("location") is not None:
        services = services.filter(location=filters["location"])
    if filters.get("batch") is not None:
        services = services.filter(batch_entry__batch=filters["batch"])
    return _listing(services.order_by("date_provided", "pk"))
