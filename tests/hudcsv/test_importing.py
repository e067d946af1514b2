from datetime import date
from decimal import Decimal

import pytest

from hmis.accounts.models import User
from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.models import Client, Enrollment
from hmis.clients.ssn import get_ssn
from hmis.hudcsv import importing
from hmis.hudcsv.importing import (
    ERROR,
    IMPORTED_SERVICES_GROUP,
    WARNING,
    import_hud_csv,
)
from hmis.hudcsv.models import ImportRun, ProjectRecord
from hmis.projects.models import Organization, Project
from hmis.services.models import Service, ServiceCode
from tests.hudcsv.conftest import FIXTURE, edit_rows, read_table, write_table

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything an import may touch, to compare before and after."""
    return {
        "organizations": list(Organization.objects.values().order_by("pk")),
        "users": list(User.objects.values().order_by("pk")),
        "projects": list(Project.objects.values().order_by("pk")),
        "records": list(ProjectRecord.objects.values().order_by("pk")),
        "clients": list(Client.objects.values().order_by("pk")),
        "enrollments": list(Enrollment.objects.values().order_by("pk")),
        "services": list(Service.objects.values().order_by("pk")),
        "codes": list(ServiceCode.objects.values().order_by("pk")),
    }


def problems(result, severity=None):
    return [
        (p.file, p.line, p.column, p.value, p.reason)
        for p in result.problems
        if severity is None or p.severity == severity
    ]


# --- the fixture export ---


def test_fixture_export_imports_every_file_and_lists_unused_files_as_skipped(org_a):
    result = import_hud_csv(source=FIXTURE, organization=org_a)

    assert result.succeeded and result.committed
    assert result.edition == "2026"
    assert result.export_id == "EXP-2026-001"
    assert result.error_count == 0 and result.warning_count == 0
    assert result.skipped_files == ["Assessment.csv", "IncomeBenefits.csv"]
    created = {name: s.created for name, s in result.summaries.items()}
    assert created == {
        "User.csv": 2,
        "Organization.csv": 2,
        "Project.csv": 3,
        "Funder.csv": 3,
        "ProjectCoC.csv": 2,
        "Inventory.csv": 1,
        "Client.csv": 5,
        "Enrollment.csv": 5,
        "Exit.csv": 1,
        "Services.csv": 8,
    }
    assert result.summaries["Client.csv"].deleted == 1
    assert result.summaries["Enrollment.csv"].deleted == 1
    assert result.summaries["Services.csv"].deleted == 1


def test_imported_records_keep_source_ids_names_and_dates(org_a):
    import_hud_csv(source=FIXTURE, organization=org_a)

    pepe = Client.objects.get(personal_id="C2")
    assert pepe.first_name == 'José "Pepe"'
    assert pepe.last_name == "Núñez-García"
    assert pepe.search_name == 'jose "pepe" nunez garcia'  # as Client.save() folds it
    assert pepe.organization == org_a
    assert pepe.hud_data["AdditionalRaceEthnicity"] == "Mexican, Oaxacan"
    assert pepe.hud_data["HispanicLatinao"] == 1
    assert pepe.updated_at.isoformat() == "2025-10-01T14:15:00+00:00"  # 09:15 Chicago time
    assert Client.objects.get(personal_id="C5").deleted_at is not None
    ana = Client.objects.get(personal_id="C6")
    assert (get_ssn(ana), ana.ssn_last4, ana.ssn_data_quality) == ("123456789", "6789", 1)
    assert "6789" not in ana.ssn_encrypted

    household = Enrollment.objects.filter(household_id="H1").order_by("relationship_to_hoh")
    assert [(e.client.personal_id, e.relationship_to_hoh) for e in household] == [
        ("C1", 1),
        ("C3", 2),
    ]
    exited = Enrollment.objects.get(hud_enrollment_id="E3")
    assert (exited.exit_date, exited.destination, exited.hud_exit_id) == (
        date(2025, 11, 20),
        410,
        "X3",
    )
    assert Enrollment.objects.get(hud_enrollment_id="E6").deleted_at is not None

    night_shelter = Project.objects.get(hud_project_id="P10")
    assert night_shelter.project_type == 1
    assert night_shelter.organization.hud_organization_id == "ORG1"
    coc = ProjectRecord.objects.get(kind="ProjectCoC", hud_id="PC10")
    assert coc.data["ZIP"] == "05401"  # leading zero kept


def test_imported_users_are_inactive_without_a_usable_password(org_a):
    import_hud_csv(source=FIXTURE, organization=org_a)

    dana = User.objects.get(hud_user_id="U100")
    assert (dana.first_name, dana.last_name, dana.organization) == ("Dana", "O'Neil", org_a)
    assert dana.is_active is False
    assert dana.has_usable_password() is False


def test_services_map_onto_service_codes_created_in_the_imported_hud_services_group(org_a):
    import_hud_csv(source=FIXTURE, organization=org_a)

    bed_night = Service.objects.get(hud_services_id="S1")
    assert bed_night.service_code.name == "Bed night"
    assert bed_night.service_code.group.name == IMPORTED_SERVICES_GROUP
    assert (bed_night.service_code.hud_record_type, bed_night.service_code.hud_type_provided) == (
        200,
        200,
    )
    ssvf = Service.objects.get(hud_services_id="S7")
    assert ssvf.service_code.name == "SSVF financial assistance: Rental assistance"
    assert ssvf.fa_amount == Decimal("1250.00")
    assert ssvf.hud_data["FAStartDate"] == "2025-10-01"
    assert ssvf.project.hud_project_id == "P20"
    assert ssvf.provider.hud_user_id == "U200"
    deleted = Service.objects.get(hud_services_id="S6")
    assert deleted.deleted_at is not None and deleted.void_reason
    assert ServiceCode.objects.filter(hud_record_type=200).count() == 1


def test_services_use_an_existing_code_with_the_same_hud_mapping(org_a):
    from tests import factories as f

    mine = f.make_code("Shelter night", hud_record_type=200, hud_type_provided=200)

    import_hud_csv(source=FIXTURE, organization=org_a)

    assert Service.objects.get(hud_services_id="S1").service_code == mine


def test_importing_the_same_export_twice_changes_nothing(org_a):
    import_hud_csv(source=FIXTURE, organization=org_a)
    before = snapshot()

    again = import_hud_csv(source=FIXTURE, organization=org_a)

    assert again.committed
    assert snapshot() == before
    for summary in again.summaries.values():
        assert (summary.created, summary.updated, summary.deleted) == (0, 0, 0)
        assert summary.unchanged == summary.rows


def test_a_newer_date_updated_updates_and_an_older_one_is_ignored(org_a, export_dir):
    import_hud_csv(source=FIXTURE, organization=org_a)

    def rename(rows):
        rows[0]["LastName"] = "O'Brien-Smith"
        rows[0]["DateUpdated"] = "2025-12-01 10:00:00"
        rows[1]["FirstName"] = "Older"
        rows[1]["DateUpdated"] = "2025-01-01 10:00:00"

    edit_rows(export_dir, "Client.csv", rename)
    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.summaries["Client.csv"].updated == 1
    assert Client.objects.get(personal_id="C1").last_name == "O'Brien-Smith"
    assert Client.objects.get(personal_id="C2").first_name == 'José "Pepe"'


def test_date_deleted_soft_deletes_an_existing_record(org_a, export_dir):
    import_hud_csv(source=FIXTURE, organization=org_a)

    def delete_first(rows):
        rows[0]["DateDeleted"] = "2025-12-02 08:00:00"
        rows[0]["DateUpdated"] = "2025-12-02 08:00:00"

    edit_rows(export_dir, "Services.csv", delete_first)
    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.summaries["Services.csv"].deleted == 1
    assert Service.objects.get(hud_services_id="S1").deleted_at is not None


# --- editions and what real files do ---


def test_fy2022_export_is_refused_with_a_message_naming_it(org_a, export_dir):
    edit_rows(export_dir, "Export.csv", lambda rows: rows[0].update(CSVVersion="FY2022"))

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert not result.succeeded and not result.committed
    assert result.refused == (
        "This is an FY2022 export. Only FY2026 and FY2024 HUD CSV files can be imported: "
        "ask the sending system for an FY2026 export."
    )
    assert not Client.objects.exists()


def test_fy2022_is_recognised_from_the_client_header_without_csv_version(org_a, export_dir):
    edit_rows(export_dir, "Export.csv", lambda rows: rows[0].update(CSVVersion=""))
    header, rows = read_table(export_dir / "Client.csv")
    header = [h for h in header if h not in ("Sex", "HispanicLatinao")] + ["Ethnicity", "Female"]
    write_table(export_dir / "Client.csv", header, [])

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert "FY2022 export" in result.refused


def test_unrecognisable_edition_is_refused(org_a, export_dir):
    edit_rows(export_dir, "Export.csv", lambda rows: rows[0].update(CSVVersion=""))
    write_table(export_dir / "Client.csv", ["PersonalID", "FirstName"], [])

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.refused.startswith("The edition of this export could not be recognised")


def test_a_folder_without_hud_files_is_refused(org_a, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")

    result = import_hud_csv(source=tmp_path, organization=org_a)

    assert result.refused.startswith("No HUD CSV files found")


def test_fy2024_export_imports_with_its_own_client_and_enrollment_columns(org_a, export_dir):
    from hmis.hudcsv.columns import FY2024, column_names

    edit_rows(export_dir, "Export.csv", lambda rows: rows[0].update(CSVVersion="2024 v1.4"))
    _, clients = read_table(export_dir / "Client.csv")
    for row in clients:
        row["HispanicLatinaeo"] = row.pop("HispanicLatinao")
        row.pop("Sex")
        row.update(Woman="0", Man="1", NonBinary="0", CulturallySpecific="0", Transgender="0")
        row.update(Questioning="0", DifferentIdentity="0")
    write_table(export_dir / "Client.csv", column_names("Client", FY2024), clients)
    _, enrollments = read_table(export_dir / "Enrollment.csv")
    for row in enrollments:
        row.pop("MentalHealthConsultation")
        row["SexualOrientation"] = "99"
    write_table(export_dir / "Enrollment.csv", column_names("Enrollment", FY2024), enrollments)

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.edition == "2024" and result.committed, problems(result)
    assert result.error_count == 0 and result.warning_count == 0
    pepe = Client.objects.get(personal_id="C2")
    assert pepe.hud_data["HispanicLatinao"] == 1  # stored under the FY2026 name
    assert pepe.hud_data["Man"] == 1


def test_byte_order_mark_header_case_and_unquoted_fields_are_accepted(org_a, export_dir):
    for path in export_dir.glob("*.csv"):
        text = path.read_bytes().decode("utf-8")
        header, _, body = text.partition("\r\n")
        header = header.replace('"', "").lower()  # unquoted, lower-case header
        path.write_bytes(("\ufeff" + header.replace("zip", "Zip") + "\r\n" + body).encode())
    # A file written without any quotes at all.
    header, rows = read_table(export_dir / "Organization.csv")
    with open(export_dir / "Organization.csv", "w", encoding="utf-8-sig", newline="") as out:
        out.write(",".join(header) + "\n")
        for row in rows:
            out.write(",".join(row[h] if "," not in row[h] else f'"{row[h]}"' for h in header))
            out.write("\n")

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.committed and result.error_count == 0, problems(result)
    assert result.warning_count == 0, problems(result)
    assert Client.objects.filter(personal_id__in=["C1", "C2", "C3", "C4", "C6"]).count() == 5
    assert ProjectRecord.objects.get(hud_id="PC10").data["ZIP"] == "05401"


def test_us_style_dates_and_times_are_accepted(org_a, export_dir):
    def us_dates(rows):
        rows[0]["DOB"] = "02-14-1988"
        rows[0]["DateCreated"] = "10-01-2025 09:15"
        rows[1]["DOB"] = "07/04/1975"
        rows[2]["DOB"] = "30-Sep-2019"

    edit_rows(export_dir, "Client.csv", us_dates)

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.committed and result.error_count == 0, problems(result)
    assert Client.objects.get(personal_id="C1").dob == date(1988, 2, 14)
    assert Client.objects.get(personal_id="C2").dob == date(1975, 7, 4)
    assert Client.objects.get(personal_id="C3").dob == date(2019, 9, 30)


def test_export_csv_with_several_rows_uses_the_newest_with_a_warning(org_a, export_dir):
    def add_older(rows):
        older = dict(rows[0], ExportID="EXP-OLD", ExportDate="2025-01-01 00:00:00")
        return [older, rows[0]]

    edit_rows(export_dir, "Export.csv", add_older)

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.export_id == "EXP-2026-001"
    assert (
        "Export.csv",
        None,
        "ExportID",
        "EXP-2026-001",
        "Export.csv has 2 rows; using ExportID EXP-2026-001",
    ) in problems(result, WARNING)


def test_a_zip_file_is_imported_like_a_folder(org_a, tmp_path):
    from tests.hudcsv.conftest import zip_folder

    path = tmp_path / "export.zip"
    path.write_bytes(zip_folder(FIXTURE))

    result = import_hud_csv(source=path, organization=org_a)

    assert result.committed and Client.objects.count() == 6


# --- validation: errors reject rows, warnings are reported ---


def _import_with(export_dir, org, file, change, **options):
    edit_rows(export_dir, file, change)
    return import_hud_csv(source=export_dir, organization=org, **options)


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "Client.csv",
            lambda rows: rows[1].update(PersonalID=""),
            ("Client.csv", 3, "PersonalID", "", "required value is missing"),
        ),
        (
            "Client.csv",
            lambda rows: rows[1].update(PersonalID="X" * 33),
            ("Client.csv", 3, "PersonalID", "X" * 33, "longer than 32 characters"),
        ),
        (
            "Enrollment.csv",
            lambda rows: rows[0].update(PersonalID="NOPE"),
            (
                "Enrollment.csv",
                2,
                "PersonalID",
                "NOPE",
                "NOPE is in neither Client.csv nor the database",
            ),
        ),
        (
            "Enrollment.csv",
            lambda rows: rows[0].update(ProjectID="P99"),
            (
                "Enrollment.csv",
                2,
                "ProjectID",
                "P99",
                "P99 is in neither Project.csv nor the database",
            ),
        ),
        (
            "Enrollment.csv",
            lambda rows: rows[0].update(EntryDate="2025-13-45"),
            (
                "Enrollment.csv",
                2,
                "EntryDate",
                "2025-13-45",
                "not a date (YYYY-MM-DD or MM-DD-YYYY)",
            ),
        ),
        (
            "Services.csv",
            lambda rows: rows[0].update(DateUpdated="yesterday", DateDeleted="soon"),
            ("Services.csv", 2, "DateDeleted", "soon", "not a date and time (YYYY-MM-DD hh:mm:ss)"),
        ),
        (
            "Services.csv",
            lambda rows: rows[0].update(RecordType="999"),
            ("Services.csv", 2, "RecordType", "999", "not a value of list 1.4"),
        ),
        (
            "Services.csv",
            lambda rows: rows[0].update(TypeProvided="7"),
            ("Services.csv", 2, "TypeProvided", "7", "not a TypeProvided of RecordType 200"),
        ),
        (
            "Services.csv",
            lambda rows: rows[0].update(RecordType="two hundred"),
            ("Services.csv", 2, "RecordType", "two hundred", "not a whole number"),
        ),
        (
            "Services.csv",
            lambda rows: rows[0].update(PersonalID="C2"),
            (
                "Services.csv",
                2,
                "PersonalID",
                "C2",
                "does not match the enrollment's PersonalID C1",
            ),
        ),
        (
            "Exit.csv",
            lambda rows: rows[0].update(ExitDate="2025-10-01"),
            (
                "Exit.csv",
                2,
                "ExitDate",
                "2025-10-01",
                "ExitDate is before the enrollment's EntryDate 2025-10-15",
            ),
        ),
        (
            "Project.csv",
            lambda rows: rows[0].update(OrganizationID="ORG9"),
            (
                "Project.csv",
                2,
                "OrganizationID",
                "ORG9",
                "ORG9 is in neither Organization.csv nor the database",
            ),
        ),
    ],
    ids=[
        "missing-id",
        "id-too-long",
        "unknown-client",
        "unknown-project",
        "bad-key-date",
        "bad-date-deleted",
        "record-type-outside-list",
        "type-provided-not-for-record-type",
        "not-an-integer-key",
        "personal-id-mismatch",
        "exit-before-entry",
        "unknown-organization",
    ],
)
def test_each_error_rejects_the_row_with_file_line_column_value_and_reason(
    org_a, export_dir, file, change, expected
):
    before = snapshot()

    result = _import_with(export_dir, org_a, file, change)

    assert expected in problems(result, ERROR)
    assert not result.succeeded and not result.committed
    assert result.summaries[file].rejected >= 1
    assert snapshot() == before  # all or nothing


@pytest.mark.parametrize(
    ("file", "change", "expected", "check"),
    [
        (
            "Client.csv",
            lambda rows: rows[0].update(NameDataQuality=""),
            ("Client.csv", 2, "NameDataQuality", "", "required value is missing; stored as 99"),
            lambda: Client.objects.get(personal_id="C1").name_data_quality == 99,
        ),
        (
            "Client.csv",
            lambda rows: rows[0].update(VeteranStatus="7"),
            ("Client.csv", 2, "VeteranStatus", "7", "not a value of list 1.8; stored as 99"),
            lambda: Client.objects.get(personal_id="C1").veteran_status == 99,
        ),
        (
            "Client.csv",
            lambda rows: rows[0].update(Sex="5"),
            ("Client.csv", 2, "Sex", "5", "not a value of list 4.21; stored as empty"),
            lambda: "Sex" not in Client.objects.get(personal_id="C1").hud_data,
        ),
        (
            "Client.csv",
            lambda rows: rows[0].update(DOB="1988-02-30"),
            (
                "Client.csv",
                2,
                "DOB",
                "1988-02-30",
                "not a date (YYYY-MM-DD or MM-DD-YYYY); stored as empty",
            ),
            lambda: Client.objects.get(personal_id="C1").dob is None,
        ),
        (
            "Client.csv",
            lambda rows: rows[0].update(FirstName="M" * 60),
            ("Client.csv", 2, "FirstName", "M" * 60, "longer than 50 characters; cut to 50"),
            lambda: Client.objects.get(personal_id="C1").first_name == "M" * 50,
        ),
        (
            "Enrollment.csv",
            lambda rows: rows[0].update(LengthOfStay="ten"),
            ("Enrollment.csv", 2, "LengthOfStay", "ten", "not a whole number; stored as empty"),
            lambda: "LengthOfStay" not in Enrollment.objects.get(hud_enrollment_id="E1").hud_data,
        ),
        (
            "Services.csv",
            lambda rows: rows[6].update(FAAmount="$1,250"),
            ("Services.csv", 8, "FAAmount", "$1,250", "not an amount of money; stored as empty"),
            lambda: Service.objects.get(hud_services_id="S7").fa_amount is None,
        ),
        (
            "Services.csv",
            lambda rows: rows[0].update(UserID="U999"),
            (
                "Services.csv",
                2,
                "UserID",
                "U999",
                "UserID U999 is in neither User.csv nor the database; kept without a user",
            ),
            lambda: Service.objects.get(hud_services_id="S1").created_by is None,
        ),
    ],
    ids=[
        "required-missing",
        "outside-list-required",
        "outside-list-nullable",
        "bad-optional-date",
        "too-long-string",
        "not-an-integer",
        "bad-money",
        "unknown-user",
    ],
)
def test_each_warning_keeps_the_row_and_reports_what_was_stored(
    org_a, export_dir, file, change, expected, check
):
    result = _import_with(export_dir, org_a, file, change)

    assert result.problems and [p for p in result.problems if p.severity == ERROR] == []
    assert expected in problems(result, WARNING)
    assert result.committed
    assert check()


def test_strict_turns_warnings_into_errors(org_a, export_dir):
    result = _import_with(
        export_dir, org_a, "Client.csv", lambda rows: rows[0].update(VeteranStatus="7"), strict=True
    )

    assert ("Client.csv", 2, "VeteranStatus", "7", "not a value of list 1.8; stored as 99") in (
        problems(result, ERROR)
    )
    assert not result.committed and not Client.objects.exists()


def test_missing_and_unknown_header_columns_are_reported(org_a, export_dir):
    header, rows = read_table(export_dir / "Organization.csv")
    header = [h for h in header if h != "OrganizationCommonName"] + ["Notes"]
    for row in rows:
        row.pop("OrganizationCommonName")
        row["Notes"] = "x"
    write_table(export_dir / "Organization.csv", header, rows)
    header, rows = read_table(export_dir / "Funder.csv")
    write_table(export_dir / "Funder.csv", [h for h in header if h != "FunderID"], [])

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert (
        "Organization.csv",
        1,
        "Notes",
        "",
        "column Notes is not part of the FY2026 specification; ignored",
    ) in problems(result)
    assert (
        "Organization.csv",
        1,
        "OrganizationCommonName",
        "",
        "column OrganizationCommonName is missing from the header",
    ) in problems(result)
    assert (
        "Funder.csv",
        1,
        "FunderID",
        "",
        "column FunderID is missing from the header",
    ) in problems(result, ERROR)


def test_dry_run_validates_and_reports_without_writing(org_a):
    before = snapshot()

    result = import_hud_csv(source=FIXTURE, organization=org_a, dry_run=True)

    assert result.succeeded and not result.committed
    assert result.summaries["Client.csv"].created == 5
    assert snapshot() == before


def test_skip_invalid_rows_commits_valid_rows_and_rejects_dependants(org_a, export_dir):
    result = _import_with(
        export_dir,
        org_a,
        "Client.csv",
        lambda rows: rows[1].update(DateDeleted="not a date"),  # C2 rejected
        skip_invalid_rows=True,
    )

    assert result.succeeded and result.committed
    assert not Client.objects.filter(personal_id="C2").exists()
    assert Client.objects.filter(personal_id="C1").exists()
    # C2's enrollments, its exit and its services depend on the rejected client.
    assert not Enrollment.objects.filter(hud_enrollment_id__in=["E3", "E6"]).exists()
    reasons = problems(result, ERROR)
    assert (
        "Enrollment.csv",
        4,
        "PersonalID",
        "C2",
        "depends on Client.csv PersonalID C2, which was rejected",
    ) in reasons
    assert (
        "Exit.csv",
        2,
        "EnrollmentID",
        "E3",
        "depends on Enrollment.csv EnrollmentID E3, which was rejected",
    ) in reasons
    assert result.summaries["Services.csv"].rejected == 2  # S5, S6
    assert Service.objects.filter(hud_services_id="S1").exists()


def test_without_skip_invalid_rows_an_error_in_the_last_file_leaves_the_database_as_it_was(
    org_a, export_dir
):
    import_hud_csv(source=FIXTURE, organization=org_a)
    edit_rows(
        export_dir,
        "Client.csv",
        lambda rows: rows[0].update(LastName="Changed", DateUpdated="2026-01-01 00:00:00"),
    )
    edit_rows(export_dir, "Services.csv", lambda rows: rows[-1].update(EnrollmentID="E404"))
    before = snapshot()

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.summaries["Client.csv"].updated == 1  # it would have been updated...
    assert not result.committed
    assert snapshot() == before  # ...but nothing was kept
    run = ImportRun.objects.latest("pk")
    assert (run.committed, run.error_count) == (False, 1)


def test_a_crash_half_way_leaves_the_database_as_it_was_and_says_so(org_a, monkeypatch):
    before = snapshot()

    def boom(self, chunk, file, summary):
        raise RuntimeError("disk full")

    # Exit.csv's first check: clients and enrollments are written by then.
    monkeypatch.setattr(importing.Importer, "check_enrollments", boom)
    result = import_hud_csv(source=FIXTURE, organization=org_a)

    assert result.refused == (
        "The import stopped on an unexpected error (disk full); nothing was written."
    )
    assert not result.committed and not result.succeeded
    assert snapshot() == before


def test_each_import_is_recorded_and_audited(org_a, staff_a):
    result = import_hud_csv(source=FIXTURE, organization=org_a, user=staff_a, dry_run=True)

    run = ImportRun.objects.get(pk=result.run_id)
    assert (run.dry_run, run.committed, run.edition, run.user) == (True, False, "2026", staff_a)
    assert run.summary["Client.csv"]["created"] == 5
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert event.actor == staff_a
    assert event.changes["outcome"] == "dry run, nothing written"


def test_report_csv_lists_every_problem(org_a, export_dir):
    result = _import_with(
        export_dir, org_a, "Client.csv", lambda rows: rows[0].update(VeteranStatus="7")
    )

    lines = result.report_text().splitlines()
    assert lines[0] == "Severity,File,Line,Column,Value,Reason,In strict mode"
    assert lines[1] == (
        "warning,Client.csv,2,VeteranStatus,7,not a value of list 1.8; stored as 99,error"
    )


def test_import_runs_a_bounded_number_of_queries_per_chunk(
    org_a, export_dir, django_assert_max_num_queries
):
    def many(rows):
        template = rows[0]
        return [dict(template, ServicesID=f"B{i}") for i in range(600)]

    import_hud_csv(source=FIXTURE, organization=org_a)
    edit_rows(export_dir, "Services.csv", many)
    for name in [
        "Organization",
        "User",
        "Project",
        "Funder",
        "ProjectCoC",
        "Inventory",
        "Client",
        "Enrollment",
        "Exit",
    ]:
        edit_rows(export_dir, f"{name}.csv", lambda rows: [])  # the header only

    with django_assert_max_num_queries(20):
        result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.summaries["Services.csv"].created == 600


def test_ssn_with_unknown_digits_keeps_only_the_last_four_with_a_warning(org_a, export_dir):
    def partial(rows):
        rows[0]["SSN"] = "xxxxx1234"
        rows[0]["SSNDataQuality"] = "2"
        rows[1]["SSN"] = "000000000"  # a placeholder: no information, no warning

    result = _import_with(export_dir, org_a, "Client.csv", partial)

    assert problems(result) == [
        (
            "Client.csv",
            2,
            "SSN",
            "xxxxx1234",
            "not 9 digits (unknown digits marked x); only the last four digits are kept",
        )
    ]
    mary = Client.objects.get(personal_id="C1")
    assert (mary.ssn_encrypted, mary.ssn_last4, mary.ssn_data_quality) == ("", "1234", 2)
    assert Client.objects.get(personal_id="C2").ssn_last4 == ""


def test_a_malformed_ssn_is_reported_masked_never_in_full(org_a, export_dir):
    def malformed(rows):
        rows[0]["SSN"] = "12345678"  # eight digits: a typo, but still most of a real SSN

    result = _import_with(export_dir, org_a, "Client.csv", malformed)

    assert [p[3] for p in problems(result)] == ["xxxx5678"]


def test_an_exit_row_with_date_deleted_removes_the_exit(org_a, export_dir):
    import_hud_csv(source=FIXTURE, organization=org_a)

    def delete_exit(rows):
        rows[0].update(DateDeleted="2025-12-05 10:00:00", DateUpdated="2025-12-05 10:00:00")

    result = _import_with(export_dir, org_a, "Exit.csv", delete_exit)

    assert result.summaries["Exit.csv"].deleted == 1
    enrollment = Enrollment.objects.get(hud_enrollment_id="E3")
    assert (enrollment.exit_date, enrollment.destination) == (None, None)
    assert enrollment.exit_hud_data["DateDeleted"] == "2025-12-05 10:00:00"


def test_under_strict_a_duplicate_is_rejected_but_the_first_row_and_its_dependants_stand(
    org_a, export_dir
):
    def duplicate(rows):
        return [*rows, dict(rows[0], FirstName="Second copy")]

    result = _import_with(
        export_dir, org_a, "Client.csv", duplicate, skip_invalid_rows=True, strict=True
    )

    assert (
        "Client.csv",
        8,
        "PersonalID",
        "C1",
        "duplicate PersonalID: the same ID is on an earlier line of this file",
    ) in problems(result, ERROR)

    assert result.summaries["Client.csv"].rejected == 1
    assert Client.objects.get(personal_id="C1").first_name == "Mary-Kate"
    assert Enrollment.objects.filter(hud_enrollment_id="E1").exists()
    assert Service.objects.filter(hud_services_id="S1").exists()


def test_households_without_exactly_one_head_are_reported(org_a, export_dir):
    def heads(rows):
        rows[1]["RelationshipToHoH"] = "1"  # H1: two heads
        rows[3]["RelationshipToHoH"] = "3"  # H4: none

    result = _import_with(export_dir, org_a, "Enrollment.csv", heads)

    assert result.committed
    assert problems(result) == [
        (
            "Enrollment.csv",
            2,
            "HouseholdID",
            "H1",
            "household has 2 heads of household (RelationshipToHoH 1); HUD expects one",
        ),
        (
            "Enrollment.csv",
            5,
            "HouseholdID",
            "H4",
            "household has no head of household (RelationshipToHoH 1)",
        ),
    ]


def test_a_file_that_is_not_utf8_is_refused_and_nothing_is_written(org_a, export_dir):
    path = export_dir / "Client.csv"
    path.write_bytes(path.read_bytes().replace("López".encode(), "López".encode("cp1252")))

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.refused == (
        "Client.csv is not UTF-8 text (the problem is after data row 0): HUD CSV files must be "
        "saved as UTF-8. Nothing was written."
    )
    assert not Organization.objects.filter(hud_organization_id="ORG1").exists()


def test_an_unreadable_csv_file_is_refused(org_a, export_dir):
    path = export_dir / "Services.csv"
    runaway = b'"S3' + b"x" * 200_000  # an unclosed quote swallows the rest of the file
    path.write_bytes(path.read_bytes().replace(b'"S3"', runaway))

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.refused.startswith("Services.csv cannot be read as CSV after data row 2 (")
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    ("removed", "message"),
    [
        (["Exit"], "Exit.csv is"),
        (["Export", "Services"], "Export.csv and Services.csv are"),
        (["Funder", "Inventory", "User"], "User.csv, Funder.csv and Inventory.csv are"),
    ],
)
def test_an_incomplete_set_is_refused_naming_the_missing_files(org_a, export_dir, removed, message):
    for name in removed:
        (export_dir / f"{name}.csv").unlink()

    result = import_hud_csv(source=export_dir, organization=org_a)

    assert result.refused == (
        f"This is not a complete HUD CSV export: {message} missing. Ask the sending system for "
        "a full export (every file, even empty ones). Nothing was written."
    )
    assert not result.committed
    assert not Organization.objects.filter(hud_organization_id="ORG1").exists()


def test_a_merged_away_personal_id_brings_later_enrollments_to_the_survivor(org_a, export_dir):
    from hmis.clients.merging import merge_clients
    from tests import factories as f

    import_hud_csv(source=FIXTURE, organization=org_a)
    survivor, merged = Client.objects.get(personal_id="C1"), Client.objects.get(personal_id="C2")
    merge_clients(survivor=survivor, merged=merged, user=f.make_user(org_a), choices={})

    def add_enrollment(rows):
        rows.append(
            dict(rows[0], EnrollmentID="E-AFTER-MERGE", PersonalID="C2", HouseholdID="H-AFTER")
        )

    edit_rows(export_dir, "Enrollment.csv", add_enrollment)
    result = import_hud_csv(source=export_dir, organization=org_a)
    assert result.committed, problems(result)
    assert Enrollment.objects.get(hud_enrollment_id="E-AFTER-MERGE").client_id == survivor.pk
