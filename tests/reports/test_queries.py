"""The reports' aggregates (hmis/reports/queries.py), on the known activity of conftest.py."""

from datetime import date

import pytest

from hmis.reports import queries

pytestmark = pytest.mark.django_db

MARCH_8, MARCH_9, MARCH_10 = date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)


def by_day(report) -> dict:
    return {d.day: (d.unique_clients, d.visits) for d in report.days if d.visits}


def test_attendance_counts_unique_clients_and_visits_per_day(staff_a, activity):
    report = queries.attendance(user=staff_a, start=date(2026, 3, 1), end=MARCH_10)

    assert by_day(report) == {MARCH_9: (3, 4), MARCH_10: (2, 2)}
    assert (report.unique_clients, report.visits) == (4, 6)


def test_attendance_lists_every_day_of_the_range_including_empty_ones(staff_a, activity):
    report = queries.attendance(user=staff_a, start=MARCH_8, end=MARCH_10)

    assert [(d.day, d.visits) for d in report.days] == [(MARCH_8, 0), (MARCH_9, 4), (MARCH_10, 2)]


def test_attendance_of_one_program(staff_a, activity):
    report = queries.attendance(
        user=staff_a, start=MARCH_8, end=MARCH_10, project=activity.day_shelter
    )

    assert by_day(report) == {MARCH_9: (2, 3), MARCH_10: (2, 2)}
    assert (report.unique_clients, report.visits) == (3, 5)


def test_attendance_of_one_location(staff_a, activity):
    report = queries.attendance(
        user=staff_a, start=MARCH_8, end=MARCH_10, location=activity.main_street
    )

    assert by_day(report) == {MARCH_9: (2, 2), MARCH_10: (2, 2)}


def test_attendance_of_one_batch_leaves_out_removed_entries(staff_a, activity):
    report = queries.attendance(user=staff_a, start=MARCH_8, end=MARCH_10, batch=activity.shower)

    assert by_day(report) == {MARCH_9: (1, 1)}


def test_attendance_shows_nothing_of_another_organization(staff_b, activity):
    report = queries.attendance(user=staff_b, start=MARCH_8, end=MARCH_10)

    assert by_day(report) == {MARCH_9: (1, 1)}  # Ed, at B's own shelter only
    report = queries.attendance(
        user=staff_b, start=MARCH_8, end=MARCH_10, project=activity.day_shelter
    )
    assert report.visits == 0


def test_attendance_takes_two_queries(staff_a, activity, django_assert_num_queries):
    with django_assert_num_queries(2):
        queries.attendance(user=staff_a, start=date(2025, 3, 11), end=MARCH_10)


def rows(**filters):
    return [
        (r["period"], r["program"], r["code_name"], r["services"], r["units"], r["unique_clients"])
        for r in queries.services_delivered(**filters)
    ]


def test_services_delivered_per_day_program_and_code(staff_a, activity):
    found = rows(user=staff_a, start=MARCH_8, end=MARCH_10)

    assert found == [
        (MARCH_9, "Day Shelter", "Visit", 2, 2, 2),
        (MARCH_9, "Supportive Services", "Meal", 1, 2, 1),
        (MARCH_10, "Day Shelter", "Visit", 2, 2, 2),
    ]


def test_services_delivered_per_month(staff_a, activity):
    found = rows(user=staff_a, start=date(2026, 2, 1), end=MARCH_10, period=queries.MONTH)

    assert found == [
        (date(2026, 3, 1), "Day Shelter", "Visit", 4, 4, 3),
        (date(2026, 3, 1), "Supportive Services", "Meal", 1, 2, 1),
    ]


def test_services_delivered_of_one_program_or_code(staff_a, activity):
    assert [
        r[1] for r in rows(user=staff_a, start=MARCH_8, end=MARCH_10, project=activity.sso)
    ] == ["Supportive Services"]
    assert [
        r[2]
        for r in rows(user=staff_a, start=MARCH_8, end=MARCH_10, service_code=activity.meal_code)
    ] == ["Meal"]


def test_services_delivered_totals(staff_a, activity):
    totals = queries.services_delivered_totals(user=staff_a, start=MARCH_8, end=MARCH_10)

    assert totals == {"services": 5, "units": 6, "unique_clients": 4}


def test_services_delivered_shows_nothing_of_another_organization(staff_b, activity):
    found = rows(user=staff_b, start=MARCH_8, end=MARCH_10)

    assert found == [(MARCH_9, "Other Shelter", "Visit", 1, 1, 1)]
    assert rows(user=staff_b, start=MARCH_8, end=MARCH_10, project=activity.day_shelter) == []
