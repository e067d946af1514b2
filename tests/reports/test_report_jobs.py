"""Report CSVs of long periods run as jobs (hmis/reports/downloads.py, jobs.py): the rule, the
same file as the direct download, and only the user who started the job gets it."""

import csv
import io
from datetime import date

import pytest

from hmis.accounts.models import Role
from hmis.jobs.models import Job, JobKind, JobStatus
from hmis.reports.downloads import DEFAULT_JOB_DAYS, runs_as_job
from tests import factories as f
from tests.jobs.helpers import follow_job, run_queued_jobs
from tests.reports.test_funders import grant

pytestmark = pytest.mark.django_db

PERIOD = {"start": "2026-03-01", "end": "2026-03-10", "project": "", "per": "week"}
URLS = {
    "dashboard": "/reports/dashboard.csv",
    "demographics": "/reports/demographics.csv",
    "funders": "/reports/funders.csv",
}


@pytest.fixture
def world(served, day_shelter):
    grant(day_shelter, "F1", Funder=8, GrantID="ES-1", StartDate="2026-03-01", EndDate="2026-03-31")
    return served


def test_a_period_longer_than_a_quarter_runs_as_a_job(settings):
    assert DEFAULT_JOB_DAYS == 92
    # Both days count: 01/01 to 04/02/2026 is 92 days, to 04/03 is 93.
    assert not runs_as_job(start=date(2026, 1, 1), end=date(2026, 4, 2))
    assert runs_as_job(start=date(2026, 1, 1), end=date(2026, 4, 3))
    assert not runs_as_job(start=date(2026, 3, 10), end=date(2026, 3, 10))

    settings.HMIS_REPORT_JOB_DAYS = 5
    assert not runs_as_job(start=date(2026, 3, 1), end=date(2026, 3, 5))
    assert runs_as_job(start=date(2026, 3, 1), end=date(2026, 3, 6))


@pytest.mark.parametrize("report", sorted(URLS))
def test_the_job_makes_the_same_csv_as_the_direct_download(
    client, staff_a, world, settings, report
):
    client.force_login(staff_a)
    direct = client.get(URLS[report], PERIOD)
    assert direct.status_code == 200 and direct["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(direct.content.decode())))
    assert len(rows) > 2  # the fixture's figures, not only a header

    settings.HMIS_REPORT_JOB_DAYS = 5  # the 10 days of PERIOD are now a long period
    started = client.get(URLS[report], PERIOD)
    job = Job.objects.get()
    assert job.kind == JobKind.REPORT_CSV and job.created_by == staff_a
    assert job.status == JobStatus.QUEUED
    page = follow_job(client, started)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    html = page.content.decode()
    assert f'href="/jobs/{job.pk}/download/"' in html
    assert "Back to the report" in html
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"].endswith(direct["Content-Disposition"].split("; ")[1])
    assert b"".join(download.streaming_content) == direct.content


def test_only_the_user_who_started_it_sees_and_downloads_it(
    client, staff_a, org_a, org_b, world, settings
):
    settings.HMIS_REPORT_JOB_DAYS = 5
    client.force_login(staff_a)
    client.get(URLS["dashboard"], PERIOD)
    run_queued_jobs()
    job = Job.objects.get()
    colleague = f.make_user(org_a, Role.STAFF, username="colleague")
    stranger = f.make_user(org_b, Role.AGENCY_ADMIN, username="stranger")

    for other in (colleague, stranger):
        client.force_login(other)
        assert client.get(f"/jobs/{job.pk}/").status_code == 404
        assert client.get(f"/jobs/{job.pk}/download/").status_code == 404

    client.force_login(staff_a)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 200


def test_invalid_filters_are_answered_on_the_page_and_start_no_job(client, staff_a, settings):
    settings.HMIS_REPORT_JOB_DAYS = 5
    client.force_login(staff_a)

    response = client.get(URLS["dashboard"], {"start": "2026-03-10", "end": "2026-01-01"})

    assert response.status_code == 400
    assert not Job.objects.exists()


def test_a_job_whose_filters_no_longer_hold_fails_with_a_message(
    client, staff_a, world, settings, day_shelter
):
    settings.HMIS_REPORT_JOB_DAYS = 5
    client.force_login(staff_a)
    client.get(URLS["funders"], {**PERIOD, "project": day_shelter.pk})
    # The program is deleted before a worker gets to it.
    day_shelter.deleted_at = day_shelter.created_at
    day_shelter.save(update_fields=["deleted_at"])

    run_queued_jobs()

    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("The report's filters are no longer valid:")
    assert not job.result_file


@pytest.mark.parametrize("page", ["dashboard", "demographics", "funders"])
def test_the_page_says_when_its_csv_will_be_a_job(client, staff_a, world, settings, page):
    client.force_login(staff_a)
    note = "(a long period: prepared as a job)"
    assert note not in client.get(f"/reports/{page}/", PERIOD).content.decode()

    settings.HMIS_REPORT_JOB_DAYS = 5
    assert note in client.get(f"/reports/{page}/", PERIOD).content.decode()
