import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hmis.accounts.models import Role
from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.models import Client
from hmis.hudcsv.importing import import_hud_csv
from hmis.projects.models import Project
from tests import factories as f
from tests.hudcsv.conftest import FIXTURE, edit_rows, rows_of, unzip, zip_folder
from tests.jobs.helpers import follow_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def system_admin(db):
    return f.make_user(None, Role.SYSTEM_ADMIN, username="sysadmin")


@pytest.fixture
def agency_admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a")


@pytest.fixture
def agency_admin_b(org_b):
    return f.make_user(org_b, Role.AGENCY_ADMIN, username="admin_b")


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def upload(client, data: bytes, **fields):
    """Upload a file and follow the check job it starts to its result page."""
    response = client.post(
        reverse("hudcsv:import"),
        {"file": SimpleUploadedFile("export.zip", data, "application/zip"), **fields},
    )
    if response.status_code != 302:
        return response
    return follow_job(client, response)


def token_of(response) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', response.content.decode()).group(1)


# --- import ---


def test_import_page_is_for_system_administrators_only(client, staff_a, agency_admin_a):
    url = reverse("hudcsv:import")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (staff_a, agency_admin_a):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert upload(client, zip_folder(FIXTURE)).status_code == 403
    assert not Client.objects.exists()


def test_upload_is_checked_first_then_imported_on_confirmation(client, system_admin, org_a):
    client.force_login(system_admin)
    assert client.get(reverse("hudcsv:import")).status_code == 200

    checked = upload(client, zip_folder(FIXTURE), organization=org_a.pk)

    page = checked.content.decode()
    assert checked.status_code == 200
    assert "HUD CSV check (nothing written yet)" in page
    assert "FY2026 export EXP-2026-001" in page
    assert "Skipped (not used by this system): Assessment.csv, IncomeBenefits.csv." in page
    assert "Confirm import" in page
    assert not Client.objects.exists()

    done = follow_job(
        client, client.post(reverse("hudcsv:import_confirm"), {"token": token_of(checked)})
    )

    assert "HUD CSV import" in done.content.decode()
    assert "Imported." in done.content.decode()
    assert Client.objects.filter(organization=org_a).count() == 6
    from hmis.hudcsv.models import ImportRun

    assert list(ImportRun.objects.values_list("source_name", "committed").order_by("pk")) == [
        ("export.zip", False),
        ("export.zip", True),
    ]
    outcomes = list(
        AuditEvent.objects.filter(action=AuditAction.IMPORT)
        .order_by("pk")
        .values_list("changes__outcome", flat=True)
    )
    assert outcomes == ["dry run, nothing written", "committed"]
    # The upload is used once.
    again = client.post(reverse("hudcsv:import_confirm"), {"token": token_of(checked)})
    assert again.status_code == 400


def test_errors_are_shown_with_file_line_column_value_and_no_confirmation(
    client, system_admin, tmp_path
):
    folder = tmp_path / "bad"
    folder.mkdir()
    for path in FIXTURE.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    edit_rows(folder, "Services.csv", lambda rows: rows[0].update(EnrollmentID="E404"))
    client.force_login(system_admin)

    response = upload(client, zip_folder(folder))

    page = response.content.decode()
    assert "nothing can be imported until they are fixed" in page
    assert (
        "<td>Services.csv</td><td>2</td><td>EnrollmentID</td><td>E404</td>"
        "<td>E404 is in neither Enrollment.csv nor the database</td>"
    ) in page
    assert "Confirm import" not in page
    report = client.get(reverse("hudcsv:import_report"), {"token": token_of_report(page)})
    assert b"error,Services.csv,2,EnrollmentID,E404," in b"".join(report.streaming_content)


def test_the_preview_says_what_strict_mode_would_reject(client, system_admin, export_dir):
    edit_rows(export_dir, "Project.csv", lambda rows: rows[0].update(OperatingStartDate=""))
    client.force_login(system_admin)

    page = upload(client, zip_folder(export_dir)).content.decode()

    assert "required value is missing; derived as 2025-10-01" in page
    assert "In strict mode, 1 of these warnings would be errors and their rows rejected." in page
    assert "Confirm import" in page


def token_of_report(page: str) -> str:
    return re.search(r"import/report/\?token=([0-9a-f]+)", page).group(1)


def test_an_old_edition_or_a_non_zip_is_refused_with_a_message(client, system_admin, tmp_path):
    client.force_login(system_admin)

    not_zip = upload(client, b"PersonalID\r\n1\r\n")
    assert "Import refused" in not_zip.content.decode()
    assert "Confirm import" not in not_zip.content.decode()

    folder = tmp_path / "old"
    folder.mkdir()
    for path in FIXTURE.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    edit_rows(folder, "Export.csv", lambda rows: rows[0].update(CSVVersion="FY2022"))
    old = upload(client, zip_folder(folder))
    assert "This is an FY2022 export." in old.content.decode()


