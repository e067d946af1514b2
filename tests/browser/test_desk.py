"""The desk never drops a scan: scanner input wherever focus is, offline scans that survive a
reload and a browser restart, sessions, kiosk mode and undo, in Chromium, typed as a scanner types.
"""

import random
import re
from datetime import date, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import expect

from hmis.accounts.models import Role
from hmis.accounts.sessions import LAST_SEEN_AT
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.services.models import Service, ServiceGroup
from tests import factories as f
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    assert_accessible,
    scan,
    screenshot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


FOCUSED = """(() => { const e = document.activeElement;
  return e.tagName + (e.id ? "#" + e.id : "") + (e.tagName === "BUTTON" ? ":" + e.textContent : "");
})()"""


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
        (
            "page background",
            lambda: page.get_by_role("heading", name="Add Clients to Batch").click(),
        ),
    ]
    for n, (name, act) in enumerate(targets, start=1):
        act()
        page.wait_for_timeout(300)  # any request the click made has settled
        before = desk_state(page)
        focused = page.evaluate(FOCUSED)
        scan(page, holders[n][0], end)
        wait_until_all_sent(page, n + 1)
        expect(results(page).first).to_contain_text("Added", timeout=10_000)
        assert desk_state(page) == before, f"after a click on {name}"
        # Focus stays where it was (or, from the page background, returns to the scan box).
        assert page.evaluate(FOCUSED) in (focused, "INPUT#scan-card"), name
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
        lambda: page.get_by_role("heading", name="Add Clients to Batch").click(),
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


def desk_path(agency, day):
    return f"/batches/{agency['batch'].pk}/add/?batch_date={day}&date_provided={day}&type=card"


def launch_device(browser, profile, live_server):
    """A browser with a profile on disk: closing and launching again is a browser restart with
    the same storage (IndexedDB, the service worker and its cache)."""
    context = browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        base_url=live_server.url,
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(15_000)
    return context


def test_offline_scans_survive_a_reload_and_a_restart_and_are_sent_once_in_order(
    agency, browser, live_server, tmp_path, monkeypatch
):
    holders = card_holders(agency, 20)
    profile = tmp_path / "profile"
    today = timezone.localdate().isoformat()
    device = launch_device(browser, profile, live_server)
    page = device.pages[0] if device.pages else device.new_page()

    from hmis.batches import views

    reachable = views.add_to_batch

    def go_offline(context):
        # Chromium's offline emulation does not hold for a document reloaded through the
        # service worker (navigator.onLine says true and a request can go out): for the
        # outage, the server cannot record a scan either, as a real lost connection would
        # keep it from doing. The desk must keep every scan and send it again later.
        def unreachable(**kwargs):
            raise ConnectionError("the test's network outage")

        monkeypatch.setattr(views, "add_to_batch", unreachable)
        context.set_offline(True)

    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(desk_path(agency, today))
    page.wait_for_function(
        "navigator.serviceWorker && navigator.serviceWorker.controller !== null"
        " || (location.reload(), false)",
        timeout=20_000,
        polling=2000,
    )
    expect(page.get_by_role("heading", name="Add Clients to Batch")).to_be_visible()

    go_offline(device)
    for code, _ in holders[:10]:
        scan(page, code)
    banner = page.locator("#offline-banner")
    expect(banner).to_contain_text("Offline: 10 scans waiting")
    page.get_by_role("button", name="Post Services").click()
    expect(page.locator("#post-result")).to_contain_text(
        "Post Services will be possible when the connection is back"
    )
    assert_accessible(page)
    screenshot(page, "desk-offline-1280x800")

    page.reload()  # offline: the service worker serves the desk
    expect(page.get_by_role("heading", name="Add Clients to Batch")).to_be_visible()
    expect(banner).to_contain_text("Offline: 10 scans waiting")
    for code, _ in holders[10:]:
        scan(page, code)
    expect(banner).to_contain_text("Offline: 20 scans waiting")
    assert not BatchEntry.objects.exists()
    device.close()

    device = launch_device(browser, profile, live_server)  # the browser restarted
    device.set_offline(True)
    page = device.pages[0] if device.pages else device.new_page()
    page.goto(desk_path(agency, today))
    expect(page.locator("#offline-banner")).to_contain_text("Offline: 20 scans waiting")
    monkeypatch.setattr(views, "add_to_batch", reachable)  # the network is back
    device.set_offline(False)
    # The session may not survive the restart: then the desk asks to sign in and comes back.
    page.wait_for_url(re.compile(r"/(login|batches)/"), timeout=20_000)
    expect(page.locator("#results .result--ok, #id_username").first).to_be_visible(timeout=30_000)
    if page.locator("#id_username").count():
        sign_in_here(page, "jdoe")
    wait_until_all_sent(page, 20)
    expect(page.locator("#results .result--ok")).to_have_count(20)
    entries = BatchEntry.objects.filter(batch=agency["batch"])
    assert entries.count() == 20
    assert sorted(entries.values_list("client_id", flat=True)) == sorted(c.pk for _, c in holders)
    # Sent in the order scanned.
    assert list(entries.order_by("added_at", "pk").values_list("client_id", flat=True)) == [
        c.pk for _, c in holders
    ]
    device.close()


