"""HUD CSV import and export as background jobs (see hmis/jobs): the web pages start them, a
worker runs them here, the job page follows their progress and shows the result."""

import os
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

from hmis.hudcsv.exporting import export_hud_csv, export_services_csv
from hmis.hudcsv.importing import ImportResult, import_hud_csv
from hmis.jobs.errors import JobFailed
from hmis.jobs.models import Job
from hmis.jobs.progress import jobs_dir
from hmis.jobs.running import Reporter
from hmis.projects.models import Organization, Project

PROBLEMS_SHOWN = 200


def upload_dir() -> Path:
    """Uploaded files waiting to be checked and imported, and their reports."""
    path = Path(settings.DATA_DIR) / "hudcsv-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_import(*, job: Job, report: Reporter) -> None:
    """Check (dry run) or import an uploaded file. The import runs in one transaction: a failure or
    a cancel leaves nothing written."""
    options = job.options
    path = upload_dir() / f"{options['token']}.zip"
    organization = None
    if options.get("organization"):
        organization = Organization.objects.filter(pk=options["organization"]).first()
    result = import_hud_csv(
        source=str(path),
        organization=organization,
        user=job.created_by,
        skip_invalid_rows=options["skip_invalid_rows"],
        strict=options["strict"],
        dry_run=options["dry_run"],
        source_name=options["name"],
        progress=lambda file_name, done, total: report(done, total, file_name),
    )
    if result.refused:
        # Name the file the user uploaded, not where the server keeps its copy.
        result.refused = result.refused.replace(str(path), options["name"])
    with open(upload_dir() / f"{options['token']}.report.csv", "w", encoding="utf-8") as stream:
        result.report_csv(stream)
    if not options["dry_run"]:
        path.unlink(missing_ok=True)
    job.result = import_summary(result)
    if result.refused:
        raise JobFailed(result.refused)


def import_summary(result: ImportResult) -> dict[str, Any]:
    """What the job page shows of an import (the full list of problems is in the report)."""
    problems = result.problems[:PROBLEMS_SHOWN]
    return {
        "refused": result.refused,
        "committed": result.committed,
        "dry_run": result.dry_run,
        "succeeded": result.succeeded,
        "skip_invalid_rows": result.skip_invalid_rows,
        "edition_label": result.edition_label,
        "export_id": result.export_id,
        "error_count": result.error_count,
        "warning_count": result.warning_count,
        "strict": result.strict,
        "strict_error_count": result.strict_error_count,
        "summaries": {name: s.as_dict() for name, s in result.summaries.items()},
        "skipped_files": result.skipped_files,
        "problems": [
            {
                "severity": p.severity,
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "value": p.value,
                "reason": p.reason,
            }
            for p in problems
        ],
        "more_problems": result.error_count + result.warning_count - len(problems),
    }


def run_export(*, job: Job, report: Reporter) -> None:
    """Write a HUD CSV zip or a services CSV to a temporary file, renamed only when complete."""
    options = job.options
    start, end = date.fromisoformat(options["start"]), date.fromisoformat(options["end"])
    projects = list(Project.objects.filter(pk__in=options["projects"])) or None
    stamp = f"{start:%Y%m%d}-{end:%Y%m%d}"
    partial = jobs_dir() / f"{job.pk}.part"
    common = {
        "start": start,
        "end": end,
        "projects": projects,
        "organization": job.organization,
        "user": job.created_by,
        "progress": report,
    }
    try:
        if options["format"] == "services":
            with open(partial, "w", encoding="utf-8", newline="") as text:
                rows = {"services.csv": export_services_csv(output=text, **common)}
            filename = f"services-{stamp}.csv"
        else:
            with open(partial, "wb") as binary:
                result = export_hud_csv(output=binary, period_type=options["period_type"], **common)
            rows = result.rows
            filename = f"hud-csv-{stamp}.zip"
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    final = f"{job.pk}-{filename}"
    os.replace(partial, jobs_dir() / final)
    job.result = {"rows": rows}
    job.result_file = final
    job.result_filename = filename
