"""The report pages and their CSV downloads: parse the filters, run the query, render."""

import csv
import io

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from hmis.accounts.permissions import Perm, requires
from hmis.audit.recording import record_export, record_print
from hmis.jobs.models import JobKind
from hmis.jobs.running import start_job
from hmis.reports import (
    data_quality,
    demographics,
    downloads,
    duplicates,
    funders,
    queries,
    signin_sheet,
)
from hmis.reports.figures import dashboard_charts, demographic_tables
from hmis.reports.figures import safe_cell as _safe
from hmis.reports.forms import (
    AttendanceForm,
    DashboardForm,
    DataQualityForm,
    DemographicsForm,
    ServicesForm,
    SignInSheetForm,
)
from hmis.reports.pdf import table_pdf

# The services page shows this many rows; the CSV has them all.
PAGE_ROWS = 1000


@requires(Perm.REPORTS)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html")


def _attendance(request):
    form = AttendanceForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    report = queries.attendance(
        user=request.user,
        start=data["start"],
        end=data["end"],
        project=data["project"],
        location=data["location"],
        batch=data["batch"],
    )
    return form, report


@requires(Perm.REPORTS)
def attendance(request: HttpRequest) -> HttpResponse:
    form, report = _attendance(request)
    context = {"form": form, "report": report, "query": form.data_query()}
    return render(
        request, "reports/attendance.html", context, status=200 if report is not None else 400
    )


@requires(Perm.REPORTS)
def attendance_csv(request: HttpRequest) -> HttpResponse:
    form, report = _attendance(request)
    if report is None:
        return attendance(request)
    rows = [["Date", "Unique clients", "Visits"]]
    rows += [[d.day.isoformat(), d.unique_clients, d.visits] for d in report.days]
    rows.append(["Total", report.unique_clients, report.visits])
    record_export(request, what="Attendance report CSV", details=_filters(form))
    return _csv_response(rows, f"attendance-{_stamp(form)}.csv")


def _services_filters(request, form):
    data = form.cleaned_data
    return {
        "user": request.user,
        "start": data["start"],
        "end": data["end"],
        "project": data["project"],
        "service_code": data["service_code"],
    }


@requires(Perm.REPORTS)
def services(request: HttpRequest) -> HttpResponse:
    form = ServicesForm(request.GET, user=request.user)
    context = {"form": form, "query": form.data_query()}
    if not form.is_valid():
        return render(request, "reports/services.html", context, status=400)
    filters = _services_filters(request, form)
    rows = list(queries.services_delivered(period=form.period(), **filters)[: PAGE_ROWS + 1])
    context.update(
        rows=rows[:PAGE_ROWS],
        truncated=len(rows) > PAGE_ROWS,
        page_rows=PAGE_ROWS,
        monthly=form.period() == queries.MONTH,
        totals=queries.services_delivered_totals(**filters),
    )
    return render(request, "reports/services.html", context)


@requires(Perm.REPORTS)
def services_csv(request: HttpRequest) -> HttpResponse:
    """Every row, streamed (a statewide year can be many thousands of rows)."""
    form = ServicesForm(request.GET, user=request.user)
    if not form.is_valid():
        return services(request)
    monthly = form.period() == queries.MONTH
    rows = queries.services_delivered(period=form.period(), **_services_filters(request, form))
    record_export(request, what="Services delivered report CSV", details=_filters(form))
    header = ["Month" if monthly else "Date", "Program", "Service", "Services", "Units", "Clients"]

    def lines():
        yield header
        for row in rows.iterator(chunk_size=2000):
            period = row["period"].strftime("%Y-%m") if monthly else row["period"].isoformat()
            yield [
                period,
                _safe(row["program"]),
                _safe(row["code_name"]),
                row["services"],
                row["units"],
                row["unique_clients"],
            ]

    return _csv_response(lines(), f"services-delivered-{_stamp(form)}.csv", stream=True)


def _filters(form) -> dict:
    return {name: str(value) for name, value in form.cleaned_data.items() if value}


def _stamp(form) -> str:
    return f"{form.cleaned_data['start']:%Y%m%d}-{form.cleaned_data['end']:%Y%m%d}"


def _csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _csv_response(rows, filename: str, *, stream: bool = False) -> HttpResponse:
    lines = (_csv_line(row) for row in rows)
    if stream:
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The program dashboard ----------------------------------------------------------------------


def _scope(request, form) -> dict:
    data = form.cleaned_data
    return {
        "user": request.user,
        "start": data["start"],
        "end": data["end"],
        "project": data["project"],
        "location": data["location"],
        "batch": data["batch"],
    }


def _dashboard_figures(request, form) -> dict:
    return downloads.dashboard_figures(request.user, form)


