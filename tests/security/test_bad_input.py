"""Finding 2: nothing a user types produces a 500. Superscript digits pass str.isdigit() but not
int(); 20-digit numbers overflow 64-bit columns; year 1 and year 9999 overflow date arithmetic.
Each is refused at the boundary (form, Ninja schema) or read as "nothing found"."""

import pytest
from django.test import Client as HttpClient

from hmis.api.tokens import create_api_token
from hmis.batches.models import BatchEntry
from hmis.inputs import DATE_OUT_OF_RANGE

pytestmark = pytest.mark.django_db

HUGE = "9" * 20
SUPERSCRIPT = "²"


@pytest.fixture
def browser(client, world, agency_admin_a):
    client.raise_request_exception = False
    client.force_login(agency_admin_a)
    return client


@pytest.fixture
def api(world, agency_admin_a):
    _, secret = create_api_token(user=agency_admin_a, name="fuzz")
    return HttpClient(headers={"Authorization": f"Bearer {secret}"}, raise_request_exception=False)


GETS = [
    "/clients/?q={sup}",
    "/clients/?q={huge}",
    "/batches/{batch}/candidates/?typed={sup}",
    "/batches/{batch}/candidates/?typed={huge}",
    "/services/picker/?group={sup}&q=x",
    "/services/picker/?group={huge}&q=x",
    "/batches/locations/?project={sup}",
    "/batches/locations/?project={huge}",
    "/batches/{batch}/add/?date_provided=0001-01-01",
    "/batches/{batch}/add/?batch_date=0001-01-01&date_provided=0001-01-01",
    "/batches/{batch}/add/?date_provided=9999-12-31",
    "/batches/{batch}/recent/?date_provided=0001-01-01",
    "/batches/{batch}/entries/?date_provided=0001-01-01",
    "/audit/?date_to=9999-12-31",
    "/audit/?date_from=0001-01-01",
    "/audit/?client_id={huge}",
    "/audit/export.csv?date_to=9999-12-31",
    "/reports/attendance/?start=0001-01-01&end=0001-01-02",
    "/reports/attendance/?start=9999-12-30&end=9999-12-31",
    "/reports/services/?start=9999-12-30&end=9999-12-31&per=month",
    "/reports/attendance.csv?start=0001-01-01&end=0001-01-02",
    "/reports/attendance/?project={huge}",
    "/cards/print/?clients={sup}",
    "/cards/print/?clients={huge}",
    "/batches/{batch}/enroll/?client={sup}",
    "/batches/{batch}/enroll/?client={huge}&date_provided=0001-01-01",
    "/batches/{batch}/history/?page={huge}",
    "/audit/?page={huge}",
]

API_GETS = [
    "/api/clients?q={sup}",
    "/api/clients?q={huge}",
    "/api/batches?offset={huge}",
    "/api/batches?limit={huge}",
    "/api/batches/{huge}",
    "/api/clients/{huge}",
    "/api/batches/{batch}/entries?offset={huge}",
    "/api/batches/{batch}/entries?date=0001-01-01",
]


def _fill(template: str, world) -> str:
    return template.format(sup=SUPERSCRIPT, huge=HUGE, batch=world["batch"].pk)


@pytest.mark.parametrize("template", GETS)
def test_typed_values_never_crash_a_page(browser, world, template):
    response = browser.get(_fill(template, world))

    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize("template", API_GETS)
def test_typed_values_never_crash_the_api(api, world, template):
    response = api.get(_fill(template, world))

    assert response.status_code < 500, response.content[:300]


def test_a_twenty_digit_number_in_the_batch_form_is_refused_beside_the_field(browser, world):
    response = browser.post(
        "/batches/new/",
        {
            "description": "Overflow",
            "performing_user": HUGE,
            "project": HUGE,
            "location": HUGE,
            "codes-TOTAL_FORMS": "1",
            "codes-INITIAL_FORMS": "0",
            "codes-0-service_code": HUGE,
            "codes-0-units": HUGE,
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_twenty_digit_program_on_the_hud_export_is_refused(browser, world):
    response = browser.post(
        "/hud-csv/export/",
        {
            "start": "2025-01-01",
            "end": "2025-12-31",
            "format": "hud",
            "period_type": "3",
            "projects": [HUGE],
        },
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_a_date_of_year_one_on_the_desk_scan_is_refused_not_crashed(browser, world):
    response = browser.post(
        f"/batches/{world['batch'].pk}/scan/",
        {
            "scan_type": "card",
            "typed": world["card"].code,
            "batch_date": "0001-01-01",
            "date_provided": "0001-01-01",
        },
    )

    assert response.status_code == 200
    assert DATE_OUT_OF_RANGE in response.content.decode()
    assert not BatchEntry.objects.filter(date_provided__year=1).exists()


def test_api_refuses_a_year_one_date_as_invalid_input(api, world):
    response = api.post(
        f"/api/batches/{world['batch'].pk}/entries",
        {"scan_type": "card", "value": world["card"].code, "date_provided": "0001-01-01"},
        content_type="application/json",
    )

    assert response.status_code == 422


def test_a_nul_character_is_refused_before_any_view(browser, world):
    response = browser.get("/services/picker/", {"q": "a\x00b"})

    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_character_in_an_api_body_is_invalid_input(api, world):
    response = api.post(
        f"/api/batches/{world['batch'].pk}/entries",
        {"scan_type": "card", "value": "A\x00B"},
        content_type="application/json",
    )

    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")
