"""The desk never drops a scan: scanner input wherever focus is, offline scans that survive a
reload and a browser restart, sessions, kiosk mode and undo, in Chromium, typed as a scanner types.
"""

import random
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hmis.batches.models import BatchEntry, EntryStatus
from hmis.services.models import ServiceGroup
from tests import factories as f
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scan(page, code: str, end: str = "Enter") -> None:
    """Type like a keyboard-wedge scanner: a few ms per character, then Enter (or Tab)."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press(end)


def results(page):
    return page.locator("#results > li")


def wait_until_all_sent(page, count: int, timeout: int = 60_000) -> None:
    expect(results(page)).to_have_count(count, timeout=timeout)
    expect(page.locator("#results .result--sending")).to_have_count(0, timeout=timeout)


@pytest.fixture
def agency(db):
    org = f.make_organization("Hope Center")
    staff = f.make_user(org, username="jdoe", first_name="Jane", last_name="Doe")
    shelter = f.make_project(org, "Day Shelter")
    group = ServiceGroup.objects.create(name="Day Shelter services", organization=org)
    visit = f.make_code("Day Shelter – Homeless Drop-In Centers", group=group)
    meal = f.make_code("Meal", group=group)
    batch = f.make_batch(
        shelter, codes=[(visit, 1), (meal, 2)], performing_user=staff, description="Drop-in"
    )
    return {"org": org, "staff": staff, "shelter": shelter, "batch": batch}


def card_holders(agency, count: int, prefix: str = "7K"):
    """Enrolled clients with cards whose codes start with a digit (so a stray first key would
    change a date field) and end in letters."""
    codes = []
    for n in range(count):
        client = f.make_client(f"Guest{n}", f"Visitor{n}", organization=agency["org"])
        f.enroll(client, agency["shelter"], entry_date=date(2024, 1, 1))
        code = f"{n % 10}{prefix}{n:04d}QX"
        f.issue_card(client, code=code)
        codes.append((code, client))
    return codes


def open_desk(page, agency, username="jdoe"):
    sign_in(page, username, f.PASSWORD)
    page.goto(f"/batches/{agency['batch'].pk}/add/")
    expect(page.get_by_role("heading", name="Add Clients to Batch")).to_be_visible()


def desk_state(page) -> dict:
    return {
        "batch_date": page.get_by_label("Batch Date").input_value(),
        "date_provided": page.get_by_label("Date Service Provided").input_value(),
        "sound": page.locator("[data-sound-toggle]").get_attribute("aria-pressed"),
        "post_result": page.locator("#post-result").inner_text(),
    }


@pytest.mark.parametrize("end", ["Enter", "Tab"])
def test_a_scan_after_a_click_on_each_button_and_date_field_is_recorded_and_nothing_else_changes(
    agency, new_page, end
):
    holders = card_holders(agency, 7)
    page = new_page()
    open_desk(page, agency)
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Date Service Provided").fill(yesterday.isoformat())
    expect(page).to_have_url(re.compile(f"date_provided={yesterday.isoformat()}"))
    page.locator("#scan-card").focus()
    scan(page, holders[0][0], end)
    wait_until_all_sent(page, 1)

    targets = [
        ("Post Services", lambda: page.get_by_role("button", name="Post Services").click()),
        ("Sound", lambda: page.get_by_role("button", name="Sound: on").click()),
        ("Remove", lambda: page.get_by_role("button", name="Remove").first.focus()),
        ("Batch Date", lambda: page.get_by_label("Batch Date").click()),
        ("Date Service Provided", lambda: page.get_by_label("Date Service Provided").click()),
        ("page background", lambda: page.mouse.click(640, 780)),
    ]
    for n, (name, act) in enumerate(targets, start=1):
        act()
        page.wait_for_timeout(300)  # any request the click made has settled
        before = desk_state(page)
        focused = page.evaluate("document.activeElement && document.activeElement.outerHTML")
        scan(page, holders[n][0], end)
        wait_until_all_sent(page, n + 1)
        expect(results(page).first).to_contain_text("Added", timeout=10_000)
        assert desk_state(page) == before, f"after a click on {name}"
        assert page.evaluate("document.activeElement && document.activeElement.outerHTML") in (
            focused,
            page.locator("#scan-card").evaluate("e => e.outerHTML"),
        ), name
        entry = BatchEntry.objects.get(batch=agency["batch"], client=holders[n][1])
        assert entry.date_provided == yesterday, name
        assert entry.status == EntryStatus.PENDING, f"{name}: the scan's {end} posted"

    assert BatchEntry.objects.filter(batch=agency["batch"]).live().count() == 7
    assert page.locator("#scan-card").input_value() == ""
    assert page.js_errors == []


def test_two_hundred_scans_with_focus_moved_at_random_give_exactly_two_hundred_results(
    agency, new_page
):
    holders = card_holders(agency, 200)
    page = new_page()
    open_desk(page, agency)
    before = desk_state(page)
    chooser = random.Random(13)
    moves = [
        lambda: page.locator("#scan-card").focus(),
        lambda: page.get_by_role("button", name="Post Services").focus(),
        lambda: page.locator("[data-sound-toggle]").focus(),
        lambda: page.get_by_label("Batch Date").click(),
        lambda: page.get_by_label("Date Service Provided").click(),
        lambda: page.get_by_label("Scan Card ID").first.focus(),
        lambda: page.mouse.click(640, 790),
    ]
    for n, (code, _) in enumerate(holders):
        chooser.choice(moves)()
        scan(page, code, chooser.choice(["Enter", "Enter", "Tab"]))
        if n % 50 == 49:
            wait_until_all_sent(page, n + 1, timeout=120_000)
    wait_until_all_sent(page, 200, timeout=120_000)
    expect(page.locator("#results .result--ok")).to_have_count(200)
    entries = BatchEntry.objects.filter(batch=agency["batch"]).live()
    assert entries.count() == 200
    assert set(entries.values_list("client_id", flat=True)) == {c.pk for _, c in holders}
    assert set(entries.values_list("date_provided", flat=True)) == {timezone.localdate()}
    after = desk_state(page)
    assert after == before
    expect(page.locator("#scan-count")).to_contain_text("200")
    assert page.js_errors == []
