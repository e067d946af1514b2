"""Two-factor sign-in in the browser: an administrator is required to set it up (secret read from
the page, code computed here with the TOTP algorithm), signs in with a computed code, and a
recovery code works once."""

import time

import pytest

from hmis.accounts.models import Role
from tests import factories as f
from tests.browser.conftest import PHONE, assert_accessible, screenshot
from tests.two_factor import totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enter_password(page, username: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")


def test_administrator_sets_up_two_factor_then_signs_in_with_codes(new_page):
    org = f.make_organization("Harbor Light Center")
    f.make_user(org, Role.AGENCY_ADMIN, username="boss", first_name="Bo", last_name="Ss")
    page = new_page()

    enter_password(page, "boss")
    page.wait_for_url("**/accounts/two-factor/set-up/")
    assert page.get_by_role("heading", name="Set up two-factor sign-in").is_visible()
    assert page.get_by_role("img", name="QR code holding the secret key for boss").is_visible()
    assert_accessible(page)
    screenshot(page, "two-factor-set-up")

    # Anything else is refused until the set-up is done.
    page.goto("/audit/")
    assert "/accounts/login/" in page.url

    enter_password(page, "boss")
    secret = page.locator("#two-factor-secret").inner_text()
    page.get_by_label("Code from the app").fill("000000" if totp(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    error = page.locator(".field--error .errorlist")
    assert "That code is not right" in error.inner_text()
    assert page.locator("#two-factor-secret").inner_text() == secret
    assert_accessible(page)

    time.sleep(1.1)  # django-otp asks a second's wait after a wrong code
    page.get_by_label("Code from the app").fill(totp(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    screenshot(page, "two-factor-recovery-codes")
    page.get_by_role("link", name="I have saved my recovery codes: continue").click()
    page.goto("/audit/")
    assert page.get_by_role("heading", name="Audit trail").is_visible()
    sign_out(page)

    # Next sign-in: password, then a code (the next 30-second step: the last one was used).
    enter_password(page, "boss")
    page.wait_for_url("**/accounts/two-factor/code/")
    assert_accessible(page)
    screenshot(page, "two-factor-code")
    page.get_by_label("Authentication code").fill(totp(secret, at=time.time() + 30))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    sign_out(page)

    # A recovery code works once...
    enter_password(page, "boss")
    page.get_by_label("Authentication code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/")
    assert page.get_by_role("button", name="Sign out").is_visible()
    sign_out(page)

    # ...and is refused the second time.
    enter_password(page, "boss")
    page.get_by_label("Authentication code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    assert "That code is not right" in page.locator(".field--error .errorlist").inner_text()
    assert "/accounts/two-factor/code/" in page.url
    assert page.locator(".nav-user").count() == 0  # not signed in


def test_two_factor_pages_fit_a_phone(new_page):
    org = f.make_organization("Harbor Light Center")
    f.make_user(org, Role.SYSTEM_ADMIN, username="root")
    page = new_page(PHONE)
    enter_password(page, "root")
    page.wait_for_url("**/accounts/two-factor/set-up/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert_accessible(page)
    screenshot(page, "two-factor-set-up-phone")


def test_while_a_stranger_locks_the_address_the_administrator_signs_in_with_password_and_code(
    new_page, settings
):
    """Finding 8 in the browser: the live server sees every browser at 127.0.0.1, like a shelter's
    shared address. A stranger's failures lock it; password and code together still get in."""
    from django.test import Client as WebClient

    from tests.two_factor import give_two_factor, next_code

    settings.HMIS_LOGIN_SLOWDOWN_AFTER = 100  # no waits: reach the lock at once
    admin = f.make_user(None, Role.SYSTEM_ADMIN, username="root")
    device = give_two_factor(admin)
    stranger = WebClient()
    for _ in range(10):
        stranger.post(
            "/accounts/login/", {"username": "root", "password": "guess"}, REMOTE_ADDR="127.0.0.1"
        )

    page = new_page()
    enter_password(page, "root")
    assert "Sign-in is locked for 15 minutes" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    screenshot(page, "sign-in-locked")
    page.get_by_label("Password").fill(f.PASSWORD)
    page.get_by_label("Authentication code").fill(next_code(device))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    assert page.get_by_role("button", name="Sign out").is_visible()
