"""Every report page answers with the same number of statements however many clients it counts
(hmis/reports/views.py)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hmis.accounts.models import Role
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-03-01", "end": "2026-03-10"}
PAGES = [
    ("/reports/dashboard/", {"per": "week"}),
    ("/reports/dashboard.csv", {}),
    ("/reports/demographics/", {}),
    ("/reports/demographics.csv", {}),
    ("/reports/funders/", {}),
    ("/reports/funders.csv", {}),
    ("/reports/data-quality/", {"stale_days": 5}),
]


def _statements(client, url, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {**PERIOD, **query})
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize(("url", "query"), PAGES)
def test_report_statements_do_not_grow_with_the_clients_served(
    client, org_a, served, day_shelter, url, query
):
    client.force_login(f.make_user(org_a, Role.AGENCY_ADMIN))
    before = _statements(client, url, query)
    code = f.make_code("Shower")
    for n in range(5):
        newcomer = f.make_client(f"New{n}", "Comer", dob=None, hud_data={"Sex": n % 2})
        enrollment = f.enroll(newcomer, day_shelter)
        for day in (2, 3, 4):
            Service.objects.create(
                client=newcomer,
                enrollment=enrollment,
                service_code=code,
                date_provided=date(2026, 3, day),
                project=day_shelter,
            )

    assert _statements(client, url, query) == before


def test_sign_in_sheet_statements_do_not_grow_with_the_clients(client, staff_a, served):
    client.force_login(staff_a)
    query = {"batch": served.batch.pk, "day": "2026-03-10"}
    pages = ["/reports/sign-in-sheet/", "/reports/sign-in-sheet.csv", "/reports/sign-in-sheet.pdf"]
    before = [_statements(client, url, {**query, "start": "", "end": ""}) for url in pages]
    from hmis.batches.adding import add_client_to_batch

    for n in range(4):
        guest = f.make_client(f"Guest{n}", "Sheet")
        f.enroll(guest, served.batch.project)
        add_client_to_batch(
            batch=served.batch,
            client=guest,
            user=staff_a,
            batch_date=date(2026, 3, 10),
            date_provided=date(2026, 3, 10),
        )

    assert [_statements(client, url, {**query, "start": "", "end": ""}) for url in pages] == before
