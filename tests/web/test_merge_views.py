"""Merging pages: the side-by-side comparison, *Undo merge*, *Possible duplicates* with *Not a
duplicate*; who may use them."""

from datetime import date

import pytest
from django.urls import reverse

from hmis.accounts.models import Role
from hmis.clients.models import Client, ClientMerge, NotDuplicate
from tests import factories as f
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN)


@pytest.fixture
def twins(org_a):
    keep = f.make_client("Maria", "Lopez", organization=org_a, dob=date(1980, 5, 17))
    old = f.make_client(
        "Maria", "Lopez", organization=org_a, dob=date(1980, 5, 17), preferred_name="Mari"
    )
    return keep, old


def test_staff_may_not_merge(web_a, twins):
    keep, old = twins
    assert web_a.get(reverse("clients:merge", args=[keep.pk]), {"other": old.pk}).status_code == 403
    assert web_a.get(reverse("clients:possible_duplicates")).status_code == 403


def test_another_agencys_admin_cannot_merge_our_clients(org_b, twins):
    keep, old = twins
    admin_b = signed_in(f.make_user(org_b, Role.AGENCY_ADMIN))
    url = reverse("clients:merge", args=[keep.pk])
    assert admin_b.get(url, {"other": old.pk}).status_code == 404
    assert admin_b.post(url, {"other": old.pk}).status_code == 404
    assert not ClientMerge.objects.exists()


def test_merge_page_compares_and_merges_with_the_chosen_fields(admin_a, twins):
    keep, old = twins
    web = signed_in(admin_a)
    url = reverse("clients:merge", args=[keep.pk])
    page = web.get(url, {"other": old.pk}).content.decode()
    assert f"Client ID {old.pk}: Mari" in page and "Preferred name" in page
    choices = {key: "survivor" for key in ("first_name", "last_name", "dob", "ssn", "photo")}
    answer = web.post(url, {"other": old.pk, **choices, "preferred_name": "merged"})
    assert answer.status_code == 302
    keep.refresh_from_db()
    assert keep.preferred_name == "Mari"
    assert Client.objects.get(pk=old.pk).merged_into_id == keep.pk
    profile = web.get(reverse("clients:profile", args=[keep.pk])).content.decode()
    assert "Undo merge" in profile
    merge = ClientMerge.objects.get()
    web.post(reverse("clients:merge_undo", args=[merge.pk]))
    assert Client.objects.get(pk=old.pk).merged_into_id is None
    keep.refresh_from_db()
    assert keep.preferred_name == ""


def test_possible_duplicates_lists_the_pair_until_not_a_duplicate(admin_a, twins):
    keep, old = twins
    web = signed_in(admin_a)
    url = reverse("clients:possible_duplicates")
    page = web.get(url).content.decode()
    assert f"#{keep.pk}" in page and f"#{old.pk}" in page and "Not a duplicate" in page
    web.post(reverse("clients:not_duplicate"), {"first": old.pk, "second": keep.pk})
    assert NotDuplicate.objects.get().first_id == min(keep.pk, old.pk)
    assert "No possible duplicates." in web.get(url).content.decode()
