"""The column-by-column import of clean blocks (parse_block and the Client, Enrollment and Services
block handlers) gives exactly what the row-by-row path gives, and the services indexes dropped for
a load into an empty table are all there afterwards (or were never gone, after a rollback)."""

import pytest
from django.db import connection, transaction

from hmis.clients.models import Client, Enrollment
from hmis.hudcsv import importing
from hmis.hudcsv.importing import import_hud_csv
from hmis.services.models import Service
from tests.hudcsv.conftest import edit_rows

pytestmark = pytest.mark.django_db


def _many_services(rows):
    """40 services cycling over the fixture's, with a few problems among clean rows."""
    out = []
    for i in range(40):
        row = dict(rows[i % len(rows)])
        row["ServicesID"] = f"SB{i:03d}"
        out.append(row)
    out[5]["DateProvided"] = "2025-13-45"  # error: not a date
    out[11]["EnrollmentID"] = "E-NOWHERE"  # error: unknown enrollment
    out[17]["ServicesID"] = "SB016"  # error: duplicate of the row before
    out[23]["UserID"] = "U-NOBODY"  # warning: unknown user, kept without one
    out[29]["OtherTypeProvided"] = "x" * 60  # warning: cut to 50
    out[33]["DateDeleted"] = out[33]["DateUpdated"]  # a deleted service
    return out


def _many_clients(rows):
    """30 more clients, with a few problems among clean rows."""
    out = list(rows)
    for i in range(30):
        row = dict(rows[i % len(rows)])
        row["PersonalID"] = f"CB{i:03d}"
        out.append(row)
    out[-25]["DOB"] = "1990-02-30"  # warning: not a date, stored empty
    out[-22]["PersonalID"] = out[-23]["PersonalID"]  # error: duplicate of the row before
    out[-21]["DateDeleted"] = "someday"  # error: not a date and time
    out[-19]["SSN"] = "12345"  # warning: not 9 digits
    out[-16]["SSN"] = "123456789"
    out[-13]["UserID"] = "U-NOBODY"  # warning: unknown user
    out[-10]["NameDataQuality"] = ""  # warning: required, stored as 99
    out[-7]["DateDeleted"] = out[-7]["DateUpdated"]  # a deleted client
    out[-4]["DateCreated"] = ""  # created from DateUpdated
    return out


def _many_enrollments(rows):
    """30 more enrollments of those clients, with a few problems among clean rows."""
    out = list(rows)
    for i in range(30):
        row = dict(rows[i % len(rows)])
        row["EnrollmentID"] = f"EB{i:03d}"
        row["PersonalID"] = f"CB{i:03d}"
        row["HouseholdID"] = f"HB{i // 2:03d}"
        row["RelationshipToHoH"] = "1" if i % 2 == 0 else "2"
        out.append(row)
    out[-28]["ProjectID"] = "P-NOWHERE"  # error: unknown project
    # out[-22] and out[-21] name CB008 (never in Client.csv) and CB009 (rejected): errors.
    out[-18]["EnrollmentID"] = out[-19]["EnrollmentID"]  # error: duplicate
    out[-17]["UserID"] = "U-NOBODY"  # warning: unknown user
    out[-11]["RelationshipToHoH"] = ""  # warning: stored as 99 (and a household without a head)
    out[-7]["DateDeleted"] = out[-7]["DateUpdated"]  # a deleted enrollment
    return out


def _snapshot(result):
    services = sorted(
        Service.objects.values_list(
            "hud_services_id",
            "client__personal_id",
            "enrollment__hud_enrollment_id",
            "project__hud_project_id",
            "service_code__name",
            "date_provided",
            "units",
            "fa_amount",
            "hud_data",
            "created_by__hud_user_id",
            "provider__hud_user_id",
            "created_at",
            "updated_at",
            "deleted_at",
            "void_reason",
        )
    )
    clients = sorted(
        Client.objects.values_list(
            "personal_id",
            "first_name",
            "middle_name",
            "last_name",
            "name_suffix",
            "name_data_quality",
            "ssn_last4",
            "ssn_data_quality",
            "dob",
            "dob_data_quality",
            "veteran_status",
            "search_name",
            "organization_id",
            "created_by__hud_user_id",
            "hud_data",
            "created_at",
            "updated_at",
            "deleted_at",
        )
    )
    enrollments = sorted(
        Enrollment.objects.values_list(
            "hud_enrollment_id",
            "client__personal_id",
            "project__hud_project_id",
            "entry_date",
            "household_id",
            "relationship_to_hoh",
            "hud_data",
            "created_by__hud_user_id",
            "created_at",
            "updated_at",
            "deleted_at",
            "exit_date",
            "destination",
            "hud_exit_id",
            "exit_hud_data",
        )
    )
    return (
        result.committed,
        result.error_count,
        result.warning_count,
        {name: s.as_dict() for name, s in result.summaries.items()},
        [(p.severity, p.file, p.line, p.column, p.value, p.reason) for p in result.problems],
        services,
        clients,
        enrollments,
    )


def _import_and_roll_back(source, org):
    with transaction.atomic():
        result = import_hud_csv(source=source, organization=org, skip_invalid_rows=True)
        snapshot = _snapshot(result)
        transaction.set_rollback(True)
    return snapshot


@pytest.mark.parametrize("chunk_size", [4, 7, 2000])
def test_blocks_give_the_same_rows_problems_and_counts_as_row_by_row(
    org_a, export_dir, monkeypatch, chunk_size
):
    edit_rows(export_dir, "Services.csv", _many_services)
    edit_rows(export_dir, "Client.csv", _many_clients)
    edit_rows(export_dir, "Enrollment.csv", _many_enrollments)
    monkeypatch.setattr(importing, "CHUNK_SIZE", chunk_size)
    by_blocks = _import_and_roll_back(export_dir, org_a)
    monkeypatch.setattr(importing._FileReader, "parse_block", lambda self, raw_rows: None)
    row_by_row = _import_and_roll_back(export_dir, org_a)

    assert by_blocks == row_by_row
    assert by_blocks[0] is True
    # Each file repeats one ID: superseded (tolerant default), not rejected.
    assert by_blocks[3]["Services.csv"]["rejected"] == 2
    assert by_blocks[3]["Services.csv"]["superseded"] == 1
    assert by_blocks[3]["Client.csv"]["rejected"] == 1
    assert by_blocks[3]["Enrollment.csv"]["rejected"] == 3
    assert {"CB000", "CB029"} <= {client[0] for client in by_blocks[6]}
    assert {"EB000", "EB029"} <= {enrollment[0] for enrollment in by_blocks[7]}


def _services_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "ORDER BY name",
            [Service._meta.db_table],
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the index rebuild is SQLite's")
def test_services_indexes_are_all_there_after_an_import_into_an_empty_table(org_a, export_dir):
    before = _services_indexes()
    assert len(before) >= 5
    edit_rows(export_dir, "Services.csv", _many_services)

    result = import_hud_csv(source=export_dir, organization=org_a, skip_invalid_rows=True)

    assert result.committed
    assert _services_indexes() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the index rebuild is SQLite's")
def test_services_indexes_survive_a_rolled_back_and_a_dry_run_import(org_a, export_dir):
    before = _services_indexes()
    edit_rows(export_dir, "Services.csv", _many_services)

    rolled_back = import_hud_csv(source=export_dir, organization=org_a)
    dry_run = import_hud_csv(source=export_dir, organization=org_a, dry_run=True)

    assert not rolled_back.committed
    assert not dry_run.committed
    assert not Service.objects.exists()
    assert _services_indexes() == before
