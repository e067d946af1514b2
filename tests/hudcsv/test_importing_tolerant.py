"""What real exports from other systems get wrong, built into small exports: the tolerant default
keeps every record that can be stored truthfully, with a warning for each problem; `strict`
rejects the same rows as errors."""

from datetime import date

import pytest
from django.utils import timezone

from hmis.clients.models import Client, Enrollment
from hmis.hudcsv.importing import ERROR, WARNING, import_hud_csv
from hmis.projects.models import Project
from hmis.services.models import Service
from tests.hudcsv.conftest import edit_rows, read_table
from tests.hudcsv.test_importing import problems

pytestmark = pytest.mark.django_db

# What the fixture export holds (one client, one enrollment and one service are deleted in it).
KEPT = {"clients": 6, "enrollments": 6, "exits": 1, "services": 9}


def counts():
    return {
        "clients": Client.objects.model._base_manager.count(),
        "enrollments": Enrollment.objects.model._base_manager.count(),
        "exits": Enrollment.objects.model._base_manager.filter(exit_date__isnull=False).count(),
        "services": Service.objects.model._base_manager.count(),
    }


def without(column, value):
    return lambda rows: [r for r in rows if r[column] != value]


# --- a project without its operating start date ---


def test_a_project_without_operating_start_date_is_kept_with_the_earliest_entry_date(
    org_a, export_dir
):
    edit_rows(export_dir, "Project.csv", lambda rows: rows[0].update(OperatingStartDate=""))

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.committed and result.error_count == 0
    assert problems(result, WARNING) == [
        (
            "Project.csv",
            2,
            "OperatingStartDate",
            "",
            "required value is missing; derived as 2025-10-01, the earliest EntryDate of the "
            "project's enrollments",
        )
    ]
    project = Project.objects.get(hud_project_id="P10")
    assert project.operating_start_date == date(2025, 10, 1)
    assert project.hud_data["_derived"] == ["OperatingStartDate"]
    assert counts() == KEPT  # every enrollment, exit and service of the project is kept
    assert result.strict_error_count == 1


def test_a_project_without_start_date_or_enrollments_takes_its_date_created(org_a, export_dir):
    edit_rows(export_dir, "Project.csv", lambda rows: rows[2].update(OperatingStartDate=""))
    edit_rows(
        export_dir, "Enrollment.csv", lambda rows: [r for r in rows if r["ProjectID"] != "P30"]
    )
    edit_rows(
        export_dir, "Services.csv", lambda rows: [r for r in rows if r["EnrollmentID"] != "E5"]
    )
    (project_row,) = [
        r for r in read_table(export_dir / "Project.csv")[1] if r["ProjectID"] == "P30"
    ]

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.committed, problems(result)
    created = project_row["DateCreated"][:10]
    assert (
        "Project.csv",
        4,
        "OperatingStartDate",
        "",
        f"required value is missing and the project has no enrollments; derived as {created}, "
        "the project's DateCreated",
    ) in problems(result, WARNING)
    assert Project.objects.get(hud_project_id="P30").operating_start_date.isoformat() == created


def test_under_strict_a_missing_operating_start_date_rejects_the_project_and_its_dependants(
    org_a, export_dir
):
    edit_rows(export_dir, "Project.csv", lambda rows: rows[0].update(OperatingStartDate=""))

    result = import_hud_csv(
        source=export_dir, organization=org_a, strict=True, skip_invalid_rows=True
    )

    assert ("Project.csv", 2, "OperatingStartDate", "", "required value is missing") in problems(
        result, ERROR
    )
    assert not Project.objects.filter(hud_project_id="P10").exists()
    assert not Enrollment.objects.filter(hud_enrollment_id__in=["E1", "E2", "E3"]).exists()


# --- an enrollment without its household ---


def test_an_enrollment_without_household_id_gets_a_household_of_its_own_marked_derived(
    org_a, export_dir
):
    edit_rows(export_dir, "Enrollment.csv", lambda rows: rows[3].update(HouseholdID=""))

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.committed and result.error_count == 0
    assert problems(result) == [
        (
            "Enrollment.csv",
            5,
            "HouseholdID",
            "",
            "required value is missing; derived as derived-E4 (a household of this enrollment "
            "alone)",
        )
    ]
    enrollment = Enrollment.objects.get(hud_enrollment_id="E4")
    assert enrollment.household_id == "derived-E4"
    assert enrollment.hud_data["_derived"] == ["HouseholdID"]
    assert counts() == KEPT
    assert [p.strict_severity for p in result.problems] == [ERROR]


def test_under_strict_a_missing_household_id_rejects_the_enrollment(org_a, export_dir):
    edit_rows(export_dir, "Enrollment.csv", lambda rows: rows[3].update(HouseholdID=""))

    result = import_hud_csv(source=export_dir, organization=org_a, strict=True)

    assert problems(result, ERROR)[0] == (
        "Enrollment.csv",
        5,
        "HouseholdID",
        "",
        "required value is missing",
    )
    assert not result.committed


# --- repeated primary keys ---


