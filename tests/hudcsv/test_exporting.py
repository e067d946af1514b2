import io
import threading
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hmis.accounts.models import User
from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.models import Client, Enrollment
from hmis.hudcsv import exporting
from hmis.hudcsv.columns import column_names
from hmis.hudcsv.exporting import SERVICES_CSV_COLUMNS, export_hud_csv, export_services_csv
from hmis.hudcsv.importing import import_hud_csv
from hmis.hudcsv.models import ProjectRecord
from hmis.projects.models import Organization, Project, ProjectType
from hmis.services.models import Service, ServiceCode, ServiceGroup
from tests import factories as f
from tests.hudcsv.conftest import FIXTURE, rows_of, unzip

pytestmark = pytest.mark.django_db

START, END = date(2025, 10, 1), date(2025, 12, 31)
UPDATED, REPORTING = 1, 3


def export(**options) -> dict[str, str]:
    options.setdefault("start", START)
    options.setdefault("end", END)
    buffer = io.BytesIO()
    export_hud_csv(output=buffer, **options)
    return unzip(buffer.getvalue())


def ids(files, file, column):
    return [row[column] for row in rows_of(files[file])]


@pytest.fixture
def imported(org_a):
    result = import_hud_csv(source=FIXTURE, organization=org_a)
    assert result.committed
    return result


# --- shape ---


def test_export_holds_every_fy2026_file_with_its_header_in_order(imported):
    files = export()

    assert sorted(files) == sorted(
        f"{name}.csv"
        for name in [
            "Export",
            "Organization",
            "User",
            "Project",
            "Funder",
            "ProjectCoC",
            "Inventory",
            "Client",
            "Enrollment",
            "Exit",
            "Services",
        ]
    )
    for name, text in files.items():
        header = text.split("\r\n", 1)[0]
        expected = ",".join(f'"{c}"' for c in column_names(name.removesuffix(".csv")))
        assert header == expected, name


def test_export_csv_has_one_row_whose_export_id_is_on_every_row_of_every_file(imported):
    files = export()

    (export_row,) = rows_of(files["Export.csv"])
    assert export_row["CSVVersion"] == "2026 v1.0"
    assert export_row["ExportPeriodType"] == "3"
    assert (export_row["ExportStartDate"], export_row["ExportEndDate"]) == (
        "2025-10-01",
        "2025-12-31",
    )
    for name, text in files.items():
        assert {row["ExportID"] for row in rows_of(text)} <= {export_row["ExportID"]}, name


def test_strings_are_quoted_numbers_and_dates_are_not_and_quotes_are_doubled(imported):
    files = export()

    line = next(x for x in files["Client.csv"].split("\r\n") if x.startswith('"C2"'))
    assert line.startswith('"C2","José ""Pepe""",,"Núñez-García",,1,,99,1975-07-04,1,1,')
    assert '"Mexican, Oaxacan"' in line
    services = files["Services.csv"].split("\r\n")
    assert any(
        x.startswith('"S7","E4","C4",2025-10-01,152,1,,,,1250.00,2025-10-01,2025-10-31,')
        for x in services
    )
    assert '"05401"' in files["ProjectCoC.csv"]  # ZIP keeps its leading zero
    assert '"C6","Ana","María de la Luz","López",,1,"123456789",1,' in files["Client.csv"]


# --- completeness ---


def test_export_meets_the_completeness_rules(imported, org_a):
    # A client enrolled only outside the range, and one never enrolled, must not appear.
    outside = f.make_client("Outside", "Range")
    f.enroll(outside, Project.objects.get(hud_project_id="P30"), entry_date=date(2026, 3, 1))
    f.make_client("Never", "Enrolled")
    # A service dated in the range on an enrollment that ended before it.
    exported = Service.objects.get(hud_services_id="S1")
    ended = f.make_client("Ended", "Before")
    Service.objects.create(
        client=ended,
        enrollment=f.enroll(
            ended, exported.project, entry_date=date(2025, 1, 1), exit_date=date(2025, 6, 30)
        ),
        project=exported.project,
        service_code=exported.service_code,
        date_provided=date(2025, 10, 5),
        hud_services_id="S-AFTER-EXIT",
    )

    files = export()

    enrollment_clients = set(ids(files, "Enrollment.csv", "PersonalID"))
    assert sorted(ids(files, "Client.csv", "PersonalID")) == sorted(enrollment_clients)
    assert enrollment_clients == {"C1", "C2", "C3", "C4", "C6"}
    assert set(ids(files, "Enrollment.csv", "ProjectID")) <= set(
        ids(files, "Project.csv", "ProjectID")
    )
    assert set(ids(files, "Project.csv", "OrganizationID")) <= set(
        ids(files, "Organization.csv", "OrganizationID")
    )
    used_users = {
        row["UserID"]
        for name, text in files.items()
        if name not in ("Export.csv", "User.csv")
        for row in rows_of(text)
    }
    assert used_users == set(ids(files, "User.csv", "UserID")) == {"U100", "U200"}
    exits = ids(files, "Exit.csv", "EnrollmentID")
    assert len(exits) == len(set(exits)) == 1
    assert set(ids(files, "Services.csv", "EnrollmentID")) <= set(
        ids(files, "Enrollment.csv", "EnrollmentID")
    )
    assert "S-AFTER-EXIT" not in ids(files, "Services.csv", "ServicesID")


