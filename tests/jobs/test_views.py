"""The job page: a progress bar polled by htmx while the job runs, cancel, and the result."""

import pytest
from django.urls import reverse

from hmis.jobs import progress
from hmis.jobs.models import Job, JobStatus
from tests.jobs.conftest import queue_import
from tests.jobs.helpers import run_queued_jobs

pytestmark = pytest.mark.django_db


def test_a_running_job_shows_rows_done_of_total_and_time_left_and_keeps_polling(
    client, system_admin
):
    job = queue_import(system_admin, dry_run=True)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    progress.write_progress(job.pk, done=400, total=1000, label="Services.csv", started=0.0)
    client.force_login(system_admin)

    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="{reverse("jobs:status", args=[job.pk])}"' in page
    assert '<progress id="job-progress-' in page and 'max="1000" value="400"' in page
    assert "400 of 1000 rows (40%)" in page and "left" in page
    assert '<label for="job-progress-' in page and "Services.csv" in page
    assert "Cancel" in page
    assert "<script>" not in page


def test_the_status_of_a_finished_job_stops_the_polling_and_shows_the_result(client, system_admin):
    job = queue_import(system_admin, dry_run=True)
    run_queued_jobs()
    client.force_login(system_admin)

    response = client.get(reverse("jobs:status", args=[job.pk]))

    assert response.status_code == 286  # htmx stops polling
    page = response.content.decode()
    assert "hx-trigger" not in page
    assert "Done" in page and "Confirm import" in page and "What the import would do" in page


def test_cancel_from_the_page_stops_a_queued_job(client, system_admin):
    job = queue_import(system_admin)
    client.force_login(system_admin)

    response = client.post(reverse("jobs:cancel", args=[job.pk]))

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Cancelled" in page and "Cancelled by sysadmin. Nothing was written." in page
    assert client.get(reverse("jobs:cancel", args=[job.pk])).status_code == 405


def test_a_job_is_seen_only_by_the_user_who_started_it(client, system_admin, agency_admin_a):
    job = queue_import(system_admin)
    client.force_login(agency_admin_a)
    for name in ("jobs:detail", "jobs:status", "jobs:download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("jobs:cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_nothing_to_download_until_an_export_succeeded(client, system_admin):
    job = queue_import(system_admin, dry_run=True)
    client.force_login(system_admin)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_a_queued_job_says_it_waits_for_a_worker(client, system_admin):
    job = queue_import(system_admin, dry_run=True)
    client.force_login(system_admin)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Waiting for a worker" in page and "hmis worker" in page