def test_a_refused_upload_is_named_as_uploaded_not_by_the_servers_copy(
    client, system_admin, tmp_path
):
    client.force_login(system_admin)
    response = client.post(
        reverse("hudcsv:import"),
        {"file": SimpleUploadedFile("clients.csv", b"PersonalID\r\n1\r\n", "text/csv")},
    )
    page = follow_job(client, response).content.decode()
    assert "Import refused" in page and "clients.csv is neither a folder nor a zip file." in page
    assert str(tmp_path) not in page and "hudcsv-uploads" not in page


def test_unconfirmed_uploads_older_than_a_day_are_removed(client, system_admin, tmp_path):
    import os

    client.force_login(system_admin)
    upload(client, zip_folder(FIXTURE))
    folder = tmp_path / "hudcsv-uploads"
    old = sorted(folder.iterdir())
    assert len(old) == 2  # the upload and its report
    for path in old:
        os.utime(path, (0, 0))

    upload(client, zip_folder(FIXTURE))

    remaining = sorted(folder.iterdir())
    assert len(remaining) == 2 and not set(remaining) & set(old)


def test_someone_elses_report_is_not_served(client, system_admin):
    client.force_login(system_admin)
    assert client.get(reverse("hudcsv:import_report"), {"token": "abc123"}).status_code == 404
    assert client.get(reverse("hudcsv:import_report"), {"token": "../x"}).status_code == 404


# --- export ---


@pytest.fixture
def imported(org_a):
    import_hud_csv(source=FIXTURE, organization=org_a)


def export_post(client, **fields):
    data = {"start": "2025-10-01", "end": "2025-12-31", "format": "hud", "period_type": "3"}
    data.update(fields)
    return client.post(reverse("hudcsv:export"), data)


def exported(client, **fields):
    """Export through the export job, and download its result."""
    page = follow_job(client, export_post(client, **fields))
    assert "Download" in page.content.decode(), page.content.decode()
    job_url = page.request["PATH_INFO"]
    return client.get(job_url + "download/")


def test_export_page_is_for_administrators(client, staff_a, readonly_a, agency_admin_a):
    url = reverse("hudcsv:export")
    assert client.get(url).status_code == 302
    for user in (staff_a, readonly_a):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert export_post(client).status_code == 403
    client.force_login(agency_admin_a)
    assert client.get(url).status_code == 200


def test_agency_admin_exports_only_their_own_organizations_programs(client, imported):
    harbor_project = Project.objects.get(hud_project_id="P10")
    admin = f.make_user(harbor_project.organization, Role.AGENCY_ADMIN)
    client.force_login(admin)

    page = client.get(reverse("hudcsv:export")).content.decode()
    assert "Harbor Light Night Shelter" in page and "SSVF Rapid Re-Housing" not in page

    response = exported(client)

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="hud-csv-20251001-20251231.zip"'
    files = unzip(b"".join(response.streaming_content))
    assert sorted(r["ProjectID"] for r in rows_of(files["Project.csv"])) == ["P10", "P30"]
    assert "C4" not in {r["PersonalID"] for r in rows_of(files["Client.csv"])}


def test_agency_admin_cannot_choose_another_organizations_program(client, imported, agency_admin_b):
    client.force_login(agency_admin_b)
    other = Project.objects.get(hud_project_id="P20")

    response = export_post(client, projects=[other.pk])

    assert response.status_code == 200  # the form again, with an error
    assert "Select a valid choice" in response.content.decode()
    files = unzip(b"".join(exported(client).streaming_content))
    assert rows_of(files["Client.csv"]) == []  # organization B has no programs with clients


def test_system_admin_exports_any_program_and_the_services_csv(client, imported, system_admin):
    client.force_login(system_admin)

    response = exported(client, projects=[Project.objects.get(hud_project_id="P20").pk])
    files = unzip(b"".join(response.streaming_content))
    assert [r["PersonalID"] for r in rows_of(files["Client.csv"])] == ["C4"]

    services = exported(client, format="services")
    assert services["Content-Type"] == "text/csv"
    rows = rows_of(b"".join(services.streaming_content).decode())
    assert len(rows) == 8
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=system_admin)
    # Each export made, and each file handed out.
    assert sorted(exports.values_list("object_type", flat=True)) == [
        "hudcsv.Export",
        "hudcsv.ServicesCSV",
        "jobs.Job",
        "jobs.Job",
    ]


def test_export_form_refuses_an_end_before_the_start(client, agency_admin_a):
    client.force_login(agency_admin_a)

    response = export_post(client, start="2025-12-31", end="2025-10-01")

    assert "The end date is before the start date." in response.content.decode()


def test_pages_carry_no_inline_script(client, system_admin):
    client.force_login(system_admin)
    for name in ("hudcsv:import", "hudcsv:export"):
        page = client.get(reverse(name)).content.decode()
        assert "<script>" not in page and " onclick=" not in page
