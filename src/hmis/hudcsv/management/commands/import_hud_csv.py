"""hmis import-hud-csv PATH: import a HUD HMIS CSV export (a zip or a folder)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from hmis.hudcsv.importing import import_hud_csv
from hmis.projects.models import Organization


def find_organization(value: str) -> Organization:
    """An organization by HUD OrganizationID, primary key or exact name."""
    matches = Organization.objects.filter(hud_organization_id=value)
    if not matches and value.isdigit():
        matches = Organization.objects.filter(pk=int(value))
    if not matches:
        matches = Organization.objects.filter(name=value)
    if len(matches) != 1:
        raise CommandError(f"No single organization matches {value!r}.")
    return matches[0]


class Command(BaseCommand):
    help = (
        "Import a HUD HMIS CSV export (FY2026, or FY2024): a zip file or a folder of CSV files. "
        "With any error nothing is written and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="zip file or folder holding Export.csv, Client.csv, ...")
        parser.add_argument(
            "--skip-invalid-rows",
            action="store_true",
            help="commit the valid rows; leave out rejected rows and the rows that depend on them",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="reject rows with any problem (missing required values, repeated IDs...) instead "
            "of keeping them with a warning",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, write nothing"
        )
        parser.add_argument("--report", metavar="FILE", help="write every problem to this CSV")
        parser.add_argument(
            "--organization",
            metavar="ORG",
            help="organization (HUD ID, id or name) that owns imported clients and users",
        )
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        organization = None
        if options["organization"]:
            organization = find_organization(options["organization"])
        show_progress = not options["quiet_progress"]
        result = import_hud_csv(
            source=options["path"],
            organization=organization,
            skip_invalid_rows=options["skip_invalid_rows"],
            strict=options["strict"],
            dry_run=options["dry_run"],
            progress=self._progress if show_progress else None,
        )
        if show_progress:
            self.stderr.write("")
        if options["report"]:
            with open(options["report"], "w", encoding="utf-8", newline="") as report:
                result.report_csv(report)
        self._print(result, options["report"])
        if not result.succeeded:
            sys.exit(1)

    def _progress(self, file_name: str, done: int, expected: int) -> None:
        width = 30
        filled = int(width * done / expected) if expected else width
        bar = "#" * min(filled, width) + "-" * (width - min(filled, width))
        self.stderr.write(f"\r{file_name:<18} [{bar}] {done:>10,} / {expected:,} rows", ending="")
        if done >= expected:
            self.stderr.write("")

    def _print(self, result, report_path) -> None:
        out = self.stdout.write
        if result.refused:
            out(self.style.ERROR(f"Import refused: {result.refused}"))
            return
        out(f"{result.source_name}: HUD CSV {result.edition_label} export {result.export_id}")
        for name in result.skipped_files:
            out(f"  skipped {name}: not used by this system")
        out(
            f"  {'file':<18}{'rows':>10}{'created':>10}{'updated':>10}{'deleted':>10}"
            f"{'unchanged':>11}{'rejected':>10}{'superseded':>12}"
        )
        for name, s in result.summaries.items():
            out(
                f"  {name:<18}{s.rows:>10,}{s.created:>10,}{s.updated:>10,}{s.deleted:>10,}"
                f"{s.unchanged:>11,}{s.rejected:>10,}{s.superseded:>12,}"
            )
        shown = result.problems[:50]
        for p in shown:
            where = f"{p.file} line {p.line}" if p.line else p.file
            column = f" {p.column}" if p.column else ""
            value = f" {p.value!r}" if p.value else ""
            style = self.style.ERROR if p.severity == "error" else self.style.WARNING
            out(style(f"  {p.severity}: {where}{column}{value}: {p.reason}"))
        more = result.error_count + result.warning_count - len(shown)
        if more > 0:
            where = f" (all in {report_path})" if report_path else " (use --report FILE for all)"
            out(f"  ... and {more:,} more{where}")
        out(f"{result.error_count:,} errors, {result.warning_count:,} warnings.")
        if result.strict_error_count:
            out(
                f"With --strict, {result.strict_error_count:,} of these warnings would be errors "
                "and their rows rejected."
            )
        if result.committed:
            out(self.style.SUCCESS("Import committed."))
        elif result.dry_run:
            out("Dry run: nothing was written.")
        else:
            out(
                self.style.ERROR(
                    "Nothing was written: fix the errors, or run again with --skip-invalid-rows."
                )
            )
