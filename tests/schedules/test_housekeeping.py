"""Housekeeping removes old scan answers, expired sessions and old job files; the retention dry
run only counts."""

import os
import time
from datetime import date, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from hmis.batches.models import ScanOutcome
from hmis.clients.models import Client
from hmis.jobs.progress import jobs_dir
from hmis.schedules.housekeeping import keep_house
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_old_scan_answers_expired_sessions_and_old_job_files_go(batch, staff_a, settings):
    settings.HMIS_JOB_FILES_DAYS = 7
    now = timezone.now()
    old = ScanOutcome.objects.create(
        key="old", batch=batch, user=staff_a, code="added", message="Added", ok=True
    )
    ScanOutcome.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=31))
    ScanOutcome.objects.create(
        key="new", batch=batch, user=staff_a, code="added", message="Added", ok=True
    )
    Session.objects.create(session_key="expired", session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="current", session_data="", expire_date=now + timedelta(1))
    stale_file, fresh_file = jobs_dir() / "1-old.zip", jobs_dir() / "2-new.zip"
    stale_file.write_text("x")
    fresh_file.write_text("x")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(stale_file, (ten_days_ago, ten_days_ago))

    summary = keep_house(day=date.today())

    assert list(ScanOutcome.objects.values_list("key", flat=True)) == ["new"]
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current"]
    assert not stale_file.exists() and fresh_file.exists()
    assert summary["scan_answers_removed"] == 1
    assert summary["sessions_removed"] == 1
    assert summary["job_files_removed"] == 1
    assert keep_house(day=date.today())["scan_answers_removed"] == 0


def test_the_retention_dry_run_counts_and_changes_nothing(org_a, settings):
    settings.HMIS_RETENTION_YEARS = 7
    forgotten = f.make_client("Old", "Record", organization=org_a)
    Client.objects.filter(pk=forgotten.pk).update(
        updated_at=timezone.now() - timedelta(days=365 * 8)
    )
    f.make_client("Recent", "Record", organization=org_a)

    summary = keep_house(day=date.today())

    assert summary["retention_dry_run"] == {"clients_to_deidentify": 1, "years": 7}
    forgotten.refresh_from_db()
    assert forgotten.first_name == "Old" and forgotten.deidentified_at is None
