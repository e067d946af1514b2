"""`hmis worker` records its heartbeat and queues the schedule, which runs as a job."""

import pytest
from django.core.management import call_command

from hmis.jobs.management.commands.worker import queue_schedule
from hmis.jobs.models import WorkerHeartbeat
from hmis.schedules.models import ScheduledRun
from hmis.schedules.scheduling import TASKS

pytestmark = pytest.mark.django_db


def test_the_worker_records_a_heartbeat():
    call_command("worker", "--batch")
    assert WorkerHeartbeat.objects.count() == 1


def test_the_schedule_is_queued_once_and_run_by_the_worker():
    assert queue_schedule() is True
    assert queue_schedule() is False  # one is waiting already

    call_command("worker", "--batch")

    assert sorted(ScheduledRun.objects.values_list("task", flat=True)) == sorted(TASKS)
    assert queue_schedule() is True  # the last one ran: the next minute may queue again
