"""The nightly export for agencies that feed a continuum warehouse: for each organization, the HUD
CSV records created, changed or deleted that day (period type *updated*) and our services CSV of
the services provided that day, in a folder per organization, kept HMIS_NIGHTLY_EXPORT_DAYS days.
A day already exported is not written again."""

import os
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings

from hmis.hudcsv import codes
from hmis.hudcsv.exporting import export_hud_csv, export_services_csv
from hmis.projects.models import Organization


def organization_folder(organization: Organization) -> Path:
    path = Path(settings.HMIS_NIGHTLY_EXPORT_DIR) / f"organization-{organization.pk}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def export_organizations(*, day: date) -> dict:
    if not settings.HMIS_NIGHTLY_EXPORT:
        return {"skipped": "HMIS_NIGHTLY_EXPORT is off"}
    written, removed = [], 0
    for organization in Organization.objects.filter(deleted_at__isnull=True).order_by("pk"):
        folder = organization_folder(organization)
        written += _export_one(organization=organization, folder=folder, day=day)
        removed += remove_old_exports(folder=folder, today=day)
    return {"written": written, "removed": removed}


def _export_one(*, organization: Organization, folder: Path, day: date) -> list[str]:
    written = []
    hud = folder / f"{day:%Y-%m-%d}-hud-csv.zip"
    if not hud.exists():
        with _complete_or_nothing(hud) as partial, open(partial, "wb") as output:
            export_hud_csv(
                output=output,
                start=day,
                end=day,
                period_type=codes.ExportPeriodType.UPDATED,
                organization=organization,
            )
        written.append(str(hud))
    services = folder / f"{day:%Y-%m-%d}-services.csv"
    if not services.exists():
        with (
            _complete_or_nothing(services) as partial,
            open(partial, "w", encoding="utf-8", newline="") as output,
        ):
            export_services_csv(output=output, start=day, end=day, organization=organization)
        written.append(str(services))
    return written


class _complete_or_nothing:  # noqa: N801 (used as a context manager, like open())
    """Yield a temporary path; rename it to `final` only when the block succeeds."""

    def __init__(self, final: Path):
        self.final = final
        self.partial = final.with_name(final.name + ".part")

    def __enter__(self) -> Path:
        return self.partial

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            os.replace(self.partial, self.final)
        else:
            self.partial.unlink(missing_ok=True)


def remove_old_exports(*, folder: Path, today: date) -> int:
    """Delete exports of days older than HMIS_NIGHTLY_EXPORT_DAYS (by the date in their name)."""
    oldest_kept = today - timedelta(days=settings.HMIS_NIGHTLY_EXPORT_DAYS - 1)
    removed = 0
    for path in folder.iterdir():
        try:
            exported = date.fromisoformat(path.name[:10])
        except ValueError:
            continue
        if exported < oldest_kept:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