@requires(Perm.REPORTS)
def dashboard_page(request: HttpRequest) -> HttpResponse:
    form = DashboardForm(request.GET, user=request.user)
    context = {"form": form, "query": form.data_query()}
    if not form.is_valid():
        return render(request, "reports/dashboard.html", context, status=400)
    figures = _dashboard_figures(request, form)
    context.update(figures=figures, charts=dashboard_charts(figures), csv_job=_csv_job(form))
    return render(request, "reports/dashboard.html", context)


def _csv_job(form) -> bool:
    """Whether the page's CSV link starts a job (a long period)."""
    data = form.cleaned_data
    return downloads.runs_as_job(start=data["start"], end=data["end"])


def _report_csv(request: HttpRequest, report: str, page) -> HttpResponse:
    """The CSV of a report: at once, or as a job when the period is long (downloads.py)."""
    download = downloads.DOWNLOADS[report]
    form = download.form(request.GET, user=request.user)
    if not form.is_valid():
        return page(request)
    data = form.cleaned_data
    if downloads.runs_as_job(start=data["start"], end=data["end"]):
        query = request.GET.urlencode()
        options = {
            "report": report,
            "title": download.what,
            "query": query,
            "page": f"{reverse('reports:' + report)}?{query}",
        }
        job = start_job(
            kind=JobKind.REPORT_CSV,
            user=request.user,
            organization=request.user.organization,
            options=options,
        )
        return redirect("jobs:detail", pk=job.pk)
    rows = download.rows(request.user, form)
    record_export(request, what=download.what, details=_filters(form))
    return _csv_response(rows, downloads.filename(download, form))


@requires(Perm.REPORTS)
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    return _report_csv(request, "dashboard", dashboard_page)


# --- Demographics -------------------------------------------------------------------------------


@requires(Perm.REPORTS)
def demographics_page(request: HttpRequest) -> HttpResponse:
    form = DemographicsForm(request.GET, user=request.user)
    context = {"form": form, "query": form.data_query()}
    if not form.is_valid():
        return render(request, "reports/demographics.html", context, status=400)
    report = demographics.demographics(**_scope(request, form))
    shared = form.cleaned_data["shared"]
    context.update(
        report=report,
        shared=shared,
        tables=demographic_tables(report, shared=shared),
        csv_job=_csv_job(form),
    )
    return render(request, "reports/demographics.html", context)


@requires(Perm.REPORTS)
def demographics_csv(request: HttpRequest) -> HttpResponse:
    """Always with small cells hidden: a file can travel outside the agency."""
    return _report_csv(request, "demographics", demographics_page)


# --- Daily sign-in sheet ------------------------------------------------------------------------


def _sign_in(request):
    form = SignInSheetForm(request.GET if request.GET else None, user=request.user)
    if not request.GET or not form.is_valid():
        return form, None
    return form, signin_sheet.sign_in_rows(
        batch=form.cleaned_data["batch"], day=form.cleaned_data["day"]
    )


@requires(Perm.REPORTS)
def sign_in_sheet(request: HttpRequest) -> HttpResponse:
    form, rows = _sign_in(request)
    context = {"form": form, "rows": rows, "query": form.data_query()}
    status = 400 if request.GET and rows is None else 200
    return render(request, "reports/sign_in_sheet.html", context, status=status)


def _sign_in_title(form) -> tuple[str, list[str]]:
    batch, day = form.cleaned_data["batch"], form.cleaned_data["day"]
    where = batch.project.name + (f", {batch.location.name}" if batch.location_id else "")
    return "Daily sign-in sheet", [
        f"Batch: {batch.description}. Program: {where}.",
        f"Date Service Provided: {day:%m/%d/%Y}.",
    ]


@requires(Perm.REPORTS)
def sign_in_sheet_pdf(request: HttpRequest) -> HttpResponse:
    form, rows = _sign_in(request)
    if rows is None:
        return sign_in_sheet(request)
    signatures = form.cleaned_data["signatures"]
    title, lines = _sign_in_title(form)
    header = ["#", "Time", "Client", "Services and units", "Added by"]
    widths = [0.4, 0.8, 2.4, 3.4, 1.5]
    if signatures:
        header.append("Signature")
        widths = [0.4, 0.8, 2.0, 2.6, 1.3, 2.9]
    table = [
        [
            row.number,
            f"{row.time:%I:%M %p}",
            f"{row.client} ({row.client_id})",
            row.services + ("" if row.status == "Posted" else f" ({row.status.lower()})"),
            row.added_by,
            *([""] if signatures else []),
        ]
        for row in rows
    ]
    pdf = table_pdf(
        title=title,
        lines=[*lines, f"{len(rows)} client{'s' if len(rows) != 1 else ''}."],
        header=header,
        rows=table,
        widths=widths,
        row_height=30 if signatures else None,
    )
    record_print(request, what="Daily sign-in sheet PDF", details=_filters(form))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_sign_in_name(form)}.pdf"'
    return response


