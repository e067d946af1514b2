"""A generated 10,000-client export through import, export and import again: the second import
changes nothing and the two exports are the same files."""

import csv
import io
import shutil
from datetime import date, timedelta

import pytest

from hmis.clients.models import Client, Enrollment
from hmis.hudcsv import codes
from hmis.hudcsv.columns import FILES, FY2026
from hmis.hudcsv.exporting import export_hud_csv
from hmis.hudcsv.importing import import_hud_csv
from hmis.services.models import Service
from tests import factories as f
from tests.hudcsv.conftest import FIXTURE, rows_of, unzip

pytestmark = pytest.mark.django_db

CLIENTS = 10_000
START, END = date(2025, 1, 1), date(2025, 12, 31)
GENERATED = ("Client", "Enrollment", "Exit", "Services")


def _filler(column, row: int) -> str:
    """A valid value for a required column we do not set ourselves."""
    if column.list_id:
        allowed = sorted(codes.LISTS[column.list_id])
        return str(codes.NOT_COLLECTED if codes.NOT_COLLECTED in allowed else allowed[0])
    return {"D": "2025-01-01", "T": "2025-01-01 08:00:00", "M": "0", "I": "0"}.get(
        column.type, f"x{row}"
    )


def _write(folder, file: str, rows: list[dict[str, str]]) -> None:
    columns = FILES[file][FY2026]
    with open(folder / f"{file}.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow([c.name for c in columns])
        for i, row in enumerate(rows):
            writer.writerow(
                [
                    row.get(c.name, "" if c.nullable or c.name == "ExportID" else _filler(c, i))
                    for c in columns
                ]
            )


def generate(folder) -> None:
    """The fixture's organizations, users and projects, with CLIENTS clients of its project P10,
    each with one enrollment and one bed night; every third has exited."""
    shutil.copytree(FIXTURE, folder)
    clients, enrollments, exits, services = [], [], [], []
    for n in range(CLIENTS):
        entry = START + timedelta(days=n % 300)
        stamp = f"{entry.isoformat()} 09:{n % 60:02d}:00"
        meta = {"DateCreated": stamp, "DateUpdated": stamp, "UserID": "U100"}
        clients.append(
            {"PersonalID": f"G{n}", "FirstName": f"First{n}", "LastName": f"Last{n % 977}"}
            | {"DOB": f"19{50 + n % 50}-0{1 + n % 9}-1{n % 10}", "VeteranStatus": "0"}
            | meta
        )
        enrollments.append(
            {
                "EnrollmentID": f"GE{n}",
                "PersonalID": f"G{n}",
                "ProjectID": "P10",
                "EntryDate": entry.isoformat(),
                "HouseholdID": f"GH{n}",
                "RelationshipToHoH": "1",
                "DisablingCondition": "0",
            }
            | meta
        )
        services.append(
            {
                "ServicesID": f"GS{n}",
                "EnrollmentID": f"GE{n}",
                "PersonalID": f"G{n}",
                "DateProvided": entry.isoformat(),
                "RecordType": "200",
                "TypeProvided": "200",
            }
            | meta
        )
        if n % 3 == 0:
            exits.append(
                {
                    "ExitID": f"GX{n}",
                    "EnrollmentID": f"GE{n}",
                    "PersonalID": f"G{n}",
                    "ExitDate": (entry + timedelta(days=2)).isoformat(),
                    "Destination": "101",
                }
                | meta
            )
    for file, rows in zip(GENERATED, (clients, enrollments, exits, services), strict=True):
        _write(folder, file, rows)


def export() -> dict[str, str]:
    buffer = io.BytesIO()
    export_hud_csv(output=buffer, start=START, end=END)
    return unzip(buffer.getvalue())


def without_export_id(files: dict[str, str]) -> dict[str, str]:
    (export_row,) = rows_of(files["Export.csv"])
    return {
        name: text.replace(export_row["ExportID"], "ID").replace(export_row["ExportDate"], "DATE")
        for name, text in files.items()
    }


def test_a_generated_10000_client_export_round_trips_unchanged(org_a, tmp_path):
    generate(tmp_path / "generated")

    first = import_hud_csv(source=tmp_path / "generated", organization=org_a)
    assert first.committed and first.error_count == 0, first.problems[:5]
    assert Client.objects.filter(personal_id__startswith="G").count() == CLIENTS
    exported = export()
    (tmp_path / "ours").mkdir()
    for name, text in exported.items():
        (tmp_path / "ours" / name).write_text(text, encoding="utf-8", newline="")

    second = import_hud_csv(source=tmp_path / "ours", organization=org_a)

    assert second.committed and second.error_count == 0 and second.warning_count == 0
    changed = {
        name: (s.created, s.updated, s.deleted, s.rejected, s.superseded)
        for name, s in second.summaries.items()
        if (s.created, s.updated, s.deleted, s.rejected, s.superseded) != (0, 0, 0, 0, 0)
    }
    assert changed == {}
    assert second.summaries["Client.csv"].unchanged >= CLIENTS
    assert without_export_id(export()) == without_export_id(exported)
    assert len(rows_of(exported["Services.csv"])) >= CLIENTS


def test_our_own_export_with_exits_recorded_here_reimports_as_unchanged(org_a, staff_a, tmp_path):
    project = f.make_project(org_a, "Night Shelter")
    for n in range(3):
        enrollment = f.enroll(f.make_client("Here", f"Exited{n}"), project, entry_date=START)
        enrollment.exit_date, enrollment.destination = START + timedelta(days=5), 101
        enrollment.save()
    before = list(Enrollment.objects.values().order_by("pk"))
    path = tmp_path / "ours.zip"
    with path.open("wb") as stream:
        export_hud_csv(output=stream, start=START, end=END)

    result = import_hud_csv(source=path, organization=org_a)

    assert result.committed, result.refused
    assert result.summaries["Exit.csv"].as_dict() | {"rows": 0} == {
        "rows": 0,
        "created": 0,
        "updated": 0,
        "deleted": 0,
        "unchanged": 3,
        "rejected": 0,
        "superseded": 0,
    }
    assert list(Enrollment.objects.values().order_by("pk")) == before
    assert not Service.objects.exists()
