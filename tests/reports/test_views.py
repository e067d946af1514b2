"""The report pages and CSV downloads (hmis/reports/views.py)."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hmis.audit.models import AuditEvent
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, staff_a):
    client.force_login(staff_a)
    return client


def body(response) -> str:
    """The whole body, streamed or not."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response))))


def test_reports_index_links_both_reports(browser):
    response = browser.get("/reports/")

    assert response.status_code == 200
    assert b'href="/reports/attendance/"' in response.content
    assert b'href="/reports/services/"' in response.content


def test_attendance_page_defaults_to_the_last_30_days(browser, activity):
    response = browser.get("/reports/attendance/")

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.days[0].day, report.days[-1].day) == (date(2026, 2, 9), date(2026, 3, 10))
    assert (report.unique_clients, report.visits) == (4, 6)
    assert b'value="2026-02-09"' in response.content


def test_attendance_page_filters_by_program(browser, activity):
    response = browser.get(
        "/reports/attendance/",
        {"start": "2026-03-01", "end": "2026-03-10", "project": activity.day_shelter.pk},
    )

    assert (response.context["report"].unique_clients, response.context["report"].visits) == (
        3,
        5,
    )


def test_attendance_csv_has_a_row_per_day_and_a_total(browser, activity):
    response = browser.get("/reports/attendance.csv", {"start": "2026-03-08", "end": "2026-03-10"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attendance-20260308-20260310.csv" in response["Content-Disposition"]
    assert csv_rows(response) == [
        ["Date", "Unique clients", "Visits"],
        ["2026-03-08", "0", "0"],
        ["2026-03-09", "3", "4"],
        ["2026-03-10", "2", "2"],
        ["Total", "4", "6"],
    ]
    assert AuditEvent.objects.filter(action="export", message="Attendance report CSV").exists()


def test_outsider_sees_nothing_of_organization_a(client, staff_b, activity):
    client.force_login(staff_b)

    page = client.get("/reports/attendance/", {"start": "2026-03-08", "end": "2026-03-10"})
    services = client.get("/reports/services/", {"start": "2026-03-08", "end": "2026-03-10"})

    assert page.context["report"].visits == 1  # organization B's own visit
    assert [r["program"] for r in services.context["rows"]] == ["Other Shelter"]
    assert b"Day Shelter" not in page.content + services.content


def test_outsider_cannot_pick_organization_a_program(client, staff_b, activity):
    client.force_login(staff_b)

    response = client.get(
        "/reports/attendance.csv",
        {"start": "2026-03-08", "end": "2026-03-10", "project": activity.day_shelter.pk},
    )

    assert response.status_code == 400
    assert response.context["report"] is None
    assert b"Select a valid choice" in response.content


def test_start_after_end_is_explained(browser):
    response = browser.get("/reports/attendance/", {"start": "2026-03-10", "end": "2026-03-01"})

    assert response.status_code == 400
    assert b"The start date is after the end date." in response.content


def test_daily_range_is_bounded_to_a_year(browser):
    response = browser.get("/reports/attendance/", {"start": "2024-01-01", "end": "2026-03-10"})

    assert response.status_code == 400
    assert b"at most 366 days" in response.content


def test_monthly_services_report_may_span_years(browser, activity):
    response = browser.get(
        "/reports/services/", {"start": "2024-01-01", "end": "2026-03-10", "group_by": "month"}
    )

    assert response.status_code == 200
    assert [(r["program"], r["services"]) for r in response.context["rows"]] == [
        ("Day Shelter", 4),
        ("Supportive Services", 1),
    ]


def test_services_page_shows_rows_and_totals(browser, activity):
    response = browser.get("/reports/services/", {"start": "2026-03-08", "end": "2026-03-10"})

    assert response.status_code == 200
    assert response.context["totals"] == {"services": 5, "units": 6, "unique_clients": 4}
    assert len(response.context["rows"]) == 3
    assert not response.context["truncated"]


def test_services_csv(browser, activity):
    response = browser.get(
        "/reports/services.csv", {"start": "2026-03-08", "end": "2026-03-10", "group_by": "month"}
    )

    assert csv_rows(response) == [
        ["Month", "Program", "Service", "Services", "Units", "Clients"],
        ["2026-03", "Day Shelter", "Visit", "4", "4", "3"],
        ["2026-03", "Supportive Services", "Meal", "1", "2", "1"],
    ]


def test_csv_cells_that_look_like_formulas_are_kept_as_text(browser, org_a, staff_a):
    from hmis.batches.adding import add_client_to_batch

    project = f.make_project(org_a, "=HYPERLINK(evil)")
    client = f.make_client("Al", "Tester")
    f.enroll(client, project)
    batch = f.make_batch(project, auto_post=True, performing_user=staff_a)
    add_client_to_batch(
        batch=batch,
        client=client,
        user=staff_a,
        batch_date=date(2026, 3, 9),
        date_provided=date(2026, 3, 9),
    )

    response = browser.get("/reports/services.csv")

    assert csv_rows(response)[1][1] == "'=HYPERLINK(evil)"


def test_read_only_user_may_see_reports(client, readonly_a):
    client.force_login(readonly_a)

    assert client.get("/reports/attendance/").status_code == 200


def test_scan_station_may_not_see_reports(client, scan_station_a):
    client.force_login(scan_station_a)

    assert client.get("/reports/attendance/").status_code == 403
    assert client.get("/reports/services.csv").status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/reports/services/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def add_more_activity(activity, staff_a, n=6):
    from hmis.batches.adding import add_client_to_batch

    for i in range(n):
        client = f.make_client("More", f"Client{i}")
        f.enroll(client, activity.day_shelter)
        f.enroll(client, activity.sso)
        for batch in (activity.visit, activity.meals):
            day = date(2026, 3, 1 + i)
            add_client_to_batch(
                batch=batch, client=client, user=staff_a, batch_date=day, date_provided=day
            )


@pytest.mark.parametrize(
    "url", ["/reports/attendance/", "/reports/services/", "/reports/services.csv"]
)
def test_query_count_does_not_grow_with_the_data(
    browser, staff_a, activity, url, django_assert_num_queries
):
    params = {"start": "2026-02-01", "end": "2026-03-10"}
    with CaptureQueriesContext(connection) as before:
        small = body(browser.get(url, params))
    add_more_activity(activity, staff_a)

    with django_assert_num_queries(len(before.captured_queries)):
        large = body(browser.get(url, params))

    assert len(before.captured_queries) <= 10
    assert len(large) > len(small)
