"""projects/hud_records.py: a program's Funder, ProjectCoC and Inventory records, by HUD's rules,
written where the HUD CSV export reads them."""

from datetime import date

import pytest

from hmis.accounts.models import Role
from hmis.audit.models import AuditAction, AuditEvent
from hmis.hudcsv.models import ProjectRecord
from hmis.projects import hud_records as hr
from hmis.projects.errors import ProgramError
from hmis.projects.models import ProjectType
from tests import factories as f


@pytest.fixture
def admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a")


def problems(admin, project, kind, data):
    with pytest.raises(ProgramError) as refusal:
        hr.save_hud_record(admin=admin, project=project, kind=kind, data=data)
    return refusal.value.details["problems"]


def test_a_funder_is_stored_by_hud_column_and_audited(admin_a, day_shelter):
    funder = hr.save_hud_record(
        admin=admin_a,
        project=day_shelter,
        kind="Funder",
        data={"Funder": 8, "GrantID": "ESG-2025", "StartDate": date(2025, 1, 1), "EndDate": None},
    )
    assert funder.data == {"Funder": 8, "GrantID": "ESG-2025", "StartDate": "2025-01-01"}
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(funder.pk)).exists()


def test_funder_rules(admin_a, day_shelter):
    found = problems(
        admin_a,
        day_shelter,
        "Funder",
        {"Funder": 46, "StartDate": date(2025, 2, 1), "EndDate": date(2025, 1, 1)},
    )
    assert found == {
        "OtherFunder": hr.OTHER_FUNDER_REQUIRED,
        "GrantID": hr.REQUIRED,
        "EndDate": hr.END_BEFORE_START,
    }
    assert problems(admin_a, day_shelter, "Funder", {"Funder": 12})["Funder"] == hr.FUNDER_UNKNOWN


def test_coc_code_and_geocode_follow_hud_formats(admin_a, day_shelter):
    found = problems(admin_a, day_shelter, "ProjectCoC", {"CoCCode": "IL510", "ZIP": "6060"})
    assert found == {
        "CoCCode": hr.COC_CODE_FORMAT,
        "Geocode": hr.REQUIRED,
        "ZIP": hr.ZIP_FORMAT,
    }


def test_a_night_by_night_shelters_inventory_needs_availability_and_bed_type(admin_a, org_a):
    shelter = f.make_project(org_a, "Night shelter", project_type=ProjectType.ES_NIGHT_BY_NIGHT)
    data = {
        "CoCCode": "IL-510",
        "HouseholdType": 1,
        "UnitInventory": 10,
        "BedInventory": 20,
        "InventoryStartDate": date(2025, 1, 1),
    }
    found = problems(admin_a, shelter, "Inventory", data)
    assert found == {"Availability": hr.ES_REQUIRED, "ESBedType": hr.ES_REQUIRED}
    hr.save_hud_record(
        admin=admin_a,
        project=shelter,
        kind="Inventory",
        data={**data, "Availability": 1, "ESBedType": 1},
    )


def test_availability_is_refused_outside_emergency_shelters(admin_a, day_shelter):
    data = {
        "CoCCode": "IL-510",
        "HouseholdType": 1,
        "UnitInventory": 1,
        "BedInventory": 1,
        "InventoryStartDate": date(2025, 1, 1),
        "Availability": 1,
    }
    assert problems(admin_a, day_shelter, "Inventory", data) == {"Availability": hr.ES_ONLY}


def test_removing_soft_deletes_for_the_export(admin_a, day_shelter):
    funder = hr.save_hud_record(
        admin=admin_a,
        project=day_shelter,
        kind="Funder",
        data={"Funder": 8, "GrantID": "ESG-2025", "StartDate": date(2025, 1, 1)},
    )
    hr.remove_hud_record(admin=admin_a, hud_record=funder)
    assert ProjectRecord.objects.get(pk=funder.pk).deleted_at is not None


def test_the_hud_csv_export_carries_the_funder(admin_a, day_shelter):
    import csv
    import io
    import zipfile

    from hmis.hudcsv.exporting import export_hud_csv

    hr.save_hud_record(
        admin=admin_a,
        project=day_shelter,
        kind="Funder",
        data={"Funder": 8, "GrantID": "ESG-2025", "StartDate": date(2025, 1, 1)},
    )
    client = f.make_client()
    f.enroll(client, day_shelter, entry_date=date(2025, 3, 1))
    buffer = io.BytesIO()
    export_hud_csv(
        output=buffer,
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        user=admin_a,
        organization=day_shelter.organization,
    )
    with zipfile.ZipFile(buffer) as archive:
        rows = list(csv.DictReader(io.TextIOWrapper(archive.open("Funder.csv"), "utf-8-sig")))
    assert [(r["Funder"], r["GrantID"], r["StartDate"]) for r in rows] == [
        ("8", "ESG-2025", "2025-01-01")
    ]