def test_reporting_export_leaves_out_deleted_records(imported):
    files = export()

    assert "E6" not in ids(files, "Enrollment.csv", "EnrollmentID")
    assert "C5" not in ids(files, "Client.csv", "PersonalID")
    assert "S6" not in ids(files, "Services.csv", "ServicesID")


def test_updated_export_shows_soft_deleted_services_with_date_deleted(imported):
    files = export(period_type=UPDATED)

    services = {row["ServicesID"]: row for row in rows_of(files["Services.csv"])}
    assert services["S6"]["DateDeleted"] == "2025-10-20 08:00:00"
    assert services["S1"]["DateDeleted"] == ""
    enrollments = {row["EnrollmentID"]: row for row in rows_of(files["Enrollment.csv"])}
    assert enrollments["E6"]["DateDeleted"] == "2025-12-01 15:00:00"
    assert rows_of(files["Export.csv"])[0]["ExportPeriodType"] == "1"


def test_updated_export_selects_on_edit_dates_not_on_service_dates(imported):
    files = export(period_type=UPDATED, start=date(2025, 10, 8), end=date(2025, 10, 8))

    assert ids(files, "Services.csv", "ServicesID") == ["S8"]
    assert ids(files, "Client.csv", "PersonalID") == ["C4"]


def bed_night(organization, user, last_name: str) -> Service:
    """A bed night in a night-by-night shelter created here (not imported): HUD IDs of our own."""
    shelter = f.make_project(
        organization, "Night Shelter", project_type=ProjectType.ES_NIGHT_BY_NIGHT
    )
    client = f.make_client("Bea", last_name)
    enrollment = f.enroll(client, shelter, entry_date=date(2025, 10, 1))
    bed = f.make_code("Shelter bed", hud_record_type=200, hud_type_provided=200)
    return Service.objects.create(
        client=client,
        enrollment=enrollment,
        service_code=bed,
        date_provided=date(2025, 10, 2),
        project=shelter,
        provider=user,
        created_by=user,
    )


def test_voided_service_appears_deleted_in_the_updated_export(org_a, staff_a):
    service = bed_night(org_a, staff_a, "Void")
    from hmis.services.voiding import void_service

    void_service(service=service, user=staff_a, reason="Entered twice")
    today = timezone.localdate()

    updated = export(period_type=UPDATED, start=today, end=today)
    reporting = export(start=date(2025, 10, 1), end=today)

    (row,) = rows_of(updated["Services.csv"])
    assert row["ServicesID"] == service.hud_services_id and row["DateDeleted"]
    assert rows_of(reporting["Services.csv"]) == []


def test_a_service_without_a_hud_id_is_written_under_its_own_id(org_a, staff_a):
    # Services stored before HUD IDs were given at creation have none.
    service = bed_night(org_a, staff_a, "Legacy")
    Service.objects.filter(pk=service.pk).update(hud_services_id=None)

    (row,) = rows_of(export()["Services.csv"])

    assert row["ServicesID"] == str(service.pk)
    assert (row["RecordType"], row["TypeProvided"], row["DateProvided"]) == (
        "200",
        "200",
        "2025-10-02",
    )


# --- which services go to Services.csv ---


