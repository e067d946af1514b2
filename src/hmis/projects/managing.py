"""Programs (HUD projects) and their locations, managed in the app by agency administrators
(their organization) and system administrators.

The HUD Project.csv fields without a column of their own (HousingType, RRHSubType,
ResidentialAffiliation, TargetPopulation, HOPWAMedAssistedLivingFac) live in `Project.hud_data`
by their HUD name, where the HUD CSV export reads them. Every write is audited with old and new
values in its transaction.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction

from hmis.accounts.permissions import is_system_admin
from hmis.audit.models import AuditAction
from hmis.audit.recording import field_changes, record
from hmis.projects import errors
from hmis.projects.errors import ProgramError
from hmis.projects.models import Location, Organization, Project, ProjectType

# HUD Project.csv columns kept in hud_data, with the form field that edits each.
HUD_EXTRA_FIELDS = {
    "housing_type": "HousingType",
    "rrh_subtype": "RRHSubType",
    "residential_affiliation": "ResidentialAffiliation",
    "target_population": "TargetPopulation",
    "hopwa_med_assisted_living_fac": "HOPWAMedAssistedLivingFac",
}
RRH_SERVICES_ONLY = 1
# HUD 2.02.D: housing type is collected for residential projects (RRH: only "housing with or
# without services", subtype 2).
RESIDENTIAL_TYPES = frozenset(
    {
        ProjectType.ES_ENTRY_EXIT,
        ProjectType.ES_NIGHT_BY_NIGHT,
        ProjectType.TRANSITIONAL_HOUSING,
        ProjectType.PSH,
        ProjectType.SAFE_HAVEN,
        ProjectType.PH_HOUSING_ONLY,
        ProjectType.PH_HOUSING_WITH_SERVICES,
    }
)
_TRACKED = (
    "organization_id",
    "name",
    "common_name",
    "project_type",
    "continuum_project",
    "hmis_participation",
    "operating_start_date",
    "operating_end_date",
    "auto_exit_days",
    "active",
)


@dataclass(frozen=True)
class ProgramValues:
    """What the program form gives. HUD extras are None when not answered."""

    name: str
    common_name: str
    project_type: int | None
    continuum_project: bool
    hmis_participation: int
    operating_start_date: date | None
    operating_end_date: date | None
    auto_exit_days: int | None
    active: bool
    housing_type: int | None = None
    rrh_subtype: int | None = None
    residential_affiliation: int | None = None
    target_population: int | None = None
    hopwa_med_assisted_living_fac: int | None = None


def hud_problems(values: ProgramValues) -> dict[str, str]:
    """HUD's rules for a project record: {form field: message} for every one broken."""
    problems: dict[str, str] = {}
    kind = values.project_type
    if values.operating_start_date is None:
        problems["operating_start_date"] = errors.START_DATE_REQUIRED
    elif values.operating_end_date and values.operating_end_date < values.operating_start_date:
        problems["operating_end_date"] = errors.END_BEFORE_START
    if values.continuum_project and kind is None:
        problems["project_type"] = errors.PROJECT_TYPE_REQUIRED
    if kind == ProjectType.RAPID_REHOUSING and values.rrh_subtype is None:
        problems["rrh_subtype"] = errors.RRH_SUBTYPE_REQUIRED
    if kind != ProjectType.RAPID_REHOUSING and values.rrh_subtype is not None:
        problems["rrh_subtype"] = errors.RRH_SUBTYPE_ONLY_RRH
    affiliation_needed = kind == ProjectType.SERVICES_ONLY or (
        kind == ProjectType.RAPID_REHOUSING and values.rrh_subtype == RRH_SERVICES_ONLY
    )
    if affiliation_needed and values.residential_affiliation is None:
        problems["residential_affiliation"] = errors.RESIDENTIAL_AFFILIATION_REQUIRED
    if not affiliation_needed and values.residential_affiliation is not None:
        problems["residential_affiliation"] = errors.RESIDENTIAL_AFFILIATION_NOT_APPLICABLE
    residential = kind in RESIDENTIAL_TYPES or (
        kind == ProjectType.RAPID_REHOUSING and values.rrh_subtype not in (None, RRH_SERVICES_ONLY)
    )
    if residential and values.housing_type is None:
        problems["housing_type"] = errors.HOUSING_TYPE_REQUIRED
    if values.auto_exit_days is not None and not 1 <= values.auto_exit_days <= 3650:
        problems["auto_exit_days"] = errors.AUTO_EXIT_DAYS
    return problems


