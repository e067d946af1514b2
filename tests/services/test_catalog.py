"""services/catalog.py: groups limited to programs, retired codes, HUD pairs, and the catalog's
administration."""

import pytest

from hmis.accounts.models import Role
from hmis.audit.models import AuditAction, AuditEvent
from hmis.services import catalog, errors
from hmis.services.errors import CatalogError
from hmis.services.models import ServiceGroup
from tests import factories as f


@pytest.fixture
def admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a")


@pytest.fixture
def two_programs(org_a, day_shelter):
    return day_shelter, f.make_project(org_a, "Outreach")


def code_values(**overrides):
    values = {
        "name": "Hygiene kit",
        "unit_of_measure": "kit",
        "default_units": 1,
        "limit_count": None,
        "limit_period_days": None,
        "hud_record_type": None,
        "hud_type_provided": None,
        "usable_in_batches": True,
        "active": True,
    }
    values.update(overrides)
    return values


def test_a_group_limited_to_one_program_is_offered_to_that_program_only(
    admin_a, org_a, two_programs
):
    shelter, outreach = two_programs
    group = catalog.save_group(
        admin=admin_a, organization=org_a, name="Outreach kits", active=True, projects=[outreach]
    )
    open_group = ServiceGroup.objects.create(name="Meals", organization=org_a)
    assert set(catalog.groups_available_to(org_a.pk, outreach.pk)) == {group, open_group}
    assert set(catalog.groups_available_to(org_a.pk, shelter.pk)) == {open_group}
    with pytest.raises(CatalogError) as refusal:
        catalog.find_codes(organization_id=org_a.pk, group_id=group.pk, search="", project=shelter)
    assert refusal.value.code == errors.GROUP_NOT_FOR_PROGRAM


def test_picker_search_without_a_group_leaves_out_other_programs_groups(
    admin_a, org_a, two_programs
):
    shelter, outreach = two_programs
    limited = catalog.save_group(
        admin=admin_a, organization=org_a, name="Outreach kits", active=True, projects=[outreach]
    )
    f.make_code("Sleeping bag", group=limited)
    found = catalog.find_codes(organization_id=org_a.pk, group_id=None, search="", project=shelter)
    assert found == []


def test_a_group_cannot_be_limited_to_another_organizations_program(admin_a, org_a, org_b):
    with pytest.raises(CatalogError) as refusal:
        catalog.save_group(
            admin=admin_a,
            organization=org_a,
            name="Kits",
            active=True,
            projects=[f.make_project(org_b)],
        )
    assert refusal.value.code == errors.PROGRAM_OF_OTHER_ORGANIZATION


def test_agency_admin_cannot_make_a_group_of_another_organization_or_a_shared_one(admin_a, org_b):
    for organization in (org_b, None):
        with pytest.raises(CatalogError):
            catalog.save_group(
                admin=admin_a, organization=organization, name="X", active=True, projects=[]
            )


def test_a_code_with_a_frequency_limit_and_hud_pair_is_audited(admin_a, org_a):
    group = ServiceGroup.objects.create(name="Hygiene", organization=org_a)
    code = catalog.save_code(
        admin=admin_a,
        group=group,
        **code_values(limit_count=1, limit_period_days=7, hud_record_type=143, hud_type_provided=7),
    )
    assert (code.limit_count, code.limit_period_days) == (1, 7)
    event = AuditEvent.objects.get(object_type="services.ServiceCode")
    assert event.action == AuditAction.CREATE and event.changes["limit_count"] == [None, 1]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"hud_record_type": 143, "hud_type_provided": 99}, errors.INVALID_HUD_PAIR),
        ({"hud_record_type": 999, "hud_type_provided": 1}, errors.INVALID_HUD_PAIR),
        ({"hud_record_type": 143, "hud_type_provided": None}, errors.INVALID_HUD_PAIR),
        ({"limit_count": 1, "limit_period_days": None}, errors.LIMIT_INCOMPLETE),
    ],
)
def test_invalid_hud_pairs_and_half_limits_are_refused(admin_a, org_a, overrides, code):
    group = ServiceGroup.objects.create(name="Hygiene", organization=org_a)
    with pytest.raises(CatalogError) as refusal:
        catalog.save_code(admin=admin_a, group=group, **code_values(**overrides))
    assert refusal.value.code == code


def test_hud_choices_offer_only_valid_pairs():
    from hmis.hudcsv.codes import type_provided_valid

    pairs = [value for _, options in catalog.hud_service_choices() for value, _ in options]
    assert "200:200" in pairs and "143:7" in pairs
    assert all(type_provided_valid(*map(int, pair.split(":"))) for pair in pairs)


def test_a_retired_code_is_refused_for_a_new_batch_but_kept_on_its_old_one(org_a, day_shelter):
    group = ServiceGroup.objects.create(name="Hygiene", organization=org_a)
    code = f.make_code("Razor", group=group, active=False)
    with pytest.raises(CatalogError) as refusal:
        catalog.check_codes_for_batch(codes=[code], project=day_shelter)
    assert refusal.value.message == "“Razor” is retired: it cannot be added to batches."
    catalog.check_codes_for_batch(codes=[code], project=day_shelter, kept_code_ids={code.pk})
