"""The program dashboard's figures (hmis/reports/dashboard.py), on the `served` fixture whose
answers are known by construction (see tests/reports/conftest.py)."""

from datetime import date

import pytest

from hmis.reports import dashboard

pytestmark = pytest.mark.django_db


@pytest.fixture
def scope(staff_a, served):
    return {"user": staff_a, "start": served.start, "end": served.end}


def test_unduplicated_clients_per_day_count_each_client_once_a_day(scope):
    figure = dashboard.unduplicated(per=dashboard.DAY, **scope)

    assert [(p.start.day, p.clients) for p in figure.points] == [
        (1, 2),  # Cat, Gus
        (2, 2),  # Ann, Cat
        (3, 2),  # Ann, Cat (Eve's service was voided, Fay is another agency's)
        (4, 2),
        (5, 2),  # Ben twice (visit and meal) counts once, Cat
        (6, 1),
        (7, 0),
        (8, 0),
        (9, 0),
        (10, 1),  # Dan
    ]
    assert figure.total == 5


def test_unduplicated_clients_compare_with_the_same_period_last_year(scope):
    figure = dashboard.unduplicated(per=dashboard.DAY, **scope)

    assert figure.last_year[0].start == date(2025, 3, 1)
    assert [p.clients for p in figure.last_year] == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    assert figure.total_last_year == 1


def test_unduplicated_clients_per_week_start_on_monday(scope):
    figure = dashboard.unduplicated(per=dashboard.WEEK, **scope)

    assert [(p.start, p.clients) for p in figure.points] == [
        (date(2026, 2, 23), 2),  # only 03/01 of that week is in the period: Cat, Gus
        (date(2026, 3, 2), 3),  # Ann, Ben, Cat
        (date(2026, 3, 9), 1),  # Dan
    ]


def test_unduplicated_clients_per_month(staff_a, served):
    figure = dashboard.unduplicated(
        per=dashboard.MONTH, user=staff_a, start=date(2026, 1, 1), end=served.end
    )

    assert [(p.label, p.clients) for p in figure.points] == [
        ("Jan 2026", 1),  # Ann
        ("Feb 2026", 1),  # Gus
        ("Mar 2026", 5),
    ]
    assert figure.total == 5


def test_new_clients_had_their_first_service_at_the_agency_in_the_period(scope):
    figure = dashboard.new_and_returning(**scope)

    # Ben and Cat are new; Ann (another program, January), Dan (last year) and Gus (the day
    # before the period began) are returning.
    assert (figure.new, figure.returning) == (2, 3)


def test_new_and_returning_move_with_the_period_boundary(staff_a, served):
    figure = dashboard.new_and_returning(user=staff_a, start=date(2026, 2, 28), end=served.end)

    assert (figure.new, figure.returning) == (3, 2)  # Gus is new when 02/28 is in the period


def test_a_program_filter_still_counts_services_at_the_agencys_other_programs_as_earlier(
    scope, day_shelter
):
    figure = dashboard.new_and_returning(**scope, project=day_shelter)

    assert (figure.new, figure.returning) == (2, 3)  # Ann's January service was at SSO


def test_services_and_units_by_code(scope):
    rows = dashboard.by_code(**scope)

    assert [(r.code, r.services, r.units, r.clients) for r in rows] == [
        ("Visit", 12, 12, 5),
        ("Meal", 1, 2, 1),
    ]


def test_visits_per_client_bands(scope):
    assert dashboard.visits_per_client(**scope) == {
        "Once": 3,  # Ben (two services one day), Dan, Gus
        "2-5 times": 1,  # Ann
        "6 or more times": 1,  # Cat
    }


def test_today_counts_clients_at_the_hour_they_arrived(staff_a, served):
    figure = dashboard.today(user=staff_a)

    assert figure.day == date(2026, 3, 10)
    assert figure.clients == 1
    assert [(h, n) for h, n in figure.by_hour if n] == [(9, 1)]


def test_filters_narrow_every_figure(scope, served, day_shelter):
    by_location = {**scope, "location": served.main_street}
    assert dashboard.unduplicated(**by_location).total == 1  # Cat
    assert dashboard.visits_per_client(**by_location)["6 or more times"] == 1
    by_program = {**scope, "project": served.sso}
    assert [(r.code, r.services) for r in dashboard.by_code(**by_program)] == [("Meal", 1)]
    by_batch = {**scope, "batch": served.batch}
    assert dashboard.unduplicated(**by_batch).total == 1  # Dan
    assert dashboard.today(user=scope["user"], batch=served.batch).clients == 1
    assert dashboard.today(user=scope["user"], location=served.main_street).clients == 0


def test_other_agencies_services_never_count(staff_b, served):
    figure = dashboard.unduplicated(user=staff_b, start=served.start, end=served.end)

    assert figure.total == 1  # Fay only


def test_each_figure_takes_a_fixed_number_of_queries(
    scope, django_assert_num_queries, served, staff_a
):
    # More clients served must not mean more statements.
    with django_assert_num_queries(4):
        dashboard.unduplicated(per=dashboard.WEEK, **scope)
    with django_assert_num_queries(2):
        dashboard.new_and_returning(**scope)
    with django_assert_num_queries(1):
        dashboard.by_code(**scope)
    with django_assert_num_queries(1):
        dashboard.visits_per_client(**scope)
    with django_assert_num_queries(2):
        dashboard.today(user=staff_a)


def test_breakdown_by_program_location_and_batch(scope):
    found = dashboard.breakdown(**scope)

    def rows(label):
        return [(r.name, r.clients, r.services, r.units) for r in found[label]]

    assert rows("Program") == [("Day Shelter", 5, 12, 12), ("Supportive Services", 1, 1, 2)]
    assert rows("Location") == [("(no location)", 4, 7, 8), ("Main Street", 1, 6, 6)]
    assert rows("Batch") == [("(not from a batch)", 4, 12, 13), ("Front desk", 1, 1, 1)]


def test_breakdown_takes_three_queries(scope, django_assert_num_queries):
    with django_assert_num_queries(3):
        dashboard.breakdown(**scope)
