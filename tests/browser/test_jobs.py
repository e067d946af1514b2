"""A HUD CSV import from the web runs as a job: the page's progress bar follows it to the end while
the front desk keeps scanning."""

import csv
import shutil
import threading
import time
from datetime import date

import pytest
from playwright.sync_api import expect

from hmis.accounts.models import Role
from hmis.batches.models import BatchEntry
from hmis.hudcsv.models import ImportRun
from hmis.services.models import Service
from tests import factories as f
from tests.browser.conftest import PHONE, assert_accessible, screenshot, sign_in
from tests.browser.test_batch_services import scan, wait_until_all_sent
from tests.hudcsv.conftest import FIXTURE, zip_folder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXTRA_SERVICES = 3000


class ThreadWorker:
    """`hmis worker`'s loop in a thread of the test process: the live server's test database
    lives in this process's memory, out of reach of a worker process."""

    def __init__(self):
        from django_tasks_db.management.commands.db_worker import Worker

        self.worker = Worker(
            queue_names=["*"],
            interval=0.2,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="browser-test-worker",
            excluded_queue_names=[],
        )
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        from django.db import OperationalError, connection

        # The in-memory test database answers "table is locked" at once where a database file
        # would wait: look again, as the worker does for "database is locked".
        while self.worker.running:
            try:
                self.worker.run()
            except OperationalError as error:
                if "locked" not in str(error):
                    raise
                time.sleep(0.1)
        connection.close()

    def start(self):
        self.thread.start()

    def stop(self):
        self.worker.running = False
        self.thread.join(timeout=30)


@pytest.fixture
def workers():
    started = []

    def start():
        worker = ThreadWorker()
        worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def export_zip(tmp_path):
    """The fixture export with 3,000 more services: enough rows for the bar to move."""
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder)
    services = folder / "Services.csv"
    with open(services, encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        header, first = reader.fieldnames, next(reader)
    with open(services, "a", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, header, lineterminator="\r\n")
        for number in range(EXTRA_SERVICES):
            writer.writerow({**first, "ServicesID": f"SX{number}"})
    path = tmp_path / "export.zip"
    path.write_bytes(zip_folder(folder))
    return path


def test_import_progress_bar_follows_the_job_while_the_desk_keeps_scanning(
    new_page, workers, export_zip
):
    org = f.make_organization("Hope Center")
    f.make_user(None, Role.SYSTEM_ADMIN, username="sysadmin")
    f.make_user(org, username="jdoe")
    shelter = f.make_project(org, "Day Shelter")
    batch = f.make_batch(shelter, description="Drop-in visit")
    for number, last in enumerate(("Lopez", "Okafor"), start=1):
        client = f.make_client("Maria", last, organization=org)
        f.enroll(client, shelter, entry_date=date(2024, 1, 1))
        f.issue_card(client, code=f"CARD000{number}")

    admin = new_page()
    sign_in(admin, "sysadmin", f.PASSWORD)
    admin.goto("/hud-csv/import/")
    admin.get_by_label("HUD CSV export (zip)").set_input_files(str(export_zip))
    admin.get_by_label("Organization that owns imported clients and users").select_option(
        label="Hope Center"
    )
    admin.get_by_role("button", name="Check the file").click()

    # The check waits for a worker: the page says so, with its bar and a Cancel button.
    expect(admin.get_by_role("heading", name="HUD CSV check (nothing written yet)")).to_be_visible()
    expect(admin.get_by_role("progressbar")).to_be_visible()
    expect(admin.get_by_text("Waiting for a worker to start it")).to_be_visible()
    expect(admin.get_by_role("button", name="Cancel")).to_be_visible()
    assert_accessible(admin)
    workers()
    expect(admin.get_by_role("button", name="Confirm import")).to_be_visible(timeout=60_000)
    expect(admin.get_by_text("What the import would do")).to_be_visible()
    assert not Service.objects.filter(batch_entry__isnull=True).exists()

    admin.get_by_role("button", name="Confirm import").click()
    expect(admin.get_by_role("heading", name="HUD CSV import")).to_be_visible()

    # The front desk scans while the import is queued and running.
    desk = new_page()
    sign_in(desk, "jdoe", f.PASSWORD)
    desk.goto(f"/batches/{batch.pk}/add/")
    desk.get_by_label("Scan Card ID").first.check()
    desk.locator("#scan-card").focus()
    scan(desk, "CARD0001")
    wait_until_all_sent(desk, 1)
    expect(desk.locator("#results .result--ok")).to_have_count(1)

    # The bar moves: rows done of the total, then the result replaces it.
    expect(admin.get_by_text("Imported.")).to_be_visible(timeout=120_000)
    screenshot(admin, "hud-csv-import-done-1280x800")
    assert_accessible(admin)
    expect(admin.get_by_role("progressbar")).to_have_count(0)
    scan(desk, "CARD0002")
    wait_until_all_sent(desk, 2)
    expect(desk.locator("#results .result--ok")).to_have_count(2)

    assert ImportRun.objects.filter(committed=True).count() == 1
    assert Service.objects.filter(batch_entry__isnull=True).count() >= EXTRA_SERVICES
    assert BatchEntry.objects.filter(batch=batch).count() == 2
    assert not admin.js_errors and not desk.js_errors


def test_job_page_fits_a_phone(new_page, workers, export_zip):
    f.make_user(None, Role.SYSTEM_ADMIN, username="sysadmin")
    page = new_page(PHONE)
    sign_in(page, "sysadmin", f.PASSWORD)
    page.goto("/hud-csv/import/")
    page.get_by_label("HUD CSV export (zip)").set_input_files(str(export_zip))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    screenshot(page, "hud-csv-job-queued-390x844")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
