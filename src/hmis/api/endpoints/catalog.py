"""GET /api/catalog/groups: the service groups and codes your batches may use (with `program`:
those of one program), for kiosks and integrations."""

from django.db.models import Prefetch
from ninja import Query, Router, Schema

from hmis.accounts.permissions import Perm
from hmis.api.auth import api_requires
from hmis.api.schemas import ErrorOut
from hmis.projects.access import get_project_for_user
from hmis.services.catalog import groups_available_to
from hmis.services.models import ServiceCode

router = Router(tags=["catalog"])


class CodeOut(Schema):
    id: int
    name: str
    unit_of_measure: str
    default_units: int
    limit_count: int | None
    limit_period_days: int | None
    hud_record_type: int | None
    hud_type_provided: int | None


class GroupOut(Schema):
    id: int
    name: str
    shared: bool
    program_ids: list[int]
    codes: list[CodeOut]

    @staticmethod
    def resolve_shared(obj) -> bool:
        return obj.organization_id is None

    @staticmethod
    def resolve_program_ids(obj) -> list[int]:
        return [project.pk for project in obj.projects.all()]

    @staticmethod
    def resolve_codes(obj) -> list:
        return list(obj.codes.all())


@router.get("/groups", response={200: list[GroupOut], 403: ErrorOut, 404: ErrorOut})
@api_requires(Perm.VIEW_BATCHES, Perm.SCAN)
def list_groups(
    request, program: int | None = Query(None, description="Only the groups of this program")
):
    """Active groups with their active codes that may be used in batches."""
    user = request.auth
    project = get_project_for_user(user, program) if program is not None else None
    groups = groups_available_to(user.organization_id, project.pk if project else None)
    codes = ServiceCode.objects.filter(active=True, usable_in_batches=True).order_by("name", "pk")
    return list(
        groups.order_by("name", "pk").prefetch_related(
            "projects", Prefetch("codes", queryset=codes)
        )[:500]
    )
