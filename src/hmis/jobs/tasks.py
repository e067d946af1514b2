"""The django-tasks task every job runs through; `hmis worker` picks it up from the database."""

from django_tasks import task

from hmis.jobs.running import run_job


@task()
def run_job_task(job_id: int) -> None:
    run_job(job_id=job_id)
