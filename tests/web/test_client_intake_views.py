"""New client (intake with the duplicate check) and Edit client pages."""

from datetime import date

import pytest
from django.urls import reverse

from hmis.accounts.models import Role
from hmis.audit.models import AuditEvent
from hmis.clients.models import Client
from hmis.clients.ssn import get_ssn
from tests import factories as f
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

HUD_ANSWERS = {
    "first_name": "Jose",
    "last_name": "Nunes",
    "name_data_quality": "1",
    "ssn": "123-45-6789",
    "ssn_data_quality": "1",
    "dob": "1980-04-07",
    "dob_data_quality": "1",
    "races": ["HispanicLatinao"],
    "sex": "1",
    "veteran_status": "0",
}


def test_clients_page_offers_new_client_to_staff_only(web_a, readonly_a):
    assert reverse("clients:new") in web_a.get(reverse("clients:search")).content.decode()
    page = signed_in(readonly_a).get(reverse("clients:search")).content.decode()
    assert reverse("clients:new") not in page
    assert signed_in(readonly_a).get(reverse("clients:new")).status_code == 403


def test_a_search_with_no_match_offers_new_client_with_the_name(web_a):
    page = web_a.get(reverse("clients:search"), {"q": "Ada Quill"}).content.decode()
    assert f"{reverse('clients:new')}?name=Ada%20Quill" in page
    form = web_a.get(reverse("clients:new"), {"name": "Ada Quill"}).content.decode()
    assert 'value="Ada"' in form and 'value="Quill"' in form


def test_new_client_shows_a_likely_duplicate_before_creating(web_a, org_a):
    existing = f.make_client("José", "Núñez", organization=org_a, dob=date(1980, 4, 7))
    page = web_a.post(reverse("clients:new"), HUD_ANSWERS).content.decode()
    assert "Possible duplicates" in page
    assert "Núñez, José" in page and "Born 1980" in page and f"Client ID {existing.pk}" in page
    assert reverse("clients:profile", args=[existing.pk]) in page
    assert Client.objects.count() == 1


def test_confirming_a_new_client_creates_it_with_its_hud_answers(web_a, org_a):
    f.make_client("José", "Núñez", organization=org_a, dob=date(1980, 4, 7))
    page = web_a.post(reverse("clients:new"), HUD_ANSWERS).content.decode()
    fingerprint = page.split('name="confirm_new" value="')[1].split('"')[0]
    response = web_a.post(reverse("clients:new"), {**HUD_ANSWERS, "confirm_new": fingerprint})
    created = Client.objects.get(last_name="Nunes")
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:profile", args=[created.pk])
    assert get_ssn(created) == "123456789" and created.hud_data["HispanicLatinao"] == 1
    assert created.organization == org_a


def test_a_confirmation_for_another_name_checks_again(web_a, org_a):
    f.make_client("José", "Núñez", organization=org_a, dob=date(1980, 4, 7))
    page = web_a.post(reverse("clients:new"), HUD_ANSWERS).content.decode()
    fingerprint = page.split('name="confirm_new" value="')[1].split('"')[0]
    again = web_a.post(
        reverse("clients:new"), {**HUD_ANSWERS, "first_name": "Josef", "confirm_new": fingerprint}
    )
    assert again.status_code == 200 and "Possible duplicates" in again.content.decode()
    assert Client.objects.count() == 1


def test_another_organizations_match_shows_only_name_birth_year_and_id(web_a, org_b):
    theirs = f.make_client("José", "Núñez", organization=org_b, dob=date(1980, 4, 7))
    page = web_a.post(reverse("clients:new"), HUD_ANSWERS).content.decode()
    assert f"Client ID {theirs.pk}" in page and "you may not open it" in page
    assert reverse("clients:profile", args=[theirs.pk]) not in page
    assert "04/07/1980" not in page


def test_hud_rule_messages_are_shown_beside_their_fields(web_a):
    answers = {**HUD_ANSWERS, "ssn": "12345", "dob": "", "races": [], "sex": ""}
    page = web_a.post(reverse("clients:new"), answers).content.decode()
    assert "A Social Security number has 9 digits" in page
    assert "Enter the date of birth, or choose another DOB Data Quality." in page
    assert "Choose one or more races and ethnicities, or why none was given." in page
    assert "Please correct the fields marked below." in page
    assert not Client.objects.exists()


def test_edit_client_changes_every_field_and_audits_old_and_new(web_a, org_a, staff_a):
    client = f.make_client("Nia", "Cole", organization=org_a, dob=date(1990, 1, 2))
    url = reverse("clients:edit", args=[client.pk])
    form = web_a.get(url).content.decode()
    assert 'value="Nia"' in form and 'value="1990-01-02"' in form
    response = web_a.post(
        url,
        {
            **HUD_ANSWERS,
            "first_name": "Nia",
            "last_name": "Cole-Grant",
            "dob": "1990-02-01",
            "ssn": "",
            "ssn_data_quality": "99",
            "races": ["White", "Asian"],
            "sex": "0",
        },
    )
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.last_name == "Cole-Grant" and client.dob == date(1990, 2, 1)
    event = AuditEvent.objects.get(client_id=client.pk, action="change", actor=staff_a)
    assert event.changes["last_name"] == ["Cole", "Cole-Grant"]
    assert event.changes["dob"] == "[redacted]"  # changed; the audit keeps no birth dates


def test_edit_client_refusal_keeps_the_record(web_a, org_a):
    client = f.make_client("Nia", "Cole", organization=org_a)
    page = web_a.post(
        reverse("clients:edit", args=[client.pk]), {**HUD_ANSWERS, "first_name": ""}
    ).content.decode()
    assert "Enter the first and last name" in page
    client.refresh_from_db()
    assert client.first_name == "Nia"


def test_edit_page_offers_the_camera_and_the_upload(web_a, org_a):
    client = f.make_client("Nia", "Cole", organization=org_a)
    page = web_a.get(reverse("clients:edit", args=[client.pk])).content.decode()
    assert "data-camera" in page and "Take photo with camera" in page
    assert reverse("clients:photo_upload", args=[client.pk]) in page
    assert "client_form.js" in page


def test_outsiders_and_scan_stations_cannot_edit(web_b, org_a):
    client = f.make_client("Nia", "Cole", organization=org_a)
    url = reverse("clients:edit", args=[client.pk])
    assert web_b.get(url).status_code == 404
    assert web_b.post(url, HUD_ANSWERS).status_code == 404
    station = signed_in(f.make_user(org_a, Role.SCAN_STATION))
    assert station.get(url).status_code == 403
    assert station.get(reverse("clients:new")).status_code == 403
    client.refresh_from_db()
    assert client.last_name == "Cole"


def test_profile_shows_the_hud_answers_with_the_ssn_masked(web_a, staff_a):
    from hmis.clients.intake import create_client
    from hmis.clients.ude import ClientDetails

    client = create_client(
        user=staff_a,
        details=ClientDetails(
            first_name="Ada",
            last_name="Quill",
            ssn="123456789",
            races=("Asian",),
            additional_race_ethnicity="Hmong",
            sex=0,
            veteran_status=1,
            dob=date(1970, 1, 1),
        ),
    )
    page = web_a.get(reverse("clients:profile", args=[client.pk])).content.decode()
    assert "***-**-6789" in page and "123456789" not in page
    assert "Asian or Asian American (Hmong)" in page
    assert "<dt>Veteran Status</dt><dd>Yes</dd>" in page and "<dt>Sex</dt><dd>Female</dd>" in page
