import csv
import io
import zipfile

import pytest
from django.core.management import call_command, get_commands, load_command_class

from hmis.cli import command_argv
from hmis.clients.models import Client
from tests.hudcsv.conftest import FIXTURE, edit_rows

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


def test_hyphenated_command_names_resolve_to_the_commands():
    commands = get_commands()
    assert commands[command_argv(["hmis", "import-hud-csv"])[1]] == "hmis.hudcsv"
    export = command_argv(["hmis", "export-hud-csv"])[1]
    assert load_command_class("hmis.hudcsv", export).help.startswith("Export HUD")


def test_import_prints_a_summary_and_skipped_files(org_a):
    code, out = run("import_hud_csv", str(FIXTURE), "--organization", str(org_a.pk))

    assert code == 0
    assert "fy2026: HUD CSV FY2026 export EXP-2026-001" in out
    assert "skipped IncomeBenefits.csv: not used by this system" in out
    assert (
        "  Client.csv                 6         5         0         1          0         0"
        "           0" in out
    )
    assert "Import committed." in out
    assert Client.objects.filter(organization=org_a).count() == 6


def test_import_with_an_error_writes_nothing_exits_1_and_writes_the_report(export_dir, tmp_path):
    edit_rows(export_dir, "Services.csv", lambda rows: rows[0].update(EnrollmentID="E404"))
    report = tmp_path / "report.csv"

    code, out = run("import_hud_csv", str(export_dir), "--report", str(report))

    assert code == 1
    assert "error: Services.csv line 2 EnrollmentID 'E404': E404 is in neither" in out
    assert "Nothing was written" in out
    assert not Client.objects.exists()
    rows = list(csv.DictReader(report.open(encoding="utf-8")))
    assert rows == [
        {
            "Severity": "error",
            "File": "Services.csv",
            "Line": "2",
            "Column": "EnrollmentID",
            "Value": "E404",
            "Reason": "E404 is in neither Enrollment.csv nor the database",
            "In strict mode": "error",
        }
    ]


def test_skip_invalid_rows_and_dry_run_options(export_dir):
    edit_rows(export_dir, "Services.csv", lambda rows: rows[0].update(EnrollmentID="E404"))

    code, out = run("import_hud_csv", str(export_dir), "--skip-invalid-rows", "--dry-run")
    assert (code, Client.objects.count()) == (0, 0)
    assert "Dry run: nothing was written." in out

    code, out = run("import_hud_csv", str(export_dir), "--skip-invalid-rows")
    assert (code, Client.objects.count()) == (0, 6)


def test_dry_run_shows_what_tolerant_and_strict_modes_would_do(export_dir):
    edit_rows(export_dir, "Enrollment.csv", lambda rows: rows[3].update(HouseholdID=""))

    code, out = run("import_hud_csv", str(export_dir), "--dry-run")
    assert code == 0
    assert "warning: Enrollment.csv line 5 HouseholdID: required value is missing; derived" in out
    assert "With --strict, 1 of these warnings would be errors and their rows rejected." in out

    code, out = run("import_hud_csv", str(export_dir), "--dry-run", "--strict")
    assert code == 1
    assert "error: Enrollment.csv line 5 HouseholdID: required value is missing" in out


def test_refused_edition_is_a_message_not_a_stack_trace(export_dir):
    edit_rows(export_dir, "Export.csv", lambda rows: rows[0].update(CSVVersion="2022"))

    code, out = run("import_hud_csv", str(export_dir))

    assert code == 1
    assert out.startswith("Import refused: This is an FY2022 export.")


def test_export_command_writes_a_zip_and_the_services_csv(tmp_path):
    run("import_hud_csv", str(FIXTURE))
    target = tmp_path / "hud.zip"

    code, out = run(
        "export_hud_csv",
        "--start",
        "2025-10-01",
        "--end",
        "2025-12-31",
        "--project",
        "P20",
        "--period-type",
        "updated",
        "--output",
        str(target),
    )

    assert code == 0 and "  Services.csv               2 rows" in out
    with zipfile.ZipFile(target) as archive:
        assert "Client.csv" in archive.namelist()
    services = tmp_path / "services.csv"
    code, out = run(
        "export_hud_csv",
        "--start",
        "2025-10-01",
        "--end",
        "2025-12-31",
        "--services-csv",
        "--output",
        str(services),
    )
    assert out == "Wrote 8 services to " + str(services) + ".\n"


def test_export_command_refuses_bad_dates_and_unknown_projects(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a date"):
        call_command(
            "export_hud_csv",
            "--start",
            "yesterday",
            "--end",
            "2025-12-31",
            "--output",
            str(tmp_path / "x.zip"),
        )
    with pytest.raises(CommandError, match="No program matches 'P404'"):
        call_command(
            "export_hud_csv",
            "--start",
            "2025-10-01",
            "--end",
            "2025-12-31",
            "--project",
            "P404",
            "--output",
            str(tmp_path / "x.zip"),
        )
