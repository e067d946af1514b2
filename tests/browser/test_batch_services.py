"""The seed's whole Batch Services workflow, by its visible labels, in Chromium."""

import os
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmis.batches.models import BatchEntry, EntryStatus, EntryUnits, ServiceBatch
from hmis.services.models import Service, ServiceGroup
from tests import factories as f
from tests.browser.conftest import PHONE, scan, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-desk.png"


def results(page):
    return page.locator("#results > li")


def newest_result(page):
    return page.locator("#results > li").first


def wait_until_all_sent(page, count: int) -> None:
    expect(results(page)).to_have_count(count)
    expect(page.locator("#results .result--sending")).to_have_count(0, timeout=60_000)


@pytest.fixture
def agency(db):
    org = f.make_organization("Hope Center")
    staff = f.make_user(org, username="jdoe", first_name="Jane", last_name="Doe")
    shelter = f.make_project(org, "Day Shelter")
    f.make_location(shelter, "Main Street")
    group = ServiceGroup.objects.create(name="Day Shelter services", organization=org)
    f.make_code("Day Shelter – Homeless Drop-In Centers", group=group)
    f.make_code("Meal", group=group)
    f.make_code("Bus pass", group=ServiceGroup.objects.create(name="Transport", organization=org))
    return {"org": org, "staff": staff, "shelter": shelter}


def enrolled_with_card(agency, code: str, first: str, last: str):
    client = f.make_client(first, last, organization=agency["org"])
    f.enroll(client, agency["shelter"], entry_date=date(2024, 1, 1))
    f.issue_card(client, code=code)
    return client


