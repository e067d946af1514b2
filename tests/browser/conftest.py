"""Playwright for Python (sync API) driving Debian's Chromium against pytest-django's live server.

Without /usr/bin/chromium the browser tests are skipped with a plain reason, unless
HMIS_REQUIRE_BROWSER=1 (CI), where they fail instead.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls from
# the test body (building data, checking rows) as "async-unsafe". They are plain sync calls here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        reason = f"Chromium is not installed at {CHROMIUM}"
        if os.environ.get("HMIS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} and HMIS_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server, settings, tmp_path):
    """Open pages at a viewport: `new_page()` (1280x800) or `new_page(PHONE)`."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    contexts = []

    def open_page(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        return page

    yield open_page
    for context in contexts:
        context.close()


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the page; for an account with (or needing) two-factor sign-in, go on with
    a code computed from its authenticator app's secret (set up first when needed)."""
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/two-factor/code/" in page.url:
        from hmis.accounts.models import User
        from tests.two_factor import next_code

        device = User.objects.get(username=username).totpdevice_set.get(confirmed=True)
        page.get_by_label("Authentication code").fill(next_code(device))
        page.get_by_role("button", name="Verify").click()
    elif "/accounts/two-factor/set-up/" in page.url:
        from tests.two_factor import totp

        secret = page.locator("#two-factor-secret").inner_text()
        page.get_by_label("Code from the app").fill(totp(secret))
        page.get_by_role("button", name="Turn on two-factor sign-in").click()
        page.get_by_role("link", name="I have saved my recovery codes: continue").click()
    page.wait_for_load_state()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def assert_accessible(page) -> None:
    """Run axe-core (bundled by axe-playwright-python, nothing downloaded) on the page as it is
    now, and fail on any serious or critical violation, naming the rule and the elements."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    severe = [
        violation
        for violation in results.response["violations"]
        if violation.get("impact") in ("serious", "critical")
    ]
    details = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in severe
    ]
    assert not severe, f"Accessibility violations on {page.url}:\n" + "\n".join(details)
