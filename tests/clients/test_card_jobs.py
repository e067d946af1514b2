"""Card sheets of many clients run as jobs: the same PDF as a direct print, progress, cancel,
only the starter sees the job, and the download is audited."""

import pypdfium2
import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from hmis.accounts.models import Role
from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.card_printing import SHEET, cards_for_printing, render_cards
from hmis.clients.card_views import DIRECT_PRINT_CARDS
from hmis.clients.jobs import run_card_sheet
from hmis.clients.models import CommunityCard
from hmis.jobs import progress
from hmis.jobs.models import Job, JobKind, JobStatus
from tests import factories as f
from tests.jobs.helpers import run_queued_jobs

pytestmark = pytest.mark.django_db
MANY = DIRECT_PRINT_CARDS + 5


def page_texts(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


@pytest.fixture
def enrolled(org_a, day_shelter):
    clients = [f.make_client(f"Person{i:02d}", "Smith", organization=org_a) for i in range(MANY)]
    for client in clients:
        f.enroll(client, day_shelter)
    return clients


def start_program_print(http, day_shelter):
    return http.post(
        reverse("cards:print"), {"scope": "program", "program": day_shelter.pk, "layout": SHEET}
    )


def test_many_cards_print_as_a_job_whose_pdf_is_the_direct_print(
    client, staff_a, enrolled, day_shelter
):
    client.force_login(staff_a)
    response = start_program_print(client, day_shelter)

    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job = Job.objects.get(kind=JobKind.CARD_SHEET)
    assert job.created_by == staff_a and job.status == JobStatus.QUEUED
    # The cards are issued when asked; nothing is printed (or audited as printed) before the job.
    assert CommunityCard.objects.count() == MANY
    assert not AuditEvent.objects.filter(action=AuditAction.PRINT).exists()

    run_queued_jobs()
    page = client.get(response["Location"]).content.decode()
    assert "Done" in page and f"{MANY} cards" in page
    assert f"Download cards-program-{day_shelter.pk}.pdf" in page

    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content)
    assert pdf.startswith(b"%PDF")
    direct = render_cards(cards_for_printing(CommunityCard.objects.all()), layout=SHEET)
    texts = page_texts(pdf)
    assert len(texts) == 3  # 25 cards, 10 to a sheet
    assert texts == page_texts(direct)
    assert "Person00" in texts[0] and f"Person{MANY - 1:02d}" in texts[-1]
    printed = AuditEvent.objects.filter(action=AuditAction.PRINT, actor=staff_a)
    assert sorted(printed.values_list("client_id", flat=True)) == sorted(c.pk for c in enrolled)


def test_the_download_is_audited(client, staff_a, enrolled, day_shelter):
    client.force_login(staff_a)
    start_program_print(client, day_shelter)
    run_queued_jobs()
    job = Job.objects.get(kind=JobKind.CARD_SHEET)

    client.get(reverse("jobs:download", args=[job.pk]))

    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="jobs.Job")
    assert event.actor == staff_a and event.object_id == str(job.pk)
    assert event.message == f"Downloaded cards-program-{day_shelter.pk}.pdf"


def test_a_few_cards_still_print_at_once(client, staff_a, enrolled):
    client.force_login(staff_a)
    ids = " ".join(str(c.pk) for c in enrolled[:DIRECT_PRINT_CARDS])
    response = client.post(
        reverse("cards:print"), {"scope": "clients", "client_ids": ids, "layout": SHEET}
    )
    assert response["Content-Type"] == "application/pdf"
    assert not Job.objects.exists()


def test_the_job_reports_each_card_done_of_all(staff_a, enrolled, day_shelter, client):
    client.force_login(staff_a)
    start_program_print(client, day_shelter)
    job = Job.objects.get(kind=JobKind.CARD_SHEET)
    told = []

    run_card_sheet(job=job, report=lambda done, total, label: told.append((done, total, label)))

    assert told == [(n, MANY, "Cards") for n in range(1, MANY + 1)]


def test_the_job_page_counts_cards(client, staff_a, enrolled, day_shelter):
    client.force_login(staff_a)
    start_program_print(client, day_shelter)
    job = Job.objects.get(kind=JobKind.CARD_SHEET)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    progress.write_progress(job.pk, done=10, total=MANY, label="Cards", started=0.0)

    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    assert f"10 of {MANY} cards (40%)" in page and "Community card printing" in page


def test_a_cancelled_job_leaves_no_file_and_no_print_audit(client, staff_a, enrolled, day_shelter):
    client.force_login(staff_a)
    start_program_print(client, day_shelter)
    job = Job.objects.get(kind=JobKind.CARD_SHEET)
    progress.request_cancel(job.pk)  # as if asked while it runs: it stops at its first card

    run_queued_jobs()

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and not job.result_file
    assert list(progress.jobs_dir().iterdir()) == []
    assert not AuditEvent.objects.filter(action=AuditAction.PRINT).exists()
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_only_the_starter_sees_the_job(client, staff_a, org_a, staff_b, enrolled, day_shelter):
    client.force_login(staff_a)
    start_program_print(client, day_shelter)
    run_queued_jobs()
    job = Job.objects.get(kind=JobKind.CARD_SHEET)
    colleague = f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a2")
    for other in (colleague, staff_b):
        http = HttpClient()
        http.force_login(other)
        for name in ("jobs:detail", "jobs:status", "jobs:download"):
            assert http.get(reverse(name, args=[job.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