def test_whole_batch_services_workflow_by_its_labels(agency, new_page):
    org, shelter = agency["org"], agency["shelter"]
    regulars = [
        enrolled_with_card(agency, "CARD0001", "Maria", "Lopez"),
        enrolled_with_card(agency, "CARD0002", "Sam", "Okafor"),
        enrolled_with_card(agency, "CARD0003", "Lee", "Nguyen"),
    ]
    by_name = f.make_client("Rosa", "Rivera", organization=org)
    f.enroll(by_name, shelter)
    newcomer = f.make_client("Tom", "Baker", organization=org)
    f.issue_card(newcomer, code="CARD0004")
    barred = enrolled_with_card(agency, "CARD0005", "Vic", "Stone")
    f.bar(barred, organization=org, project=shelter, reason="Fighting in the dining room")

    page = new_page()
    page.goto("/batches/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(page, "jdoe", f.PASSWORD)

    # Clients workspace -> Enrollment and Services -> Batch Services.
    page.get_by_text("Enrollment and Services").click()
    page.get_by_role("link", name="Batch Services").click()
    expect(page.get_by_role("heading", name="Batch Services")).to_be_visible()

    # Create a batch with two service codes through the picker, one with 2 units.
    page.get_by_role("link", name="New batch").click()
    page.get_by_label("Description").fill("Drop-in visit and lunch")
    page.get_by_label("Default Comments").fill("Front desk")
    page.get_by_label("Program").select_option(label="Day Shelter")
    expect(page.get_by_label("Location").locator("option", has_text="Main Street")).to_have_count(1)
    page.get_by_label("Location").select_option(label="Main Street")
    page.get_by_role("button", name="Find Service Provided").first.click()
    picker = page.get_by_role("dialog", name="Find Service Provided")
    picker.get_by_label("Service Group").select_option(label="Day Shelter services")
    picker.get_by_label("Service name").fill("drop-in")
    picker.get_by_role("button", name="Search").click()
    picker.get_by_role("button", name=re.compile("Day Shelter – Homeless Drop-In Centers")).click()
    expect(picker).to_be_hidden()
    page.get_by_role("button", name="Add service code").click()
    page.get_by_role("button", name="Find Service Provided").nth(1).click()
    picker.get_by_label("Service Group").select_option(label="Day Shelter services")
    picker.get_by_label("Service name").fill("meal")
    picker.get_by_role("button", name="Search").click()
    expect(picker.get_by_role("button", name=re.compile("^Meal"))).to_be_visible()
    screenshot(page, "batch-form-picker-1280x800")
    picker.get_by_role("button", name=re.compile("^Meal")).click()
    page.get_by_label("Units").nth(1).fill("2")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "batch-form-1280x800")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved batch “Drop-in visit and lunch”.")).to_be_visible()
    batch = ServiceBatch.objects.get(description="Drop-in visit and lunch")
    assert [(r.service_code.name, r.units) for r in batch.service_codes.all()] == [
        ("Day Shelter – Homeless Drop-In Centers", 1),
        ("Meal", 2),
    ]

    # Action menu -> Add Clients to Batch; back-date both dates.
    page.get_by_label("Actions for Drop-in visit and lunch").click()
    page.get_by_role("link", name="Add Clients to Batch").click()
    expect(page.get_by_role("heading", name="Add Clients to Batch")).to_be_visible()
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Batch Date").fill(yesterday.isoformat())
    page.get_by_label("Date Service Provided").fill(yesterday.isoformat())
    expect(page).to_have_url(re.compile(f"date_provided={yesterday.isoformat()}"))
    page.get_by_label("Scan Card ID").first.check()
    page.locator("#scan-card").focus()

    # Three cards, typed as a scanner types them.
    for code in ("CARD0001", "CARD0002", "CARD0003"):
        scan(page, code)
    wait_until_all_sent(page, 3)
    expect(page.locator("#results .result--ok")).to_have_count(3)
    expect(newest_result(page)).to_contain_text("Nguyen")
    expect(page.locator("#scan-card")).to_be_focused()

    # Look one client up by name.
    page.get_by_label("Client ID", exact=True).check()
    page.get_by_label("Client ID or name").press_sequentially("rivera", delay=30)
    page.get_by_role("button", name=re.compile("Rivera, Rosa")).click()
    wait_until_all_sent(page, 4)
    expect(newest_result(page)).to_contain_text("Added")
    expect(newest_result(page)).to_contain_text("Rosa Rivera")

    # A client without an enrollment: the seed's error, and Enroll client from the desk.
    page.get_by_label("Scan Card ID").first.check()
    scan(page, "CARD0004")
    wait_until_all_sent(page, 5)
    expect(newest_result(page)).to_contain_text("ERROR: Enrollment is a Required Field.")
    newest_result(page).get_by_role("link", name="Enroll client").click()
    expect(page.get_by_role("heading", name="Enroll client")).to_be_visible()
    expect(page.get_by_label("Entry date")).to_have_value(yesterday.isoformat())
    page.get_by_role("button", name="Enroll and add to batch").click()
    expect(
        page.get_by_text("Tom Baker enrolled in Day Shelter and added to the batch.")
    ).to_be_visible()
    expect(page.get_by_label("Date Service Provided")).to_have_value(yesterday.isoformat())

    # A barred client: the bar error, in words and colour.
    page.locator("#scan-card").focus()
    scan(page, "CARD0005")
    wait_until_all_sent(page, 1)
    expect(newest_result(page).locator(".result--error")).to_contain_text(
        "ERROR: Client is barred from program Day Shelter indefinitely."
    )

    # A repeated scan adds nothing.
    scan(page, "CARD0001")
    wait_until_all_sent(page, 2)
    expect(newest_result(page)).to_contain_text("Already added")
    expect(page.locator("#entries")).to_contain_text("Pending: 5")
    screenshot(page, "desk-1280x800")
    if not DOCS_SCREENSHOT.exists() or os.environ.get("HMIS_UPDATE_DOCS_SCREENSHOT") == "1":
        # The README's picture: refreshed on request, so a test run leaves the tree clean.
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot(page, "desk-1280x800"), DOCS_SCREENSHOT)

    # Post Services, in the upper right.
    page.get_by_role("button", name="Post Services").click()
    expect(page.locator("#post-result")).to_contain_text("5 posted")
    expect(page.locator("#entries")).to_contain_text("Posted: 5")
    assert BatchEntry.objects.filter(batch=batch, status=EntryStatus.POSTED).count() == 5
    assert Service.objects.filter(batch_entry__batch=batch).count() == 10

    # The services are on the client's profile.
    page.get_by_label("Search clients").fill("Maria Lopez")
    page.get_by_label("Search clients").press("Enter")
    page.get_by_role("link", name="Lopez, Maria").click()
    services = page.locator("#services")
    expect(services).to_contain_text("Day Shelter – Homeless Drop-In Centers")
    expect(services.locator("tr", has_text="Meal").locator("td.num")).to_have_text("2")
    expect(services).to_contain_text(yesterday.strftime("%m/%d/%Y"))
    expect(services).to_contain_text("Drop-in visit and lunch")
    assert regulars[0].services.count() == 2
    assert page.js_errors == []


