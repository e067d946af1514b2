"""Enrollment pages from the profile: Enroll, Enroll household, Exit, Edit enrollment."""

from datetime import date

import pytest
from django.urls import reverse

from hmis.clients.models import Enrollment
from hmis.services.models import Service
from tests import factories as f
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

ASSESSMENT = {
    "disabling_condition": "0",
    "living_situation": "116",
    "times_homeless_past_three_years": "1",
}


def test_profile_offers_enroll_exit_and_edit_to_staff(web_a, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    enrollment = f.enroll(client, day_shelter)
    page = web_a.get(reverse("clients:profile", args=[client.pk])).content.decode()
    for url in (
        reverse("clients:enroll", args=[client.pk]),
        reverse("clients:enroll_household", args=[client.pk]),
        reverse("clients:exit", args=[enrollment.pk]),
        reverse("clients:enrollment_edit", args=[enrollment.pk]),
        reverse("services:add", args=[client.pk]),
    ):
        assert f'href="{url}"' in page


def test_read_only_user_gets_no_enrollment_actions(readonly_a, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    http = signed_in(readonly_a)
    page = http.get(reverse("clients:profile", args=[client.pk])).content.decode()
    assert reverse("clients:enroll", args=[client.pk]) not in page
    assert http.get(reverse("clients:enroll", args=[client.pk])).status_code == 403


def test_enroll_page_enrolls_with_hud_answers(web_a, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    response = web_a.post(
        reverse("clients:enroll", args=[client.pk]),
        {
            "project": day_shelter.pk,
            "entry_date": "2025-03-01",
            "relationship_to_hoh": "1",
            **ASSESSMENT,
        },
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(client=client)
    assert enrollment.hud_data["LivingSituation"] == 116
    assert enrollment.hud_data["TimesHomelessPastThreeYears"] == 1


def test_enroll_page_shows_a_missing_answer_beside_its_field(web_a, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    page = web_a.post(
        reverse("clients:enroll", args=[client.pk]),
        {
            "project": day_shelter.pk,
            "entry_date": "2025-03-01",
            "relationship_to_hoh": "1",
            "disabling_condition": "0",
            "living_situation": "410",
        },
    ).content.decode()
    assert "Length of stay in prior living situation is required" in page
    assert not Enrollment.objects.filter(client=client).exists()


def test_enroll_page_refuses_a_second_open_enrollment(web_a, org_a, day_shelter):
    client = f.make_client("Nia", "Cole", organization=org_a)
    f.enroll(client, day_shelter, date(2025, 1, 1))
    page = web_a.post(
        reverse("clients:enroll", args=[client.pk]),
        {
            "project": day_shelter.pk,
            "entry_date": "2025-03-01",
            "relationship_to_hoh": "1",
            **ASSESSMENT,
        },
    ).content.decode()
    assert "already has an open enrollment in Day Shelter" in page
    assert Enrollment.objects.filter(client=client).count() == 1


def test_enroll_page_offers_only_the_users_organizations_programs(web_a, org_a, org_b):
    client = f.make_client(organization=org_a)
    theirs = f.make_project(org_b, "Their Shelter")
    response = web_a.post(
        reverse("clients:enroll", args=[client.pk]),
        {
            "project": theirs.pk,
            "entry_date": "2025-03-01",
            "relationship_to_hoh": "1",
            **ASSESSMENT,
        },
    )
    assert response.status_code == 200
    assert not Enrollment.objects.filter(client=client).exists()


def test_exit_page_exits_and_refuses_a_date_before_entry(web_a, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    enrollment = f.enroll(client, day_shelter, date(2025, 3, 1))
    url = reverse("clients:exit", args=[enrollment.pk])
    page = web_a.post(url, {"exit_date": "2025-02-01", "destination": "410"}).content.decode()
    assert "cannot be before the Entry Date (03/01/2025)" in page
    assert web_a.post(url, {"exit_date": "2025-04-01", "destination": "410"}).status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.exit_date, enrollment.destination) == (date(2025, 4, 1), 410)


def test_exit_before_last_service_is_explained(web_a, org_a, day_shelter, desk_batch):
    client = f.make_client(organization=org_a)
    enrollment = f.enroll(client, day_shelter, date(2025, 3, 1))
    Service.objects.create(
        client=client,
        enrollment=enrollment,
        service_code=desk_batch.service_codes.first().service_code,
        date_provided=date(2025, 3, 20),
        project=day_shelter,
    )
    page = web_a.post(
        reverse("clients:exit", args=[enrollment.pk]),
        {"exit_date": "2025-03-10", "destination": "410"},
    ).content.decode()
    assert "last service in Day Shelter (03/20/2025)" in page


def test_edit_page_corrects_entry_and_exit(web_a, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    enrollment = f.enroll(
        client, day_shelter, date(2025, 3, 1), exit_date=date(2025, 4, 1), destination=410
    )
    url = reverse("clients:enrollment_edit", args=[enrollment.pk])
    assert 'value="2025-03-01"' in web_a.get(url).content.decode()
    response = web_a.post(
        url,
        {
            "entry_date": "2025-02-27",
            "relationship_to_hoh": "1",
            "exit_date": "2025-04-02",
            "destination": "411",
            **ASSESSMENT,
        },
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.entry_date, enrollment.exit_date, enrollment.destination) == (
        date(2025, 2, 27),
        date(2025, 4, 2),
        411,
    )


def test_household_page_enrolls_head_and_members_together(web_a, org_a, day_shelter):
    head = f.make_client("Ana", organization=org_a)
    partner = f.make_client("Ben", organization=org_a)
    child = f.make_client("Cy", organization=org_a)
    data = {
        "project": day_shelter.pk,
        "entry_date": "2025-03-01",
        **ASSESSMENT,
        "members-TOTAL_FORMS": "4",
        "members-INITIAL_FORMS": "0",
        "members-0-client_id": partner.pk,
        "members-0-relationship_to_hoh": "3",
        "members-0-disabling_condition": "0",
        "members-1-client_id": child.pk,
        "members-1-relationship_to_hoh": "2",
        "members-1-disabling_condition": "99",
    }
    response = web_a.post(reverse("clients:enroll_household", args=[head.pk]), data)
    assert response.status_code == 302, response.content.decode()
    rows = Enrollment.objects.filter(project=day_shelter).order_by("relationship_to_hoh")
    assert [e.client for e in rows] == [head, child, partner]
    assert len({e.household_id for e in rows}) == 1


def test_household_page_refuses_a_member_the_user_may_not_see(web_a, org_a, org_b, day_shelter):
    head = f.make_client("Ana", organization=org_a)
    hidden = f.make_client("Zed", organization=org_b)
    data = {
        "project": day_shelter.pk,
        "entry_date": "2025-03-01",
        **ASSESSMENT,
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-client_id": hidden.pk,
        "members-0-relationship_to_hoh": "3",
        "members-0-disabling_condition": "0",
    }
    page = web_a.post(reverse("clients:enroll_household", args=[head.pk]), data).content.decode()
    assert "No client with this Client ID that you may see" in page
    assert not Enrollment.objects.exists()


def test_other_organization_gets_404_on_enrollment_pages(web_b, org_a, day_shelter):
    client = f.make_client(organization=org_a)
    enrollment = f.enroll(client, day_shelter)
    for url in (
        reverse("clients:enroll", args=[client.pk]),
        reverse("clients:exit", args=[enrollment.pk]),
        reverse("clients:enrollment_edit", args=[enrollment.pk]),
        reverse("clients:enroll_household", args=[client.pk]),
    ):
        assert web_b.get(url).status_code == 404
