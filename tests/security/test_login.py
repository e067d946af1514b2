"""Sign-in: failures slow down, then lock, one account from one address; a stranger cannot lock
the owner out (finding 8); locks audited; deactivated accounts refused; sign-out deletes the
session on the server."""

from io import StringIO

import pytest
from django.test import Client as WebClient
from django.urls import reverse

from hmis.accounts.models import Role, SignInThrottle
from hmis.accounts.signin import KNOWN_BROWSER_COOKIE, locked_message
from hmis.audit.models import AuditAction, AuditEvent
from tests import factories as f
from tests.two_factor import give_two_factor, next_code, sign_in_with_code

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


def fail(web, username, times, address="10.0.0.1", time_machine=None):
    """`times` wrong passwords, each after the wait the previous one asked for (a minute)."""
    responses = []
    for _ in range(times):
        if time_machine is not None:
            time_machine.shift(61)
        responses.append(sign_in(web, username, "wrong-password", address))
    return responses


@pytest.fixture
def clock(time_machine):
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    return time_machine


def test_after_three_failures_each_attempt_waits_longer_without_checking_the_password(
    client, staff_a, clock
):
    assert [r.status_code for r in fail(client, "staff_a", 3)] == [200, 200, 429]
    third = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count()
    assert third == 3

    # At once after the third failure: refused before the password is checked, even the right one.
    early = sign_in(client, "staff_a", f.PASSWORD)
    assert early.status_code == 429
    assert early["Retry-After"] == "1"
    assert b"Wait 1 seconds before trying again." in early.content
    assert "_auth_user_id" not in client.session
    refused = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("-id").first()
    assert refused.message == "Sign-in refused: account slowed down"

    # The waits double: 1, 2, 4, 8 seconds...
    clock.shift(1)
    assert sign_in(client, "staff_a", "wrong-password").status_code == 429
    assert sign_in(client, "staff_a", f.PASSWORD)["Retry-After"] == "2"
    clock.shift(2)
    sign_in(client, "staff_a", "wrong-password")
    assert sign_in(client, "staff_a", f.PASSWORD)["Retry-After"] == "4"
    clock.shift(4)
    assert sign_in(client, "staff_a", f.PASSWORD).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists()


def test_ten_failures_from_one_address_lock_that_address_out_of_the_account(client, staff_a, clock):
    fail(client, "staff_a", 9, time_machine=clock)
    assert not AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists()

    tenth = fail(client, "staff_a", 1, time_machine=clock)[0]
    assert tenth.status_code == 429
    assert locked_message().encode() in tenth.content
    assert tenth["Retry-After"] == str(15 * 60)
    lockout = AuditEvent.objects.get(action=AuditAction.LOCKOUT)
    assert lockout.actor == staff_a
    assert lockout.message == (
        "Account locked for address 10.0.0.1 for 15 minutes after 10 failed sign-ins"
    )

    # Even with the right password, this address waits out the lock (audited).
    clock.shift(61)
    eleventh = sign_in(client, "staff_a", f.PASSWORD)
    assert eleventh.status_code == 429
    assert locked_message().encode() in eleventh.content
    assert "_auth_user_id" not in client.session
    refused = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("-id").first()
    assert refused.message == "Sign-in refused: account locked"
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 11