def test_services_csv_holds_only_mapped_services_that_fit_the_project(org_a, staff_a):
    night = f.make_project(org_a, "Night Shelter", project_type=ProjectType.ES_NIGHT_BY_NIGHT)
    day = f.make_project(org_a, "Day Shelter", project_type=ProjectType.DAY_SHELTER)
    client = f.make_client("Bo", "Bednight")
    in_night = f.enroll(client, night, entry_date=date(2025, 10, 1))
    in_day = f.enroll(client, day, entry_date=date(2025, 10, 1))
    bed = f.make_code("Bed", hud_record_type=200, hud_type_provided=200)
    visit = f.make_code("Day Shelter - Homeless Drop-In Centers")
    meal = f.make_code("HOPWA meal", hud_record_type=143, hud_type_provided=7)
    broken = f.make_code("Broken mapping", hud_record_type=143, hud_type_provided=99)

    def give(enrollment, code):
        return Service.objects.create(
            client=client,
            enrollment=enrollment,
            service_code=code,
            date_provided=date(2025, 10, 5),
            project=enrollment.project,
            provider=staff_a,
        )

    bed_in_night = give(in_night, bed)
    give(in_day, bed)  # bed nights only for night-by-night shelters
    give(in_day, visit)  # no HUD mapping
    meal_in_day = give(in_day, meal)
    give(in_day, broken)  # TypeProvided outside its list

    files = export()

    assert sorted(ids(files, "Services.csv", "ServicesID")) == sorted(
        [bed_in_night.hud_services_id, meal_in_day.hud_services_id]
    )
    assert {row["UserID"] for row in rows_of(files["Services.csv"])} == {staff_a.hud_id}
    assert ids(files, "User.csv", "UserID") == [staff_a.hud_id]


def test_values_outside_their_list_are_never_written(imported):
    client = Client.objects.get(personal_id="C1")
    client.hud_data.update(Sex=5, White=3, MilitaryBranch="navy", DateOfEngagement="garbage")
    client.veteran_status = 7
    client.save()
    enrollment = Enrollment.objects.get(hud_enrollment_id="E1")
    enrollment.relationship_to_hoh = 42
    enrollment.hud_data["DisablingCondition"] = 55
    enrollment.save()

    files = export()

    row = next(r for r in rows_of(files["Client.csv"]) if r["PersonalID"] == "C1")
    assert (row["Sex"], row["White"], row["MilitaryBranch"], row["VeteranStatus"]) == (
        "",
        "0",
        "",
        "99",
    )
    row = next(r for r in rows_of(files["Enrollment.csv"]) if r["EnrollmentID"] == "E1")
    assert (row["RelationshipToHoH"], row["DisablingCondition"]) == ("99", "99")


def test_natively_created_records_export_with_stable_ids(org_a, staff_a):
    project = f.make_project(org_a, "Night Shelter", project_type=ProjectType.ES_NIGHT_BY_NIGHT)
    client = f.make_client("Stable", "Ids")
    f.enroll(client, project, entry_date=date(2025, 10, 1))

    first, second = export(), export()

    for name in ["Organization.csv", "Project.csv", "Client.csv", "Enrollment.csv"]:
        assert rows_of(first[name])[0] == {
            **rows_of(second[name])[0],
            "ExportID": rows_of(first[name])[0]["ExportID"],
        }
    assert ids(first, "Project.csv", "ProjectID") == [project.hud_project_id]
    assert ids(first, "Client.csv", "PersonalID") == [client.personal_id]
    client_row = rows_of(first["Client.csv"])[0]
    assert (client_row["RaceNone"], client_row["White"], client_row["Sex"]) == ("99", "0", "")


def test_our_own_export_imported_into_the_same_database_changes_nothing(org_a, staff_a, tmp_path):
    bed_night(org_a, staff_a, "Return")
    archive = tmp_path / "ours.zip"
    with archive.open("wb") as stream:
        export_hud_csv(output=stream, start=START, end=END)
    models = [Organization, Project, User, Client, Enrollment, Service]
    before = {m.__name__: m.objects.count() for m in models}

    result = import_hud_csv(source=archive, organization=org_a)

    assert result.committed, result.refused
    assert {m.__name__: m.objects.count() for m in models} == before


def test_organization_limits_the_export_to_its_own_projects(imported, org_b):
    harbor = Organization.objects.get(hud_organization_id="ORG1")

    files = export(organization=harbor)

    assert ids(files, "Organization.csv", "OrganizationID") == ["ORG1"]
    assert sorted(ids(files, "Project.csv", "ProjectID")) == ["P10", "P30"]
    assert "C4" not in ids(files, "Client.csv", "PersonalID")  # only in ORG2's SSVF program
    assert ids(export(organization=org_b), "Client.csv", "PersonalID") == []


