"""The desk's *Add household* and per-client comments."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from hmis.batches.models import BatchEntry
from tests import factories as f
from tests.web.conftest import signed_in
from tests.web.test_batches_views import scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(org_a, day_shelter, carded):
    head = carded("HOUSE0001", "Hana", "Head")
    enrollment = head.enrollments.get()
    members = []
    for first in ("Mia", "Max"):
        member = f.make_client(first, "Member", organization=org_a)
        f.enroll(
            member,
            day_shelter,
            date(2024, 1, 1),
            household_id=enrollment.household_id,
            relationship_to_hoh=2,
        )
        members.append(member)
    return head, members


def test_scanning_a_head_of_household_offers_add_household(web_a, desk_batch, household):
    page = scan(web_a, desk_batch, "HOUSE0001").content.decode()
    assert "Add household" in page and "2 members" in page


def test_scanning_someone_not_heading_a_household_offers_nothing(web_a, desk_batch, carded):
    carded("SINGLE001")
    assert "Add household" not in scan(web_a, desk_batch, "SINGLE001").content.decode()


def test_add_household_adds_each_member_and_refuses_a_barred_one_on_its_own_line(
    web_a, desk_batch, household, org_a
):
    head, (mia, max_) = household
    f.bar(max_, organization=org_a, reason="Fighting")
    day = timezone.localdate().isoformat()
    page = web_a.post(
        reverse("batches:household", args=[desk_batch.pk]),
        {"client": head.pk, "batch_date": day, "date_provided": day},
    ).content.decode()
    assert page.count(">Added<") == 1 and page.count(">Not added<") == 1
    assert "Reason: Fighting" in page
    assert set(BatchEntry.objects.values_list("client_id", flat=True)) == {mia.pk}


def test_add_household_of_another_organization_is_404(web_b, desk_batch, household):
    head, _ = household
    response = web_b.post(reverse("batches:household", args=[desk_batch.pk]), {"client": head.pk})
    assert response.status_code == 404


def test_entry_comment_is_saved_from_the_entry_list(web_a, desk_batch, carded, staff_a):
    client = carded("NOTE00001")
    scan(web_a, desk_batch, "NOTE00001")
    entry = BatchEntry.objects.get(client=client)
    page = web_a.post(
        reverse("batches:entry_comment", args=[desk_batch.pk, entry.pk]),
        {"comment": "Needs a coat", "comment_mode": "replace"},
    ).content.decode()
    entry.refresh_from_db()
    assert (entry.comment, entry.comment_mode) == ("Needs a coat", "replace")
    assert "Needs a coat" in page


def test_read_only_user_and_scan_station_cannot_add_a_household(
    readonly_a, station_a, desk_batch, household
):
    head, _ = household
    url = reverse("batches:household", args=[desk_batch.pk])
    for user in (readonly_a, station_a):
        assert signed_in(user).post(url, {"client": head.pk}).status_code == 403
    assert not BatchEntry.objects.exists()
