"""A program's HUD Funder, ProjectCoC and Inventory records (Funder.csv, ProjectCoC.csv,
Inventory.csv), kept as `hudcsv.ProjectRecord` rows whose `data` holds the file's columns by HUD
name: the HUD CSV export writes them as they are. Checked by HUD's rules (docs: hmis-csv.md 5.5 to
5.7), each refusal naming its field; every write audited with old and new values.
"""

import re
from datetime import date

from django.db import transaction
from django.utils import timezone

from hmis.audit.models import AuditAction
from hmis.audit.recording import field_changes, record
from hmis.hud_ids import new_hud_id
from hmis.hudcsv.codes import FUNDING_SOURCES
from hmis.hudcsv.models import ProjectRecord, ProjectRecordKind
from hmis.projects.errors import ProgramError
from hmis.projects.models import Project, ProjectType

OTHER_FUNDER = 46
COC_CODE = re.compile(r"^[A-Za-z]{2}-[0-9]{3}$")
GEOCODE = re.compile(r"^[0-9]{6}$")
ZIP = re.compile(r"^[0-9]{5}$")
STATE = re.compile(r"^[A-Za-z]{2}$")
EMERGENCY_SHELTER = frozenset({ProjectType.ES_ENTRY_EXIT, ProjectType.ES_NIGHT_BY_NIGHT})
BED_COLUMNS = (
    "CHVetBedInventory",
    "YouthVetBedInventory",
    "VetBedInventory",
    "CHYouthBedInventory",
    "YouthBedInventory",
    "CHBedInventory",
    "OtherBedInventory",
)

REQUIRED = "HUD requires this."
FUNDER_UNKNOWN = "Choose a funding source from HUD's list 2.06.1."
OTHER_FUNDER_REQUIRED = "Name the funder when the funding source is 46 (local or other)."
END_BEFORE_START = "The end date cannot be before the start date."
COC_CODE_FORMAT = "A CoC code is two letters, a dash and three digits, e.g. IL-510."
GEOCODE_FORMAT = "A geocode is six digits."
ZIP_FORMAT = "A ZIP code is five digits."
STATE_FORMAT = "A state is its two-letter USPS code."
ES_ONLY = "Only Emergency Shelter programs (project type 0 or 1) report this."
ES_REQUIRED = "Emergency Shelter programs must report this."
BEDS_NOT_NEGATIVE = "A count cannot be negative."


def _funder_problems(data: dict, project: Project) -> dict[str, str]:
    problems = {}
    if data.get("Funder") not in FUNDING_SOURCES:
        problems["Funder"] = FUNDER_UNKNOWN
    if data.get("Funder") == OTHER_FUNDER and not data.get("OtherFunder"):
        problems["OtherFunder"] = OTHER_FUNDER_REQUIRED
    if not data.get("GrantID"):
        problems["GrantID"] = REQUIRED
    return problems


def _coc_problems(data: dict, project: Project) -> dict[str, str]:
    problems = {}
    checks = (("CoCCode", COC_CODE, COC_CODE_FORMAT), ("Geocode", GEOCODE, GEOCODE_FORMAT))
    for column, pattern, message in checks:
        if not data.get(column):
            problems[column] = REQUIRED
        elif not pattern.match(data[column]):
            problems[column] = message
    if data.get("ZIP") and not ZIP.match(data["ZIP"]):
        problems["ZIP"] = ZIP_FORMAT
    if data.get("State") and not STATE.match(data["State"]):
        problems["State"] = STATE_FORMAT
    return problems


def _inventory_problems(data: dict, project: Project) -> dict[str, str]:
    problems = {}
    if not data.get("CoCCode"):
        problems["CoCCode"] = REQUIRED
    elif not COC_CODE.match(data["CoCCode"]):
        problems["CoCCode"] = COC_CODE_FORMAT
    if data.get("HouseholdType") is None:
        problems["HouseholdType"] = REQUIRED
    for column in ("UnitInventory", "BedInventory"):
        if data.get(column) is None:
            problems[column] = REQUIRED
    for column in ("UnitInventory", "BedInventory", *BED_COLUMNS):
        if (data.get(column) or 0) < 0:
            problems[column] = BEDS_NOT_NEGATIVE
    shelter = project.project_type in EMERGENCY_SHELTER
    for column in ("Availability", "ESBedType"):
        if shelter and data.get(column) is None:
            problems[column] = ES_REQUIRED
        if not shelter and data.get(column) is not None:
            problems[column] = ES_ONLY
    return problems


RULES = {
    ProjectRecordKind.FUNDER: ("StartDate", "EndDate", _funder_problems),
    ProjectRecordKind.PROJECT_COC: (None, None, _coc_problems),
    ProjectRecordKind.INVENTORY: ("InventoryStartDate", "InventoryEndDate", _inventory_problems),
}


def hud_record_problems(kind: str, data: dict, project: Project) -> dict[str, str]:
    start, end, rule = RULES[kind]
    problems = rule(data, project)
    if start is not None:
        if not data.get(start):
            problems[start] = REQUIRED
        elif data.get(end) and data[end] < data[start]:
            problems[end] = END_BEFORE_START
    return problems


def _stored(data: dict) -> dict:
    """Dates as ISO text (the export reads them so), empty values left out."""
    return {
        column: value.isoformat() if isinstance(value, date) else value
        for column, value in data.items()
        if value not in (None, "")
    }


def save_hud_record(
    *,
    admin,
    project: Project,
    kind: str,
    data: dict,
    hud_record: ProjectRecord | None = None,
) -> ProjectRecord:
    """Add (`hud_record=None`) or change a Funder, ProjectCoC or Inventory record of `project`."""
    problems = hud_record_problems(kind, data, project)
    if problems:
        field, message = next(iter(problems.items()))
        raise ProgramError("hud_rule", message, field=field, problems=problems)
    now = timezone.now()
    with transaction.atomic():
        creating = hud_record is None
        if creating:
            hud_record = ProjectRecord(
                kind=kind, hud_id=new_hud_id(), project=project, created_at=now
            )
            before: dict = {}
        else:
            hud_record = ProjectRecord.objects.select_for_update().get(pk=hud_record.pk)
            before = dict(hud_record.data)
        hud_record.data = _stored(data)
        hud_record.user_hud_id = getattr(admin, "hud_id", "") or ""
        hud_record.updated_at = now
        hud_record.save()
        record(
            actor=admin,
            action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=hud_record,
            organization_id=project.organization_id,
            changes=field_changes(before, hud_record.data),
            message=f"{kind} {'added to' if creating else 'changed on'} program {project.name}",
        )
    return hud_record


def remove_hud_record(*, admin, hud_record: ProjectRecord) -> None:
    """Soft-delete: the next export carries its DateDeleted, as HUD asks."""
    with transaction.atomic():
        hud_record = (
            ProjectRecord.objects.select_for_update()
            .select_related("project")
            .get(pk=hud_record.pk)
        )
        if hud_record.deleted_at is not None:
            return
        now = timezone.now()
        hud_record.deleted_at = now
        hud_record.updated_at = now
        hud_record.save(update_fields=["deleted_at", "updated_at"])
        record(
            actor=admin,
            action=AuditAction.DELETE,
            obj=hud_record,
            organization_id=hud_record.project.organization_id,
            message=f"{hud_record.kind} removed from program {hud_record.project.name}",
        )