def test_chosen_projects_limit_the_export(imported):
    files = export(projects=[Project.objects.get(hud_project_id="P20")])

    assert ids(files, "Project.csv", "ProjectID") == ["P20"]
    assert ids(files, "Client.csv", "PersonalID") == ["C4"]
    assert sorted(ids(files, "Services.csv", "ServicesID")) == ["S7", "S8"]
    assert ids(files, "Funder.csv", "FunderID") == ["F20"]


def test_export_is_audited(imported, staff_a):
    buffer = io.BytesIO()
    result = export_hud_csv(output=buffer, start=START, end=END, user=staff_a)

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.object_id) == (staff_a, result.export_id)
    assert event.changes["rows"]["Client.csv"] == 5


def test_export_query_count_does_not_grow_with_the_number_of_rows(org_a, staff_a):
    night = f.make_project(org_a, "Night Shelter", project_type=ProjectType.ES_NIGHT_BY_NIGHT)
    bed = f.make_code("Bed", hud_record_type=200, hud_type_provided=200)

    def add_clients(n):
        for i in range(n):
            client = f.make_client("Many", f"Client{i}")
            enrollment = f.enroll(client, night, entry_date=date(2025, 10, 1))
            Service.objects.create(
                client=client,
                enrollment=enrollment,
                service_code=bed,
                date_provided=date(2025, 10, 2),
                project=night,
                created_by=staff_a,
            )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            export()
        return len(queries)

    add_clients(3)
    few = count_queries()
    add_clients(30)
    assert count_queries() == few


# --- round trip ---


def wipe():
    """Empty the database of everything an import creates (audit rows stay: append-only)."""
    Service.objects.all().delete()
    ServiceCode.objects.all().delete()
    ServiceGroup.objects.all().delete()
    Enrollment.objects.all().delete()
    Client.objects.all().delete()
    ProjectRecord.objects.all().delete()
    Project.objects.all().delete()
    User.objects.filter(hud_user_id__isnull=False).delete()


def normalized(files: dict[str, str]) -> dict[str, str]:
    """The files with the export's own ID and export date blanked."""
    (export_row,) = rows_of(files["Export.csv"])
    out = {}
    for name, text in files.items():
        text = text.replace(export_row["ExportID"], "EXPORT-ID")
        if name == "Export.csv":
            text = text.replace(export_row["ExportDate"], "EXPORT-DATE")
        out[name] = text
    return out


@pytest.mark.parametrize("period_type", [REPORTING, UPDATED])
def test_round_trip_of_our_own_export_gives_the_same_files(org_a, tmp_path, period_type):
    import_hud_csv(source=FIXTURE, organization=org_a)
    first = export(period_type=period_type)
    path = tmp_path / "first.zip"
    buffer = io.BytesIO()
    export_hud_csv(output=buffer, start=START, end=END, period_type=period_type)
    path.write_bytes(buffer.getvalue())
    wipe()
    assert not Client.objects.exists()

    result = import_hud_csv(source=path, organization=org_a)
    assert result.committed and result.error_count == 0 and result.warning_count == 0, (
        result.problems
    )
    second = export(period_type=period_type)

    assert normalized(second) == normalized(first)
    assert len(rows_of(first["Services.csv"])) >= 8


# --- our own services CSV ---


def test_services_csv_lists_every_service_mapped_or_not(org_a, staff_a):
    day = f.make_project(org_a, "Day Shelter", project_type=ProjectType.DAY_SHELTER)
    client = f.make_client("Ada", "Lovelace")
    enrollment = f.enroll(client, day, entry_date=date(2025, 10, 1))
    visit = f.make_code("Day Shelter - Homeless Drop-In Centers")
    voided = Service.objects.create(
        client=client,
        enrollment=enrollment,
        service_code=visit,
        date_provided=date(2025, 10, 3),
        project=day,
        provider=staff_a,
        deleted_at=timezone.now(),
        void_reason="Mistake",
    )
    kept = Service.objects.create(
        client=client,
        enrollment=enrollment,
        service_code=visit,
        date_provided=date(2025, 10, 2),
        project=day,
        provider=staff_a,
        units=2,
        comments='Said "thanks", left early',
    )
    Service.objects.create(
        client=client,
        enrollment=enrollment,
        service_code=visit,
        date_provided=date(2025, 10, 4),
        project=day,
        comments='=HYPERLINK("http://evil.example")',
    )
    out = io.StringIO()

    count = export_services_csv(output=out, start=START, end=END)

    assert count == 2
    row, formula = rows_of(out.getvalue())
    assert formula["Comments"] == '\'=HYPERLINK("http://evil.example")'  # kept text
    assert list(row) == SERVICES_CSV_COLUMNS
    assert row["ServiceID"] == str(kept.pk)
    assert (row["ClientID"], row["ServiceCode"], row["Units"], row["DateProvided"]) == (
        str(client.pk),
        "Day Shelter - Homeless Drop-In Centers",
        "2",
        "2025-10-02",
    )
    assert row["Comments"] == 'Said "thanks", left early'
    assert row["Provider"] == staff_a.display_name
    with_voided = io.StringIO()
    export_services_csv(output=with_voided, start=START, end=END, include_voided=True)
    assert str(voided.pk) in {r["ServiceID"] for r in rows_of(with_voided.getvalue())}


