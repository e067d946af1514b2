"""The service catalog: reads (the groups and codes an organization, or one of its programs, may
put in its batches) and its administration (service groups and codes, audited).

A group with no organization is shared by every agency. A group limited to some programs
(`ServiceGroup.projects`) is offered only to batches of those programs: the *Find Service
Provided* picker and the batch form offer the groups of the batch's program only, and refuse any
other. A retired code (`active=False`) stays on past services but cannot be added to a batch.
"""

from django.db import transaction
from django.db.models import Q, QuerySet

from hmis.accounts.permissions import is_system_admin
from hmis.audit.models import AuditAction
from hmis.audit.recording import field_changes, record
from hmis.hudcsv import codes as hud
from hmis.projects.models import Organization, Project
from hmis.services import errors
from hmis.services.errors import CatalogError
from hmis.services.models import ServiceCode, ServiceGroup

PICKER_LIMIT = 50


# --- Reads ---------------------------------------------------------------------------------------


def groups_available_to(
    organization_id: int | None, project_id: int | None = None
) -> QuerySet[ServiceGroup]:
    """Active groups shared by every agency or owned by the organization; with `project_id`, only
    those not limited to programs or limited to programs including this one."""
    groups = ServiceGroup.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=organization_id), active=True
    )
    if project_id is not None:
        limited_elsewhere = ServiceGroup.projects.through.objects.values("servicegroup_id")
        groups = groups.filter(
            ~Q(pk__in=limited_elsewhere) | Q(pk__in=limited_elsewhere.filter(project_id=project_id))
        )
    return groups


def codes_available_to(
    organization_id: int | None, project_id: int | None = None, *, in_batches: bool = True
) -> QuerySet[ServiceCode]:
    """Codes that may be given: active, of a group available (to the program); for a batch, only
    those usable in batches (a single service on a profile may use the others too)."""
    codes = ServiceCode.objects.filter(
        active=True, group__in=groups_available_to(organization_id, project_id)
    )
    if in_batches:
        codes = codes.filter(usable_in_batches=True)
    return codes.select_related("group")


def codes_offered_to_organization(organization_id: int | None) -> QuerySet[ServiceCode]:
    """Every code of the organization's and the shared groups, retired ones too: what a batch form
    row may name before `check_codes_for_batch` decides whether this batch may use it."""
    return ServiceCode.objects.filter(
        Q(group__organization__isnull=True) | Q(group__organization_id=organization_id)
    ).select_related("group")


def check_group_for_program(*, group_id: int, organization_id: int | None, project: Project):
    """Refuse (CatalogError) a group that the program may not use."""
    if not groups_available_to(organization_id, project.pk).filter(pk=group_id).exists():
        group = ServiceGroup.objects.filter(pk=group_id).first()
        raise CatalogError(
            errors.GROUP_NOT_FOR_PROGRAM,
            errors.GROUP_NOT_FOR_PROGRAM_MESSAGE.format(
                group=group.name if group else group_id, program=project.name
            ),
            field="group",
        )


def check_codes_for_batch(
    *, codes: list[ServiceCode], project: Project, kept_code_ids: frozenset[int] = frozenset()
) -> None:
    """Refuse (CatalogError) a retired code (unless the batch already had it) or a code of a group
    the batch's program may not use."""
    available = set(
        groups_available_to(project.organization_id, project.pk).values_list("pk", flat=True)
    )
    for code in codes:
        if (not code.active or not code.usable_in_batches) and code.pk not in kept_code_ids:
            raise CatalogError(
                errors.CODE_RETIRED, errors.CODE_RETIRED_MESSAGE.format(code=code.name)
            )
        if code.group_id not in available:
            raise CatalogError(
                errors.GROUP_NOT_FOR_PROGRAM,
                errors.CODE_NOT_FOR_PROGRAM_MESSAGE.format(
                    code=code.name, group=code.group.name, program=project.name
                ),
            )


def find_codes(
    *,
    organization_id: int | None,
    group_id: int | None,
    search: str,
    project: Project | None = None,
    limit: int = PICKER_LIMIT,
) -> list[ServiceCode]:
    """The *Find Service Provided* search: codes of one group (or all) whose name contains the
    search words, by name, at most `limit`. With the batch's `project`, only its groups; a
    `group_id` the program may not use is refused (CatalogError)."""
    project_id = project.pk if project is not None else None
    if group_id and project is not None:
        check_group_for_program(group_id=group_id, organization_id=organization_id, project=project)
    codes = codes_available_to(organization_id, project_id)
    if group_id:
        codes = codes.filter(group_id=group_id)
    for word in search.split():
        codes = codes.filter(name__icontains=word)
    return list(codes.order_by("name", "pk")[:limit])


