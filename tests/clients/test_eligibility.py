from datetime import date

import pytest

from hmis.clients.eligibility import (
    active_enrollment,
    bar_message,
    bars_in_force,
    withheld_message,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_enrollment_is_active_from_entry_through_exit(day_shelter):
    client = f.make_client()
    enrollment = f.enroll(client, day_shelter, date(2026, 3, 1), exit_date=date(2026, 3, 31))
    assert active_enrollment(client=client, project=day_shelter, on=date(2026, 3, 1)) == enrollment
    assert active_enrollment(client=client, project=day_shelter, on=date(2026, 3, 31)) == enrollment
    assert active_enrollment(client=client, project=day_shelter, on=date(2026, 2, 28)) is None
    assert active_enrollment(client=client, project=day_shelter, on=date(2026, 4, 1)) is None


def test_enrollment_in_another_program_does_not_count(day_shelter, org_a):
    client = f.make_client()
    f.enroll(client, f.make_project(org_a, "SSO"))
    assert active_enrollment(client=client, project=day_shelter, on=date(2026, 5, 1)) is None


def test_deleted_enrollment_does_not_count(day_shelter):
    from django.utils import timezone

    client = f.make_client()
    f.enroll(client, day_shelter, deleted_at=timezone.now())
    assert active_enrollment(client=client, project=day_shelter, on=date(2026, 5, 1)) is None


def test_bars_apply_by_organization_project_and_location(org_a, org_b, day_shelter):
    site = f.make_location(day_shelter, "North")
    other_site = f.make_location(day_shelter, "South")
    batch = f.make_batch(day_shelter, location=site)
    client = f.make_client()
    on = date(2026, 6, 1)
    by_org = f.bar(client, organization=org_a)
    by_project = f.bar(client, organization=org_a, project=day_shelter)
    by_site = f.bar(client, organization=org_a, project=day_shelter, location=site)
    f.bar(client, organization=org_a, project=day_shelter, location=other_site)
    f.bar(client, organization=org_b)
    f.bar(client, organization=org_a, project=f.make_project(org_a, "Other"))
    assert set(bars_in_force(client=client, batch=batch, on=on).refusing) == {
        by_org,
        by_project,
        by_site,
    }


def test_bar_is_in_force_from_start_through_end(org_a, day_shelter):
    batch = f.make_batch(day_shelter)
    client = f.make_client()
    f.bar(client, organization=org_a, start_date=date(2026, 1, 10), end_date=date(2026, 1, 20))
    assert bars_in_force(client=client, batch=batch, on=date(2026, 1, 9)).refusing == []
    assert len(bars_in_force(client=client, batch=batch, on=date(2026, 1, 10)).refusing) == 1
    assert len(bars_in_force(client=client, batch=batch, on=date(2026, 1, 20)).refusing) == 1
    assert bars_in_force(client=client, batch=batch, on=date(2026, 1, 21)).refusing == []


def test_the_longest_lasting_bar_comes_first(org_a, day_shelter):
    batch = f.make_batch(day_shelter)
    client = f.make_client()
    on = date(2026, 6, 1)
    sooner = f.bar(client, organization=org_a, end_date=date(2026, 7, 1))
    later = f.bar(client, organization=org_a, project=day_shelter, end_date=date(2027, 1, 1))
    assert bars_in_force(client=client, batch=batch, on=on).refusing == [later, sooner]
    indefinite = f.bar(client, organization=org_a)
    assert bars_in_force(client=client, batch=batch, on=on).refusing == [indefinite, later, sooner]


def test_bar_message_names_scope_end_and_reason(org_a, day_shelter):
    client = f.make_client()
    dated = f.bar(
        client,
        organization=org_a,
        project=day_shelter,
        end_date=date(2026, 12, 31),
        reason="Threatened staff",
    )
    assert bar_message(dated) == (
        "ERROR: Client is barred from program Day Shelter until 12/31/2026. "
        "Reason: Threatened staff"
    )
    open_ended = f.bar(client, organization=org_a, reason="Weapons")
    assert bar_message(open_ended) == (
        "ERROR: Client is barred from organization Agency A indefinitely. Reason: Weapons"
    )


def test_service_code_bar_withholds_only_its_code_within_its_organization(
    org_a, org_b, day_shelter
):
    visit, shower = f.make_code("Day Shelter visit"), f.make_code("Shower")
    batch = f.make_batch(day_shelter, codes=[(visit, 1), (shower, 1)])
    client = f.make_client()
    on = date(2026, 6, 1)
    shower_bar = f.bar(client, organization=org_a, service_code=shower, reason="Flooded the room")
    f.bar(client, organization=org_b, service_code=visit)  # another agency's: not here
    judgement = bars_in_force(client=client, batch=batch, on=on, code_ids=[visit.pk, shower.pk])
    assert judgement.refusing == []
    assert judgement.withheld == {shower.pk: shower_bar}
    assert withheld_message(shower_bar) == (
        "Shower withheld: client is barred from service Shower indefinitely. "
        "Reason: Flooded the room"
    )


def test_service_code_bar_withholding_every_code_refuses_the_client(org_a, day_shelter):
    shower = f.make_code("Shower")
    batch = f.make_batch(day_shelter, codes=[(shower, 1)])
    client = f.make_client()
    shower_bar = f.bar(client, organization=org_a, service_code=shower)
    judgement = bars_in_force(client=client, batch=batch, on=date(2026, 6, 1), code_ids=[shower.pk])
    assert judgement.refusing == [shower_bar]
    assert bar_message(shower_bar).startswith("ERROR: Client is barred from service Shower")