def _snapshot(project: Project) -> dict:
    values = {name: getattr(project, name) for name in _TRACKED}
    for name in ("operating_start_date", "operating_end_date"):
        # Audit rows are JSON: dates as ISO text.
        values[name] = values[name].isoformat() if values[name] else None
    for column in HUD_EXTRA_FIELDS.values():
        values[column] = (project.hud_data or {}).get(column)
    return values


def save_program(
    *,
    admin,
    project: Project | None = None,
    organization: Organization | None,
    values: ProgramValues,
) -> Project:
    """Create a program (`project=None`) or change one; refused with ProgramError (naming the
    field) when HUD's rules are not met."""
    problems = hud_problems(values)
    if problems:
        field, message = next(iter(problems.items()))
        raise ProgramError(errors.HUD_RULE, message, field=field, problems=problems)
    if organization is None or (
        not is_system_admin(admin) and organization.pk != admin.organization_id
    ):
        raise ProgramError(
            errors.ORGANIZATION_REQUIRED, errors.ORGANIZATION_REQUIRED_MESSAGE, field="organization"
        )
    with transaction.atomic():
        creating = project is None
        if creating:
            project = Project(hud_data={})
            before: dict = {}
        else:
            # Lock: two administrators saving the same program must not mix their values.
            project = Project.objects.select_for_update().get(pk=project.pk)
            before = _snapshot(project)
        project.organization = organization
        for name in _TRACKED[1:]:
            setattr(project, name, getattr(values, name))
        hud_data = dict(project.hud_data or {})
        for field, column in HUD_EXTRA_FIELDS.items():
            value = getattr(values, field)
            if value is None:
                hud_data.pop(column, None)
            else:
                hud_data[column] = value
        project.hud_data = hud_data
        project.save()
        record(
            actor=admin,
            action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=project,
            organization_id=project.organization_id,
            changes=field_changes(before, _snapshot(project)),
            message=f"Program {'created' if creating else 'changed'}: {project.name}",
        )
    return project


def save_location(
    *, admin, project: Project, location: Location | None = None, name: str, address: str
) -> Location:
    """Add a location to a program (`location=None`) or rename/readdress one."""
    with transaction.atomic():
        creating = location is None
        if creating:
            location = Location(project=project)
            before: dict = {}
        else:
            location = Location.objects.select_for_update().get(pk=location.pk)
            before = {"name": location.name, "address": location.address}
        location.name = name
        location.address = address
        try:
            # A savepoint: the unique name is checked by the database (two admins at once).
            with transaction.atomic():
                location.save()
        except IntegrityError:
            raise ProgramError(
                errors.LOCATION_NAME_TAKEN, errors.LOCATION_NAME_TAKEN_MESSAGE, field="name"
            ) from None
        record(
            actor=admin,
            action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=location,
            organization_id=project.organization_id,
            changes=field_changes(before, {"name": location.name, "address": location.address}),
            message=f"Location {'added' if creating else 'changed'}: {location.name} "
            f"({project.name})",
        )
    return location


def set_location_active(*, admin, location: Location, active: bool) -> Location:
    """Deactivate a location (its batches can no longer be used there: the desk refuses them and
    the batch form no longer offers it) or activate it again."""
    with transaction.atomic():
        location = (
            Location.objects.select_for_update().select_related("project").get(pk=location.pk)
        )
        if location.active == active:
            return location
        location.active = active
        location.save(update_fields=["active"])
        record(
            actor=admin,
            action=AuditAction.CHANGE,
            obj=location,
            organization_id=location.project.organization_id,
            changes={"active": [not active, active]},
            message=f"Location {'activated' if active else 'deactivated'}: {location.name}",
        )
    return location
