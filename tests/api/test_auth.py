"""Token authentication and per-operation permissions (hmis/api/auth.py)."""

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from hmis.accounts.permissions import Perm
from hmis.api.main import operations
from hmis.api.tokens import create_api_token
from hmis.batches.models import BatchEntry

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> HttpClient:
    return HttpClient(headers={"Authorization": f"Bearer {secret}"})


def test_request_without_token_is_refused_with_401_and_a_code(batch):
    response = HttpClient().get("/api/batches")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_refused(staff_a):
    create_api_token(user=staff_a, name="kiosk")

    response = bearer("hmis_not-a-real-token").get("/api/batches")

    assert response.status_code == 401


def test_session_login_is_not_enough_for_the_api(staff_a):
    browser = HttpClient()
    browser.force_login(staff_a)

    assert browser.get("/api/batches").status_code == 401


def test_valid_token_authenticates_as_its_user(staff_a, batch):
    _, secret = create_api_token(user=staff_a, name="kiosk")

    response = bearer(secret).get("/api/batches")

    assert response.status_code == 200
    assert [b["id"] for b in response.json()["items"]] == [batch.pk]


def test_revoked_token_is_refused(staff_a, batch):
    token, secret = create_api_token(user=staff_a, name="kiosk")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])

    assert bearer(secret).get("/api/batches").status_code == 401


def test_token_of_a_deactivated_user_is_refused(staff_a, batch):
    _, secret = create_api_token(user=staff_a, name="kiosk")
    staff_a.is_active = False
    staff_a.save(update_fields=["is_active"])

    assert bearer(secret).get("/api/batches").status_code == 401


def test_use_of_a_token_is_recorded(staff_a, batch):
    token, secret = create_api_token(user=staff_a, name="kiosk")

    bearer(secret).get("/api/batches")

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_role_without_the_permission_gets_403_with_a_code(api_as, readonly_a, batch):
    response = api_as(readonly_a).post(
        f"/api/batches/{batch.pk}/entries",
        {"scan_type": "card", "value": "X"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": "Your role does not allow this."}
    assert not BatchEntry.objects.exists()


def test_every_api_operation_declares_the_permission_it_checks():
    found = list(operations())

    assert len(found) >= 10
    for methods, path, operation in found:
        declared = getattr(operation.view_func, "required_permission", None)
        perms = declared if isinstance(declared, tuple) else (declared,)
        assert all(isinstance(p, Perm) for p in perms), f"{methods} {path}"


def test_every_api_operation_requires_a_token():
    for methods, path, operation in operations():
        assert operation.auth_callbacks, f"{methods} {path} is open"