def test_fifty_cards_typed_as_fast_as_possible_then_ten_rescans(agency, new_page):
    codes = [f"FAST{n:04d}" for n in range(50)]
    for n, code in enumerate(codes):
        enrolled_with_card(agency, code, "Fast", f"Scanner{n:02d}")
    batch = f.make_batch(agency["shelter"], performing_user=agency["staff"], description="Rush")

    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/batches/{batch.pk}/add/")
    page.locator("#scan-card").focus()
    for code in codes + codes[:10]:
        scan(page, code)
    wait_until_all_sent(page, 60)

    expect(page.locator("#results .result--ok")).to_have_count(50)
    expect(page.locator("#results .result--warn")).to_have_count(10)
    entries = BatchEntry.objects.filter(batch=batch).exclude(status=EntryStatus.REMOVED)
    assert entries.count() == 50
    assert sorted(entries.values_list("client__cards__code", flat=True)) == sorted(codes)
    assert page.js_errors == []


def test_desk_and_batch_form_fit_a_phone(agency, new_page):
    enrolled_with_card(agency, "PHONE001", "Ana", "Silva")
    batch = f.make_batch(agency["shelter"], performing_user=agency["staff"], description="Lunch")
    page = new_page(PHONE)
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/batches/{batch.pk}/add/")
    scan(page, "PHONE001")
    wait_until_all_sent(page, 1)
    expect(newest_result(page)).to_contain_text("Ana Silva")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the desk scrolls sideways on a phone"
    screenshot(page, "desk-390x844")
    page.goto(f"/batches/{batch.pk}/edit/")
    expect(page.get_by_label("Description")).to_have_value("Lunch")
    screenshot(page, "batch-form-390x844")
    page.get_by_role("button", name="Add service code").scroll_into_view_if_needed()
    screenshot(page, "batch-form-codes-390x844")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/batches/{batch.pk}/edit/")
    assert page.js_errors == []


def test_a_scan_whose_answer_was_lost_is_retried_with_its_key_and_recorded_once(agency, new_page):
    enrolled_with_card(agency, "LOST0001", "Lia", "Park")
    batch = f.make_batch(agency["shelter"], performing_user=agency["staff"], description="Lunch")
    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/batches/{batch.pk}/add/")
    bodies = []

    def lose_first_answer(route):
        bodies.append(route.request.post_data)
        if len(bodies) == 1:
            route.fetch()  # the server records the scan...
            route.abort("connectionreset")  # ...but the answer never reaches the desk
        else:
            route.continue_()

    page.route("**/scan/", lose_first_answer)
    scan(page, "LOST0001")
    wait_until_all_sent(page, 1)
    expect(newest_result(page)).to_contain_text("Added")
    expect(newest_result(page)).to_contain_text("repeated request")
    keys = [dict(part.split("=", 1) for part in body.split("&"))["key"] for body in bodies]
    assert len(keys) == 2 and keys[0] == keys[1]
    assert BatchEntry.objects.filter(batch=batch).count() == 1