def test_an_exit_deleted_in_the_source_shows_as_deleted_in_the_updated_export(imported, tmp_path):
    import shutil

    from tests.hudcsv.conftest import edit_rows

    folder = tmp_path / "again"
    shutil.copytree(FIXTURE, folder)
    edit_rows(
        folder,
        "Exit.csv",
        lambda rows: rows[0].update(
            DateDeleted="2025-12-05 10:00:00", DateUpdated="2025-12-05 10:00:00"
        ),
    )
    import_hud_csv(source=folder)

    updated = export(period_type=UPDATED)
    reporting = export()

    (row,) = rows_of(updated["Exit.csv"])
    assert (row["ExitID"], row["ExitDate"], row["DateDeleted"]) == (
        "X3",
        "2025-11-20",
        "2025-12-05 10:00:00",
    )
    assert rows_of(reporting["Exit.csv"]) == []


# --- the background writer (compression overlapping with making rows) ---


class _Failing(io.BytesIO):
    def write(self, data):
        raise OSError("disk full")


def test_background_writer_passes_every_byte_on_in_order():
    target = io.BytesIO()
    sink = exporting._BackgroundWriter(target)
    chunks = [bytes([i % 256]) * (1000 + i) for i in range(50)]
    for chunk in chunks:
        sink.write(memoryview(bytearray(chunk)))
    sink.close()

    assert target.getvalue() == b"".join(chunks)


def test_background_writer_raises_the_targets_failure_in_the_writing_thread():
    sink = exporting._BackgroundWriter(_Failing())
    sink.write(b"x")

    with pytest.raises(OSError, match="disk full"):
        for _ in range(10):  # the failure shows at a later write, or at the latest at close
            sink.write(b"x")
        sink.close()
    sink.close(discard=True)
    assert not any(t.name == "hud-export-writer" for t in threading.enumerate())


def test_an_export_that_fails_half_way_raises_its_own_error_and_stops_its_writer(
    imported, monkeypatch
):
    def broken(self, writer):
        raise RuntimeError("database went away")

    monkeypatch.setattr(exporting._Exporter, "_enrollment", broken)

    with pytest.raises(RuntimeError, match="database went away"):
        export()
    assert not any(t.name == "hud-export-writer" for t in threading.enumerate())


def test_an_export_to_a_failing_output_raises_the_outputs_error(imported):
    with pytest.raises(OSError, match="disk full"):
        export_hud_csv(output=_Failing(), start=START, end=END)
    assert not any(t.name == "hud-export-writer" for t in threading.enumerate())


def test_a_client_from_the_intake_form_exports_its_hud_answers(org_a, staff_a):
    from hmis.clients.intake import create_client
    from hmis.clients.ude import ClientDetails

    project = f.make_project(org_a, "Night Shelter", project_type=ProjectType.ES_NIGHT_BY_NIGHT)
    client = create_client(
        user=staff_a,
        details=ClientDetails(
            first_name="Ada",
            last_name="Quill",
            ssn="xxxxx1234",
            ssn_data_quality=2,
            dob=date(1990, 2, 3),
            races=("Asian", "White"),
            additional_race_ethnicity="Hmong",
            sex=0,
            veteran_status=0,
        ),
    )
    f.enroll(client, project, entry_date=date(2025, 10, 1))
    row = rows_of(export()["Client.csv"])[0]
    assert (row["SSN"], row["SSNDataQuality"], row["DOBDataQuality"]) == ("xxxxx1234", "2", "1")
    assert (row["Asian"], row["White"], row["BlackAfAmerican"], row["RaceNone"]) == (
        "1",
        "1",
        "0",
        "",
    )
    assert (row["AdditionalRaceEthnicity"], row["Sex"], row["VeteranStatus"]) == ("Hmong", "0", "0")
