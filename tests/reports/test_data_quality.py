"""The data-quality page (hmis/reports/data_quality.py and its views), on the `served` fixture:
Ann, Ben, Cat, Dan and Gus served from 03/01 to 03/10/2026 (see conftest.py)."""

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hmis.accounts.models import Role
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.reports import data_quality
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a")


@pytest.fixture
def world(served, staff_a):
    """Ann's elements are complete; Ben gave a partial name and does not know his birth date;
    the others have their SSN, race, sex and veteran status not collected. A pending entry of
    03/08 was never posted; one of today is still expected to be."""
    ann, ben = served.people["Ann"], served.people["Ben"]
    ann.ssn_last4, ann.ssn_data_quality, ann.veteran_status = "1234", 1, 0
    ann.hud_data = {"White": 1, "Sex": 0}
    ann.save()
    ben.name_data_quality, ben.dob, ben.dob_data_quality = 2, None, 9
    ben.save()
    gus = served.people["Gus"]
    for day in (date(2026, 3, 8), date(2026, 3, 10)):
        BatchEntry.objects.create(
            batch=served.batch,
            client=gus,
            enrollment=gus.enrollments.get(),
            batch_date=day,
            date_provided=day,
            status=EntryStatus.PENDING,
            added_by=staff_a,
            added_at=datetime(day.year, day.month, day.day, 9, tzinfo=ZoneInfo("America/Chicago")),
        )
    return served


@pytest.fixture
def scope(staff_a, world):
    return {"user": staff_a, "start": world.start, "end": world.end}


def test_universal_data_elements_are_counted_as_hud_data_quality_does(scope):
    report = data_quality.completeness(**scope)

    assert report.clients == 5
    found = {e.name: (e.doesnt_know, e.missing, e.issues, e.rate) for e in report.elements}
    assert found == {
        "Name": (0, 0, 1, 20.0),
        "Social Security Number": (0, 4, 0, 80.0),
        "Date of birth": (1, 0, 0, 20.0),
        "Race and ethnicity": (0, 4, 0, 80.0),
        "Sex": (0, 4, 0, 80.0),
        "Veteran status": (0, 4, 0, 80.0),
    }
    name = next(e for e in report.elements if e.name == "Name")
    assert name.clients == [(world_id(scope, "Ben"), "Served, Ben", "Partial or approximate")]


def world_id(scope, first_name):
    from hmis.clients.models import Client

    return Client.objects.get(first_name=first_name).pk


def test_open_enrollments_with_no_recent_service_are_listed(scope, world):
    stale = data_quality.stale_enrollments(**scope, days=30)

    # Ann's SSO enrollment (last service 01/15) and Eve's (her only service was voided).
    assert stale.count == 2
    assert sorted((e.client.first_name, e.project.name) for e in stale.rows) == [
        ("Ann", "Supportive Services"),
        ("Eve", "Day Shelter"),
    ]
    assert data_quality.stale_enrollments(**scope, days=30, project=world.sso).count == 1


def test_pending_entries_of_past_days_are_listed_per_batch_and_date(scope):
    unposted = data_quality.unposted_entries(**scope)

    assert unposted.count == 1
    assert [(r["batch__description"], r["date_provided"], r["entries"]) for r in unposted.rows] == [
        ("Front desk", date(2026, 3, 8), 1)
    ]


def test_services_recorded_long_after_the_day_provided_are_listed(scope):
    backdated = data_quality.backdated_services(**scope, days=7)

    # All were recorded on 03/10: those provided before 03/03, voided and other agencies' aside.
    assert backdated.count == 7
    assert {s.client.first_name for s in backdated.rows} == {"Ann", "Cat", "Dan", "Gus"}
    assert data_quality.backdated_services(**scope, days=400).count == 0


def test_each_list_takes_a_fixed_number_of_queries(scope, django_assert_num_queries):
    with django_assert_num_queries(1):
        data_quality.completeness(**scope)
    with django_assert_num_queries(1):
        data_quality.stale_enrollments(**scope, days=30)
    with django_assert_num_queries(1):
        data_quality.unposted_entries(**scope)
    with django_assert_num_queries(1):
        data_quality.backdated_services(**scope, days=7)


def test_data_quality_page_is_for_agency_administrators(client, staff_a, admin_a, world):
    client.force_login(staff_a)
    assert client.get("/reports/data-quality/").status_code == 403

    client.force_login(admin_a)
    response = client.get(
        "/reports/data-quality/", {"start": "2026-03-01", "end": "2026-03-10", "stale_days": 30}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/clients/{world.people["Eve"].pk}/"' in page
    assert (
        f'href="/batches/{world.batch.pk}/add/?batch_date=2026-03-08&amp;date_provided=2026-03-08"'
        in page
    )
    assert "80.00" in page


def test_data_quality_csv_has_hud_percentages(client, admin_a, world):
    client.force_login(admin_a)

    response = client.get("/reports/data-quality.csv", {"start": "2026-03-01", "end": "2026-03-10"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1] == ["3.01 Name", "0", "0", "1", "1", "20.00"]
    assert rows[-1] == ["Clients served", "", "", "", "5", ""]
