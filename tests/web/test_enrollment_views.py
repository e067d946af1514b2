"""Enrollment pages from the profile: Enroll, Enroll household, Exit, Edit enrollment."""

from datetime import date

import pytest
from django.urls import reverse

from hmis.clients.models import Client, Enrollment
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


NEW_MEMBER = {
    "new-relationship_to_hoh": "2",
    "new-disabling_condition": "0",
    "new-first_name": "Dana",
    "new-last_name": "Newkid",
    "new-ssn_data_quality": "99",
    "new-dob": "2015-04-05",
    "new-races": ["White"],
    "new-sex": "0",
    "new-veteran_status": "99",
}


def _household_post(head, day_shelter, members=(), **extra):
    data = {
        "project": day_shelter.pk,
        "entry_date": "2025-03-01",
        **ASSESSMENT,
        "members-TOTAL_FORMS": "4",
        "members-INITIAL_FORMS": "0",
        **extra,
    }
    for i, (client, relationship) in enumerate(members):
        data[f"members-{i}-client_id"] = client.pk
        data[f"members-{i}-relationship_to_hoh"] = relationship
        data[f"members-{i}-disabling_condition"] = "0"
    return data


def test_household_page_enrolls_a_new_client_through_the_intake(web_a, org_a, day_shelter):
    head = f.make_client("Ana", "Head", organization=org_a)
    partner = f.make_client("Ben", "Partner", organization=org_a)
    url = reverse("clients:enroll_household", args=[head.pk])
    response = web_a.post(url, _household_post(head, day_shelter, [(partner, "3")], **NEW_MEMBER))
    assert response.status_code == 302, response.content.decode()
    new = Client.objects.get(last_name="Newkid")
    assert new.organization_id == org_a.pk and new.hud_data["White"] == 1
    rows = Enrollment.objects.filter(project=day_shelter)
    assert {e.client for e in rows} == {head, partner, new}
    assert len({e.household_id for e in rows}) == 1
    assert rows.get(client=new).relationship_to_hoh == 2


def test_household_page_shows_hud_problems_of_the_new_member_beside_fields(
    web_a, org_a, day_shelter
):
    head = f.make_client("Ana", "Head", organization=org_a)
    data = _household_post(
        head, day_shelter, **{**NEW_MEMBER, "new-dob": "2999-01-01", "new-sex": ""}
    )
    response = web_a.post(reverse("clients:enroll_household", args=[head.pk]), data)
    assert response.status_code == 200
    form = response.context["new_member"]
    assert "dob" in form.errors and "sex" in form.errors
    assert not Client.objects.filter(last_name="Newkid").exists()
    assert not Enrollment.objects.exists()


def test_household_page_offers_duplicates_before_creating_the_new_member(web_a, org_a, day_shelter):
    head = f.make_client("Ana", "Head", organization=org_a)
    twin = f.make_client("Dana", "Newkid", organization=org_a, dob=date(2015, 4, 5))
    url = reverse("clients:enroll_household", args=[head.pk])
    data = _household_post(head, day_shelter, **{**NEW_MEMBER, "new-last_name": "Newkidd"})
    response = web_a.post(url, data)
    assert response.status_code == 200
    assert [m.client for m in response.context["matches"]] == [twin]
    assert "Use this client: Dana Newkid" in response.content.decode()
    assert not Enrollment.objects.exists()

    # "Use this client": the existing record becomes the member; no new client.
    response = web_a.post(url, {**data, "use": str(twin.pk)})
    assert response.status_code == 302, response.content.decode()
    assert Enrollment.objects.get(client=twin).relationship_to_hoh == 2
    assert not Client.objects.filter(last_name="Newkidd").exists()


def test_household_page_confirmed_new_member_is_created(web_a, org_a, day_shelter):
    head = f.make_client("Ana", "Head", organization=org_a)
    f.make_client("Dana", "Newkid", organization=org_a, dob=date(2015, 4, 5))
    url = reverse("clients:enroll_household", args=[head.pk])
    data = _household_post(head, day_shelter, **NEW_MEMBER)
    fingerprint = web_a.post(url, data).context["fingerprint"]
    response = web_a.post(url, {**data, "confirm_new": fingerprint})
    assert response.status_code == 302, response.content.decode()
    assert Client.objects.filter(last_name="Newkid").count() == 2


def test_household_page_refusal_creates_no_new_member(web_a, org_a, day_shelter):
    head = f.make_client("Ana", "Head", organization=org_a)
    open_member = f.make_client("Ben", "Open", organization=org_a)
    f.enroll(open_member, day_shelter, date(2025, 1, 1))
    url = reverse("clients:enroll_household", args=[head.pk])
    response = web_a.post(
        url, _household_post(head, day_shelter, [(open_member, "3")], **NEW_MEMBER)
    )
    assert response.status_code == 200
    assert "Ben Open" in response.content.decode()
    assert not Client.objects.filter(last_name="Newkid").exists()
    assert not Enrollment.objects.filter(client=head).exists()
