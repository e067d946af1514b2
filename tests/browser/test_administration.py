"""Agency administration by its visible labels, in Chromium: users with a one-time set-password
link, a scan station with its batch, a location and a limited service code put in a batch, and the
desk enforcing the limit."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmis.accounts.models import Role, User
from hmis.batches.models import BatchEntry, ServiceBatch
from hmis.projects.models import Location
from hmis.services.models import ServiceCode, ServiceGroup
from tests import factories as f
from tests.browser.conftest import PHONE, assert_accessible, scan, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Juniper-lantern-4471-quiet"


@pytest.fixture
def agency(db):
    org = f.make_organization("Hope Center")
    f.make_user(org, Role.AGENCY_ADMIN, username="boss", first_name="Ana", last_name="Boss")
    shelter = f.make_project(org, "Day Shelter")
    f.make_location(shelter, "Main Street")
    group = ServiceGroup.objects.create(name="Day Shelter services", organization=org)
    visit = f.make_code("Day Shelter visit", group=group)
    f.make_batch(shelter, codes=[(visit, 1)], description="Drop-in visit")
    client = f.make_client("Maria", "Lopez", organization=org)
    f.enroll(client, shelter)
    f.issue_card(client, code="CARD0001")
    return {"org": org, "shelter": shelter}


def open_menu_item(page, name: str) -> None:
    page.get_by_text("Enrollment and Services").click()
    page.get_by_role("link", name=name, exact=True).click()


def fits_390(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_agency_admin_sets_up_users_location_and_a_limited_code(agency, new_page):
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, "boss", f.PASSWORD)

    # Users -> New user: a staff user, then the one-time set-password link, copied.
    open_menu_item(page, "Users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="New user").click()
    expect(page.get_by_label("Role")).to_have_value("staff")
    assert_accessible(page)
    expect(
        page.get_by_label("Role").locator("option", has_text="System administrator")
    ).to_have_count(0)
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Volunteer")
    page.get_by_label("Username").fill("nia")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_text("Created user nia.")).to_be_visible()
    link = page.get_by_label("Set-password link").input_value()
    assert re.search(r"/accounts/set-password/[\w-]+/$", link)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert_accessible(page)
    screenshot(page, "admin-set-password-link-1280x800")

    # A scan-station user assigned to its batch.
    open_menu_item(page, "Users")
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Username").fill("kiosk1")
    page.get_by_label("Role").select_option(label="Scan station")
    page.get_by_label("Drop-in visit").check()
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_text("Created user kiosk1.")).to_be_visible()
    station = User.objects.get(username="kiosk1")
    assert station.role == Role.SCAN_STATION
    assert list(station.scan_batches.values_list("description", flat=True)) == ["Drop-in visit"]

    # The users list: who is locked, last sign-in, two-factor.
    open_menu_item(page, "Users")
    row = page.get_by_role("row", name=re.compile("Nia Volunteer"))
    expect(row).to_contain_text("No password yet")
    expect(row).to_contain_text("Never")
    screenshot(page, "admin-users-1280x800")

    # Programs and locations: a second location.
    open_menu_item(page, "Programs and locations")
    assert_accessible(page)
    page.get_by_role("link", name="Day Shelter").click()
    expect(page.get_by_label("Operating start date")).to_have_value("2020-01-01")
    assert_accessible(page)
    page.get_by_role("link", name="Add location").click()
    page.get_by_label("Location name").fill("Riverside Annex")
    page.get_by_label("Address").fill("12 River Road")
    assert_accessible(page)
    page.get_by_role("button", name="Save location").click()
    expect(page.get_by_text("Saved location Riverside Annex.")).to_be_visible()
    expect(page.get_by_role("cell", name="Riverside Annex", exact=True)).to_be_visible()
    screenshot(page, "admin-program-1280x800")

    # Service catalog: a Hygiene kit code limited to 1 per 7 days.
    open_menu_item(page, "Service catalog")
    assert_accessible(page)
    page.get_by_role("link", name="Day Shelter services").click()
    assert_accessible(page)
    page.get_by_role("link", name="Add service code").click()
    page.get_by_label("Service name").fill("Hygiene kit")
    page.get_by_label("Unit of measure").fill("kit")
    page.get_by_label("Frequency limit: at most").fill("1")
    page.get_by_label("per this many days").fill("7")
    assert_accessible(page)
    page.get_by_role("button", name="Save service code").click()
    expect(page.get_by_text("Saved service code Hygiene kit.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Hygiene kit"))).to_contain_text("1 per 7 days")

    # The code in a new batch at the new location, through Find Service Provided.
    open_menu_item(page, "Batch Services")
    page.get_by_role("link", name="New batch").click()
    page.get_by_label("Description").fill("Hygiene kits")
    page.get_by_label("Program").select_option(label="Day Shelter")
    expect(
        page.get_by_label("Location").locator("option", has_text="Riverside Annex")
    ).to_have_count(1)
    page.get_by_label("Location").select_option(label="Riverside Annex")
    page.get_by_role("button", name="Find Service Provided").first.click()
    picker = page.get_by_role("dialog", name="Find Service Provided")
    picker.get_by_label("Service Group").select_option(label="Day Shelter services")
    picker.get_by_label("Service name").fill("hygiene")
    picker.get_by_role("button", name="Search").click()
    picker.get_by_role("button", name=re.compile("^Hygiene kit")).click()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved batch “Hygiene kits”.")).to_be_visible()
    batch = ServiceBatch.objects.get(description="Hygiene kits")
    assert batch.location == Location.objects.get(name="Riverside Annex")
    assert [row.service_code.name for row in batch.service_codes.all()] == ["Hygiene kit"]
    page.get_by_role("button", name="Sign out").click()

    # The new user sets a password through the link; a second use is refused.
    page.goto(link)
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password is set. Sign in with it.")).to_be_visible()
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("This link is not valid")

    # Nia signs in and scans at the desk (yesterday's visit); the limit refuses today's.
    sign_in(page, "nia", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Batch Services")).to_be_visible()
    page.get_by_label("Actions for Hygiene kits").click()
    page.get_by_role("link", name="Add Clients to Batch").click()
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Date Service Provided").fill(yesterday.isoformat())
    expect(page).to_have_url(re.compile(f"date_provided={yesterday.isoformat()}"))
    page.locator("#scan-card").focus()
    scan(page, "CARD0001")
    expect(page.locator("#results > li").first).to_contain_text("Added")
    today = timezone.localdate()
    page.get_by_label("Date Service Provided").fill(today.isoformat())
    expect(page).to_have_url(re.compile(f"date_provided={today.isoformat()}"))
    page.locator("#scan-card").focus()
    scan(page, "CARD0001")
    expect(page.locator("#results > li").first).to_contain_text(
        "ERROR: Hygiene kit is limited to 1 per 7 days."
    )
    assert BatchEntry.objects.filter(batch=batch).count() == 1
    assert page.js_errors == []


def test_administration_pages_fit_a_390_px_screen(agency, new_page):
    group = ServiceGroup.objects.get(name="Day Shelter services")
    code = ServiceCode.objects.get(name="Day Shelter visit")
    page = new_page(PHONE)
    sign_in(page, "boss", f.PASSWORD)
    staff = f.make_user(agency["org"], username="someone")
    pages = {
        "users": "/manage/users/",
        "user-new": "/manage/users/new/",
        "user": f"/manage/users/{staff.pk}/",
        "programs": "/manage/programs/",
        "program": f"/manage/programs/{agency['shelter'].pk}/",
        "catalog": "/manage/catalog/",
        "group": f"/manage/catalog/groups/{group.pk}/",
        "code": f"/manage/catalog/groups/{group.pk}/codes/{code.pk}/",
        "funder": f"/manage/programs/{agency['shelter'].pk}/funders/new/",
        "inventory": f"/manage/programs/{agency['shelter'].pk}/inventory/new/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert fits_390(page), f"{url} is wider than 390 px"
        assert_accessible(page)
        screenshot(page, f"admin-{name}-390")
    page.goto(f"/manage/users/{staff.pk}/")
    page.get_by_label("Token name").fill("Front kiosk")
    page.get_by_role("button", name="Create API token").click()
    expect(page.get_by_label("Token secret")).to_have_value(re.compile("^hmis_"))
    assert fits_390(page)
    assert_accessible(page)
