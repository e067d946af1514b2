"""The user administration pages (/manage/users/) and the set-password page."""

import re

import pytest

from hmis.accounts.models import Role, SetPasswordLink, User
from hmis.api.models import ApiToken
from tests import factories as f


@pytest.fixture
def admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a")


@pytest.fixture
def as_admin_a(client, admin_a):
    client.force_login(admin_a)
    return client


def form_data(**overrides):
    data = {
        "first_name": "Nia",
        "last_name": "Volunteer",
        "username": "nia",
        "email": "",
        "role": Role.STAFF,
    }
    data.update(overrides)
    return data


def test_users_list_shows_own_organization_only(as_admin_a, staff_a, staff_b):
    body = as_admin_a.get("/manage/users/").content.decode()
    assert staff_a.username in body
    assert staff_b.username not in body


def test_agency_admin_gets_404_on_another_organizations_user(as_admin_a, staff_b):
    assert as_admin_a.get(f"/manage/users/{staff_b.pk}/").status_code == 404
    response = as_admin_a.post(f"/manage/users/{staff_b.pk}/", form_data(username="taken"))
    assert response.status_code == 404
    assert as_admin_a.post(f"/manage/users/{staff_b.pk}/deactivate/").status_code == 404
    staff_b.refresh_from_db()
    assert staff_b.is_active and staff_b.username != "taken"


def test_staff_cannot_open_user_administration(client, staff_a):
    client.force_login(staff_a)
    assert client.get("/manage/users/").status_code == 403


def test_creating_a_user_shows_the_set_password_link_once(as_admin_a):
    response = as_admin_a.post("/manage/users/new/", form_data())
    assert response.status_code == 200
    body = response.content.decode()
    link = re.search(r'value="(http://testserver/accounts/set-password/[^"]+/)"', body).group(1)
    user = User.objects.get(username="nia")
    assert SetPasswordLink.objects.get(user=user).used_at is None
    assert "Set-password link" in body
    # The set-password page opens from the link, with no sign-in.
    as_admin_a.logout()
    page = as_admin_a.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200 and "nia" in page.content.decode()


def test_system_administrator_role_is_refused_beside_the_role_field(as_admin_a):
    response = as_admin_a.post("/manage/users/new/", form_data(role=Role.SYSTEM_ADMIN))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(username="nia").exists()


def test_set_password_page_sets_it_once_then_refuses(client, org_a, admin_a):
    from hmis.accounts.managing import issue_set_password_link

    user = f.make_user(org_a, username="newbie")
    issued = issue_set_password_link(admin=admin_a, user=user, url_for=str)
    url = f"/accounts/set-password/{issued.secret}/"
    password = "Harbor-lantern-5521-quiet"
    mismatch = client.post(url, {"password1": password, "password2": password + "x"})
    assert "The two passwords differ." in mismatch.content.decode()
    done = client.post(url, {"password1": password, "password2": password})
    assert done.status_code == 302 and done["Location"] == "/accounts/login/"
    assert client.login(username="newbie", password=password)
    client.logout()
    again = client.get(url)
    assert again.status_code == 410
    assert "This link is not valid" in again.content.decode()


def test_unlock_and_tokens_from_the_user_page(as_admin_a, staff_a):
    from hmis.accounts import signin

    for _ in range(10):
        signin.record_failed_sign_in(
            attempt=signin.Attempt(username=staff_a.username, address=None)
        )
    page = as_admin_a.get(f"/manage/users/{staff_a.pk}/").content.decode()
    assert "Sign-in is locked" in page and "Unlock sign-in" in page
    as_admin_a.post(f"/manage/users/{staff_a.pk}/unlock/")
    assert signin.current_lock(signin.Attempt(username=staff_a.username, address=None)) is None

    created = as_admin_a.post(f"/manage/users/{staff_a.pk}/tokens/", {"name": "Front kiosk"})
    secret = re.search(r'value="(hmis_[^"]+)"', created.content.decode()).group(1)
    token = ApiToken.objects.get(user=staff_a)
    assert secret.startswith(token.prefix)
    listing = as_admin_a.get(f"/manage/users/{staff_a.pk}/").content.decode()
    assert "Front kiosk" in listing and secret not in listing
    as_admin_a.post(f"/manage/users/{staff_a.pk}/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.is_revoked


def test_deactivate_from_the_page(as_admin_a, staff_a):
    response = as_admin_a.post(f"/manage/users/{staff_a.pk}/deactivate/")
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert not staff_a.is_active
    assert staff_a.username in as_admin_a.get("/manage/users/?show=inactive").content.decode()


def test_users_list_queries_do_not_grow_with_the_users(
    as_admin_a, org_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        as_admin_a.get("/manage/users/")
    for n in range(15):
        f.make_user(org_a, username=f"many{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        as_admin_a.get("/manage/users/")


def test_users_list_and_page_show_who_has_two_factor_sign_in(as_admin_a, staff_a):
    from tests.two_factor import give_two_factor

    give_two_factor(staff_a)
    body = as_admin_a.get("/manage/users/").content.decode()
    row = re.search(rf"<tr>(?:(?!</tr>).)*{staff_a.username}(?:(?!</tr>).)*</tr>", body, re.S)
    assert row and "<td>Yes</td>" in row.group(0)
    page = as_admin_a.get(f"/manage/users/{staff_a.pk}/").content.decode()
    assert "Two-factor sign-in: on" in page
    assert "Reset two-factor sign-in" in page


def test_agency_admin_resets_a_lost_phone_from_the_users_page_audited(as_admin_a, staff_a):
    from hmis.accounts.twofactor import has_two_factor
    from hmis.audit.models import AuditEvent
    from tests.two_factor import give_two_factor

    give_two_factor(staff_a)
    response = as_admin_a.post(f"/manage/users/{staff_a.pk}/two-factor/reset/")
    assert response.status_code == 302
    assert not has_two_factor(staff_a)
    assert AuditEvent.objects.filter(object_id=str(staff_a.pk), message__icontains="two-factor")


def test_agency_admin_cannot_reset_another_organizations_two_factor(as_admin_a, staff_b):
    from hmis.accounts.twofactor import has_two_factor
    from tests.two_factor import give_two_factor

    give_two_factor(staff_b)
    assert as_admin_a.post(f"/manage/users/{staff_b.pk}/two-factor/reset/").status_code == 404
    assert has_two_factor(staff_b)