def sign_in_here(page, username):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_users_queued_scans_are_never_sent_under_another_users_session(agency, new_page):
    holders = card_holders(agency, 3)
    f.make_user(agency["org"], username="kim", first_name="Kim", last_name="Park")
    today = timezone.localdate().isoformat()
    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(desk_path(agency, today))
    page.context.set_offline(True)
    for code, _ in holders:
        scan(page, code)
    expect(page.locator("#offline-banner")).to_contain_text("Offline: 3 scans waiting")

    # Jane's session ends on this device; Kim signs in on it.
    page.context.clear_cookies()
    page.context.set_offline(False)
    expect(page.get_by_label("Username")).to_be_visible(timeout=30_000)
    sign_in_here(page, "kim")
    expect(page.get_by_role("heading", name="Add Clients to Batch")).to_be_visible()
    expect(page.locator("#held-scans")).to_contain_text(
        "3 scans made by another user on this device are held for them"
    )
    assert_accessible(page)
    page.wait_for_timeout(3000)
    assert not BatchEntry.objects.exists()

    # Jane signs in again on the device: her scans go, under her name.
    page.context.clear_cookies()
    page.goto("/")
    sign_in_here(page, "jdoe")
    page.goto(desk_path(agency, today))
    wait_until_all_sent(page, 3)
    assert BatchEntry.objects.count() == 3
    assert set(BatchEntry.objects.values_list("added_by__username", flat=True)) == {"jdoe"}


