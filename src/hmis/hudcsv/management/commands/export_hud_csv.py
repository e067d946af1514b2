"""hmis export-hud-csv: write a HUD HMIS CSV (FY2026) export zip, or our own services CSV."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from hmis.hudcsv import codes
from hmis.hudcsv.exporting import export_hud_csv, export_services_csv
from hmis.hudcsv.management.commands.import_hud_csv import find_organization
from hmis.projects.models import Project

PERIOD_TYPES = {
    "reporting": codes.ExportPeriodType.REPORTING_PERIOD,
    "updated": codes.ExportPeriodType.UPDATED,
}


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Export HUD HMIS CSV (FY2026) for a date range as a zip, or with --services-csv every "
        "service (mapped to HUD or not) as one CSV file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="first day (YYYY-MM-DD)")
        parser.add_argument("--end", required=True, help="last day (YYYY-MM-DD)")
        parser.add_argument(
            "--project",
            action="append",
            default=[],
            metavar="PROJECT",
            help="HUD ProjectID or id of a program to export (repeat for several; default all)",
        )
        parser.add_argument("--organization", metavar="ORG", help="only this organization")
        parser.add_argument(
            "--period-type",
            choices=sorted(PERIOD_TYPES),
            default="reporting",
            help="reporting: enrollments active in the range (default); updated: records "
            "created, changed or deleted in the range",
        )
        parser.add_argument("--output", required=True, help="FILE.zip (or FILE.csv)")
        parser.add_argument(
            "--services-csv",
            action="store_true",
            help="write our own services CSV (all services, documented in the README)",
        )
        parser.add_argument(
            "--include-voided", action="store_true", help="services CSV: include voided services"
        )

    def handle(self, *args, **options):
        start, end = _date(options["start"]), _date(options["end"])
        if end < start:
            raise CommandError("--end is before --start.")
        organization = (
            find_organization(options["organization"]) if options["organization"] else None
        )
        projects = [self._project(value) for value in options["project"]]
        if options["services_csv"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as output:
                count = export_services_csv(
                    output=output,
                    start=start,
                    end=end,
                    projects=projects or None,
                    organization=organization,
                    include_voided=options["include_voided"],
                )
            self.stdout.write(f"Wrote {count:,} services to {options['output']}.")
            return
        with open(options["output"], "wb") as output:
            result = export_hud_csv(
                output=output,
                start=start,
                end=end,
                period_type=PERIOD_TYPES[options["period_type"]],
                projects=projects or None,
                organization=organization,
            )
        self.stdout.write(f"Export {result.export_id} written to {options['output']}:")
        for name, rows in result.rows.items():
            self.stdout.write(f"  {name:<18}{rows:>10,} rows")

    def _project(self, value: str) -> Project:
        matches = Project.objects.filter(hud_project_id=value)
        if not matches and value.isdigit():
            matches = Project.objects.filter(pk=int(value))
        if len(matches) != 1:
            raise CommandError(f"No program matches {value!r}.")
        return matches[0]
