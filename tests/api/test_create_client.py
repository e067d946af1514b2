"""POST /api/clients: a new client through the same intake as the web (endpoints/clients.py)."""

from datetime import date

import pytest

from hmis.accounts.models import Role
from hmis.clients.models import Client
from hmis.clients.ssn import get_ssn
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW = {
    "first_name": "Ada",
    "last_name": "Quill",
    "ssn": "123-45-6789",
    "dob": "1985-06-01",
    "races": ["White"],
    "sex": 0,
    "veteran_status": 0,
}


def test_staff_create_a_client_of_their_organization(api_as, staff_a, org_a):
    response = api_as(staff_a).post("/api/clients", NEW, content_type="application/json")
    assert response.status_code == 201, response.content
    client = Client.objects.get(pk=response.json()["id"])
    assert client.organization == org_a and client.created_by == staff_a
    assert get_ssn(client) == "123456789" and client.hud_data["White"] == 1
    assert (client.name_data_quality, client.ssn_data_quality, client.dob_data_quality) == (1, 1, 1)


def test_a_hud_rule_refusal_has_the_same_code_and_message_as_the_web(api_as, staff_a):
    body = {**NEW, "ssn": "12345"}
    response = api_as(staff_a).post("/api/clients", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_ssn",
        "message": "A Social Security number has 9 digits (for example 123-45-6789).",
    }
    body = {**NEW, "races": ["White"], "race_none": 9}
    response = api_as(staff_a).post("/api/clients", body, content_type="application/json")
    assert response.json()["code"] == "race_conflict"
    assert not Client.objects.exists()


def test_likely_duplicates_are_returned_until_confirmed(api_as, staff_a, org_b):
    theirs = f.make_client("Ada", "Quil", organization=org_b, dob=date(1985, 6, 1))
    http = api_as(staff_a)
    response = http.post("/api/clients", NEW, content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "possible_duplicates"
    assert body["matches"] == [
        {
            "client_id": theirs.pk,
            "display_name": "Quil, Ada",
            "birth_year": 1985,
            "full_record": False,
            "reasons": ["similar name", "same birth date"],
        }
    ]
    confirmed = http.post(
        "/api/clients", {**NEW, "confirm_new": True}, content_type="application/json"
    )
    assert confirmed.status_code == 201
    assert Client.objects.count() == 2


@pytest.mark.parametrize("role", [Role.SCAN_STATION, Role.READ_ONLY])
def test_scan_stations_and_read_only_users_are_refused(api_as, org_a, role):
    user = f.make_user(org_a, role)
    response = api_as(user).post("/api/clients", NEW, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not Client.objects.exists()
