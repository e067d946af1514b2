"""Card printing of many clients and a client's record export run as jobs: the job page follows
them and offers the file."""

import json

import pypdfium2
import pytest
from playwright.sync_api import expect

from hmis.accounts.models import Role
from hmis.clients.card_views import DIRECT_PRINT_CARDS
from tests import factories as f
from tests.browser.conftest import PHONE, assert_accessible, screenshot, sign_in
from tests.browser.test_jobs import workers  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MANY = DIRECT_PRINT_CARDS + 5


def test_printing_many_cards_runs_as_a_job_with_the_pdf_to_download(new_page, workers):  # noqa: F811
    org = f.make_organization("Hope Center")
    f.make_user(org, username="jdoe")
    shelter = f.make_project(org, "Day Shelter")
    for number in range(MANY):
        f.enroll(f.make_client(f"Person{number:02d}", "Smith", organization=org), shelter)

    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto("/cards/print/")
    page.get_by_label("Program", exact=True).select_option(label="Day Shelter")
    page.get_by_role("button", name="Print cards (PDF)").click()

    expect(page.get_by_role("heading", name="Community card printing")).to_be_visible()
    expect(page.get_by_text("Waiting for a worker to start it")).to_be_visible()
    assert_accessible(page)
    workers()
    download_link = page.get_by_role("link", name="Download cards-program-")
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.get_by_text(f"{MANY} cards.")).to_be_visible()
    screenshot(page, "card-printing-job-done-1280x800")
    assert_accessible(page)
    with page.expect_download() as info:
        download_link.click()
    pdf = open(info.value.path(), "rb").read()
    assert len(pypdfium2.PdfDocument(pdf)) == 3  # 25 cards, 10 to a sheet
    assert not page.js_errors


def test_the_client_record_export_runs_as_a_job_on_a_phone(new_page, workers):  # noqa: F811
    org = f.make_organization("Hope Center")
    f.make_user(org, Role.AGENCY_ADMIN, username="admin")
    client = f.make_client("Rita", "Record", organization=org)

    page = new_page(PHONE)
    sign_in(page, "admin", f.PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("button", name="Export everything held on this client (JSON)").click()
    expect(page.get_by_role("heading", name="Client record export")).to_be_visible()
    workers()
    link = page.get_by_role("link", name=f"Download client-{client.pk}-record.json")
    expect(link).to_be_visible(timeout=60_000)
    screenshot(page, "client-record-job-done-390x844")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    with page.expect_download() as info:
        link.click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert data["client_id"] == client.pk and data["details"]["last_name"] == "Record"