@requires(Perm.REPORTS)
def sign_in_sheet_csv(request: HttpRequest) -> HttpResponse:
    form, rows = _sign_in(request)
    if rows is None:
        return sign_in_sheet(request)
    lines = [["#", "Time", "Client ID", "Client", "Services and units", "Status", "Added by"]]
    lines += [
        [
            r.number,
            f"{r.time:%H:%M}",
            r.client_id,
            _safe(r.client),
            _safe(r.services),
            r.status,
            _safe(r.added_by),
        ]
        for r in rows
    ]
    record_export(request, what="Daily sign-in sheet CSV", details=_filters(form))
    return _csv_response(lines, f"{_sign_in_name(form)}.csv")


def _sign_in_name(form) -> str:
    return f"sign-in-sheet-{form.cleaned_data['batch'].pk}-{form.cleaned_data['day']:%Y%m%d}"


# --- Funders ------------------------------------------------------------------------------------


def _funders(request):
    form = AttendanceForm(request.GET, user=request.user)
    if not form.is_valid():
        return form, None
    return form, funders.services_by_funder(**_scope(request, form))


FUNDER_HEADER = downloads.FUNDER_HEADER


@requires(Perm.REPORTS)
def funders_page(request: HttpRequest) -> HttpResponse:
    form, rows = _funders(request)
    context = {"form": form, "rows": rows, "query": form.data_query()}
    context["csv_job"] = rows is not None and _csv_job(form)
    return render(request, "reports/funders.html", context, status=200 if rows is not None else 400)


@requires(Perm.REPORTS)
def funders_csv(request: HttpRequest) -> HttpResponse:
    return _report_csv(request, "funders", funders_page)


@requires(Perm.REPORTS)
def funders_pdf(request: HttpRequest) -> HttpResponse:
    form, rows = _funders(request)
    if rows is None:
        return funders_page(request)
    data = form.cleaned_data
    pdf = table_pdf(
        title="Services by funder",
        lines=[
            f"Reporting period: {data['start']:%m/%d/%Y} to {data['end']:%m/%d/%Y}.",
            "A service counts under each grant of its program in force on the day provided.",
        ],
        header=FUNDER_HEADER,
        rows=[[r.funder, r.grant_id, r.program, r.service, r.services, r.units] for r in rows],
        widths=[3.0, 1.3, 1.9, 2.1, 0.85, 0.85],
    )
    record_export(request, what="Services by funder PDF", details=_filters(form))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"services-by-funder-{_stamp(form)}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Data quality -------------------------------------------------------------------------------


@requires(Perm.DATA_QUALITY)
def data_quality_page(request: HttpRequest) -> HttpResponse:
    form = DataQualityForm(request.GET, user=request.user)
    context = {"form": form, "query": form.data_query()}
    if not form.is_valid():
        return render(request, "reports/data_quality.html", context, status=400)
    scope = _scope(request, form)
    context.update(
        completeness=data_quality.completeness(**scope),
        stale=data_quality.stale_enrollments(**scope, days=form.cleaned_data["stale_days"]),
        unposted=data_quality.unposted_entries(**scope),
        backdated=data_quality.backdated_services(
            **scope, days=form.cleaned_data["backdated_days"]
        ),
        list_rows=data_quality.LIST_ROWS,
        duplicates=duplicates.likely_duplicates(user=request.user),
    )
    return render(request, "reports/data_quality.html", context)


@requires(Perm.DATA_QUALITY)
def data_quality_csv(request: HttpRequest) -> HttpResponse:
    """The universal data elements' HUD data-quality table (counts and percentages only)."""
    form = DataQualityForm(request.GET, user=request.user)
    if not form.is_valid():
        return data_quality_page(request)
    report = data_quality.completeness(**_scope(request, form))
    rows = [
        [
            "Element",
            "Client doesn't know or prefers not to answer",
            "Missing or data not collected",
            "Partial or approximate",
            "Total",
            "% of issue rate",
        ]
    ]
    rows += [
        [
            f"{e.number} {e.name}",
            e.doesnt_know,
            e.missing,
            e.issues,
            e.total,
            f"{e.rate:.2f}",
        ]
        for e in report.elements
    ]
    rows.append(["Clients served", "", "", "", report.clients, ""])
    record_export(request, what="Data quality CSV", details=_filters(form))
    return _csv_response(rows, f"data-quality-{_stamp(form)}.csv")
