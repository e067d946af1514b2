import uuid

import pytest

from hmis.accounts.models import Role
from hmis.hudcsv.jobs import upload_dir
from hmis.jobs.models import JobKind
from hmis.jobs.running import start_job
from tests import factories as f
from tests.hudcsv.conftest import FIXTURE, zip_folder


@pytest.fixture
def system_admin(db):
    return f.make_user(None, Role.SYSTEM_ADMIN, username="sysadmin")


@pytest.fixture
def agency_admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a")


def queue_import(user, data: bytes | None = None, *, dry_run: bool = False, organization=None):
    """An uploaded HUD CSV file (the test fixture unless `data`) and its import job, queued."""
    token = uuid.uuid4().hex
    (upload_dir() / f"{token}.zip").write_bytes(zip_folder(FIXTURE) if data is None else data)
    options = {
        "token": token,
        "name": "export.zip",
        "organization": organization.pk if organization else None,
        "skip_invalid_rows": False,
        "strict": False,
        "dry_run": dry_run,
    }
    return start_job(kind=JobKind.HUD_IMPORT, user=user, options=options)
