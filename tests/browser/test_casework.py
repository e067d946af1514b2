"""Casework in the browser, by visible labels: exit a client and see the desk refuse them the day
after; add a household at the desk; enroll and add a single service from the profile."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmis.batches.models import BatchEntry
from hmis.clients.models import Enrollment
from hmis.services.models import Service, ServiceGroup
from tests import factories as f
from tests.browser.conftest import PHONE, assert_accessible, screenshot, sign_in
from tests.browser.conftest import scan as type_as_scanner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agency(db):
    org = f.make_organization("Hope Center")
    staff = f.make_user(org, username="jdoe", first_name="Jane", last_name="Doe")
    shelter = f.make_project(org, "Day Shelter")
    group = ServiceGroup.objects.create(name="Day Shelter services", organization=org)
    visit = f.make_code("Day Shelter – Homeless Drop-In Centers", group=group)
    batch = f.make_batch(
        shelter,
        performing_user=staff,
        description="Drop-in visit",
        default_comments="Front desk",
        codes=[(visit, 1)],
    )
    return {"org": org, "staff": staff, "shelter": shelter, "batch": batch}


def scan(page, code: str) -> None:
    page.get_by_label("Scan Card ID").first.check()
    type_as_scanner(page, code)


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways on a phone ({width}px)"


def test_exited_client_is_refused_at_the_desk_the_day_after_the_exit_date(agency, new_page):
    today = timezone.localdate()
    exit_day = today - timedelta(days=1)
    client = f.make_client("Maria", "Lopez", organization=agency["org"])
    f.enroll(client, agency["shelter"], entry_date=date(2024, 1, 1))
    f.issue_card(client, code="EXIT0001")

    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Exit from Day Shelter").click()
    expect(page.get_by_role("heading", name="Exit Maria Lopez")).to_be_visible()
    assert_accessible(page)
    # A date before the entry date is refused beside the form and changes nothing.
    page.get_by_label("Exit Date").fill("2023-12-31")
    page.get_by_label("Destination").select_option(
        label="Rental by client, no ongoing housing subsidy"
    )
    page.get_by_role("button", name="Exit").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Exit Date (12/31/2023) cannot be before the Entry Date (01/01/2024)."
    )
    assert_accessible(page)
    page.get_by_label("Exit Date").fill(exit_day.isoformat())
    page.get_by_role("button", name="Exit").click()
    expect(page.get_by_text("Exited from Day Shelter.")).to_be_visible()
    expect(page.get_by_text("Exited", exact=True)).to_be_visible()
    screenshot(page, "profile-after-exit-1280x800")
    assert Enrollment.objects.get(client=client).exit_date == exit_day

    batch = agency["batch"]
    page.goto(
        f"/batches/{batch.pk}/add/?batch_date={today.isoformat()}&date_provided={today.isoformat()}"
    )
    scan(page, "EXIT0001")
    result = page.locator("#results > li").first
    expect(result).to_contain_text("ERROR: Enrollment is a Required Field.")
    expect(result).to_contain_text("Maria Lopez")
    screenshot(page, "desk-refuses-exited-client-1280x800")
    assert not BatchEntry.objects.filter(client=client).exists()


def test_desk_adds_a_household_of_three_with_one_barred_member(agency, new_page):
    org, shelter = agency["org"], agency["shelter"]
    head = f.make_client("Hana", "Reyes", organization=org)
    household = f.enroll(head, shelter, entry_date=date(2024, 1, 1)).household_id
    f.issue_card(head, code="HOME0001")
    child = f.make_client("Lupe", "Reyes", organization=org)
    f.enroll(child, shelter, date(2024, 1, 1), household_id=household, relationship_to_hoh=2)
    partner = f.make_client("Jon", "Reyes", organization=org)
    f.enroll(partner, shelter, date(2024, 1, 1), household_id=household, relationship_to_hoh=3)
    f.bar(partner, organization=org, reason="Fighting in the dining room")

    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/batches/{agency['batch'].pk}/add/")
    scan(page, "HOME0001")
    result = page.locator("#results > li").first
    expect(result).to_contain_text("Hana Reyes")
    expect(result.get_by_text("Added", exact=True)).to_be_visible()
    expect(result).to_contain_text("Head of household with 2 members")
    result.get_by_role("button", name="Add household").click()
    lines = result.locator(".household-lines > li")
    expect(lines).to_have_count(2)
    expect(lines.filter(has_text="Lupe Reyes")).to_contain_text("Added")
    expect(lines.filter(has_text="Jon Reyes")).to_contain_text("Not added")
    expect(lines.filter(has_text="Jon Reyes")).to_contain_text(
        "Reason: Fighting in the dining room"
    )
    expect(page.locator("#entries")).to_contain_text("Pending: 2")
    screenshot(page, "desk-household-1280x800")
    assert_accessible(page)
    added = set(BatchEntry.objects.values_list("client__first_name", flat=True))
    assert added == {"Hana", "Lupe"}

    # Lupe's own comment replaces the batch's Default Comments on her services.
    row = page.locator("#entries tr", has_text="Reyes, Lupe")
    row.get_by_text("Change").click()
    row.get_by_label("Comment for Reyes, Lupe").fill("Needs school supplies")
    row.get_by_label("Replace Default Comments").check()
    row.get_by_role("button", name="Save comment").click()
    expect(page.locator("#entries tr", has_text="Reyes, Lupe")).to_contain_text(
        "Comment: Needs school supplies (replaces Default Comments)"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Post Services").click()
    expect(page.locator("#entries")).to_contain_text("Posted: 2")
    comments = dict(Service.objects.values_list("client__first_name", "comments"))
    assert comments == {"Lupe": "Needs school supplies", "Hana": "Front desk"}


def test_enroll_and_add_service_from_the_profile(agency, new_page):
    client = f.make_client("Sam", "Okafor", organization=agency["org"])
    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Enroll", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Program").select_option(label="Day Shelter")
    page.get_by_label("Entry Date").fill("2025-03-01")
    page.get_by_label("Disabling condition").select_option(label="No")
    page.get_by_label("Prior living situation", exact=True).select_option(
        label="Staying or living in a friend's room, apartment, or house"
    )
    # HUD's flow: no homeless-history questions for someone staying with a friend...
    times = page.get_by_label(re.compile("^Times on the streets"))
    expect(times).to_be_hidden()
    expect(page.get_by_label(re.compile("^On the night before"))).to_be_hidden()
    page.get_by_role("button", name="Enroll").click()
    # HUD asks the length of stay for this living situation: shown beside its field.
    expect(page.get_by_text("Length of stay in prior living situation is required")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "enroll-error-1280x800")
    page.get_by_label("Length of stay in prior living situation").select_option(
        label="Two to six nights"
    )
    # ...unless the stay was short and the night before was on the street or in a shelter.
    page.get_by_label(re.compile("^On the night before")).select_option(label="Yes")
    expect(times).to_be_visible()
    page.get_by_label(re.compile("^Times on the streets")).select_option(label="One time")
    page.get_by_role("button", name="Enroll").click()
    expect(page.get_by_text("Enrolled in Day Shelter.")).to_be_visible()
    enrollment = Enrollment.objects.get(client=client)
    assert enrollment.hud_data["LOSUnderThreshold"] == 1
    assert enrollment.hud_data["TimesHomelessPastThreeYears"] == 1

    page.get_by_role("link", name="Add service").click()
    assert_accessible(page)
    page.get_by_role("button", name="Find Service Provided").click()
    picker = page.get_by_role("dialog", name="Find Service Provided")
    picker.get_by_label("Service name").fill("drop-in")
    picker.get_by_role("button", name="Search").click()
    picker.get_by_role("button", name=re.compile("Day Shelter – Homeless Drop-In Centers")).click()
    expect(picker).to_be_hidden()
    page.get_by_label("Units").fill("1")
    page.get_by_label("Date Service Provided").fill("2025-03-02")
    page.get_by_label("Comments").fill("Walk-in")
    screenshot(page, "add-service-1280x800")
    page.get_by_role("button", name="Add service").click()
    expect(
        page.get_by_text("Posted Day Shelter – Homeless Drop-In Centers of 03/02/2025")
    ).to_be_visible()
    assert Service.objects.get(client=client).comments == "Walk-in"


def test_new_casework_pages_pass_axe_and_fit_a_phone(agency, new_page):
    head = f.make_client("Ana", "Diaz", organization=agency["org"])
    enrollment = f.enroll(head, agency["shelter"], entry_date=date(2024, 1, 1))
    page = new_page(PHONE)
    sign_in(page, "jdoe", f.PASSWORD)
    for path, name in [
        (f"/clients/{head.pk}/", "profile"),
        (f"/clients/{head.pk}/enroll/", "enroll"),
        (f"/clients/{head.pk}/household/", "enroll-household"),
        (f"/clients/enrollments/{enrollment.pk}/exit/", "exit"),
        (f"/clients/enrollments/{enrollment.pk}/edit/", "enrollment-edit"),
        (f"/services/new/{head.pk}/", "add-service"),
    ]:
        page.goto(path)
        assert_accessible(page)
        fits_the_phone(page)
        screenshot(page, f"{name}-390x844")


def test_enroll_a_household_of_three_from_the_profile(agency, new_page):
    org = agency["org"]
    head = f.make_client("Rosa", "Vega", organization=org)
    partner = f.make_client("Luis", "Vega", organization=org)
    child = f.make_client("Ines", "Vega", organization=org)
    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/clients/{head.pk}/")
    page.get_by_role("link", name="Enroll household").click()
    page.get_by_label("Program").select_option(label="Day Shelter")
    page.get_by_label("Entry Date").fill("2025-03-01")
    for n, (member, relation) in enumerate(
        [(partner, "Head of household's spouse or partner"), (child, "Head of household's child")],
        start=1,
    ):
        row = page.get_by_role("group", name=f"Member {n}")
        row.get_by_label("Client ID").fill(str(member.pk))
        row.get_by_label("Relationship to head of household").select_option(label=relation)
        row.get_by_label("Disabling condition").select_option(label="No")
    page.get_by_label("Disabling condition").last.select_option(label="No")
    page.get_by_label("Prior living situation", exact=True).select_option(label="Emergency shelter")
    page.get_by_role("button", name="Enroll household").click()
    expect(page.get_by_text("Household of 3 enrolled in Day Shelter.")).to_be_visible()
    enrollments = Enrollment.objects.filter(project=agency["shelter"])
    assert len({e.household_id for e in enrollments}) == 1
    assert {e.client.first_name: e.relationship_to_hoh for e in enrollments} == {
        "Rosa": 1,
        "Luis": 3,
        "Ines": 2,
    }


def test_enroll_a_household_with_a_new_member_through_the_intake(agency, new_page):
    org = agency["org"]
    head = f.make_client("Rosa", "Vega", organization=org)
    partner = f.make_client("Luis", "Vega", organization=org)
    lookalike = f.make_client("Inez", "Vega", organization=org, dob=date(2015, 4, 5))
    page = new_page(PHONE)
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/clients/{head.pk}/")
    page.get_by_role("link", name="Enroll household").click()
    page.get_by_label("Program").select_option(label="Day Shelter")
    page.get_by_label("Entry Date").fill("2025-03-01")
    row = page.get_by_role("group", name="Member 1")
    row.get_by_label("Client ID").fill(str(partner.pk))
    row.get_by_label("Relationship to head of household").select_option(
        label="Head of household's spouse or partner"
    )
    row.get_by_label("Disabling condition").select_option(label="No")
    new = page.get_by_role("group", name="New client as a member")
    new.get_by_label("Relationship to head of household").select_option(
        label="Head of household's child"
    )
    new.get_by_label("Disabling condition").select_option(label="No")
    new.get_by_label("First name").fill("Ines")
    new.get_by_label("Last name").fill("Vega")
    new.get_by_label("Date of birth").fill("2015-04-05")
    new.get_by_label("Sex", exact=True).select_option(label="Female")
    new.get_by_label("Veteran Status").select_option(label="Data not collected")
    new.get_by_label("White").check()
    page.get_by_label("Disabling condition").last.select_option(label="No")
    page.get_by_label("Prior living situation", exact=True).select_option(label="Emergency shelter")
    page.get_by_role("button", name="Enroll household").click()

    # The same duplicate check as New client: the misspelled lookalike is offered first.
    expect(page.get_by_role("heading", name="Possible duplicates")).to_be_focused()
    expect(page.get_by_role("button", name="Use this client: Inez Vega")).to_be_visible()
    assert not Enrollment.objects.exists()
    assert_accessible(page)
    fits_the_phone(page)
    screenshot(page, "household-new-member-duplicates-390x844")
    page.get_by_role("button", name="None of these: create a new client").click()

    expect(page.get_by_text("Household of 3 enrolled in Day Shelter.")).to_be_visible()
    enrollments = Enrollment.objects.filter(project=agency["shelter"]).select_related("client")
    assert len({e.household_id for e in enrollments}) == 1
    assert {e.client.first_name: e.relationship_to_hoh for e in enrollments} == {
        "Rosa": 1,
        "Luis": 3,
        "Ines": 2,
    }
    ines = next(e.client for e in enrollments if e.client.first_name == "Ines")
    assert ines.pk != lookalike.pk and ines.hud_data["White"] == 1


def test_add_service_overrides_a_bar_with_a_reason(agency, new_page):
    staff = agency["staff"]
    staff.can_override_bars = True
    staff.save(update_fields=["can_override_bars"])
    client = f.make_client("Sam", "Okafor", organization=agency["org"])
    f.enroll(client, agency["shelter"], entry_date=date(2024, 1, 1))
    f.bar(client, organization=agency["org"], reason="Fighting")
    page = new_page(PHONE)
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Add service").click()
    page.get_by_role("button", name="Find Service Provided").click()
    picker = page.get_by_role("dialog", name="Find Service Provided")
    picker.get_by_label("Service name").fill("drop-in")
    picker.get_by_role("button", name="Search").click()
    picker.get_by_role("button", name=re.compile("Day Shelter – Homeless Drop-In Centers")).click()
    expect(picker).to_be_hidden()
    page.get_by_role("button", name="Add service").click()
    expect(page.get_by_text("Reason: Fighting")).to_be_visible()
    reason = page.get_by_label("Reason for override")
    expect(reason).to_be_visible()
    assert not Service.objects.filter(client=client).exists()
    assert_accessible(page)
    fits_the_phone(page)
    screenshot(page, "add-service-override-390x844")
    reason.fill("Case manager approved")
    page.get_by_role("button", name="Add service").click()
    expect(page.get_by_text(re.compile("^Posted Day Shelter"))).to_be_visible()
    assert Service.objects.filter(client=client).count() == 1
