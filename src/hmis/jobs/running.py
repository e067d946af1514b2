"""Starting, running and cancelling jobs.

`start_job` records the job and queues it in the same transaction (the database backend of
django-tasks stores the queue in a table); `run_job` is what a worker executes: it calls the job
kind's handler with a `Reporter` to tell its progress, and records success, failure or
cancellation. Handlers must leave nothing half written when they raise: the HUD CSV import works in
one transaction, the exports write to a temporary file renamed only when complete."""

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.jobs import progress
from hmis.jobs.errors import MSG_CANCELLED, MSG_CRASHED, JobCancelled, JobFailed
from hmis.jobs.models import Job, JobKind, JobStatus

logger = logging.getLogger(__name__)

HANDLERS: dict[str, str] = {
    JobKind.HUD_IMPORT: "hmis.hudcsv.jobs.run_import",
    JobKind.HUD_EXPORT: "hmis.hudcsv.jobs.run_export",
    JobKind.CARD_SHEET: "hmis.clients.jobs.run_card_sheet",
    JobKind.CLIENT_RECORD: "hmis.clients.jobs.run_client_record",
    JobKind.REPORT_CSV: "hmis.reports.jobs.run_report_csv",
}
# Progress is written at most this often (and always at the end of the work).
PROGRESS_INTERVAL_SECONDS = 0.5


class Reporter:
    """Called by a handler as it goes: `report(done, total, label)`. Raises JobCancelled when the
    user asked to stop."""

    def __init__(self, job: Job):
        self.job_id = job.pk
        self.started = time.time()
        self._last = 0.0

    def __call__(self, done: int, total: int, label: str = "") -> None:
        now = time.monotonic()
        if now - self._last < PROGRESS_INTERVAL_SECONDS and done < total:
            return
        self._last = now
        if progress.cancel_requested(self.job_id):
            raise JobCancelled
        progress.write_progress(
            self.job_id, done=done, total=total, label=label, started=self.started
        )


def start_job(*, kind: JobKind, user, organization=None, options: dict[str, Any]) -> Job:
    from hmis.jobs.tasks import run_job_task

    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, created_by=user, organization=organization, options=options
        )
        task_result = run_job_task.enqueue(job_id=job.pk)
        job.task_id = str(task_result.id)
        job.save(update_fields=["task_id"])
        record(
            actor=user,
            action=AuditAction.CREATE,
            obj=job,
            organization_id=organization.pk if organization else None,
            changes={"kind": str(kind)},
            message=f"Started {job}",
        )
    return job


def cancel_job(*, job: Job, user) -> Job:
    """A queued job is cancelled at once; a running one stops at its next progress report."""
    with transaction.atomic():
        # Only a job still queued may be switched here: a worker may be claiming it right now.
        cancelled_in_queue = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.CANCELLED,
            finished_at=timezone.now(),
            message=MSG_CANCELLED.format(user=user.get_username()),
        )
        if not cancelled_in_queue and not job.finished:
            progress.request_cancel(job.pk)
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=job,
            organization_id=job.organization_id,
            changes={"cancel": True},
            message=f"Cancel requested for {job}",
        )
    job.refresh_from_db()
    return job


def hand_out_result(*, job: Job, user) -> Path | None:
    """The finished job's file, its download audited; None when there is none to give."""
    if job.status != JobStatus.SUCCEEDED or not job.result_file:
        return None
    path = progress.jobs_dir() / job.result_file
    if not path.exists():
        return None
    record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=job,
        organization_id=job.organization_id,
        # A client record export's download belongs in that client's accounting of disclosures.
        client_id=job.options.get("client_id") if job.kind == JobKind.CLIENT_RECORD else None,
        changes={"file": job.result_filename},
        message=f"Downloaded {job.result_filename}",
    )
    return path


def run_job(*, job_id: int) -> None:
    # Claim the job: a job cancelled while queued, or already run, is left alone.
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.select_related("created_by", "organization").get(pk=job_id)
    handler: Callable[..., None] = import_string(HANDLERS[job.kind])
    try:
        handler(job=job, report=Reporter(job))
    except JobCancelled:
        who = job.created_by.get_username() if job.created_by else "a user"
        _finish(job, JobStatus.CANCELLED, MSG_CANCELLED.format(user=who))
    except JobFailed as failure:
        _finish(job, JobStatus.FAILED, failure.message)
    except Exception as error:
        logger.exception("Job %s failed", job.pk)
        _finish(job, JobStatus.FAILED, MSG_CRASHED.format(error=error))
    else:
        _finish(job, JobStatus.SUCCEEDED, "")
    finally:
        progress.clear(job.pk)


def _finish(job: Job, status: JobStatus, message: str) -> None:
    job.status = status
    job.message = message
    job.finished_at = timezone.now()
    fields = ["status", "message", "finished_at", "result", "result_file", "result_filename"]
    job.save(update_fields=fields)
