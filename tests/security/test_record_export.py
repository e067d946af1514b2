"""A client's request to inspect their record: everything held on them, as JSON, audited. The
export runs as a job: only its starter sees it, and the file and each download are audited."""

import json

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.jobs import MSG_CLIENT_GONE
from hmis.clients.ssn import set_ssn
from hmis.jobs import progress
from hmis.jobs.models import Job, JobKind, JobStatus
from tests.jobs.helpers import run_queued_jobs


@pytest.fixture
def full_client(client_a, service_a, bar_a):
    set_ssn(client_a, "123-45-6789")
    client_a.save()
    return client_a


def start(web, user, client):
    web.force_login(user)
    return web.post(f"/client-rights/{client.pk}/record.json")


def download(web, user, client):
    """Start the export, let a worker run it, and download the file from the job page."""
    response = start(web, user, client)
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    run_queued_jobs()
    job = Job.objects.filter(kind=JobKind.CLIENT_RECORD).latest("pk")
    assert job.status == JobStatus.SUCCEEDED, job.message
    page = web.get(response["Location"]).content.decode()
    assert f"Download client-{client.pk}-record.json" in page
    return web.get(reverse("jobs:download", args=[job.pk]))


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_agency_admin_downloads_the_whole_record(client, agency_admin_a, full_client, service_a):
    response = download(client, agency_admin_a, full_client)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="client-{full_client.pk}-record.json"'
    )
    body = content(response)
    data = json.loads(body)
    assert data["client_id"] == full_client.pk
    assert data["details"]["first_name"] == "Marisol"
    assert data["details"]["dob"] == "1979-03-14"
    assert data["details"]["ssn"] == "***-**-6789"
    assert "123456789" not in body.decode()
    assert [s["comments"] for s in data["services"]] == ["Confidential-service-note-A"]
    assert [b["reason"] for b in data["bars"]] == ["Confidential-bar-reason-A"]
    assert len(data["enrollments"]) == 1


def test_the_export_is_a_post_and_runs_as_a_job(client, agency_admin_a, full_client):
    client.force_login(agency_admin_a)
    assert client.get(f"/client-rights/{full_client.pk}/record.json").status_code == 405
    start(client, agency_admin_a, full_client)
    job = Job.objects.get(kind=JobKind.CLIENT_RECORD)
    assert job.created_by == agency_admin_a and job.options == {"client_id": full_client.pk}
    # Nothing is exported (or audited as exported) until a worker runs it.
    assert job.status == JobStatus.QUEUED
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_is_audited_and_listed_in_the_next_export(client, agency_admin_a, full_client):
    content(download(client, agency_admin_a, full_client))
    event = AuditEvent.objects.get(
        action=AuditAction.EXPORT, client_id=full_client.pk, object_type="clients.Client"
    )
    assert event.actor == agency_admin_a
    assert event.message == f"Client record export for client {full_client.pk}"
    downloaded = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="jobs.Job")
    assert downloaded.actor == agency_admin_a and downloaded.client_id == full_client.pk
    data = json.loads(content(download(client, agency_admin_a, full_client)))
    assert "export" in [row["action"] for row in data["audit_trail"]]


def test_only_the_starter_sees_the_export(client, agency_admin_a, full_client, org_a):
    from tests import factories as f

    content(download(client, agency_admin_a, full_client))
    job = Job.objects.get(kind=JobKind.CLIENT_RECORD)
    colleague = HttpClient()
    colleague.force_login(f.make_user(org_a, "agency_admin", username="admin_a2"))
    for name in ("jobs:detail", "jobs:status", "jobs:download"):
        assert colleague.get(reverse(name, args=[job.pk])).status_code == 404


def test_a_client_deleted_before_the_job_runs_fails_with_the_reason(
    client, agency_admin_a, full_client
):
    start(client, agency_admin_a, full_client)
    type(full_client).objects.filter(pk=full_client.pk).update(deleted_at=timezone.now())

    run_queued_jobs()

    job = Job.objects.get(kind=JobKind.CLIENT_RECORD)
    assert job.status == JobStatus.FAILED and not job.result_file
    assert job.message == MSG_CLIENT_GONE.format(client_id=full_client.pk)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_cancelled_export_leaves_no_file_and_no_audit(client, agency_admin_a, full_client):
    start(client, agency_admin_a, full_client)
    job = Job.objects.get(kind=JobKind.CLIENT_RECORD)
    progress.request_cancel(job.pk)
    run_queued_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and not job.result_file
    assert list(progress.jobs_dir().iterdir()) == []
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_other_organization_gets_404_on_the_export(client, agency_admin_b, full_client):
    assert start(client, agency_admin_b, full_client).status_code == 404
    assert not Job.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("persona", ["staff_a", "readonly_a", "scan_station_a"])
def test_roles_without_export_get_403(client, persona, request, full_client):
    assert start(client, request.getfixturevalue(persona), full_client).status_code == 403


def test_export_is_a_fixed_number_of_queries(
    agency_admin_a, full_client, django_assert_max_num_queries
):
    from hmis.clients.jobs import run_client_record

    start(HttpClient(), agency_admin_a, full_client)
    job = Job.objects.select_related("created_by").get(kind=JobKind.CLIENT_RECORD)
    with django_assert_max_num_queries(20):
        run_client_record(job=job, report=lambda done, total, label: None)
