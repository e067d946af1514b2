"""The program and location pages (/manage/programs/)."""

import pytest

from hmis.accounts.models import Role
from hmis.projects.models import Location, Project
from tests import factories as f


@pytest.fixture
def as_admin_a(client, org_a):
    client.force_login(f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a"))
    return client


def program_data(org, **overrides):
    data = {
        "organization": org.pk,
        "name": "Evening Meals",
        "project_type": "6",
        "continuum_project": "1",
        "hmis_participation": "1",
        "operating_start_date": "2025-01-01",
        "residential_affiliation": "0",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_program_list_shows_own_organization_only(as_admin_a, day_shelter, org_b):
    other = f.make_project(org_b, "Elsewhere Shelter")
    body = as_admin_a.get("/manage/programs/").content.decode()
    assert day_shelter.name in body and other.name not in body
    assert as_admin_a.get(f"/manage/programs/{other.pk}/").status_code == 404


def test_a_missing_start_date_is_refused_beside_its_field(as_admin_a, org_a):
    response = as_admin_a.post(
        "/manage/programs/new/", program_data(org_a, operating_start_date="")
    )
    body = response.content.decode()
    assert "A program needs its operating start date (HUD 2.02.3)." in body
    assert not Project.objects.filter(name="Evening Meals").exists()


def test_agency_admin_cannot_post_a_program_into_another_organization(as_admin_a, org_b):
    response = as_admin_a.post("/manage/programs/new/", program_data(org_b))
    assert response.status_code == 200
    assert not Project.objects.filter(name="Evening Meals").exists()


def test_create_program_then_add_and_deactivate_a_location(as_admin_a, org_a):
    response = as_admin_a.post("/manage/programs/new/", program_data(org_a))
    project = Project.objects.get(name="Evening Meals")
    assert response["Location"] == f"/manage/programs/{project.pk}/"
    as_admin_a.post(
        f"/manage/programs/{project.pk}/locations/new/", {"name": "Annex", "address": "2 Elm"}
    )
    location = Location.objects.get(project=project, name="Annex")
    as_admin_a.post(
        f"/manage/programs/{project.pk}/locations/{location.pk}/active/", {"active": "0"}
    )
    location.refresh_from_db()
    assert not location.active


def test_funder_page_refuses_beside_the_field_then_saves(as_admin_a, day_shelter):
    url = f"/manage/programs/{day_shelter.pk}/funders/new/"
    refused = as_admin_a.post(url, {"Funder": "46", "StartDate": "2025-01-01"})
    body = refused.content.decode()
    assert "Name the funder when the funding source is 46 (local or other)." in body
    assert "HUD requires this." in body  # the grant ID
    saved = as_admin_a.post(url, {"Funder": "8", "GrantID": "ESG-2025", "StartDate": "2025-01-01"})
    assert saved.status_code == 302
    page = as_admin_a.get(f"/manage/programs/{day_shelter.pk}/").content.decode()
    assert "ESG-2025" in page


def test_another_organizations_funder_is_not_found(client, org_b, day_shelter):
    from datetime import date

    from hmis.projects.hud_records import save_hud_record

    funder = save_hud_record(
        admin=None,
        project=day_shelter,
        kind="Funder",
        data={"Funder": 8, "GrantID": "A-1", "StartDate": date(2025, 1, 1)},
    )
    client.force_login(f.make_user(org_b, Role.AGENCY_ADMIN, username="admin_b"))
    url = f"/manage/programs/{day_shelter.pk}/funders/{funder.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url + "remove/").status_code == 404


def test_a_residential_program_without_inventory_is_flagged(as_admin_a, org_a):
    from hmis.projects.models import ProjectType

    shelter = f.make_project(org_a, "Night shelter", project_type=ProjectType.ES_NIGHT_BY_NIGHT)
    page = as_admin_a.get(f"/manage/programs/{shelter.pk}/").content.decode()
    assert "HUD needs the inventory (units and beds) of this residential program" in page
