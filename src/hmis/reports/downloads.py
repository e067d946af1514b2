"""The CSV files of the program dashboard, the demographics and the funder view, built the same way
whether the request answers them at once or a job does (hmis/reports/jobs.py).

The rule: a CSV whose period is longer than HMIS_REPORT_JOB_DAYS days (92 by default, a quarter)
runs as a job. The reports answer from indexed queries whose cost grows with the services in the
period, so the period's length is the simple, predictable stand-in for the work: a month or a
quarter (the usual weekly and funder reports) stays in the request, a year or five go to a
worker. The 92 days are a chosen default, not measured; an agency tunes the setting."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from hmis.reports import dashboard, demographics, funders
from hmis.reports.figures import dashboard_rows
from hmis.reports.figures import safe_cell as _safe
from hmis.reports.forms import AttendanceForm, DashboardForm, DemographicsForm

DEFAULT_JOB_DAYS = 92

Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, label: str = "") -> None:
    return None


def job_days() -> int:
    return int(getattr(settings, "HMIS_REPORT_JOB_DAYS", DEFAULT_JOB_DAYS))


def runs_as_job(*, start: date, end: date) -> bool:
    """Whether the period (both days included) is long enough to be prepared by a job."""
    return (end - start).days + 1 > job_days()


def scope(user, form) -> dict:
    data = form.cleaned_data
    return {
        "user": user,
        "start": data["start"],
        "end": data["end"],
        "project": data["project"],
        "location": data["location"],
        "batch": data["batch"],
    }


def dashboard_figures(user, form, progress: Progress = _no_progress) -> dict:
    where = scope(user, form)
    steps: list[tuple[str, Callable[[], object]]] = [
        (
            "today",
            lambda: dashboard.today(
                user=user,
                project=where["project"],
                location=where["location"],
                batch=where["batch"],
            ),
        ),
        ("unduplicated", lambda: dashboard.unduplicated(per=form.grain(), **where)),
        ("new_returning", lambda: dashboard.new_and_returning(**where)),
        ("codes", lambda: dashboard.by_code(**where)),
        ("visits", lambda: dashboard.visits_per_client(**where)),
        ("breakdown", lambda: dashboard.breakdown(**where)),
    ]
    figures = {}
    for done, (name, compute) in enumerate(steps):
        progress(done, len(steps), "Counting the dashboard's figures")
        figures[name] = compute()
    progress(len(steps), len(steps), "Counting the dashboard's figures")
    return figures


def dashboard_csv_rows(user, form, progress: Progress = _no_progress) -> list[list]:
    return dashboard_rows(dashboard_figures(user, form, progress))


def demographics_csv_rows(user, form, progress: Progress = _no_progress) -> list[list]:
    """Always with small cells hidden: a file can travel outside the agency."""
    progress(0, 1, "Counting the clients served")
    report = demographics.demographics(**scope(user, form))
    rows = [["Table", "Answer", "Clients"]]
    rows.append(["All clients served", "", demographics.suppress_total(report.clients)])
    for table in report.tables:
        rows += [[table.title, label, count] for label, count in table.shared_rows()]
    rows.append(["Note", f"{demographics.HIDDEN}: fewer than 5 clients, or hidden with one", ""])
    progress(1, 1, "Counting the clients served")
    return rows


FUNDER_HEADER = ["Funder", "Grant", "Program", "Service", "Services", "Units"]


def funders_csv_rows(user, form, progress: Progress = _no_progress) -> list[list]:
    progress(0, 1, "Counting services per funder")
    rows = funders.services_by_funder(**scope(user, form))
    lines = [FUNDER_HEADER]
    lines += [
        [
            _safe(r.funder),
            _safe(r.grant_id),
            _safe(r.program),
            _safe(r.service),
            r.services,
            r.units,
        ]
        for r in rows
    ]
    progress(1, 1, "Counting services per funder")
    return lines


@dataclass(frozen=True)
class Download:
    form: type
    rows: Callable[..., list[list]]
    name: str  # the file's name before its period
    what: str  # for the audit trail


DOWNLOADS = {
    "dashboard": Download(DashboardForm, dashboard_csv_rows, "dashboard", "Program dashboard CSV"),
    "demographics": Download(
        DemographicsForm, demographics_csv_rows, "demographics", "Demographics report CSV"
    ),
    "funders": Download(
        AttendanceForm, funders_csv_rows, "services-by-funder", "Services by funder CSV"
    ),
}


def filename(download: Download, form) -> str:
    data = form.cleaned_data
    return f"{download.name}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}.csv"
