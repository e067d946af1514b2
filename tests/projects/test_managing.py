"""projects/managing.py: programs with HUD's project rules, locations and their deactivation."""

from datetime import date

import pytest
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches.adding import add_client_to_batch
from hmis.batches.errors import BatchError
from hmis.projects import errors
from hmis.projects.errors import ProgramError
from hmis.projects.managing import (
    ProgramValues,
    save_location,
    save_program,
    set_location_active,
)
from hmis.projects.models import ProjectType
from tests import factories as f


@pytest.fixture
def admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a")


def values(**overrides) -> ProgramValues:
    base = {
        "name": "Night Shelter",
        "common_name": "",
        "project_type": ProjectType.DAY_SHELTER,
        "continuum_project": True,
        "hmis_participation": 1,
        "operating_start_date": date(2025, 1, 1),
        "operating_end_date": None,
        "auto_exit_days": None,
        "active": True,
    }
    base.update(overrides)
    return ProgramValues(**base)


def test_agency_admin_creates_a_program_with_hud_fields_audited(admin_a, org_a):
    project = save_program(
        admin=admin_a,
        organization=org_a,
        values=values(
            project_type=ProjectType.SERVICES_ONLY,
            residential_affiliation=0,
            target_population=4,
            auto_exit_days=90,
        ),
    )
    assert project.hud_data == {"ResidentialAffiliation": 0, "TargetPopulation": 4}
    assert project.auto_exit_days == 90
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="projects.Project")
    assert event.changes["name"] == [None, "Night Shelter"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"operating_start_date": None}, "operating_start_date", errors.START_DATE_REQUIRED),
        (
            {"operating_end_date": date(2024, 12, 31)},
            "operating_end_date",
            errors.END_BEFORE_START,
        ),
        ({"project_type": None}, "project_type", errors.PROJECT_TYPE_REQUIRED),
        (
            {"project_type": ProjectType.RAPID_REHOUSING},
            "rrh_subtype",
            errors.RRH_SUBTYPE_REQUIRED,
        ),
        (
            {"project_type": ProjectType.SERVICES_ONLY},
            "residential_affiliation",
            errors.RESIDENTIAL_AFFILIATION_REQUIRED,
        ),
        (
            {"project_type": ProjectType.ES_NIGHT_BY_NIGHT},
            "housing_type",
            errors.HOUSING_TYPE_REQUIRED,
        ),
        ({"rrh_subtype": 1}, "rrh_subtype", errors.RRH_SUBTYPE_ONLY_RRH),
    ],
)
def test_hud_rules_refuse_a_program_naming_the_field(admin_a, org_a, overrides, field, message):
    with pytest.raises(ProgramError) as refusal:
        save_program(admin=admin_a, organization=org_a, values=values(**overrides))
    assert refusal.value.details["problems"][field] == message


def test_agency_admin_cannot_create_a_program_for_another_organization(admin_a, org_b):
    with pytest.raises(ProgramError) as refusal:
        save_program(admin=admin_a, organization=org_b, values=values())
    assert refusal.value.code == errors.ORGANIZATION_REQUIRED


def test_a_location_name_is_unique_in_its_program(admin_a, day_shelter):
    save_location(admin=admin_a, project=day_shelter, name="Riverside", address="")
    with pytest.raises(ProgramError) as refusal:
        save_location(admin=admin_a, project=day_shelter, name="Riverside", address="1 Main")
    assert refusal.value.message == errors.LOCATION_NAME_TAKEN_MESSAGE


def test_a_deactivated_location_refuses_its_batches_at_the_desk(admin_a, day_shelter, staff_a):
    location = save_location(admin=admin_a, project=day_shelter, name="Annex", address="")
    batch = f.make_batch(day_shelter, location=location)
    client = f.make_client()
    f.enroll(client, day_shelter)
    set_location_active(admin=admin_a, location=location, active=False)
    batch.refresh_from_db()
    today = timezone.localdate()
    with pytest.raises(BatchError) as refusal:
        add_client_to_batch(
            batch=batch, client=client, user=staff_a, batch_date=today, date_provided=today
        )
    assert refusal.value.message == "ERROR: This batch's location (Annex) has been deactivated."
    assert AuditEvent.objects.filter(
        object_type="projects.Location", changes__active=[True, False]
    ).exists()
