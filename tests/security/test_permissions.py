"""Roles: what each may do, and the `@requires` declaration every view carries."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from hmis.accounts.models import Role, User
from hmis.accounts.permissions import ROLE_PERMISSIONS, Perm, check_perm, has_perm, requires

WRITES = {
    Perm.MANAGE_BATCHES,
    Perm.POST_SERVICES,
    Perm.EDIT_CLIENTS,
    Perm.VOID_SERVICES,
    Perm.MANAGE_CARDS,
    Perm.IMPORT,
    Perm.MANAGE_USERS,
}


def test_scan_station_may_only_scan():
    assert ROLE_PERMISSIONS[Role.SCAN_STATION] == {Perm.SIGNED_IN, Perm.SCAN}


def test_read_only_users_write_nothing_and_export_nothing():
    allowed = ROLE_PERMISSIONS[Role.READ_ONLY]
    assert not allowed & (WRITES | {Perm.EXPORT, Perm.SCAN, Perm.AUDIT})
    assert Perm.VIEW_CLIENTS in allowed


def test_staff_work_with_clients_and_batches_but_do_not_administer():
    allowed = ROLE_PERMISSIONS[Role.STAFF]
    assert {Perm.SCAN, Perm.POST_SERVICES, Perm.EDIT_CLIENTS, Perm.VOID_SERVICES} <= allowed
    assert not allowed & {Perm.AUDIT, Perm.EXPORT, Perm.IMPORT, Perm.MANAGE_USERS}


def test_agency_admin_adds_users_audit_and_exports_but_not_import():
    allowed = ROLE_PERMISSIONS[Role.AGENCY_ADMIN]
    assert {Perm.MANAGE_USERS, Perm.AUDIT, Perm.EXPORT} <= allowed
    assert ROLE_PERMISSIONS[Role.STAFF] <= allowed


def test_system_admin_may_do_everything():
    assert ROLE_PERMISSIONS[Role.SYSTEM_ADMIN] == frozenset(Perm)


def test_every_role_has_its_permissions_listed():
    assert set(ROLE_PERMISSIONS) == set(Role)


def test_deactivated_users_hold_no_permission(staff_a):
    staff_a.is_active = False
    assert not has_perm(staff_a, Perm.SIGNED_IN)
    with pytest.raises(PermissionDenied):
        check_perm(staff_a, Perm.SIGNED_IN)


def test_unknown_role_holds_no_permission():
    assert not has_perm(User(role="janitor", is_active=True), Perm.SIGNED_IN)


@requires(Perm.AUDIT)
def audited_view(request):
    return HttpResponse("ok")


def _request(user, **headers):
    request = RequestFactory().get("/somewhere/", **headers)
    request.user = user
    return request


def test_requires_declares_the_permission_on_the_view():
    assert audited_view.required_permission is Perm.AUDIT


def test_requires_sends_anonymous_users_to_sign_in():
    from django.contrib.auth.models import AnonymousUser

    response = audited_view(_request(AnonymousUser()))
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/somewhere/"
    htmx = audited_view(_request(AnonymousUser(), HTTP_HX_REQUEST="true"))
    assert htmx["HX-Redirect"].startswith("/accounts/login/")


def test_requires_refuses_a_role_without_the_permission(staff_a, agency_admin_a):
    with pytest.raises(PermissionDenied):
        audited_view(_request(staff_a))
    assert audited_view(_request(agency_admin_a)).status_code == 200
