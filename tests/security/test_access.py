"""Agency visibility: clients shared by release of information; batches, services, enrollments
and bars only within their own organization."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from hmis.accounts.models import Role
from hmis.batches.access import get_batch_for_user
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.clients.access import (
    bars_visible_to,
    can_see_full_record,
    client_summary,
    clients_listed_to,
    enrollments_visible_to,
    get_bar_for_user,
    get_client_for_user,
    get_enrollment_for_user,
)
from hmis.clients.models import ReleaseOfInformation, RoiPermission
from hmis.services.access import get_service_for_user, services_visible_to
from tests import factories as f


def roi(client, organization, permission, start=None, end=None):
    return ReleaseOfInformation.objects.create(
        client=client,
        organization=organization,
        permission=permission,
        start_date=start or timezone.localdate() - timedelta(days=30),
        end_date=end,
    )


def test_own_organization_sees_its_client_in_full(staff_a, client_a):
    assert get_client_for_user(staff_a, client_a.pk) == client_a


def test_other_organization_without_roi_gets_404_on_the_profile(staff_b, client_a):
    with pytest.raises(Http404):
        get_client_for_user(staff_b, client_a.pk)


def test_other_organization_sees_only_name_birth_year_and_id_without_roi(staff_b, client_a):
    listed = clients_listed_to(staff_b).get(pk=client_a.pk)
    assert listed.full_record is False
    summary = client_summary(staff_b, client_a)
    assert summary == client_summary(staff_b, client_a, full_record=False)
    assert (summary.client_id, summary.display_name, summary.birth_year) == (
        client_a.pk,
        "Quintanilla, Marisol",
        1979,
    )
    assert not hasattr(summary, "dob")


def test_current_sharing_roi_opens_the_profile_to_other_organizations(staff_b, client_a, org_a):
    roi(client_a, org_a, RoiPermission.SHARE)
    assert get_client_for_user(staff_b, client_a.pk) == client_a
    assert clients_listed_to(staff_b).get(pk=client_a.pk).full_record is True


@pytest.mark.parametrize(
    "dates",
    [
        {"end": date(2020, 12, 31), "start": date(2020, 1, 1)},  # expired
        {"start": date.today() + timedelta(days=10)},  # not yet in force
    ],
)
def test_roi_not_in_force_shares_nothing(staff_b, client_a, org_a, dates):
    roi(client_a, org_a, RoiPermission.SHARE, **dates)
    assert not can_see_full_record(staff_b, client_a)


def test_do_not_share_overrides_a_sharing_roi(staff_b, staff_a, client_a, org_a):
    roi(client_a, org_a, RoiPermission.SHARE)
    roi(client_a, org_a, RoiPermission.DO_NOT_SHARE)
    assert not can_see_full_record(staff_b, client_a)
    assert can_see_full_record(staff_a, client_a)  # the own organization always


def test_enrolling_in_another_organizations_program_makes_the_client_theirs_too(
    staff_b, client_a, org_b
):
    f.enroll(client_a, f.make_project(org_b, "B shelter"))
    assert can_see_full_record(staff_b, client_a)


def test_sharing_roi_still_hides_other_organizations_services_enrollments_and_bars(
    staff_b, client_a, org_a, service_a, bar_a
):
    roi(client_a, org_a, RoiPermission.SHARE)
    assert not services_visible_to(staff_b).filter(client=client_a).exists()
    assert not enrollments_visible_to(staff_b).filter(client=client_a).exists()
    assert not bars_visible_to(staff_b).filter(client=client_a).exists()
    with pytest.raises(Http404):
        get_service_for_user(staff_b, service_a.pk)
    with pytest.raises(Http404):
        get_enrollment_for_user(staff_b, service_a.enrollment_id)
    with pytest.raises(Http404):
        get_bar_for_user(staff_b, bar_a.pk)


def test_own_organization_sees_its_services_enrollments_and_bars(
    staff_a, readonly_a, service_a, bar_a
):
    for user in (staff_a, readonly_a):
        assert get_service_for_user(user, service_a.pk) == service_a
        assert get_enrollment_for_user(user, service_a.enrollment_id) == service_a.enrollment
        assert get_bar_for_user(user, bar_a.pk) == bar_a


def test_system_admin_sees_everything(system_admin, client_a, service_a, bar_a, batch):
    assert get_client_for_user(system_admin, client_a.pk) == client_a
    assert get_service_for_user(system_admin, service_a.pk) == service_a
    assert get_bar_for_user(system_admin, bar_a.pk) == bar_a
    assert get_batch_for_user(system_admin, batch.pk) == batch


def test_other_organization_gets_404_on_a_batch(staff_b, batch):
    with pytest.raises(Http404):
        get_batch_for_user(staff_b, batch.pk)


def test_scan_station_sees_only_its_assigned_batches_and_no_client_records(
    scan_station_a, batch, day_shelter, client_a, service_a
):
    assert get_batch_for_user(scan_station_a, batch.pk) == batch
    other = f.make_batch(day_shelter, description="Not assigned")
    with pytest.raises(Http404):
        get_batch_for_user(scan_station_a, other.pk)
    with pytest.raises(Http404):
        get_client_for_user(scan_station_a, client_a.pk)
    assert not clients_listed_to(scan_station_a).exists()
    assert not services_visible_to(scan_station_a).exists()


def test_scan_station_may_fetch_a_client_added_at_its_own_desk_only(
    scan_station_a, batch, day_shelter, client_a, enrollment_a, staff_a
):
    other = f.make_batch(day_shelter, description="Not assigned")
    for desk in (other, batch):
        BatchEntry.objects.create(
            batch=desk,
            client=client_a,
            enrollment=enrollment_a,
            batch_date=date(2025, 3, 3),
            date_provided=date(2025, 3, 3),
            added_by=staff_a,
            added_at=timezone.now(),
            status=EntryStatus.REMOVED if desk == batch else EntryStatus.PENDING,
        )
    with pytest.raises(Http404):  # only a removed entry at its own desk
        get_client_for_user(scan_station_a, client_a.pk)
    BatchEntry.objects.filter(batch=batch).update(status=EntryStatus.PENDING)
    assert get_client_for_user(scan_station_a, client_a.pk) == client_a


def test_user_without_an_organization_sees_no_records(client_a, service_a, bar_a):
    loose = f.make_user(None, Role.STAFF, username="loose")
    client_a.organization = None
    client_a.save(update_fields=["organization"])
    with pytest.raises(Http404):
        get_client_for_user(loose, client_a.pk)
    assert not services_visible_to(loose).exists()
    assert not bars_visible_to(loose).exists()


def test_client_list_visibility_is_one_query(staff_b, client_a, django_assert_num_queries):
    for n in range(5):
        f.make_client(f"Extra{n}")
    with django_assert_num_queries(1):
        rows = list(clients_listed_to(staff_b))
    assert len(rows) == 6
