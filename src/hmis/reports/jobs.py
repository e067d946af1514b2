"""A report CSV prepared by a job (long periods, see hmis/reports/downloads.py): the request's
filters are checked again with the permissions of the user who started it, the file written to a
temporary name and renamed only when complete."""

import csv
import os

from django.http import QueryDict

from hmis.jobs.errors import JobFailed
from hmis.jobs.models import Job
from hmis.jobs.progress import jobs_dir
from hmis.jobs.running import Reporter
from hmis.reports.downloads import DOWNLOADS, filename

MSG_FILTERS = "The report's filters are no longer valid: {errors}"
MSG_NO_USER = "The user who asked for this report no longer exists."


def run_report_csv(*, job: Job, report: Reporter) -> None:
    download = DOWNLOADS[job.options["report"]]
    user = job.created_by
    if user is None:
        raise JobFailed(MSG_NO_USER)
    form = download.form(QueryDict(job.options["query"]), user=user)
    if not form.is_valid():
        errors = "; ".join(str(e) for messages in form.errors.values() for e in messages)
        raise JobFailed(MSG_FILTERS.format(errors=errors))
    rows = download.rows(user, form, report)
    name = filename(download, form)
    partial = jobs_dir() / f"{job.pk}.part"
    try:
        with open(partial, "w", encoding="utf-8", newline="") as output:
            csv.writer(output).writerows(rows)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    final = f"{job.pk}-{name}"
    os.replace(partial, jobs_dir() / final)
    job.result = {"rows": {name: len(rows)}}
    job.result_file = final
    job.result_filename = name
