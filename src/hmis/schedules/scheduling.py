"""The schedule: which recurring task runs for which day, each once.

After HMIS_SCHEDULE_AT (local time) a day is *due*. For every task, the days due since its last
run are worked through: each day for auto-posting (a night-by-night shelter's bed night belongs to
each night), only the latest for the others (one export, one exit sweep, one clean-up catch up
everything). At most HMIS_SCHEDULE_CATCH_UP_DAYS days back. A (task, day) row is claimed before
the work, so two workers, or a second look, never do it twice; a failed run keeps its error and is
not retried by itself (`hmis run-schedule --task T --day D --again` does)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from hmis.schedules.autoexit import auto_exit_enrollments
from hmis.schedules.autoposting import auto_post_batches
from hmis.schedules.housekeeping import keep_house
from hmis.schedules.models import ScheduledRun
from hmis.schedules.nightly_export import export_organizations

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recurring:
    run: Callable[..., dict]
    every_missed_day: bool


TASKS: dict[str, Recurring] = {
    "auto_post": Recurring(auto_post_batches, every_missed_day=True),
    "auto_exit": Recurring(auto_exit_enrollments, every_missed_day=False),
    "nightly_export": Recurring(export_organizations, every_missed_day=False),
    "housekeeping": Recurring(keep_house, every_missed_day=False),
}


def last_due_day(now: datetime) -> date:
    local = timezone.localtime(now)
    today = local.date()
    return today if local.time() >= settings.HMIS_SCHEDULE_AT else today - timedelta(days=1)


def days_to_run(*, task: str, now: datetime) -> list[date]:
    due = last_due_day(now)
    earliest = due - timedelta(days=max(settings.HMIS_SCHEDULE_CATCH_UP_DAYS, 1) - 1)
    last_run = ScheduledRun.objects.filter(task=task).aggregate(last=Max("day"))["last"]
    # A task that never ran starts with the latest due day: a new install posts nothing back.
    first = due if last_run is None else max(earliest, last_run + timedelta(days=1))
    if first > due:
        return []
    if not TASKS[task].every_missed_day:
        return [due]
    return [first + timedelta(days=n) for n in range((due - first).days + 1)]


def run_due(*, now: datetime | None = None) -> list[ScheduledRun]:
    """Run every task for every day it is due and has not run; returns the runs made."""
    now = now or timezone.now()
    runs = []
    for task in TASKS:
        for day in days_to_run(task=task, now=now):
            run = run_task(task=task, day=day)
            if run is not None:
                runs.append(run)
    return runs


def run_task(*, task: str, day: date, again: bool = False) -> ScheduledRun | None:
    """Claim (task, day) and do it; None when another run has it already."""
    if again:
        ScheduledRun.objects.filter(task=task, day=day).delete()
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(task=task, day=day, started_at=timezone.now())
    except IntegrityError:
        return None
    try:
        run.result = TASKS[task].run(day=day)
    except Exception as error:
        logger.exception("Scheduled %s for %s failed", task, day)
        run.error = f"{type(error).__name__}: {error}"
    run.finished_at = timezone.now()
    run.save(update_fields=["result", "error", "finished_at"])
    return run
