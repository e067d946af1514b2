"""Playwright for Python (sync API) driving Debian's Chromium against pytest-django's live server.

Without /usr/bin/chromium the browser tests are skipped with a plain reason, unless
HMIS_REQUIRE_BROWSER=1 (CI), where they fail instead.
"""

import os
import time
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
SCANNER_KEY_GAP = 0.005  # seconds between a scanner's key presses
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


def scan(page, code: str, end: str = "Enter") -> None:
    """Type like a keyboard-wedge scanner: a key every few ms, then Enter (or Tab).

    Each key event carries the time the scanner pressed it, as the operating system stamps a
    real key press, so a test machine too busy to deliver the keys promptly does not turn a
    scan into slow typing (page.keyboard.type stamps a key when it is delivered)."""
    session = getattr(page, "scanner_session", None)
    if session is None:
        session = page.scanner_session = page.context.new_cdp_session(page)
    pressed = time.time()
    for n, key in enumerate([*code, end]):
        at = pressed + n * SCANNER_KEY_GAP
        special = {"Enter": (13, "\r"), "Tab": (9, None)}.get(key)
        if special:
            vk, text = special
            code_name = key
        else:
            vk = ord(key.upper())
            text = key
            code_name = f"Digit{key}" if key.isdigit() else f"Key{key.upper()}"
        down = {
            "type": "keyDown" if text else "rawKeyDown",
            "key": key,
            "code": code_name,
            "windowsVirtualKeyCode": vk,
            "timestamp": at,
        }
        if text:
            down["text"] = text
            down["unmodifiedText"] = text
        session.send("Input.dispatchKeyEvent", down)
        session.send(
            "Input.dispatchKeyEvent",
            {
                "type": "keyUp",
                "key": key,
                "code": code_name,
                "windowsVirtualKeyCode": vk,
                "timestamp": at + 0.001,
            },
        )
