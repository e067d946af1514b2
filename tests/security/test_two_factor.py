"""Two-factor sign-in: required of administrators (set-up until done), optional for staff, never
asked of scan stations; recovery codes work once; an administrator's reset, audited."""

import re

import pytest
from django.test import Client as WebClient
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hmis.accounts import errors
from hmis.accounts.errors import TwoFactorError
from hmis.accounts.models import Role
from hmis.accounts.signin import KNOWN_BROWSER_COOKIE
from hmis.accounts.twofactor import has_two_factor, reset_two_factor
from hmis.audit.models import AuditAction, AuditEvent
from tests import factories as f
from tests.two_factor import (
    give_two_factor,
    next_code,
    sign_in_with_password_only,
    totp,
)

LOGIN = "/accounts/login/"
CODE = reverse("two_factor_verify")
SET_UP = reverse("two_factor_set_up")


def password(web, user, address="10.0.0.1"):
    return web.post(LOGIN, {"username": user.username, "password": f.PASSWORD}, REMOTE_ADDR=address)


def secret_on(page) -> str:
    match = re.search(rb'<code id="two-factor-secret">([A-Z2-7 ]+)</code>', page.content)
    assert match, "the set-up page shows the secret in text"
    return match.group(1).decode()


def recovery_codes_on(page) -> list[str]:
    return [
        code.decode() for code in re.findall(rb"<li><code>([a-z0-9-]+)</code></li>", page.content)
    ]


def set_up(web, user) -> tuple[str, list[str]]:
    """Sign in with the password, read the secret from the set-up page, confirm with a code."""
    assert password(web, user).url == SET_UP
    secret = secret_on(web.get(SET_UP))
    done = web.post(SET_UP, {"code": totp(secret)})
    assert done.status_code == 200
    return secret, recovery_codes_on(done)


def test_administrator_is_sent_to_set_up_after_the_password(client, agency_admin_a):
    response = password(client, agency_admin_a)
    assert response.status_code == 302
    assert response.url == SET_UP
    # Not signed in yet: the password alone opens no session.
    assert "_auth_user_id" not in client.session
    assert client.get("/audit/").status_code == 302

    page = client.get(SET_UP)
    assert page.status_code == 200
    assert b"<svg" in page.content and b"<script" not in page.content.split(b"<main")[1]
    assert len(secret_on(page).replace(" ", "")) == 32


def test_set_up_with_a_code_from_the_secret_signs_in_and_shows_ten_recovery_codes(
    client, agency_admin_a
):
    secret, codes = set_up(client, agency_admin_a)
    assert client.session["_auth_user_id"] == str(agency_admin_a.pk)
    assert client.get("/audit/").status_code == 200
    assert len(codes) == 10 and len(set(codes)) == 10
    assert has_two_factor(agency_admin_a)
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, actor=agency_admin_a, message="Two-factor sign-in set up"
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN, message="Signed in with an authenticator app code"
    ).exists()
    # Recovery codes are shown once: the page is not reachable again.
    assert b'class="recovery-codes"' not in client.get(reverse("two_factor")).content


def test_a_wrong_set_up_code_is_refused_beside_the_field(client, agency_admin_a):
    password(client, agency_admin_a)
    page = client.get(SET_UP)
    secret = secret_on(page)
    response = client.post(SET_UP, {"code": "123456" if totp(secret) != "123456" else "654321"})
    assert response.status_code == 200
    assert errors.WRONG_SET_UP_CODE_MESSAGE.encode() in response.content
    assert secret_on(response) == secret  # the same secret: the app need not be set up again
    assert "_auth_user_id" not in client.session
    assert not has_two_factor(agency_admin_a)


def test_administrator_with_an_app_is_asked_for_a_code(client, system_admin, time_machine):
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    device = give_two_factor(system_admin)
    response = password(client, system_admin)
    assert response.url == CODE
    assert "_auth_user_id" not in client.session

    wrong = client.post(CODE, {"code": "12345"})
    assert wrong.status_code == 200
    assert errors.WRONG_CODE_MESSAGE.encode() in wrong.content
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN_FAILED, actor=system_admin, message=errors.WRONG_CODE_MESSAGE
    ).exists()

    time_machine.shift(2)  # django-otp makes the next try wait a second after a wrong code
    signed_in = client.post(CODE, {"code": next_code(device)})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(system_admin.pk)
    assert KNOWN_BROWSER_COOKIE in signed_in.cookies


