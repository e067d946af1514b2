"""HUD CSV test helpers: the FY2026 fixture export (copied to a temp folder so tests may edit it),
and small functions to edit its files, zip them and read exports back."""

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "fy2026"


@pytest.fixture
def export_dir(tmp_path) -> Path:
    """A writable copy of the fixture export."""
    target = tmp_path / "export"
    shutil.copytree(FIXTURE, target)
    return target


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        return list(reader.fieldnames or []), list(reader)


def write_table(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, header, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


def edit_rows(folder: Path, file: str, change) -> None:
    """Apply `change(rows)` (in place, or returning new rows) to one file of the export."""
    header, rows = read_table(folder / file)
    new_rows = change(rows)
    write_table(folder / file, header, rows if new_rows is None else new_rows)


def zip_folder(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


def unzip(data: bytes) -> dict[str, str]:
    """File name -> text of every file in a zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
