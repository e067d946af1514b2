"""GET /api/programs, /api/programs/{id}, /api/programs/{id}/locations and /api/catalog/groups."""

from hmis.services.models import ServiceGroup
from tests import factories as f


def test_programs_list_own_organization_with_locations(api_as, staff_a, day_shelter, org_b):
    f.make_location(day_shelter, "Main Street")
    f.make_project(org_b, "Elsewhere")
    body = api_as(staff_a).get("/api/programs").json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == day_shelter.name
    assert [loc["name"] for loc in body["items"][0]["locations"]] == ["Main Street"]


def test_another_organizations_program_is_not_found(api_as, staff_b, day_shelter):
    client = api_as(staff_b)
    assert client.get(f"/api/programs/{day_shelter.pk}").status_code == 404
    assert client.get(f"/api/programs/{day_shelter.pk}/locations").status_code == 404
    assert client.get("/api/catalog/groups", {"program": day_shelter.pk}).status_code == 404


def test_scan_station_sees_the_programs_of_its_batches_only(
    api_as, scan_station_a, day_shelter, org_a
):
    f.make_project(org_a, "Not assigned")
    body = api_as(scan_station_a).get("/api/programs").json()
    assert [item["id"] for item in body["items"]] == [day_shelter.pk]


def test_catalog_lists_the_groups_of_a_program(api_as, staff_a, org_a, day_shelter):
    outreach = f.make_project(org_a, "Outreach")
    limited = ServiceGroup.objects.create(name="Outreach kits", organization=org_a)
    limited.projects.add(outreach)
    f.make_code("Sleeping bag", group=limited)
    f.make_code("Retired", group=limited, active=False)
    client = api_as(staff_a)
    shelter_groups = client.get("/api/catalog/groups", {"program": day_shelter.pk}).json()
    assert "Outreach kits" not in [g["name"] for g in shelter_groups]
    outreach_groups = client.get("/api/catalog/groups", {"program": outreach.pk}).json()
    kits = next(g for g in outreach_groups if g["name"] == "Outreach kits")
    assert [c["name"] for c in kits["codes"]] == ["Sleeping bag"]
    assert kits["program_ids"] == [outreach.pk]


def test_catalog_hides_other_organizations_groups(api_as, staff_b, org_a):
    ServiceGroup.objects.create(name="A's own group", organization=org_a)
    names = [g["name"] for g in api_as(staff_b).get("/api/catalog/groups").json()]
    assert "A's own group" not in names
