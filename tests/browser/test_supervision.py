"""The supervisor's tools in the browser, by visible labels: a program bar and a shower bar at
the desk, ending a bar, an alert on the scan line, merging two records of one person, the old
card adding the survivor, and *Undo merge* restoring both records exactly."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmis.accounts.models import Role
from hmis.batches.models import BatchEntry
from hmis.clients.models import Bar, Client
from hmis.services.models import Service, ServiceGroup
from tests import factories as f
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.browser.conftest import scan as type_as_scanner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agency(db):
    org = f.make_organization("Hope Center")
    f.make_user(org, Role.AGENCY_ADMIN, username="boss", first_name="Sam", last_name="Boss")
    staff = f.make_user(org, username="jdoe", first_name="Jane", last_name="Doe")
    shelter = f.make_project(org, "Day Shelter")
    group = ServiceGroup.objects.create(name="Day Shelter services", organization=org)
    visit = f.make_code("Day Shelter visit", group=group)
    shower = f.make_code("Shower", group=group)
    batch = f.make_batch(
        shelter,
        performing_user=staff,
        description="Day Shelter visit + Shower",
        codes=[(visit, 1), (shower, 1)],
        auto_post=True,
    )
    return {"org": org, "shelter": shelter, "batch": batch}


def enrolled(agency, first, last, code, **fields):
    client = f.make_client(first, last, organization=agency["org"], **fields)
    f.enroll(client, agency["shelter"], entry_date=date(2024, 1, 1))
    f.issue_card(client, code=code)
    return client


def scan(page, code: str):
    page.wait_for_load_state("networkidle")
    page.get_by_label("Scan Card ID").first.check()
    box = page.get_by_role("textbox", name="Scan Card ID")
    box.click()
    expect(box).to_be_focused()
    type_as_scanner(page, code)
    result = page.locator("#results > li").first
    expect(result).to_contain_text(code)
    expect(result.locator(".result")).not_to_have_class(re.compile("result--sending"))
    return result


def columns(client: Client) -> dict:
    client = Client.objects.get(pk=client.pk)
    return {field.attname: getattr(client, field.attname) for field in Client._meta.concrete_fields}


def add_bar(page, client, scope_label: str, choose, reason: str, begin: date) -> None:
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Add bar").click()
    expect(page.get_by_role("heading", name=f"Add bar: {client.full_name}")).to_be_visible()
    page.get_by_label(scope_label).check()
    choose(page)
    page.get_by_label("Begin date").fill(begin.isoformat())
    page.get_by_label("Reason").fill(reason)
    page.get_by_label("Decided by").fill("Sam Boss, shelter manager")
    assert_accessible(page)
    page.get_by_role("button", name="Add bar").click()
    expect(page.get_by_text("Bar added")).to_be_visible()


def test_supervisor_bars_alerts_and_the_desk(agency, new_page):
    today = timezone.localdate()
    rosa = enrolled(agency, "Rosa", "Diaz", "BARS1001")
    tom = enrolled(agency, "Tom", "Reed", "BARS1002")
    boss = new_page()
    sign_in(boss, "boss", f.PASSWORD)

    add_bar(
        boss,
        rosa,
        "A program",
        lambda page: page.get_by_label("Program", exact=True).select_option(label="Day Shelter"),
        "Fighting in the dining room",
        begin=today - timedelta(days=7),
    )
    add_bar(
        boss,
        tom,
        "A service code",
        lambda page: page.get_by_label("Service code", exact=True).select_option(label="Shower"),
        "Flooded the shower room",
        begin=today,
    )
    boss.get_by_role("link", name="Add alert").click()
    boss.get_by_label("Alert", exact=True).fill("Allergic to peanuts – check lunch")
    boss.get_by_label("Priority").select_option(label="High")
    assert_accessible(boss)
    boss.get_by_role("button", name="Save alert").click()
    expect(boss.get_by_text("Alert saved.")).to_be_visible()
    screenshot(boss, "supervisor-profile-bar-alert-1280x800")

    desk = new_page()
    sign_in(desk, "jdoe", f.PASSWORD)
    desk.goto(f"/batches/{agency['batch'].pk}/add/")
    refused = scan(desk, "BARS1001")
    expect(refused).to_contain_text("Not added")
    expect(refused).to_contain_text(
        "ERROR: Client is barred from program Day Shelter indefinitely. "
        "Reason: Fighting in the dining room"
    )
    given = scan(desk, "BARS1002")
    expect(given).to_contain_text("Posted")
    expect(given).to_contain_text(
        "Shower withheld: client is barred from service Shower indefinitely. "
        "Reason: Flooded the shower room"
    )
    expect(given).to_contain_text("High priority alert: Allergic to peanuts – check lunch")
    screenshot(desk, "desk-bar-shower-withheld-alert-1280x800")
    assert_accessible(desk)
    assert list(
        Service.objects.filter(client=tom).values_list("service_code__name", flat=True)
    ) == ["Day Shelter visit"]
    assert not BatchEntry.objects.filter(client=rosa).exists()

    boss.goto("/clients/bars/")
    expect(boss.get_by_role("cell", name="program Day Shelter")).to_be_visible()
    assert_accessible(boss)
    boss.get_by_role("link", name="End bar of Diaz, Rosa").click()
    boss.get_by_label("Last day of the bar").fill((today - timedelta(days=1)).isoformat())
    boss.get_by_label("Why it ends").fill("Apologised; reviewed by the manager")
    assert_accessible(boss)
    boss.get_by_role("button", name="End bar").click()
    expect(boss.get_by_text("Bar ended.")).to_be_visible()
    assert Bar.objects.get(client=rosa).end_date == today - timedelta(days=1)

    boss.goto(f"/clients/{rosa.pk}/")
    boss.get_by_role("link", name="Record release").click()
    boss.get_by_label("Do not share").check()
    assert_accessible(boss)
    boss.get_by_role("button", name="Record release").click()
    expect(boss.get_by_text("Release of information recorded.")).to_be_visible()
    expect(boss.locator("#releases")).to_contain_text("Do not share")

    desk.goto(f"/batches/{agency['batch'].pk}/add/")
    added = scan(desk, "BARS1001")
    expect(added).to_contain_text("Posted")
    expect(added).to_contain_text("Rosa Diaz")
    assert BatchEntry.objects.filter(client=rosa).exists()


def test_supervisor_merges_two_records_and_undoes_the_merge(agency, new_page):
    keep = enrolled(agency, "Ana", "Cruz", "DUPE0002", dob=date(1985, 2, 3))
    old = enrolled(agency, "Ana", "Cruz", "DUPE0001", dob=date(1985, 2, 3), preferred_name="Annie")
    before = (columns(keep), columns(old))
    boss = new_page()
    sign_in(boss, "boss", f.PASSWORD)
    boss.goto("/clients/duplicates/")
    expect(boss.get_by_role("heading", name="Possible duplicates")).to_be_visible()
    assert_accessible(boss)
    boss.get_by_role("link", name="Merge Cruz, Ana into Cruz, Ana").click()
    expect(boss.get_by_role("heading", name=f"Merge Client ID {old.pk} into Client ID {keep.pk}"))
    boss.get_by_label(f"Client ID {old.pk}: Annie").check()
    assert_accessible(boss)
    screenshot(boss, "merge-compare-1280x800")
    boss.get_by_role("button", name="Merge").click()
    expect(boss.get_by_text(f"Client ID {old.pk} merged into Client ID {keep.pk}.")).to_be_visible()
    assert Client.objects.get(pk=keep.pk).preferred_name == "Annie"

    desk = new_page()
    sign_in(desk, "jdoe", f.PASSWORD)
    desk.goto(f"/batches/{agency['batch'].pk}/add/")
    result = scan(desk, "DUPE0001")
    expect(result).to_contain_text("Posted")
    expect(result).to_contain_text(f"This card was merged into Client ID {keep.pk}.")
    assert BatchEntry.objects.get(batch=agency["batch"]).client_id == keep.pk

    boss.goto(f"/clients/{keep.pk}/")
    boss.get_by_role("button", name="Undo merge").click()
    expect(boss.get_by_text("Merge undone")).to_be_visible()
    assert_accessible(boss)
    after = (columns(keep), columns(old))
    for was, now in zip(before, after, strict=True):
        for field, value in was.items():
            assert now[field] == value, f"{field}: {now[field]!r} != {value!r}"
