"""The schedule as a django-tasks task: `hmis worker` queues it every minute (see jobs/worker)."""

from django_tasks import task

from hmis.schedules.scheduling import run_due

SCHEDULE_TASK_PATH = "hmis.schedules.tasks.run_schedule"


@task()
def run_schedule() -> int:
    return len(run_due())
