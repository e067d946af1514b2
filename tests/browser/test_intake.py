"""Issue 10, "Done when" (intake part): a walk-in from the door to a posted service, by labels."""

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmis.batches.models import BatchEntry, EntryStatus
from hmis.clients.cards import generate_code
from hmis.clients.models import Client
from hmis.services.models import Service, ServiceGroup
from tests import factories as f
from tests.browser.conftest import PHONE, assert_accessible, scan, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agency(db):
    org = f.make_organization("Hope Center")
    staff = f.make_user(org, username="jdoe", first_name="Jane", last_name="Doe")
    shelter = f.make_project(org, "Day Shelter")
    group = ServiceGroup.objects.create(name="Day Shelter services", organization=org)
    visit = f.make_code("Day Shelter – Homeless Drop-In Centers", group=group)
    meal = f.make_code("Meal", group=group)
    f.make_batch(
        shelter,
        codes=[(visit, 1), (meal, 2)],
        performing_user=staff,
        description="Drop-in visit and lunch",
    )
    existing = f.make_client("José", "Núñez", organization=org, dob=date(1980, 4, 7))
    f.enroll(existing, shelter)
    return {"org": org, "staff": staff, "shelter": shelter, "existing": existing}


def fill_hud_intake(page) -> None:
    page.get_by_label("First name").fill("Jose")
    page.get_by_label("Last name").fill("Nunes")
    page.get_by_label("Name Data Quality").select_option(label="Full name reported")
    page.get_by_label("SSN", exact=True).fill("123-45-6789")
    page.get_by_label("SSN Data Quality").select_option(label="Full SSN reported")
    page.get_by_label("Date of birth").fill("1980-04-07")
    page.get_by_label("DOB Data Quality").select_option(label="Full DOB reported")
    page.get_by_label("Hispanic/Latina/e/o").check()
    page.get_by_label("Sex", exact=True).select_option(label="Male")
    page.get_by_label("Veteran Status").select_option(label="No")


def test_walk_in_from_an_unknown_card_to_a_posted_service(agency, new_page):
    page = new_page()
    page.goto("/")
    sign_in(page, "jdoe", f.PASSWORD)
    page.get_by_text("Enrollment and Services").click()
    page.get_by_role("link", name="Batch Services").click()
    page.get_by_label("Actions for Drop-in visit and lunch").click()
    page.get_by_role("link", name="Add Clients to Batch").click()
    expect(page.get_by_role("heading", name="Add Clients to Batch")).to_be_visible()

    # A card no one has: the desk says so and offers New client.
    code = generate_code()
    page.get_by_label("Scan Card ID").first.check()
    page.locator("#scan-card").focus()
    scan(page, code)
    result = page.locator("#results > li").first
    expect(result).to_contain_text(f"No client has this card: {code}")
    result.get_by_role("link", name="New client").click()

    # The HUD intake, with a misspelled name of an existing client.
    expect(page.get_by_role("heading", name="New client")).to_be_visible()
    fill_hud_intake(page)
    expect(page.get_by_label("Give the scanned card to the new client")).to_be_checked()
    page.get_by_role("button", name="Check for duplicates, enroll and add to batch").click()
    duplicates = page.get_by_role("region", name="Possible duplicates")
    expect(duplicates).to_contain_text("Núñez, José")
    expect(duplicates).to_contain_text("Born 1980")
    expect(duplicates).to_contain_text(f"Client ID {agency['existing'].pk}")
    expect(page.get_by_role("heading", name="Possible duplicates")).to_be_focused()
    expect(page.get_by_role("button", name="Use this client: José Núñez")).to_be_visible()
    screenshot(page, "intake-duplicates-1280x800")
    assert_accessible(page)

    # Decline: a new client, enrolled in the batch's program and added, in the same step.
    page.get_by_role("button", name="None of these: create a new client").click()
    expect(
        page.get_by_text("Jose Nunes enrolled in Day Shelter and added to the batch.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Add Clients to Batch")).to_be_visible()
    created = Client.objects.get(last_name="Nunes")
    assert created.hud_data["HispanicLatinao"] == 1 and created.ssn_last4 == "6789"
    assert created.cards.get().code == code  # the scanned card is now theirs
    assert created.enrollments.get().project == agency["shelter"]
    expect(page.locator("#entries")).to_contain_text("Nunes, Jose")

    # Post Services: the services are on the new client's profile.
    page.get_by_role("button", name="Post Services").click()
    expect(page.locator("#post-result")).to_contain_text("1 posted")
    assert BatchEntry.objects.get(client=created).status == EntryStatus.POSTED
    assert Service.objects.filter(client=created).count() == 2
    page.get_by_label("Search clients").fill("Jose Nunes")
    page.get_by_label("Search clients").press("Enter")
    page.get_by_role("link", name="Nunes, Jose").click()
    services = page.locator("#services")
    expect(services).to_contain_text("Day Shelter – Homeless Drop-In Centers")
    expect(services.locator("tr", has_text="Meal").locator("td.num")).to_have_text("2")
    expect(services).to_contain_text(timezone.localdate().strftime("%m/%d/%Y"))
    assert page.js_errors == []


