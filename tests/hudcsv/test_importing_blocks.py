"""The column-by-column import of clean blocks (parse_block, _services_block) gives exactly what
the row-by-row path gives, and the services indexes dropped for a load into an empty table are
all there afterwards (or were never gone, after a rollback)."""

import pytest
from django.db import connection, transaction

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
    return (
        result.committed,
        result.error_count,
        result.warning_count,
        {name: s.as_dict() for name, s in result.summaries.items()},
        [(p.severity, p.file, p.line, p.column, p.value, p.reason) for p in result.problems],
        services,
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
    monkeypatch.setattr(importing, "CHUNK_SIZE", chunk_size)
    by_blocks = _import_and_roll_back(export_dir, org_a)
    monkeypatch.setattr(importing._FileReader, "parse_block", lambda self, raw_rows: None)
    row_by_row = _import_and_roll_back(export_dir, org_a)

    assert by_blocks == row_by_row
    assert by_blocks[0] is True
    assert by_blocks[3]["Services.csv"]["rejected"] == 3
    assert len(by_blocks[5]) == 37


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
