"""Demographics of the clients served (hmis/reports/demographics.py) and small-cell suppression,
on clients whose answers are known by construction."""

import csv
import io
from datetime import date

import pytest

from hmis.reports import demographics
from hmis.reports.demographics import HIDDEN, suppress
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 1), date(2026, 3, 10)


@pytest.fixture
def people(staff_a, staff_b, day_shelter, org_b):
    """Six women of 30 (one a veteran, one also Black, one chronically homeless, one not; the
    first heads a household with her son of 11), the son, and a client of organization B."""
    code = f.make_code("Visit")

    def serve(client, project, **enrollment):
        enrolled = f.enroll(client, project, date(2024, 1, 1), **enrollment)
        Service.objects.create(
            client=client,
            enrollment=enrolled,
            service_code=code,
            date_provided=date(2026, 3, 2),
            project=project,
            provider=staff_a,
        )
        return enrolled

    women = [
        f.make_client(f"Woman{i}", "Served", dob=date(1995, 6, 1), hud_data={"Sex": 0, "White": 1})
        for i in range(6)
    ]
    women[1].veteran_status = 1
    women[1].save(update_fields=["veteran_status"])
    women[2].hud_data = {"Sex": 0, "White": 1, "BlackAfAmerican": 1}
    women[2].save(update_fields=["hud_data"])
    for woman in women[3:]:
        woman.veteran_status = 0
        woman.save(update_fields=["veteran_status"])
    household = serve(women[0], day_shelter)
    serve(
        women[1],
        day_shelter,
        hud_data={
            "DisablingCondition": 1,
            "LivingSituation": 116,
            "DateToStreetESSH": "2022-01-01",
        },
    )
    serve(women[2], day_shelter, hud_data={"DisablingCondition": 0})
    for woman in women[3:]:
        serve(woman, day_shelter)
    son = f.make_client("Son", "Served", dob=date(2015, 1, 1), hud_data={"Sex": 1, "RaceNone": 9})
    serve(son, day_shelter, household_id=household.household_id, relationship_to_hoh=2)
    outsider = f.make_client("Out", "Sider", dob=date(1950, 1, 1))
    serve(outsider, f.make_project(org_b, "Other"))
    return women, son


def tables(user, **filters) -> dict[str, dict[str, int]]:
    report = demographics.demographics(user=user, start=START, end=END, **filters)
    return {t.key: {k: v for k, v in t.rows.items() if v} for t in report.tables} | {
        "clients": report.clients
    }


def test_demographics_count_each_client_served_once_per_table(staff_a, people):
    result = tables(staff_a)

    assert result["clients"] == 7
    assert result["age"] == {"25-34": 6, "5-12": 1}
    assert result["sex"] == {"Female": 6, "Male": 1}
    assert result["race"] == {
        "White": 6,
        "Black, African American, or African": 1,
        "More than one race or ethnicity": 1,
        "Client doesn't know or prefers not to answer": 1,
    }
    assert result["veteran"] == {"Veteran": 1, "Not a veteran": 3, "Data not collected": 3}
    assert result["chronic"] == {
        "Chronically homeless": 1,
        "Not chronically homeless": 1,
        "Unknown (incomplete data)": 5,
    }
    assert result["household"] == {
        "Households without children": 5,
        "Households with at least one adult and one child": 2,
    }


def test_demographics_never_count_another_agencys_clients(staff_b, people):
    result = tables(staff_b)

    assert result["clients"] == 1
    assert result["age"] == {"65 and over": 1}


def test_demographics_take_three_queries(staff_a, people, django_assert_num_queries):
    with django_assert_num_queries(3):
        demographics.demographics(user=staff_a, start=START, end=END)


def test_small_cells_are_hidden_with_one_more_so_the_total_does_not_give_them_away():
    assert suppress([3, 10, 20]) == [HIDDEN, HIDDEN, 20]
    assert suppress([2, 3, 9]) == [HIDDEN, HIDDEN, 9]
    assert suppress([0, 7, 5]) == [0, 7, 5]
    assert suppress([4, 0]) == [HIDDEN, 0]


def test_demographics_csv_hides_small_cells(client, staff_a, people):
    client.force_login(staff_a)

    response = client.get("/reports/demographics.csv", {"start": "2026-03-01", "end": "2026-03-10"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["All clients served", "", "7"] in rows
    # 25-34 (6) is hidden too: with only 5-12 (1) hidden, 7 - 6 would give it away.
    assert ["Age", "25-34", HIDDEN] in rows and ["Age", "5-12", HIDDEN] in rows
    assert ["Sex", "Female", HIDDEN] in rows and ["Sex", "Male", HIDDEN] in rows
    assert ["Race and ethnicity", "White", "6"] in rows
    assert ["Household type", "Households without children", HIDDEN] in rows
    assert not any(row[2] in {"1", "2", "3", "4"} for row in rows[1:])


def test_demographics_page_shows_exact_counts_unless_asked_to_hide_them(client, staff_a, people):
    client.force_login(staff_a)
    period = {"start": "2026-03-01", "end": "2026-03-10"}

    exact = client.get("/reports/demographics/", period).content.decode()
    shared = client.get("/reports/demographics/", {**period, "shared": "on"}).content.decode()

    assert '<th scope="row">5-12</th><td class="num">1</td>' in exact
    assert '<th scope="row">5-12</th><td class="num suppressed">*</td>' in shared
    assert exact.count('role="img"') == 6
