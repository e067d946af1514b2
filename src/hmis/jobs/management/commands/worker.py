"""`hmis worker`: runs queued jobs (django-tasks' database worker), tells /healthz it is alive,
and every minute queues the schedule's recurring work (hmis/schedules), which runs as a job too.

Run one beside each app server, or several on other machines against the same PostgreSQL
database: each job is claimed by exactly one worker (SELECT ... FOR UPDATE SKIP LOCKED)."""

import os
import socket
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from hmis.jobs.models import WorkerHeartbeat

HEARTBEAT_SECONDS = 20
SCHEDULE_EVERY_BEATS = 3  # about a minute


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname(), "seen_at": timezone.now()},
    )


def run_waiting_jobs(worker: Worker) -> int:
    """--batch: claim and run the tasks waiting now, as the worker's loop does, then stop. (Not
    through its loop, which also closes the database connection between tasks.)"""
    done = 0
    while True:
        ready = DBTaskResult.objects.ready().filter(backend_name=worker.backend_name)
        with exclusive_transaction(ready.db):
            task_result = ready.get_locked()
            if task_result is not None:
                task_result.claim(worker.worker_id)
        if task_result is None:
            return done
        worker.run_task(task_result)
        done += 1


def queue_schedule() -> bool:
    """Queue the schedule's run unless one is waiting or running already."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from hmis.schedules.tasks import SCHEDULE_TASK_PATH, run_schedule

    waiting = DBTaskResult.objects.filter(
        task_path=SCHEDULE_TASK_PATH,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    )
    if waiting.exists():
        return False
    run_schedule.enqueue()
    return True


def _keep_alive(worker_id: str, stop: threading.Event, schedule: bool) -> None:
    beats = 0
    while not stop.wait(HEARTBEAT_SECONDS):
        beats += 1
        try:
            beat(worker_id)
            if schedule and beats % SCHEDULE_EVERY_BEATS == 0:
                queue_schedule()
        except Exception:  # noqa: S110 (a locked database: the next beat will do)
            pass
        finally:
            close_old_connections()
            connection.close()


class Command(BaseCommand):
    help = "Run background jobs (HUD CSV imports and exports...) until stopped (Ctrl-C)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Run the jobs waiting now, then exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between looks at the queue when it is empty (default: %(default)s).",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Do not queue the recurring work (another worker does).",
        )

    def handle(self, *args, batch: bool, interval: float, no_schedule: bool, **options):
        worker_id = f"{socket.gethostname()}-{os.getpid()}-{get_random_string(6)}"[:64]
        beat(worker_id)
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        if batch:
            run_waiting_jobs(worker)
            return
        self.stdout.write(f"Worker {worker_id} waiting for jobs (Ctrl-C stops).")
        stop = threading.Event()
        if not no_schedule:
            queue_schedule()
        threading.Thread(
            target=_keep_alive, args=(worker_id, stop, not no_schedule), daemon=True
        ).start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
