"""The catalog pages, and the picker and batch form refusing a group limited to other programs."""

import pytest

from hmis.accounts.models import Role
from hmis.batches.models import ServiceBatch
from hmis.services.models import ServiceCode, ServiceGroup
from tests import factories as f


@pytest.fixture
def outreach(org_a):
    return f.make_project(org_a, "Outreach")


@pytest.fixture
def outreach_group(org_a, outreach):
    group = ServiceGroup.objects.create(name="Outreach kits", organization=org_a)
    group.projects.add(outreach)
    f.make_code("Sleeping bag", group=group)
    return group


def test_picker_refuses_a_group_limited_to_other_programs(
    client, staff_a, day_shelter, outreach_group
):
    client.force_login(staff_a)
    refused = client.get(
        "/services/picker/", {"group": outreach_group.pk, "project": day_shelter.pk}
    )
    assert refused.status_code == 400
    assert "is not offered to the program" in refused.content.decode()
    assert "Sleeping bag" not in refused.content.decode()
    offered = client.get(
        "/services/picker/",
        {"group": outreach_group.pk, "project": outreach_group.projects.get().pk},
    )
    assert offered.status_code == 200 and "Sleeping bag" in offered.content.decode()


def test_picker_groups_follow_the_program(client, staff_a, day_shelter, outreach_group):
    client.force_login(staff_a)
    body = client.get("/services/picker/groups/", {"project": day_shelter.pk}).content.decode()
    assert "Outreach kits" not in body


def test_batch_form_refuses_a_code_of_a_group_limited_to_other_programs(
    client, staff_a, day_shelter, outreach_group
):
    client.force_login(staff_a)
    code = ServiceCode.objects.get(group=outreach_group)
    response = client.post(
        "/batches/new/",
        {
            "description": "Forged",
            "performing_user": staff_a.pk,
            "project": day_shelter.pk,
            "codes-TOTAL_FORMS": "1",
            "codes-INITIAL_FORMS": "0",
            "codes-0-service_code": code.pk,
            "codes-0-units": "1",
        },
    )
    assert response.status_code == 200
    assert (
        "“Sleeping bag” is in the service group “Outreach kits”, which is not offered to the "
        "program Day Shelter." in response.content.decode()
    )
    assert not ServiceBatch.objects.filter(description="Forged").exists()


@pytest.fixture
def as_admin_a(client, org_a):
    client.force_login(f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a"))
    return client


def test_catalog_shows_own_organization_only(as_admin_a, org_b):
    other = ServiceGroup.objects.create(name="Elsewhere group", organization=org_b)
    f.make_code("Elsewhere code", group=other)
    assert "Elsewhere group" not in as_admin_a.get("/manage/catalog/").content.decode()
    assert as_admin_a.get(f"/manage/catalog/groups/{other.pk}/").status_code == 404
    code = other.codes.get()
    response = as_admin_a.post(
        f"/manage/catalog/groups/{other.pk}/codes/{code.pk}/",
        {"name": "Hijacked", "default_units": "1", "active": "1"},
    )
    assert response.status_code == 404
    code.refresh_from_db()
    assert code.name == "Elsewhere code"


def test_create_group_and_code_with_a_limit(as_admin_a, org_a):
    as_admin_a.post("/manage/catalog/groups/new/", {"name": "Hygiene", "active": "on"})
    group = ServiceGroup.objects.get(name="Hygiene")
    assert group.organization == org_a
    response = as_admin_a.post(
        f"/manage/catalog/groups/{group.pk}/codes/new/",
        {
            "name": "Hygiene kit",
            "hud": "",
            "default_units": "1",
            "limit_count": "1",
            "limit_period_days": "7",
            "usable_in_batches": "on",
            "active": "1",
        },
    )
    assert response.status_code == 302
    code = ServiceCode.objects.get(name="Hygiene kit")
    assert (code.group, code.limit_count, code.limit_period_days) == (group, 1, 7)


def test_a_half_limit_is_refused_beside_its_field(as_admin_a, org_a):
    group = ServiceGroup.objects.create(name="Hygiene", organization=org_a)
    response = as_admin_a.post(
        f"/manage/catalog/groups/{group.pk}/codes/new/",
        {"name": "Kit", "default_units": "1", "limit_count": "2", "active": "1"},
    )
    assert "A frequency limit needs both numbers" in response.content.decode()
    assert not ServiceCode.objects.filter(name="Kit").exists()