def test_new_client_and_edit_client_pages_at_390px(agency, new_page):
    page = new_page(PHONE)
    page.goto("/")
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto("/clients/")
    page.get_by_role("link", name="New client").click()
    expect(page.get_by_role("heading", name="New client")).to_be_visible()
    assert_accessible(page)

    # A wrong value gets its message beside the field, and focus goes to the problem.
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Quill")
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_role("button", name="Check for duplicates and create").click()
    expect(page.get_by_text("The date of birth cannot be in the future.")).to_be_visible()
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_focused()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide at 390px"
    screenshot(page, "intake-errors-390")

    page.get_by_label("Date of birth").fill("1990-02-03")
    page.get_by_label("Sex", exact=True).select_option(label="Female")
    page.get_by_label("Veteran Status").select_option(label="Data not collected")
    page.get_by_label("If no race or ethnicity was given").select_option(
        label="Client prefers not to answer"
    )
    page.get_by_role("button", name="Check for duplicates and create").click()
    expect(page.get_by_text("Client Ada Quill created.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ada Quill")).to_be_visible()

    page.get_by_role("link", name="Edit client").click()
    expect(page.get_by_role("heading", name=re.compile("Edit client"))).to_be_visible()
    expect(page.get_by_role("button", name="Take photo with camera")).to_be_visible()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the edit page is {width}px wide at 390px"
    page.get_by_label("Last name").fill("Quill-Stone")
    page.get_by_role("button", name="Save client").click()
    expect(page.get_by_text("Client record saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Ada Quill-Stone")).to_be_visible()
    screenshot(page, "client-edited-390")
    assert page.js_errors == []


def test_desk_enroll_client_page_passes_axe_at_390px(agency, new_page):
    walk_in = f.make_client("Tom", "Baker", organization=agency["org"])
    card = f.issue_card(walk_in, code=generate_code())
    batch = agency["shelter"].batches.get()
    page = new_page(PHONE)
    page.goto("/")
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/batches/{batch.pk}/enroll/?card={card.code}")
    expect(page.get_by_role("heading", name="Enroll client")).to_be_visible()
    expect(page.get_by_label(re.compile("Existing client: Tom Baker"))).to_be_checked()
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide at 390px"
    page.get_by_role("button", name="Enroll and add to batch").click()
    expect(
        page.get_by_text("Tom Baker enrolled in Day Shelter and added to the batch.")
    ).to_be_visible()


def test_photo_taken_with_the_camera_is_saved(agency, browser, live_server, settings, tmp_path):
    """Chromium's fake camera stands in for the device's: getUserMedia, Capture, Save photo."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP

    settings.MEDIA_ROOT = str(tmp_path / "media")
    client = f.make_client("Ada", "Quill", organization=agency["org"])
    fake_camera = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    # A second Chromium of the session's Playwright, started with a fake camera.
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + fake_camera
    )
    try:
        context = camera_browser.new_context(
            viewport=DESKTOP, base_url=live_server.url, permissions=["camera"]
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto("/")
        sign_in(page, "jdoe", f.PASSWORD)
        page.goto(f"/clients/{client.pk}/edit/")
        page.get_by_role("button", name="Take photo with camera").click()
        expect(page.get_by_text("Camera on: press Capture.")).to_be_visible()
        page.get_by_role("button", name="Capture").click()
        expect(page.get_by_text("Photo captured. Press Save photo to keep it.")).to_be_visible()
        page.get_by_role("button", name="Save photo").click()
        expect(page.get_by_text("Photo saved.")).to_be_visible()
        expect(page.get_by_role("img", name="Photo of Ada Quill")).to_be_visible()
    finally:
        camera_browser.close()
    client.refresh_from_db()
    assert client.photo.name.startswith("client-photos/")
