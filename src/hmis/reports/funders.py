"""Services and units per funder and grant of the programs (HUD Funder.csv records, 2.06), for a
reporting period. A service counts under each funder of its program whose grant dates cover the
day it was provided (a program paid by two grants shows the service under both); services of a
program with no grant in force that day are listed under *No funder recorded*. Two queries."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Sum

from hmis.hudcsv.models import ProjectRecord, ProjectRecordKind
from hmis.reports.dashboard import served
from hmis.reports.queries import projects_reported_to

# HUD 2.06.1 funding sources (FY2026 HMIS Data Dictionary) most day shelters and SSO programs meet.
FUNDER_NAMES = {
    1: "HUD: CoC - Homelessness Prevention",
    2: "HUD: CoC - Permanent Supportive Housing",
    3: "HUD: CoC - Rapid Re-Housing",
    4: "HUD: CoC - Supportive Services Only",
    5: "HUD: CoC - Transitional Housing",
    6: "HUD: CoC - Safe Haven",
    7: "HUD: CoC - Single Room Occupancy (SRO)",
    8: "HUD: ESG - Emergency Shelter (operating and/or essential services)",
    9: "HUD: ESG - Homelessness Prevention",
    10: "HUD: ESG - Rapid Rehousing",
    11: "HUD: ESG - Street Outreach",
    46: "Local or other funding source",
}
NO_FUNDER = "No funder recorded"


@dataclass(frozen=True)
class Grant:
    funder: str
    grant_id: str
    program: str
    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class FunderRow:
    funder: str
    grant_id: str
    program: str
    service: str
    services: int
    units: int


def funder_name(data: dict) -> str:
    code = data.get("Funder")
    other = (data.get("OtherFunder") or "").strip()
    name = FUNDER_NAMES.get(code, f"Funding source {code}" if code is not None else "Unknown")
    return f"{name}: {other}" if other else name


def _date(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def services_by_funder(**filters) -> list[FunderRow]:
    """Rows per funder, grant, program and service code, sorted by funder, grant, program and
    service. `filters` as dashboard.served."""
    projects = projects_reported_to(filters["user"])
    if filters.get("project") is not None:
        projects = projects.filter(pk=filters["project"].pk)
    grants: dict[int, list[Grant]] = {}
    for record in (
        ProjectRecord.objects.filter(
            kind=ProjectRecordKind.FUNDER, deleted_at__isnull=True, project__in=projects
        )
        .order_by("hud_id")
        .values("project_id", "project__name", "data")
    ):
        data = record["data"] or {}
        grants.setdefault(record["project_id"], []).append(
            Grant(
                funder=funder_name(data),
                grant_id=str(data.get("GrantID") or ""),
                program=record["project__name"],
                start=_date(data.get("StartDate")),
                end=_date(data.get("EndDate")),
            )
        )
    totals: dict[tuple[str, str, str, str], list[int]] = {}
    for row in (
        served(**filters)
        .values("project_id", "project__name", "service_code__name", "date_provided")
        .annotate(services=Count("pk"), units=Sum("units"))
        .order_by()
    ):
        covering = [g for g in grants.get(row["project_id"], []) if g.covers(row["date_provided"])]
        keys = [(g.funder, g.grant_id, g.program) for g in covering] or [
            (NO_FUNDER, "", row["project__name"])
        ]
        for key in keys:
            total = totals.setdefault((*key, row["service_code__name"]), [0, 0])
            total[0] += row["services"]
            total[1] += row["units"] or 0
    return [
        FunderRow(funder, grant_id, program, service, services, units)
        for (funder, grant_id, program, service), (services, units) in sorted(
            totals.items(), key=lambda item: (item[0][0] == NO_FUNDER, item[0])
        )
    ]
