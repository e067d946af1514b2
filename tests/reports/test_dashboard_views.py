"""The program dashboard page and its CSV (hmis/reports/views.py: dashboard_page, dashboard_csv)."""

import csv
import io
import re

import pytest

from hmis.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-03-01", "end": "2026-03-10"}


@pytest.fixture
def browser(client, staff_a):
    client.force_login(staff_a)
    return client


def test_dashboard_shows_each_chart_as_accessible_svg_with_its_table(browser, served):
    response = browser.get("/reports/dashboard/", PERIOD)

    assert response.status_code == 200
    page = response.content.decode()
    charts = re.findall(r"<svg[^>]*>", page)
    assert len(charts) == 5
    for chart in charts:
        assert 'role="img"' in chart and "aria-labelledby=" in chart
    for key in ("today", "unduplicated", "new-returning", "codes", "visits"):
        assert f'<title id="chart-{key}-title">' in page
        assert f'<desc id="chart-{key}-desc">' in page
    assert page.count("<table") == 8  # one per chart, and per program, location and batch
    assert '<td>Supportive Services</td><td class="num">1</td>' in page
    assert "5</strong> different clients served" in page


def test_dashboard_charts_need_no_script_and_load_nothing_from_outside(browser, served):
    response = browser.get("/reports/dashboard/", PERIOD)
    page = response.content.decode()

    assert "<script" not in page.split("<main", 1)[1]
    assert "kozea.github.io" not in page and "pygal.js" not in page
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"


def test_dashboard_csv_has_every_figure(browser, served):
    response = browser.get("/reports/dashboard.csv", PERIOD)

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="dashboard-20260301-20260310.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Figure", "Label", "Value", "Same period last year"]
    assert ["Unduplicated clients", "Whole period", "5", "1"] in rows
    assert ["New clients", "", "2", ""] in rows
    assert ["Returning clients", "", "3", ""] in rows
    assert ["Units", "Meal", "2", ""] in rows
    assert ["Visits per client", "6 or more times", "1", ""] in rows
    assert ["Clients today by hour", "09:00", "1", ""] in rows
    assert AuditEvent.objects.filter(action="export", message="Program dashboard CSV").exists()


def test_dashboard_refuses_a_start_after_the_end_beside_the_form(browser, served):
    response = browser.get("/reports/dashboard/", {"start": "2026-03-10", "end": "2026-03-01"})

    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()


def test_dashboard_offers_only_the_users_own_batches(client, staff_b, served):
    client.force_login(staff_b)

    response = client.get("/reports/dashboard/", {**PERIOD, "batch": served.batch.pk})

    assert response.status_code == 400
    assert "Front desk" not in response.content.decode()


def test_dashboard_page_takes_the_same_number_of_queries_for_more_clients(
    browser, served, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        browser.get("/reports/dashboard/", {**PERIOD, "per": "week"})
