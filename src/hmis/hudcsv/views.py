"""HUD CSV pages: import (system administrators; a dry run first, then confirm) and export (agency
administrators for their own organization's programs, system administrators for any)."""

import time
import uuid
from pathlib import Path

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from hmis.accounts.permissions import Perm, is_system_admin, requires
from hmis.hudcsv.forms import ConfirmImportForm, ExportForm, ImportForm
from hmis.hudcsv.jobs import upload_dir
from hmis.jobs.models import JobKind
from hmis.jobs.running import start_job
from hmis.projects.models import Project

UPLOAD_LIFETIME_SECONDS = 24 * 3600
_SESSION_KEY = "hudcsv_import"


def _upload_dir() -> Path:
    return upload_dir()


def _remove_stale_uploads() -> None:
    """Uploads checked but never confirmed (and their reports) are kept a day at most."""
    cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
    for path in _upload_dir().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _pending(request) -> dict | None:
    """The upload waiting for confirmation in this session, if its file is still there."""
    pending = request.session.get(_SESSION_KEY)
    if not pending or not (_upload_dir() / f"{pending['token']}.zip").exists():
        return None
    return pending


@requires(Perm.IMPORT)
def import_page(request):
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            _remove_stale_uploads()
            token = uuid.uuid4().hex
            path = _upload_dir() / f"{token}.zip"
            with open(path, "wb") as stored:
                for chunk in form.cleaned_data["file"].chunks():
                    stored.write(chunk)
            organization = form.cleaned_data["organization"]
            options = {
                "token": token,
                "name": form.cleaned_data["file"].name,
                "organization": organization.pk if organization else None,
                "skip_invalid_rows": form.cleaned_data["skip_invalid_rows"],
                "strict": form.cleaned_data["strict"],
            }
            request.session[_SESSION_KEY] = options
            return _start_import(request, {**options, "dry_run": True})
    else:
        form = ImportForm(initial={"organization": request.user.organization_id})
    return render(request, "hudcsv/import.html", {"form": form})


@requires(Perm.IMPORT)
def import_confirm(request):
    if request.method != "POST":
        return redirect("hudcsv:import")
    form = ConfirmImportForm(request.POST)
    pending = _pending(request)
    if not form.is_valid() or pending is None or pending["token"] != form.cleaned_data["token"]:
        return render(
            request,
            "hudcsv/import.html",
            {"form": ImportForm(), "expired": True},
            status=400,
        )
    request.session.pop(_SESSION_KEY, None)
    return _start_import(request, {**pending, "dry_run": False})


@requires(Perm.IMPORT)
def import_report(request):
    """The full validation report of this session's last import, as CSV."""
    token = request.GET.get("token", "")
    if not token.isalnum():
        raise Http404
    path = _upload_dir() / f"{token}.report.csv"
    if not path.exists() or request.session.get("hudcsv_report") != token:
        raise Http404
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115 (FileResponse closes it)
        as_attachment=True,
        filename="hud-csv-import-report.csv",
        content_type="text/csv",
    )


def _start_import(request, options):
    """The check (dry run) and the import run as jobs: the job page follows them."""
    # The report is written by the worker; this session may download it.
    request.session["hudcsv_report"] = options["token"]
    job = start_job(kind=JobKind.HUD_IMPORT, user=request.user, options=options)
    return redirect("jobs:detail", pk=job.pk)


def _exportable_projects(user):
    projects = Project.objects.select_related("organization").order_by("organization__name", "name")
    if is_system_admin(user):
        return projects
    return projects.filter(organization_id=user.organization_id)


@requires(Perm.EXPORT)
def export_page(request):
    projects = _exportable_projects(request.user)
    if request.method == "POST":
        form = ExportForm(request.POST, projects=projects)
        if form.is_valid():
            return _export(request, form.cleaned_data)
    else:
        today = timezone.localdate()
        form = ExportForm(projects=projects, initial={"start": today.replace(day=1), "end": today})
    return render(request, "hudcsv/export.html", {"form": form})


def _export(request, data):
    user = request.user
    # Agency administrators export their own organization only, whatever the form says.
    organization = None if is_system_admin(user) else user.organization
    if organization is None and not is_system_admin(user):
        raise Http404
    options = {
        "start": data["start"].isoformat(),
        "end": data["end"].isoformat(),
        "period_type": int(data["period_type"]),
        "projects": [project.pk for project in data["projects"]],
        "format": data["format"],
    }
    job = start_job(kind=JobKind.HUD_EXPORT, user=user, organization=organization, options=options)
    return redirect("jobs:detail", pk=job.pk)