def test_a_strangers_failures_elsewhere_do_not_lock_the_owner_out(client, staff_a, clock):
    """Finding 8: ten anonymous failures used to lock any account for 15 minutes."""
    fail(WebClient(), "staff_a", 10, address="203.0.113.66", time_machine=clock)
    assert sign_in(WebClient(), "staff_a", "wrong", address="203.0.113.66").status_code == 429

    response = sign_in(client, "staff_a", f.PASSWORD, address="10.0.0.1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_a.pk)


def test_a_stranger_cannot_lock_the_system_administrator_out(client, system_admin, clock):
    """Finding 8: the administrator's password and code get in during a stranger's attack."""
    device = give_two_factor(system_admin)
    fail(WebClient(), "sysadmin", 12, address="203.0.113.66", time_machine=clock)

    response = sign_in(client, "sysadmin", f.PASSWORD, address="10.0.0.1")
    assert response.status_code == 302
    assert response.url == reverse("two_factor_verify")
    signed_in = client.post(reverse("two_factor_verify"), {"code": next_code(device)})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(system_admin.pk)


def test_a_stranger_on_the_kiosks_address_cannot_lock_the_kiosk_out(client, org_a, batch, clock):
    """A scan station at a shelter shares the public address with everyone on its Wi-Fi. The
    kiosk's browser signed in before, so it is counted on its own."""
    kiosk = f.make_user(org_a, Role.SCAN_STATION, username="kiosk")
    shelter = "198.51.100.20"
    assert sign_in(client, "kiosk", f.PASSWORD, address=shelter).status_code == 302
    client.post(reverse("logout"))

    stranger = WebClient()
    fail(stranger, "kiosk", 10, address=shelter, time_machine=clock)
    assert sign_in(stranger, "kiosk", f.PASSWORD, address=shelter).status_code == 429

    clock.shift(61)
    response = sign_in(client, "kiosk", f.PASSWORD, address=shelter)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(kiosk.pk)


def test_the_known_browser_cookie_cannot_be_forged_or_borrowed(client, org_a, clock):
    f.make_user(org_a, username="kiosk")
    shelter = "198.51.100.20"
    fail(WebClient(), "kiosk", 10, address=shelter, time_machine=clock)

    forged = WebClient()
    forged.cookies[KNOWN_BROWSER_COOKIE] = "kiosk"
    assert sign_in(forged, "kiosk", f.PASSWORD, address=shelter).status_code == 429

    # A browser known for another account is a stranger to this one.
    other = f.make_user(org_a, username="other")
    assert sign_in(client, other.username, f.PASSWORD, address="10.0.0.1").status_code == 302
    client.post(reverse("logout"))
    assert sign_in(client, "kiosk", f.PASSWORD, address=shelter).status_code == 429


def test_while_locked_password_and_code_together_sign_an_account_with_two_factor_in(
    client, system_admin, clock
):
    device = give_two_factor(system_admin)
    shared = "198.51.100.20"
    fail(WebClient(), "sysadmin", 10, address=shared, time_machine=clock)
    clock.shift(61)

    locked = sign_in(client, "sysadmin", f.PASSWORD, address=shared)
    assert locked.status_code == 429
    assert b'name="code"' in locked.content

    wrong_code = client.post(
        LOGIN,
        {"username": "sysadmin", "password": f.PASSWORD, "code": "000000"},
        REMOTE_ADDR=shared,
    )
    wrong_password = client.post(
        LOGIN,
        {"username": "sysadmin", "password": "guess", "code": next_code(device)},
        REMOTE_ADDR=shared,
    )
    # Both mistakes look the same: the lock message, nothing about which half was wrong.
    assert wrong_code.status_code == wrong_password.status_code == 429
    assert locked_message().encode() in wrong_code.content
    assert locked_message().encode() in wrong_password.content
    assert "_auth_user_id" not in client.session

    clock.shift(2)  # django-otp's wait after the wrong code
    response = client.post(
        LOGIN,
        {"username": "sysadmin", "password": f.PASSWORD, "code": next_code(device)},
        REMOTE_ADDR=shared,
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(system_admin.pk)
    assert client.get("/audit/").status_code == 200  # verified: not sent to the code step


def test_a_strangers_guesses_never_reach_the_owners_code_throttle(client, system_admin, clock):
    """Codes are checked only after a correct password, so strangers cannot slow the owner's
    authenticator app down (django-otp throttles a device after wrong codes)."""
    device = give_two_factor(system_admin)
    shared = "198.51.100.20"
    fail(WebClient(), "sysadmin", 10, address=shared, time_machine=clock)
    for _ in range(5):
        client.post(
            LOGIN,
            {"username": "sysadmin", "password": "guess", "code": "123456"},
            REMOTE_ADDR=shared,
        )
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_many_addresses_guessing_one_account_lock_out_unknown_browsers_only(
    client, staff_a, settings, clock
):
    settings.HMIS_LOGIN_MAX_FAILURES_PER_ACCOUNT = 6
    assert sign_in(client, "staff_a", f.PASSWORD, address="10.0.0.1").status_code == 302
    client.post(reverse("logout"))
    for n in range(6):
        fail(WebClient(), "staff_a", 1, address=f"203.0.113.{n}", time_machine=clock)
    assert AuditEvent.objects.filter(
        action=AuditAction.LOCKOUT, message__startswith="Account locked for unknown browsers"
    ).exists()

    assert sign_in(WebClient(), "staff_a", f.PASSWORD, address="10.0.0.99").status_code == 429
    # The owner's own browser, known from its last sign-in, still gets in.
    assert sign_in(client, "staff_a", f.PASSWORD, address="10.0.0.99").status_code == 302


def test_lock_is_kept_in_the_database_for_every_app_server(client, staff_a, clock):
    fail(client, "staff_a", 10, time_machine=clock)
    throttle = SignInThrottle.objects.get(key="pair:staff_a|10.0.0.1")
    assert throttle.locked_until is not None
    # Another server (another test client) sees the same lock for that address and account.
    other_server = WebClient()
    assert sign_in(other_server, "STAFF_A", f.PASSWORD).status_code == 429


def test_lock_ends_after_fifteen_minutes(client, staff_a, clock):
    fail(client, "staff_a", 10, time_machine=clock)
    clock.shift(14 * 60)
    assert sign_in(client, "staff_a", f.PASSWORD).status_code == 429
    clock.shift(90)
    assert sign_in(client, "staff_a", f.PASSWORD).status_code == 302


def test_successful_sign_in_resets_the_failure_count(client, staff_a, clock):
    fail(client, "staff_a", 2, time_machine=clock)
    assert sign_in(client, "staff_a", f.PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    # A fresh count: two more failures, still no wait.
    assert [r.status_code for r in fail(client, "staff_a", 2)] == [200, 200]


def test_unknown_user_names_are_counted_and_locked_too(client, db, clock):
    fail(client, "nobody-here", 10, time_machine=clock)
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
        action=AuditAction.LOCKOUT,
        message__contains="Address 203.0.113.7 locked for unknown browsers",
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
    sign_in_with_code(client, agency_admin_a, address="10.0.0.1")
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


def test_unlock_command_lifts_the_lock_and_is_audited(client, staff_a, clock):
    from io import StringIO

    from django.core.management import call_command

    fail(client, "staff_a", 10, time_machine=clock)
    fail(WebClient(), "staff_a", 10, address="10.0.0.2", time_machine=clock)
    out = StringIO()
    call_command("unlock_sign_in", "--user", "staff_a", stdout=out)
    assert "Unlocked (3 lock record(s) cleared)" in out.getvalue()
    assert sign_in(client, "staff_a", f.PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(message__startswith="Sign-in unlocked").exists()


def test_unlock_command_lifts_an_address_lock(client, org_a, settings):
    settings.HMIS_LOGIN_MAX_FAILURES_PER_ADDRESS = 3
    victim = f.make_user(org_a, username="victim")
    for n in range(3):
        sign_in(client, f"guess{n}", "wrong", address="203.0.113.7")
    from django.core.management import call_command

    call_command("unlock_sign_in", "--address", "203.0.113.7", stdout=StringIO())
    assert sign_in(client, victim.username, f.PASSWORD, address="203.0.113.7").status_code == 302


def test_stale_failure_counts_are_forgotten(client, staff_a, time_machine):
    time_machine.move_to("2025-03-01 09:00:00+00:00", tick=False)
    sign_in(client, "someone-else", "guess")
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    sign_in(client, "staff_a", f.PASSWORD)
    assert not SignInThrottle.objects.filter(key__contains="someone-else").exists()