def hud_service_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """HUD's valid (RecordType, TypeProvided) pairs, grouped by record type, as select choices
    with values "record_type:type_provided"."""
    return [
        (
            f"{int(record_type)} {hud.RecordType(record_type).label}",
            [
                (f"{int(record_type)}:{int(value)}", f"{int(value)} {label}")
                for value, label in choices.choices
            ],
        )
        for record_type, choices in hud.TYPE_PROVIDED.items()
    ]


# --- Administration ------------------------------------------------------------------------------


def groups_managed_by(admin) -> QuerySet[ServiceGroup]:
    """Groups an administrator may see and change: their organization's (a system administrator:
    all, shared ones included)."""
    groups = ServiceGroup.objects.select_related("organization")
    if is_system_admin(admin):
        return groups
    if admin.organization_id is None:
        return groups.none()
    return groups.filter(organization_id=admin.organization_id)


def _group_snapshot(group: ServiceGroup) -> dict:
    return {
        "name": group.name,
        "organization_id": group.organization_id,
        "active": group.active,
        "projects": sorted(group.projects.values_list("pk", flat=True)) if group.pk else [],
    }


def save_group(
    *,
    admin,
    group: ServiceGroup | None = None,
    organization: Organization | None,
    name: str,
    active: bool,
    projects: list[Project],
) -> ServiceGroup:
    """Create or change a service group; `projects` limits it to those programs (empty: every
    program of its organization)."""
    if not is_system_admin(admin) and (
        organization is None or organization.pk != admin.organization_id
    ):
        raise CatalogError(
            errors.ORGANIZATION_REQUIRED, errors.ORGANIZATION_REQUIRED_MESSAGE, field="organization"
        )
    organization_id = organization.pk if organization else None
    if any(project.organization_id != organization_id for project in projects):
        raise CatalogError(
            errors.PROGRAM_OF_OTHER_ORGANIZATION,
            errors.PROGRAM_OF_OTHER_ORGANIZATION_MESSAGE,
            field="projects",
        )
    with transaction.atomic():
        creating = group is None
        if creating:
            group = ServiceGroup()
            before: dict = {}
        else:
            group = ServiceGroup.objects.select_for_update().get(pk=group.pk)
            before = _group_snapshot(group)
        group.name = name
        group.organization = organization
        group.active = active
        group.save()
        group.projects.set(projects)
        record(
            actor=admin,
            action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=group,
            organization_id=organization_id,
            changes=field_changes(before, _group_snapshot(group)),
            message=f"Service group {'created' if creating else 'changed'}: {group.name}",
        )
    return group


_CODE_FIELDS = (
    "name",
    "unit_of_measure",
    "default_units",
    "limit_count",
    "limit_period_days",
    "hud_record_type",
    "hud_type_provided",
    "usable_in_batches",
    "active",
)


def save_code(
    *,
    admin,
    group: ServiceGroup,
    code: ServiceCode | None = None,
    name: str,
    unit_of_measure: str,
    default_units: int,
    limit_count: int | None,
    limit_period_days: int | None,
    hud_record_type: int | None,
    hud_type_provided: int | None,
    usable_in_batches: bool,
    active: bool,
) -> ServiceCode:
    """Create or change a service code of `group` (the caller fetched both through the access
    helpers). A retired code (`active=False`) stays on past services."""
    if (limit_count is None) != (limit_period_days is None):
        field = "limit_count" if limit_count is None else "limit_period_days"
        raise CatalogError(errors.LIMIT_INCOMPLETE, errors.LIMIT_INCOMPLETE_MESSAGE, field=field)
    if (hud_record_type is not None or hud_type_provided is not None) and not (
        hud.type_provided_valid(hud_record_type, hud_type_provided)
    ):
        raise CatalogError(errors.INVALID_HUD_PAIR, errors.INVALID_HUD_PAIR_MESSAGE, field="hud")
    values = {
        "name": name,
        "unit_of_measure": unit_of_measure,
        "default_units": default_units,
        "limit_count": limit_count,
        "limit_period_days": limit_period_days,
        "hud_record_type": hud_record_type,
        "hud_type_provided": hud_type_provided,
        "usable_in_batches": usable_in_batches,
        "active": active,
    }
    with transaction.atomic():
        creating = code is None
        if creating:
            code = ServiceCode(group=group)
            before: dict = {}
        else:
            code = ServiceCode.objects.select_for_update().get(pk=code.pk, group=group)
            before = {name: getattr(code, name) for name in _CODE_FIELDS}
        for field, value in values.items():
            setattr(code, field, value)
        code.save()
        record(
            actor=admin,
            action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=code,
            organization_id=group.organization_id,
            changes=field_changes(before, values),
            message=f"Service code {'created' if creating else 'changed'}: {code.name} "
            f"({group.name})",
        )
    return code
