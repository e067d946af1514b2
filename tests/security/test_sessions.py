"""Sessions: idle timeout, absolute limit, one active session per user."""

from django.contrib.sessions.models import Session
from django.test import Client as WebClient

from hmis.audit.models import AuditAction, AuditEvent
from tests.two_factor import sign_in_with_code

PAGE = "/audit/export.csv"  # any page the agency admin may open; plain CSV, no page template


def sign_in(web, user):
    """Sign in through the pages, password and authenticator code (an agency administrator)."""
    response = sign_in_with_code(web, user)
    assert response.status_code == 302
    return web


def test_session_survives_activity_within_the_idle_timeout(client, agency_admin_a, time_machine):
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    sign_in(client, agency_admin_a)
    for minute in (20, 40, 60, 80):  # never 30 minutes idle
        time_machine.move_to(f"2025-03-03 {9 + minute // 60:02d}:{minute % 60:02d}:00+00:00")
        assert client.get(PAGE).status_code == 200


def test_session_ends_after_thirty_idle_minutes(client, agency_admin_a, time_machine):
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    sign_in(client, agency_admin_a)
    time_machine.move_to("2025-03-03 09:31:00+00:00", tick=False)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    event = AuditEvent.objects.filter(action=AuditAction.LOGOUT).get()
    assert event.message == "Session ended after 30 idle minutes"
    assert Session.objects.count() == 0


def test_background_refreshes_do_not_keep_an_idle_session_alive(
    client, agency_admin_a, time_machine
):
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    sign_in(client, agency_admin_a)
    for minute in (10, 20, 29):  # the page polling on its own, nobody at the keyboard
        time_machine.move_to(f"2025-03-03 09:{minute:02d}:00+00:00", tick=False)
        assert client.get(PAGE, headers={"X-HMIS-Background": "1"}).status_code == 200
    time_machine.move_to("2025-03-03 09:31:00+00:00", tick=False)
    assert client.get(PAGE, headers={"X-HMIS-Background": "1"}).status_code == 302


def test_idle_timeout_is_configurable(client, agency_admin_a, time_machine, settings):
    settings.HMIS_SESSION_IDLE_SECONDS = 5 * 60
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    sign_in(client, agency_admin_a)
    time_machine.move_to("2025-03-03 09:06:00+00:00", tick=False)
    assert client.get(PAGE).status_code == 302


def test_session_ends_after_twelve_hours_however_busy(client, agency_admin_a, time_machine):
    time_machine.move_to("2025-03-03 06:00:00+00:00", tick=False)
    sign_in(client, agency_admin_a)
    for hour in range(6, 18):
        for minute in (0, 20, 40):
            time_machine.move_to(f"2025-03-03 {hour:02d}:{minute:02d}:00+00:00", tick=False)
            assert client.get(PAGE).status_code == 200
    time_machine.move_to("2025-03-03 18:00:01+00:00", tick=False)
    assert client.get(PAGE).status_code == 302


def test_expired_htmx_request_is_sent_to_the_sign_in_page(client, agency_admin_a, time_machine):
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    sign_in(client, agency_admin_a)
    time_machine.move_to("2025-03-03 10:00:00+00:00", tick=False)
    response = client.get(PAGE, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_htmx_request_without_a_session_is_sent_to_sign_in_and_back_to_its_page(db, client):
    """Not a redirect the request would follow: it would fetch the sign-in page into a fragment
    (and use up the message saying why the session ended)."""
    response = client.get(
        PAGE, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/batches/3/add/?x=1"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/batches/3/add/%3Fx%3D1"
    assert client.get(PAGE).status_code == 302  # a page's own request: the usual redirect


def test_new_sign_in_ends_the_older_session(agency_admin_a):
    first = sign_in(WebClient(), agency_admin_a)
    assert first.get(PAGE).status_code == 200
    second = sign_in(WebClient(), agency_admin_a)
    assert second.get(PAGE).status_code == 200
    assert first.get(PAGE).status_code == 302
    assert Session.objects.count() == 1
    assert second.get(PAGE).status_code == 200


def test_session_cookie_is_http_only_and_ends_with_the_browser(client, agency_admin_a):
    sign_in(client, agency_admin_a)
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"]  # a browser-session cookie
