"""The schedule runs each task once per due day, catches up missed days once, and never twice."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from hmis.schedules import scheduling
from hmis.schedules.models import ScheduledRun
from hmis.schedules.scheduling import days_to_run, run_due, run_task

pytestmark = pytest.mark.django_db


def local(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture(autouse=True)
def at_two(settings):
    settings.HMIS_SCHEDULE_AT = time(2, 0)
    settings.HMIS_SCHEDULE_CATCH_UP_DAYS = 7


def test_a_day_is_due_only_after_the_scheduled_time():
    today = timezone.localdate()
    assert days_to_run(task="housekeeping", now=local(today, 1)) == [today - timedelta(days=1)]
    assert days_to_run(task="housekeeping", now=local(today, 3)) == [today]


def test_after_downtime_auto_posting_catches_up_each_missed_day_and_the_rest_once():
    today = timezone.localdate()
    ScheduledRun.objects.create(
        task="auto_post", day=today - timedelta(days=4), started_at=timezone.now()
    )
    ScheduledRun.objects.create(
        task="housekeeping", day=today - timedelta(days=4), started_at=timezone.now()
    )

    assert days_to_run(task="auto_post", now=local(today, 3)) == [
        today - timedelta(days=n) for n in (3, 2, 1, 0)
    ]
    assert days_to_run(task="housekeeping", now=local(today, 3)) == [today]


def test_catching_up_goes_back_a_bounded_number_of_days(settings):
    settings.HMIS_SCHEDULE_CATCH_UP_DAYS = 3
    today = timezone.localdate()
    ScheduledRun.objects.create(
        task="auto_post", day=today - timedelta(days=30), started_at=timezone.now()
    )
    assert days_to_run(task="auto_post", now=local(today, 3)) == [
        today - timedelta(days=n) for n in (2, 1, 0)
    ]


def test_running_the_schedule_twice_runs_each_task_once(settings, tmp_path):
    today = timezone.localdate()
    now = local(today, 3)

    first = run_due(now=now)
    second = run_due(now=now)

    assert sorted(run.task for run in first) == sorted(scheduling.TASKS)
    assert all(run.finished_at and not run.error for run in first), [r.error for r in first]
    assert second == []
    assert ScheduledRun.objects.count() == len(scheduling.TASKS)


def test_a_claimed_day_is_not_run_again_and_a_failure_keeps_its_error(monkeypatch):
    today = timezone.localdate()

    def broken(*, day):
        raise RuntimeError("disk full")

    monkeypatch.setitem(
        scheduling.TASKS, "housekeeping", scheduling.Recurring(broken, every_missed_day=False)
    )
    run = run_task(task="housekeeping", day=today)
    assert run.error == "RuntimeError: disk full" and run.finished_at
    assert run_task(task="housekeeping", day=today) is None
    assert ScheduledRun.objects.filter(task="housekeeping").count() == 1


def test_missed_nights_are_posted_once_each_after_downtime(org_a, day_shelter, batch):
    from hmis.batches.models import BatchEntry
    from hmis.schedules.models import AutoPostSchedule, Frequency
    from hmis.services.models import Service
    from tests import factories as f

    today = timezone.localdate()
    AutoPostSchedule.objects.create(
        batch=batch, frequency=Frequency.DAILY, starts_on=today - timedelta(days=30)
    )
    guest = f.make_client("Maria", "Lopez", organization=org_a)
    f.enroll(guest, day_shelter, entry_date=today - timedelta(days=30))
    ScheduledRun.objects.create(
        task="auto_post", day=today - timedelta(days=3), started_at=timezone.now()
    )

    run_due(now=local(today, 3))
    run_due(now=local(today, 4))

    expected = [today - timedelta(days=n) for n in (2, 1, 0)]
    assert sorted(Service.objects.values_list("date_provided", flat=True)) == expected
    assert BatchEntry.objects.filter(client=guest).count() == 3