def test_idle_sign_out_says_why_and_signing_in_returns_to_the_same_desk_and_dates(agency, new_page):
    (code, client), *_ = card_holders(agency, 1)
    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    back = (timezone.localdate() - timedelta(days=2)).isoformat()
    page.goto(f"/batches/{agency['batch'].pk}/add/")
    page.get_by_label("Batch Date").fill(back)
    page.get_by_label("Date Service Provided").fill(back)
    expect(page).to_have_url(re.compile(f"date_provided={back}"))

    # 31 minutes pass without a person at the desk (the list's polling does not count).
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    session = SessionStore(session_key=cookie["value"])
    session[LAST_SEEN_AT] -= 31 * 60
    session.save()

    expect(page.get_by_label("Username")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Signed out after 30 idle minutes.")).to_be_visible()
    # A card scanned at the sign-in page is not typed into the form.
    page.get_by_label("Username").focus()
    scan(page, code)
    expect(page.locator("[data-scan-refused]")).to_contain_text("not recorded: sign in first")
    assert page.get_by_label("Username").input_value() == ""
    assert_accessible(page)
    screenshot(page, "sign-in-after-idle-1280x800")

    sign_in_here(page, "jdoe")
    expect(page.get_by_role("heading", name="Add Clients to Batch")).to_be_visible()
    expect(page.get_by_label("Batch Date")).to_have_value(back)
    expect(page.get_by_label("Date Service Provided")).to_have_value(back)
    scan(page, code)
    wait_until_all_sent(page, 1)
    assert BatchEntry.objects.get(client=client).date_provided.isoformat() == back


def test_kiosk_desk_shows_initials_keeps_today_and_undo_takes_back_a_scan(agency, new_page):
    holders = card_holders(agency, 2)
    station = f.make_user(agency["org"], Role.SCAN_STATION, username="station")
    agency["batch"].scan_stations.add(station)
    page = new_page()
    sign_in(page, "jdoe", f.PASSWORD)
    page.goto(f"/batches/{agency['batch'].pk}/add/")
    page.locator("#scan-card").focus()
    scan(page, holders[0][0])
    wait_until_all_sent(page, 1)
    assert_accessible(page)
    page.context.clear_cookies()

    page.goto("/")
    sign_in_here(page, "station")
    page.goto(f"/batches/{agency['batch'].pk}/add/")
    today = timezone.localdate().isoformat()
    for label in ("Batch Date", "Date Service Provided"):
        assert page.get_by_label(label).get_attribute("min") == today
        assert page.get_by_label(label).get_attribute("max") == today
    scan(page, holders[1][0])
    wait_until_all_sent(page, 1)
    entries = page.locator("#entries")
    expect(entries).to_contain_text("G. V.")
    expect(entries).not_to_contain_text("Visitor")
    expect(page.locator("#results")).not_to_contain_text("Visitor1")
    # Jane's entry cannot be removed from the kiosk; its own can.
    expect(entries.get_by_role("button", name=re.compile("^Remove"))).to_have_count(1)
    expect(page.locator("#scan-count")).to_contain_text("2")
    assert_accessible(page)
    screenshot(page, "desk-kiosk-1280x800")

    results(page).first.get_by_role("button", name="Undo").click()
    expect(results(page).first).to_contain_text("Undone: removed from the batch.")
    entry = BatchEntry.objects.get(client=holders[1][1])
    assert entry.status == EntryStatus.REMOVED
    assert BatchEntry.objects.get(client=holders[0][1]).status == EntryStatus.PENDING
    assert Service.objects.count() == 0
    assert page.js_errors == []


def test_a_scan_answered_database_busy_says_so_and_is_sent_again_and_recorded_once(
    agency, new_page
):
    # The server's 503 itself is tested against a really locked database (tests/
    # test_database_busy.py); here the desk's side: the first send of the scan is answered
    # 503 with Retry-After, as the server does when SQLite stays locked.
    ((code, client),) = card_holders(agency, 1)
    page = new_page()
    open_desk(page, agency)
    answered_busy = []

    def busy_once(route):
        if route.request.method == "POST" and not answered_busy:
            answered_busy.append(route.request.post_data)
            route.fulfill(status=503, headers={"Retry-After": "2"}, body="The database is busy")
        else:
            route.continue_()

    page.route("**/scan/", busy_once)
    page.locator("#scan-card").focus()
    scan(page, code)

    expect(results(page).first).to_contain_text("Database busy: not recorded yet")
    expect(results(page).first).to_contain_text("Added", timeout=20_000)
    assert len(answered_busy) == 1
    assert BatchEntry.objects.filter(batch=agency["batch"], client=client).count() == 1
    assert page.js_errors == []


@pytest.mark.parametrize("width", [1024, 1280, 1920])
def test_post_services_sits_in_the_upper_right_of_the_desk_at_every_width(agency, new_page, width):
    agency["batch"].description = "Drop-in lunch, showers, lockers and mail for the whole week"
    agency["batch"].save()
    page = new_page({"width": width, "height": 800})
    open_desk(page, agency)
    post = page.get_by_role("button", name="Post Services").bounding_box()
    title = page.get_by_role("heading", name="Add Clients to Batch").bounding_box()
    desk = page.locator("[data-desk]").bounding_box()
    scan_box = page.get_by_role("textbox", name="Scan Card ID").bounding_box()
    # Right: its right edge is the desk's right edge.
    assert abs((post["x"] + post["width"]) - (desk["x"] + desk["width"])) <= 2, (post, desk)
    assert post["x"] > desk["x"] + desk["width"] / 2
    # Upper: on the title's line, above the scan box, in view without scrolling.
    assert post["y"] < title["y"] + title["height"], (post, title)
    assert post["y"] + post["height"] < scan_box["y"]
    assert 0 <= post["y"] < 800
    screenshot(page, f"desk-{width}x800")