def test_scan_keys_are_made_without_random_uuid_as_on_plain_http_origins(agency, new_page):
    enrolled_with_card(agency, "HTTP0001", "Ada", "Lane")
    enrolled_with_card(agency, "HTTP0002", "Bo", "Lane")
    batch = f.make_batch(agency["shelter"], performing_user=agency["staff"], description="Lunch")
    page = new_page()
    # A plain-http origin other than localhost is not a secure context: no crypto.randomUUID.
    page.add_init_script("delete Crypto.prototype.randomUUID;")
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/batches/{batch.pk}/add/")
    keys = []
    page.on(
        "request",
        lambda request: (
            keys.append(dict(p.split("=", 1) for p in request.post_data.split("&"))["key"])
            if request.url.endswith("/scan/")
            else None
        ),
    )
    scan(page, "HTTP0001")
    scan(page, "HTTP0002")
    wait_until_all_sent(page, 2)
    expect(page.locator("#results .result--ok")).to_have_count(2)
    assert len(keys) == 2 and keys[0] != keys[1]
    assert all(
        re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", k)
        for k in keys
    )


def test_desk_corrections_change_units_remove_and_override_a_bar(agency, new_page):
    staff = agency["staff"]
    staff.can_override_bars = True
    staff.save()
    meal = f.make_code("Meal")
    batch = f.make_batch(
        agency["shelter"], performing_user=staff, description="Lunch", codes=[(meal, 1)]
    )
    hungry = enrolled_with_card(agency, "CORR0001", "Hal", "Hungry")
    wrong = enrolled_with_card(agency, "CORR0002", "Wes", "Wrong")
    barred = enrolled_with_card(agency, "CORR0003", "Bea", "Barred")
    f.bar(barred, organization=agency["org"], reason="Threats to staff")
    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    with page.expect_request(lambda r: "/entries/" in r.url, timeout=12_000) as poll:
        page.goto(f"/batches/{batch.pk}/add/")
    # The list's polling is background traffic: it must not keep an idle session alive.
    assert poll.value.headers.get("x-hmis-background") == "1"
    scan(page, "CORR0001")
    scan(page, "CORR0002")
    wait_until_all_sent(page, 2)

    row = page.locator("#entries tr", has_text="Hungry, Hal")
    row.get_by_text("Change").click()
    row.get_by_label("Meal").fill("3")
    with page.expect_request(lambda r: "/units/" in r.url) as units_request:
        row.get_by_role("button", name="Set units").click()
    assert units_request.value.headers.get("x-hmis-background") == "0"
    assert units_request.value.headers.get("x-csrftoken")
    expect(page.locator("#entries tr", has_text="Hungry, Hal").locator("summary")).to_have_text(
        re.compile(r"^\s*3\s+Change\s*$")
    )
    assert EntryUnits.objects.get(entry__client=hungry).units == 3

    page.get_by_role("button", name="Remove Wrong, Wes").click()
    expect(page.locator("#entries")).not_to_contain_text("Wrong, Wes")
    assert BatchEntry.objects.get(client=wrong).status == EntryStatus.REMOVED

    page.locator("#scan-card").focus()
    scan(page, "CORR0003")
    wait_until_all_sent(page, 3)
    expect(newest_result(page)).to_contain_text("Threats to staff")
    newest_result(page).get_by_label("Reason for override").fill("Supervisor met with her")
    newest_result(page).get_by_role("button", name="Override bar and add").click()
    wait_until_all_sent(page, 4)
    expect(newest_result(page)).to_contain_text("Added")
    assert BatchEntry.objects.get(client=barred).bar_override_reason == "Supervisor met with her"
    expect(page.locator("#entries")).to_contain_text("Pending: 2")
    assert page.js_errors == []
