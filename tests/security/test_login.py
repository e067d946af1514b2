"""Sign-in: lockout after ten failures (per account and per address), audited; deactivated
accounts refused; sign-out deletes the session on the server."""

import pytest
from django.test import Client as WebClient
from django.urls import reverse

from hmis.accounts.models import SignInThrottle
from hmis.accounts.signin import locked_message
from hmis.audit.models import AuditAction, AuditEvent
from tests import factories as f

LOGIN = "/accounts/login/"


def sign_in(web, username, password, address="10.0.0.1"):
    return web.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_correct_password_signs_in_and_is_audited(client, staff_a):
    response = sign_in(client, "staff_a", f.PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_a.pk)
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.actor == staff_a
    assert event.ip_address == "10.0.0.1"


def test_wrong_password_is_refused_with_a_generic_message_and_audited(client, staff_a):
    response = sign_in(client, "staff_a", "not-the-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert b"Please enter a correct username and password" in response.content
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.actor == staff_a
    assert event.organization_id == staff_a.organization_id


def test_eleventh_sign_in_after_ten_failures_is_locked_out_and_audited(client, staff_a):
    for _ in range(9):
        assert sign_in(client, "staff_a", "wrong-password").status_code == 200
    assert not AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists()

    tenth = sign_in(client, "staff_a", "wrong-password")
    assert tenth.status_code == 429
    assert locked_message().encode() in tenth.content
    lockout = AuditEvent.objects.get(action=AuditAction.LOCKOUT)
    assert lockout.actor == staff_a
    assert "10 failed sign-ins" in lockout.message

    # The 11th attempt, even with the right password, is refused and audited.
    eleventh = sign_in(client, "staff_a", f.PASSWORD)
    assert eleventh.status_code == 429
    assert locked_message().encode() in eleventh.content
    assert "_auth_user_id" not in client.session
    refused = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("-id").first()
    assert refused.message == "Sign-in refused: account locked"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 11


def test_lock_is_kept_in_the_database_for_every_app_server(client, staff_a):
    for _ in range(10):
        sign_in(client, "staff_a", "wrong-password")
    throttle = SignInThrottle.objects.get(key="user:staff_a")
    assert throttle.locked_until is not None
    # Another server (another test client, another address) sees the same lock.
    other_server = WebClient()
    assert sign_in(other_server, "STAFF_A", f.PASSWORD, address="10.9.9.9").status_code == 429


def test_lock_ends_after_fifteen_minutes(client, staff_a, time_machine):
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    for _ in range(10):
        sign_in(client, "staff_a", "wrong-password")
    time_machine.move_to("2025-03-03 09:14:00+00:00", tick=False)
    assert sign_in(client, "staff_a", f.PASSWORD).status_code == 429
    time_machine.move_to("2025-03-03 09:15:30+00:00", tick=False)
    assert sign_in(client, "staff_a", f.PASSWORD).status_code == 302


def test_successful_sign_in_resets_the_failure_count(client, staff_a):
    for _ in range(9):
        sign_in(client, "staff_a", "wrong-password")
    assert sign_in(client, "staff_a", f.PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(9):
        assert sign_in(client, "staff_a", "wrong-password").status_code == 200


def test_unknown_user_names_are_counted_and_locked_too(client, db):
    for _ in range(10):
        sign_in(client, "nobody-here", "guess")
    assert sign_in(client, "nobody-here", "guess").status_code == 429
    event = AuditEvent.objects.filter(action=AuditAction.LOCKOUT).get()
    assert event.actor is None
    assert "(unknown user name)" in event.message


def test_one_address_guessing_many_accounts_is_locked(client, org_a, settings):
    settings.HMIS_LOGIN_MAX_FAILURES_PER_ADDRESS = 5
    victim = f.make_user(org_a, username="victim")
    for n in range(5):
        sign_in(client, f"guess{n}", "wrong", address="203.0.113.7")
    assert AuditEvent.objects.filter(
        action=AuditAction.LOCKOUT, message__contains="Address 203.0.113.7 locked"
    ).exists()
    # Even a correct password from that address waits out the lock...
    assert sign_in(client, victim.username, f.PASSWORD, address="203.0.113.7").status_code == 429
    # ...while the account itself is not locked for other addresses.
    assert (
        sign_in(WebClient(), victim.username, f.PASSWORD, address="198.51.100.2").status_code == 302
    )


def test_deactivated_user_cannot_sign_in(client, staff_a):
    staff_a.is_active = False
    staff_a.save(update_fields=["is_active"])
    response = sign_in(client, "staff_a", f.PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_deactivating_a_user_ends_their_open_session(client, staff_a):
    client.force_login(staff_a)
    staff_a.is_active = False
    staff_a.save(update_fields=["is_active"])
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_sign_in_redirects_only_to_this_site(client, staff_a):
    response = client.post(
        f"{LOGIN}?next=https://evil.example/", {"username": "staff_a", "password": f.PASSWORD}
    )
    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_replayed_session_cookie_after_logout_is_refused(client, agency_admin_a):
    sign_in(client, "admin_a", f.PASSWORD)
    cookie = client.cookies["sessionid"].value
    assert client.get("/audit/export.csv").status_code == 200

    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=agency_admin_a).exists()

    replay = WebClient()
    replay.cookies["sessionid"] = cookie
    response = replay.get("/audit/export.csv")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_logout_needs_a_post(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("path", [LOGIN])
def test_login_page_is_not_cached(client, db, path):
    response = client.get(path)
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_unlock_command_lifts_the_lock_and_is_audited(client, staff_a):
    from io import StringIO

    from django.core.management import call_command

    for _ in range(10):
        sign_in(client, "staff_a", "wrong-password")
    out = StringIO()
    call_command("unlock_sign_in", "--user", "staff_a", stdout=out)
    assert "Unlocked" in out.getvalue()
    assert sign_in(client, "staff_a", f.PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(message__startswith="Sign-in unlocked").exists()


def test_stale_failure_counts_are_forgotten(client, staff_a, time_machine):
    time_machine.move_to("2025-03-01 09:00:00+00:00", tick=False)
    sign_in(client, "someone-else", "guess")
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    sign_in(client, "staff_a", f.PASSWORD)
    assert not SignInThrottle.objects.filter(key="user:someone-else").exists()
