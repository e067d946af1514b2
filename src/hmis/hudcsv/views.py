"""HUD CSV pages: import (system administrators; a dry run first, then confirm) and export (agency
administrators for their own organization's programs, system administrators for any)."""

import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from hmis.accounts.permissions import Perm, is_system_admin, requires
from hmis.hudcsv.exporting import export_hud_csv, export_services_csv
from hmis.hudcsv.forms import ConfirmImportForm, ExportForm, ImportForm
from hmis.hudcsv.importing import import_hud_csv
from hmis.hudcsv.limits import ImportLimits
from hmis.projects.models import Project

PROBLEMS_SHOWN = 200
UPLOAD_LIFETIME_SECONDS = 24 * 3600
_SESSION_KEY = "hudcsv_import"


def _upload_dir() -> Path:
    path = Path(settings.DATA_DIR) / "hudcsv-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
            result = _run_import(request, options, path, dry_run=True)
            request.session[_SESSION_KEY] = options
            return _render_result(request, result, options)
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
    path = _upload_dir() / f"{pending['token']}.zip"
    result = _run_import(request, pending, path, dry_run=False)
    path.unlink(missing_ok=True)
    request.session.pop(_SESSION_KEY, None)
    return _render_result(request, result, pending, confirmed=True)


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


def _run_import(request, options, path: Path, *, dry_run: bool):
    from hmis.projects.models import Organization

    organization = None
    if options.get("organization"):
        organization = Organization.objects.filter(pk=options["organization"]).first()
    result = import_hud_csv(
        source=str(path),
        organization=organization,
        user=request.user,
        skip_invalid_rows=options["skip_invalid_rows"],
        strict=options["strict"],
        dry_run=dry_run,
        source_name=options["name"],
        limits=ImportLimits.from_settings().for_web_request(),
    )
    if result.refused:
        # Name the file the user uploaded, not where the server keeps its copy.
        result.refused = result.refused.replace(str(path), options["name"])
    report = _upload_dir() / f"{options['token']}.report.csv"
    with open(report, "w", encoding="utf-8", newline="") as stream:
        result.report_csv(stream)
    request.session["hudcsv_report"] = options["token"]
    return result


def _render_result(request, result, options, *, confirmed: bool = False):
    context = {
        "result": result,
        "options": options,
        "problems": result.problems[:PROBLEMS_SHOWN],
        "more_problems": result.error_count
        + result.warning_count
        - min(len(result.problems), PROBLEMS_SHOWN),
        "confirm_form": ConfirmImportForm(initial={"token": options["token"]}),
        "can_confirm": not confirmed and not result.refused and result.succeeded,
        "confirmed": confirmed,
    }
    return render(request, "hudcsv/import_result.html", context)


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
    chosen = list(data["projects"]) or None
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    stamp = f"{data['start']:%Y%m%d}-{data['end']:%Y%m%d}"
    if data["format"] == "services":
        import io

        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        export_services_csv(
            output=text,
            start=data["start"],
            end=data["end"],
            projects=chosen,
            organization=organization,
            user=user,
        )
        text.flush()
        text.detach()
        filename, content_type = f"services-{stamp}.csv", "text/csv"
    else:
        export_hud_csv(
            output=spool,
            start=data["start"],
            end=data["end"],
            period_type=data["period_type"],
            projects=chosen,
            organization=organization,
            user=user,
        )
        filename, content_type = f"hud-csv-{stamp}.zip", "application/zip"
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=content_type)
