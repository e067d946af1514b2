"""Jobs run by the worker: success, failure that says why, cancel (queued or running) with nothing
written, and one run per job."""

from datetime import date

import pytest

from hmis.audit.models import AuditEvent
from hmis.clients.models import Client
from hmis.hudcsv.models import ImportRun
from hmis.jobs import progress
from hmis.jobs.models import Job, JobKind, JobStatus
from hmis.jobs.running import cancel_job, run_job, start_job
from tests.jobs.conftest import queue_import
from tests.jobs.helpers import run_queued_jobs

pytestmark = pytest.mark.django_db


def test_a_queued_import_is_run_by_the_worker_and_its_summary_kept(system_admin, org_a):
    job = queue_import(system_admin, organization=org_a)
    assert job.status == JobStatus.QUEUED and job.task_id
    assert AuditEvent.objects.filter(object_type="jobs.Job", object_id=str(job.pk)).exists()

    run_queued_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.started_at and job.finished_at
    assert job.result["committed"] is True
    assert job.result["summaries"]["Client.csv"]["rejected"] == 0
    assert Client.objects.filter(organization=org_a).count() == 6
    assert progress.read_progress(job.pk) is None  # live progress is cleared at the end


def test_a_refused_file_fails_the_job_with_the_reason(system_admin):
    job = queue_import(system_admin, b"PersonalID\r\n1\r\n")

    run_queued_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == "export.zip is neither a folder nor a zip file."
    assert not Client.objects.exists()


def test_a_job_cancelled_while_queued_never_runs(system_admin):
    job = queue_import(system_admin)

    cancel_job(job=job, user=system_admin)
    run_queued_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.message == "Cancelled by sysadmin. Nothing was written."
    assert not Client.objects.exists() and not ImportRun.objects.exists()


def test_a_running_import_stops_at_its_next_progress_report_and_writes_nothing(system_admin):
    job = queue_import(system_admin)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    cancel_job(job=job, user=system_admin)  # running: the cancel is a request to the worker
    assert progress.cancel_requested(job.pk)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)

    run_queued_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.message == "Cancelled by sysadmin. Nothing was written."
    assert not Client.objects.exists()
    assert not progress.cancel_requested(job.pk)


def test_an_export_that_crashes_says_why_and_leaves_no_file(agency_admin_a, org_a):
    options = {
        "start": "2025-01-01",
        "end": "2025-01-31",
        "period_type": 2,  # not a period type the export knows: it raises
        "projects": [],
        "format": "hud",
    }
    job = start_job(
        kind=JobKind.HUD_EXPORT, user=agency_admin_a, organization=org_a, options=options
    )

    run_queued_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.message == (
        "The job stopped on an unexpected error (period_type must be 1 (updated) or 3 "
        "(reporting period)). Nothing was written."
    )
    assert not job.result_file
    assert list(progress.jobs_dir().iterdir()) == []


def test_an_export_job_leaves_its_file_for_download(agency_admin_a, org_a):
    options = {
        "start": date(2025, 1, 1).isoformat(),
        "end": date(2025, 1, 31).isoformat(),
        "period_type": 3,
        "projects": [],
        "format": "services",
    }
    job = start_job(
        kind=JobKind.HUD_EXPORT, user=agency_admin_a, organization=org_a, options=options
    )

    run_queued_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result_filename == "services-20250101-20250131.csv"
    assert (progress.jobs_dir() / job.result_file).read_text().startswith("ServiceID,")
    assert job.result == {"rows": {"services.csv": 0}}


def test_a_job_runs_once_even_if_two_workers_reach_it(system_admin):
    job = queue_import(system_admin, dry_run=True)

    run_job(job_id=job.pk)
    run_job(job_id=job.pk)

    assert ImportRun.objects.count() == 1


def test_time_left_follows_the_pace_so_far():
    done = progress.Progress(done=250, total=1000, label="", started=100.0, updated=110.0)
    assert done.percent == 25
    assert done.seconds_left == 30
    assert progress.Progress(0, 1000, "", 100.0, 110.0).seconds_left is None