def test_a_repeated_id_keeps_the_line_with_the_latest_date_updated(org_a, export_dir):
    def repeat(rows):
        newer = dict(rows[0], FirstName="Mary", DateUpdated="2025-11-01 08:00:00")
        older = dict(rows[0], FirstName="Old copy", DateUpdated="2025-09-01 08:00:00")
        return [*rows, newer, older]

    edit_rows(export_dir, "Client.csv", repeat)

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.committed and result.error_count == 0
    assert Client.objects.get(personal_id="C1").first_name == "Mary"
    assert problems(result) == [
        (
            "Client.csv",
            8,
            "PersonalID",
            "C1",
            "PersonalID C1 is on several lines; this line has the latest DateUpdated and is kept",
        ),
        (
            "Client.csv",
            9,
            "PersonalID",
            "C1",
            "PersonalID C1 is on several lines; superseded by the line with the latest DateUpdated",
        ),
    ]
    summary = result.summaries["Client.csv"]
    assert (summary.rows, summary.created, summary.superseded, summary.rejected) == (8, 5, 2, 0)
    assert counts() == KEPT


def test_a_repeated_id_with_an_older_date_updated_is_superseded(org_a, export_dir):
    def repeat(rows):
        return [*rows, dict(rows[3], ServicesID="S1", DateUpdated="2025-09-30 08:00:00")]

    edit_rows(export_dir, "Services.csv", repeat)

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.committed
    assert Service.objects.get(hud_services_id="S1").enrollment.hud_enrollment_id == "E1"
    assert [p[4] for p in problems(result)] == [
        "ServicesID S1 is on several lines; superseded by the line with the latest DateUpdated"
    ]
    assert result.summaries["Services.csv"].superseded == 1


def test_a_repeat_of_a_rejected_line_stands_with_its_dependants(org_a, export_dir):
    def repeat(rows):
        good = dict(rows[0], FirstName="Mary", DateUpdated="2025-11-01 08:00:00")
        rows[0]["DateDeleted"] = "soon"  # unreadable key date: the first line is rejected
        return [*rows, good]

    edit_rows(export_dir, "Client.csv", repeat)

    result = import_hud_csv(source=export_dir, organization=org_a, skip_invalid_rows=True)

    assert result.committed
    assert Client.objects.get(personal_id="C1").first_name == "Mary"
    assert Enrollment.objects.filter(hud_enrollment_id="E1").exists()  # its dependants stand
    summary = result.summaries["Client.csv"]
    assert (summary.rows, summary.created, summary.rejected, summary.superseded) == (7, 5, 1, 0)
    assert [p[2:] for p in problems(result)] == [
        ("DateDeleted", "soon", "not a date and time (YYYY-MM-DD hh:mm:ss)"),
    ]


def test_a_repeated_exit_keeps_the_newest(org_a, export_dir):
    def repeat(rows):
        return [*rows, dict(rows[0], Destination="101", DateUpdated="2025-11-21 10:00:00")]

    edit_rows(export_dir, "Exit.csv", repeat)

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.committed and result.error_count == 0, problems(result)
    assert Enrollment.objects.get(hud_enrollment_id="E3").destination == 101
    assert result.summaries["Exit.csv"].superseded == 1


# --- a vendor's export with everything at once ---


def test_a_vendor_export_with_every_common_problem_keeps_every_record(org_a, export_dir):
    # Bad quoting (a quote inside an unquoted field), MM-DD-YYYY hh:mm:ss dates, a byte-order
    # mark, a lower-case unquoted header, unquoted fields, a file the importer does not use;
    # and the two required values other systems most often leave empty.
    edit_rows(export_dir, "Project.csv", lambda rows: rows[1].update(OperatingStartDate=""))
    edit_rows(export_dir, "Enrollment.csv", lambda rows: rows[4].update(HouseholdID=""))
    path = export_dir / "Client.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace('"C4","Harold"', '"C4",Harold "Hal"', 1)
    path.write_text(text, encoding="utf-8")

    def us_dates(rows):
        for row in rows:
            day, time = row["DateCreated"].split(" ")
            year, month, dom = day.split("-")
            row["DateCreated"] = f"{month}-{dom}-{year} {time}"

    edit_rows(export_dir, "Services.csv", us_dates)
    path = export_dir / "Enrollment.csv"
    header, _, body = path.read_bytes().decode().partition("\r\n")
    body = body.replace('"', "")
    path.write_bytes(("\ufeff" + header.replace('"', "").lower() + "\r\n" + body).encode())
    (export_dir / "CustomClientFields.csv").write_text("PersonalID,Shoe size\r\nC1,9\r\n")

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.committed and result.error_count == 0, problems(result)
    assert "CustomClientFields.csv" in result.skipped_files
    assert counts() == KEPT
    assert Client.objects.get(personal_id="C4").first_name == 'Harold "Hal"'
    created = timezone.localtime(Service.objects.get(hud_services_id="S2").created_at)
    assert created.strftime("%Y-%m-%d %H:%M:%S") == "2025-10-02 21:00:00"
    assert [(p[0], p[2]) for p in problems(result)] == [
        ("Project.csv", "OperatingStartDate"),
        ("Enrollment.csv", "HouseholdID"),
    ]
    assert Project.objects.get(hud_project_id="P20").operating_start_date == date(2025, 9, 1)


def test_the_report_says_what_strict_would_reject(org_a, export_dir):
    edit_rows(export_dir, "Enrollment.csv", lambda rows: rows[3].update(HouseholdID=""))

    result = import_hud_csv(source=export_dir, organization=org_a, dry_run=True)

    lines = result.report_text().splitlines()
    assert lines[1].startswith("warning,Enrollment.csv,5,HouseholdID,,required value is missing")
    assert lines[1].endswith(",error")
