"""What /healthz checks: the database answers, its migrations are applied, a job worker was seen
lately, and the data folder has room. No sign-in, and nothing about anyone's data."""

import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:
        return Check("database", False, type(error).__name__)
    return Check("database", True, "reachable")


def check_migrations() -> Check:
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        return Check("migrations", False, type(error).__name__)
    if plan:
        return Check("migrations", False, f"{len(plan)} not applied")
    return Check("migrations", True, "applied")


def check_worker() -> Check:
    from hmis.jobs.models import WorkerHeartbeat

    since = timezone.now() - timedelta(seconds=settings.HMIS_HEALTH_WORKER_SECONDS)
    try:
        seen = WorkerHeartbeat.objects.filter(seen_at__gte=since).exists()
    except Exception as error:
        return Check("worker", False, type(error).__name__)
    if not seen:
        minutes = settings.HMIS_HEALTH_WORKER_SECONDS // 60
        return Check("worker", False, f"none seen in the last {minutes} minutes")
    return Check("worker", True, "seen")


def check_disk() -> Check:
    try:
        usage = shutil.disk_usage(Path(settings.DATA_DIR))
    except OSError as error:
        return Check("disk", False, f"data folder unreadable ({type(error).__name__})")
    free_mb = usage.free // (1024 * 1024)
    ok = free_mb >= settings.HMIS_HEALTH_MIN_FREE_MB
    return Check("disk", ok, f"{free_mb} MB free")


def run_checks() -> list[Check]:
    return [check_database(), check_migrations(), check_worker(), check_disk()]
