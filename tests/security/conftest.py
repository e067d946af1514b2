"""Personas for the security tests, on top of tests/conftest.py: administrators, a scan station,
and organization A's client with a service, enrollment, bar and card."""

from datetime import date

import pytest
from django.utils import timezone

from hmis.accounts.managing import issue_set_password_link
from hmis.accounts.models import Role
from hmis.api.tokens import create_api_token
from hmis.batches.models import BatchEntry
from hmis.projects.hud_records import save_hud_record
from hmis.services.models import Service
from tests import factories as f


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Lockout tests sign in dozens of times: a cheap hasher keeps them quick (tests only)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agency_admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a")


@pytest.fixture
def agency_admin_b(org_b):
    return f.make_user(org_b, Role.AGENCY_ADMIN, username="admin_b")


@pytest.fixture
def system_admin(db):
    return f.make_user(None, Role.SYSTEM_ADMIN, username="sysadmin")


@pytest.fixture
def scan_station_a(org_a, batch):
    station = f.make_user(org_a, Role.SCAN_STATION, username="station_a")
    batch.scan_stations.add(station)
    return station


@pytest.fixture
def client_a(org_a, day_shelter):
    """A client of organization A, no release of information, with A's records on it."""
    client = f.make_client("Marisol", "Quintanilla", organization=org_a, dob=date(1979, 3, 14))
    return client


@pytest.fixture
def enrollment_a(client_a, day_shelter):
    return f.enroll(client_a, day_shelter)


@pytest.fixture
def service_a(client_a, enrollment_a, day_shelter, batch, staff_a):
    code = batch.service_codes.first().service_code
    return Service.objects.create(
        client=client_a,
        enrollment=enrollment_a,
        service_code=code,
        date_provided=date(2024, 2, 1),
        project=day_shelter,
        provider=staff_a,
        comments="Confidential-service-note-A",
    )


@pytest.fixture
def bar_a(client_a, org_a):
    return f.bar(client_a, organization=org_a, reason="Confidential-bar-reason-A")


@pytest.fixture
def world(org_a, day_shelter, batch, staff_a, client_a, enrollment_a, service_a, bar_a):
    """Organization A: a batch with a pending entry, a client with a card, service, bar."""
    batch.description = "Batch-of-A-secret"
    batch.save(update_fields=["description"])
    entry = BatchEntry.objects.create(
        batch=batch,
        client=client_a,
        enrollment=enrollment_a,
        batch_date=date(2025, 3, 3),
        date_provided=date(2025, 3, 3),
        added_by=staff_a,
        added_at=timezone.now(),
    )
    card = f.issue_card(client_a)
    location = f.make_location(day_shelter, "A's only site")
    token, _ = create_api_token(user=staff_a, name="A's kiosk")
    link = issue_set_password_link(admin=None, user=staff_a, url_for=str)
    funder = save_hud_record(
        admin=None,
        project=day_shelter,
        kind="Funder",
        data={"Funder": 2, "GrantID": "A-GRANT-1", "StartDate": date(2024, 1, 1)},
    )
    job = _finished_export_job(staff_a, org_a)
    release, alert, merge = _supervision_of(client_a, staff_a, org_a)
    return {
        "release": release,
        "alert": alert,
        "merge": merge,
        "job": job,
        "batch": batch,
        "entry": entry,
        "client": client_a,
        "service": service_a,
        "bar": bar_a,
        "card": card,
        "enrollment": enrollment_a,
        "project": day_shelter,
        "location": location,
        "organization": org_a,
        "user": staff_a,
        "code": batch.service_codes.first().service_code,
        "group": batch.service_codes.first().service_code.group,
        "day": date(2025, 3, 3),
        "token": token,
        "hud_record": funder,
        "secret": link.secret,  # of a one-time set-password link
    }


@pytest.fixture
def unassigned_station_a(org_a):
    """A scan station of organization A that is not assigned to A's batch."""
    return f.make_user(org_a, Role.SCAN_STATION, username="station_elsewhere")


def _supervision_of(client_a, staff_a, org_a):
    """A's release of information (with a signed form), alert and merge of a duplicate record."""
    from django.core.files.base import ContentFile

    from hmis.clients.alerts import write_alert
    from hmis.clients.merging import merge_clients
    from hmis.clients.releases import record_release

    release = record_release(
        client=client_a,
        organization_id=org_a.pk,
        user=staff_a,
        permission="do_not_share",
        whole_continuum=True,
        shared_with=[],
        start_date=date(2025, 1, 1),
        end_date=None,
        signed_form=ContentFile(b"%PDF-1.4 Confidential-service-note-A", name="roi.pdf"),
    )
    alert = write_alert(
        client=client_a,
        organization_id=org_a.pk,
        user=staff_a,
        text="Confidential-service-note-A",
        priority="high",
        expires_on=date(2099, 1, 1),
        front_desk=True,
    )
    duplicate = f.make_client("Marisol", "Quintanilla-Dup", organization=org_a)
    merge = merge_clients(survivor=client_a, merged=duplicate, user=staff_a, choices={})
    return release, alert, merge


def _finished_export_job(user, organization):
    """A's finished export, its file holding a secret marker: only its owner may see it."""
    from django.conf import settings

    from hmis.jobs.models import Job, JobKind, JobStatus
    from hmis.jobs.progress import jobs_dir

    job = Job.objects.create(
        kind=JobKind.HUD_EXPORT,
        status=JobStatus.SUCCEEDED,
        created_by=user,
        organization=organization,
        options={"format": "services"},
        result_filename="services.csv",
    )
    assert settings.HMIS_JOBS_DIR
    (jobs_dir() / f"{job.pk}-services.csv").write_text("Batch-of-A-secret\n")
    job.result_file = f"{job.pk}-services.csv"
    job.save(update_fields=["result_file"])
    return job
