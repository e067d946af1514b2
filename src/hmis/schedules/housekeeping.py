"""Housekeeping: stored scan answers (idempotency keys) older than HMIS_SCAN_ANSWER_DAYS, expired
sessions, finished jobs' files older than HMIS_JOB_FILES_DAYS, and a retention dry run (how many
clients the retention rule would de-identify; nothing is changed)."""

import logging
import time
from datetime import date, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from hmis.batches.models import ScanOutcome
from hmis.clients.retention import inactive_clients, retention_cutoff
from hmis.jobs.progress import jobs_dir

logger = logging.getLogger(__name__)


def keep_house(*, day: date) -> dict:
    now = timezone.now()
    scan_answers, _ = ScanOutcome.objects.filter(
        created_at__lt=now - timedelta(days=settings.HMIS_SCAN_ANSWER_DAYS)
    ).delete()
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    job_files = remove_old_job_files(now=time.time())
    would_deidentify = inactive_clients(retention_cutoff()).count()
    logger.info(
        "Retention dry run: %s clients untouched for %s years would be de-identified",
        would_deidentify,
        settings.HMIS_RETENTION_YEARS,
    )
    return {
        "scan_answers_removed": scan_answers,
        "sessions_removed": sessions,
        "job_files_removed": job_files,
        "retention_dry_run": {
            "clients_to_deidentify": would_deidentify,
            "years": settings.HMIS_RETENTION_YEARS,
        },
    }


def remove_old_job_files(*, now: float) -> int:
    cutoff = now - settings.HMIS_JOB_FILES_DAYS * 86400
    removed = 0
    for path in jobs_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