def test_the_same_app_code_is_not_accepted_twice(client, system_admin):
    device = give_two_factor(system_admin)
    code = next_code(device)
    password(client, system_admin)
    assert client.post(CODE, {"code": code}).status_code == 302
    other = WebClient()
    password(other, system_admin)
    assert other.post(CODE, {"code": code}).status_code == 200
    assert "_auth_user_id" not in other.session


def test_a_recovery_code_works_once(client, agency_admin_a):
    _, codes = set_up(client, agency_admin_a)
    client.post(reverse("logout"))

    password(client, agency_admin_a)
    assert client.post(CODE, {"code": codes[0].upper()}).status_code == 302
    assert AuditEvent.objects.filter(message="Signed in with a recovery code (9 left)").exists()
    client.post(reverse("logout"))

    password(client, agency_admin_a)
    reused = client.post(CODE, {"code": codes[0]})
    assert reused.status_code == 200
    assert errors.WRONG_CODE_MESSAGE.encode() in reused.content
    assert "_auth_user_id" not in client.session


def test_new_recovery_codes_replace_the_old_ones(client, agency_admin_a):
    _, old = set_up(client, agency_admin_a)
    page = client.post(reverse("two_factor_recovery_codes"))
    new = recovery_codes_on(page)
    assert len(new) == 10 and not set(new) & set(old)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert stored == {code.replace("-", "") for code in new}


def test_staff_sign_in_with_the_password_alone_until_they_turn_two_factor_on(client, staff_a):
    assert password(client, staff_a).url == "/"
    assert client.session["_auth_user_id"] == str(staff_a.pk)
    assert b"Set up two-factor sign-in" in client.get(reverse("two_factor")).content

    page = client.get(SET_UP)
    done = client.post(SET_UP, {"code": totp(secret_on(page))})
    assert len(recovery_codes_on(done)) == 10
    client.post(reverse("logout"))

    assert password(client, staff_a).url == CODE
    assert "_auth_user_id" not in client.session


def test_staff_may_turn_two_factor_off_but_administrators_may_not(client, staff_a, system_admin):
    client.force_login(staff_a)
    give_two_factor(staff_a)
    client.post(reverse("two_factor_turn_off"))
    assert not has_two_factor(staff_a)

    admin = WebClient()
    admin.force_login(system_admin)
    response = admin.post(reverse("two_factor_turn_off"), follow=True)
    assert errors.REQUIRED_MESSAGE.encode() in response.content
    assert has_two_factor(system_admin)


def test_scan_stations_are_never_asked_for_a_second_factor(client, scan_station_a):
    assert password(client, scan_station_a).url == "/"
    assert client.session["_auth_user_id"] == str(scan_station_a.pk)
    assert client.get(SET_UP).status_code == 403
    assert not TOTPDevice.objects.filter(user=scan_station_a).exists()


def test_a_password_alone_cannot_replace_the_app(client, system_admin):
    give_two_factor(system_admin)
    password(client, system_admin)
    response = client.get(SET_UP)
    assert response.status_code == 302
    assert response.url == CODE
    assert TOTPDevice.objects.filter(user=system_admin).count() == 1


def test_a_password_alone_does_not_end_the_administrators_open_session(system_admin):
    device = give_two_factor(system_admin)
    owner = WebClient()
    password(owner, system_admin)
    owner.post(CODE, {"code": next_code(device)})

    stranger = WebClient()
    password(stranger, system_admin)  # knows the password, not the code
    assert owner.get("/audit/").status_code == 200


def test_the_code_step_expires(client, system_admin, time_machine):
    time_machine.move_to("2025-03-03 09:00:00+00:00", tick=False)
    device = give_two_factor(system_admin)
    password(client, system_admin)
    time_machine.move_to("2025-03-03 09:16:00+00:00", tick=False)
    response = client.post(CODE, {"code": next_code(device)})
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_code_step_without_a_password_first_goes_to_sign_in(client, db):
    assert client.get(CODE).url == reverse("login")
    assert client.get(SET_UP).url == reverse("login")


