"""Finding 3: imports are limited (upload size, unpacked size and ratio, lines per file, time);
beyond a limit the import is refused with a message and writes nothing, wherever it runs."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hmis.accounts.models import Role
from hmis.clients.models import Client
from hmis.hudcsv.importing import import_hud_csv
from tests import factories as f
from tests.hudcsv.conftest import FIXTURE, edit_rows, zip_folder
from tests.jobs.helpers import run_queued_jobs

pytestmark = pytest.mark.django_db


def padded_zip(megabytes: int = 30) -> bytes:
    """The fixture export, with Client.csv padded by empty rows: packs to a few dozen KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(FIXTURE.iterdir()):
            data = path.read_bytes()
            if path.name == "Client.csv":
                data += b",,,,,,,,,,,,,,,,,,,\r\n" * (megabytes * (1 << 20) // 22)
            archive.writestr(path.name, data)
    return buffer.getvalue()


@pytest.fixture
def system_admin(db):
    return f.make_user(None, Role.SYSTEM_ADMIN, username="sysadmin")


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def test_a_padded_zip_is_refused_before_it_is_read(tmp_path):
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(padded_zip())
    assert bomb.stat().st_size < 400_000

    result = import_hud_csv(source=str(bomb))

    assert "Client.csv unpacks to" in result.refused
    assert "looks padded" in result.refused
    assert not result.committed
    assert not Client.objects.exists()


def test_a_zip_unpacking_beyond_the_size_limit_is_refused(tmp_path, settings):
    settings.HMIS_IMPORT_MAX_UNCOMPRESSED_MB = 0
    export = tmp_path / "export.zip"
    export.write_bytes(zip_folder(FIXTURE))

    result = import_hud_csv(source=str(export))

    assert result.refused.startswith("The zip unpacks to 0 MB, more than the 0 MB")
    assert not Client.objects.exists()


def test_a_file_with_more_lines_than_allowed_is_refused(export_dir, settings):
    settings.HMIS_IMPORT_MAX_ROWS_PER_FILE = 2
    edit_rows(export_dir, "Client.csv", lambda rows: rows * 2)

    result = import_hud_csv(source=str(export_dir))

    assert "has more than 2 lines" in result.refused
    assert not Client.objects.exists()


def test_an_import_running_past_its_time_is_stopped_and_writes_nothing(export_dir, settings):
    settings.HMIS_IMPORT_MAX_SECONDS = 0

    result = import_hud_csv(source=str(export_dir))

    assert result.refused == "The import was stopped after 0 seconds, the most one import may take."
    assert not result.committed
    assert not Client.objects.exists()


def test_the_fixture_export_imports_within_the_default_limits(export_dir):
    result = import_hud_csv(source=str(export_dir))

    assert (result.refused, result.committed) == ("", True)


def test_the_import_page_refuses_a_padded_zip_with_a_message(client, system_admin):
    """The import runs as a job (never in the web request); its page says why it was refused."""
    client.force_login(system_admin)

    response = client.post(
        reverse("hudcsv:import"),
        {"file": SimpleUploadedFile("bomb.zip", padded_zip(), "application/zip")},
    )
    assert response.status_code == 302
    run_queued_jobs()

    assert "looks padded" in client.get(response.url).content.decode()
    assert not Client.objects.exists()


def test_an_import_job_keeps_to_the_time_limit(client, system_admin, settings):
    settings.HMIS_IMPORT_MAX_SECONDS = 0
    client.force_login(system_admin)

    response = client.post(
        reverse("hudcsv:import"),
        {"file": SimpleUploadedFile("x.zip", zip_folder(FIXTURE), "application/zip")},
    )
    run_queued_jobs()

    assert "The import was stopped after 0 seconds" in client.get(response.url).content.decode()
    assert not Client.objects.exists()


def test_a_request_body_over_the_upload_limit_is_refused_with_413(client, system_admin, settings):
    settings.HMIS_UPLOAD_MAX_MB = 1
    client.force_login(system_admin)

    response = client.post(
        reverse("hudcsv:import"),
        {"file": SimpleUploadedFile("big.zip", b"x" * (2 << 20), "application/zip")},
    )

    assert response.status_code == 413
    assert "larger than 1 MB" in response.content.decode()
