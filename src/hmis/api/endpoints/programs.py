"""GET /api/programs, /api/programs/{id} and /api/programs/{id}/locations: the programs and
locations you may see (a scan station: those of its batches), for kiosks and integrations."""

from datetime import date

from django.db.models import Prefetch
from ninja import Query, Router, Schema

from hmis.accounts.permissions import Perm
from hmis.api.auth import api_requires
from hmis.api.schemas import ErrorOut
from hmis.inputs import MAX_OFFSET
from hmis.projects.access import get_project_for_user, projects_visible_to
from hmis.projects.models import Location

router = Router(tags=["programs"])

PAGE_LIMIT = 100


class LocationOut(Schema):
    id: int
    name: str
    address: str
    active: bool


class ProgramOut(Schema):
    id: int
    name: str
    organization_id: int
    project_type: int | None
    continuum_project: bool
    hmis_participation: int
    operating_start_date: date
    operating_end_date: date | None
    auto_exit_days: int | None
    active: bool
    hud_project_id: str | None
    locations: list[LocationOut]

    @staticmethod
    def resolve_locations(obj) -> list:
        return list(obj.locations.all())


class ProgramPage(Schema):
    count: int
    items: list[ProgramOut]


def _with_locations(programs):
    return programs.prefetch_related(
        Prefetch("locations", queryset=Location.objects.order_by("name", "pk"))
    )


@router.get("", response={200: ProgramPage, 403: ErrorOut})
@api_requires(Perm.VIEW_BATCHES, Perm.SCAN)
def list_programs(
    request,
    active: bool | None = Query(None, description="true: active programs only; false: inactive"),
    limit: int = Query(50, ge=1, le=PAGE_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    programs = projects_visible_to(request.auth)
    if active is not None:
        programs = programs.filter(active=active)
    return {
        "count": programs.count(),
        "items": list(_with_locations(programs.order_by("name", "pk"))[offset : offset + limit]),
    }


@router.get("/{project_id}", response={200: ProgramOut, 403: ErrorOut, 404: ErrorOut})
@api_requires(Perm.VIEW_BATCHES, Perm.SCAN)
def program_detail(request, project_id: int):
    get_project_for_user(request.auth, project_id)
    return _with_locations(projects_visible_to(request.auth)).get(pk=project_id)


@router.get(
    "/{project_id}/locations", response={200: list[LocationOut], 403: ErrorOut, 404: ErrorOut}
)
@api_requires(Perm.VIEW_BATCHES, Perm.SCAN)
def program_locations(request, project_id: int):
    project = get_project_for_user(request.auth, project_id)
    return list(project.locations.order_by("name", "pk")[:500])