def test_an_administrator_session_without_a_second_factor_is_confined_to_it(client, system_admin):
    sign_in_with_password_only(client, system_admin)
    response = client.get("/audit/?user=x")
    assert response.status_code == 302
    assert response.url == f"{SET_UP}?next=%2Faudit%2F%3Fuser%3Dx"
    htmx = client.get("/audit/", HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"].startswith(SET_UP)

    give_two_factor(system_admin)
    assert client.get("/audit/").url.startswith(CODE)


def test_raising_staff_to_administrator_asks_for_set_up_at_once(client, staff_a):
    client.force_login(staff_a)
    assert client.get("/batches/").status_code == 200
    staff_a.role = Role.AGENCY_ADMIN
    staff_a.save(update_fields=["role"])
    assert client.get("/batches/").url.startswith(SET_UP)


def test_has_two_factor_is_true_only_with_a_confirmed_app(staff_a):
    assert not has_two_factor(staff_a)
    TOTPDevice.objects.create(user=staff_a, name="unconfirmed", confirmed=False)
    assert not has_two_factor(staff_a)
    give_two_factor(staff_a)
    assert has_two_factor(staff_a)


def test_administrator_reset_removes_the_app_and_codes_and_is_audited(
    agency_admin_a, staff_a, client
):
    give_two_factor(staff_a)
    reset_two_factor(user=staff_a, by=agency_admin_a)
    assert not has_two_factor(staff_a)
    assert not StaticToken.objects.filter(device__user=staff_a).exists()
    event = AuditEvent.objects.get(message="Two-factor sign-in of staff_a reset by admin_a")
    assert event.actor == agency_admin_a
    assert event.object_id == str(staff_a.pk)
    assert event.organization_id == staff_a.organization_id


def test_after_a_reset_an_administrator_sets_up_again(client, agency_admin_a, system_admin):
    set_up(client, agency_admin_a)
    reset_two_factor(user=agency_admin_a, by=system_admin)
    # The open session lost its second factor with the app.
    assert client.get("/audit/").url.startswith(SET_UP)
    client.post(reverse("logout"))
    assert password(client, agency_admin_a).url == SET_UP


@pytest.mark.parametrize("persona", ["staff_a", "agency_admin_b"])
def test_only_administrators_of_the_users_organization_may_reset(request, persona, staff_a):
    give_two_factor(staff_a)
    with pytest.raises(TwoFactorError) as refused:
        reset_two_factor(user=staff_a, by=request.getfixturevalue(persona))
    assert refused.value.code == errors.NOT_ALLOWED
    assert has_two_factor(staff_a)


def test_django_admin_action_resets_two_factor(client, system_admin, agency_admin_a):
    system_admin.is_staff = True
    system_admin.is_superuser = True
    system_admin.save(update_fields=["is_staff", "is_superuser"])
    give_two_factor(agency_admin_a)
    client.force_login(system_admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [agency_admin_a.pk]},
    )
    assert response.status_code == 302
    assert not has_two_factor(agency_admin_a)
    assert AuditEvent.objects.filter(message__startswith="Two-factor sign-in of admin_a").exists()


def test_the_admin_sign_in_page_is_the_apps_sign_in(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/admin/"


def test_after_the_code_sign_in_goes_on_to_the_page_asked_for(client, system_admin):
    device = give_two_factor(system_admin)
    client.post(f"{LOGIN}?next=/audit/", {"username": "sysadmin", "password": f.PASSWORD})
    assert client.post(CODE, {"code": next_code(device)}).url == "/audit/"

    other = WebClient()
    sign_in_with_password_only(other, system_admin)
    to_code = other.get("/audit/?user=x")
    assert to_code.url == f"{CODE}?next=%2Faudit%2F%3Fuser%3Dx"
    assert b'name="next" value="/audit/?user=x"' in other.get(to_code.url).content
    response = other.post(CODE, {"code": next_code(device), "next": "/audit/?user=x"})
    assert response.url == "/audit/?user=x"
    assert other.post(CODE, {"code": "x", "next": "https://evil.example/"}).url == "/"


def test_the_django_admin_does_not_show_authenticator_secrets(client, system_admin):
    system_admin.is_staff = system_admin.is_superuser = True
    system_admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(system_admin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
