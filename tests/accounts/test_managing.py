"""accounts/managing.py: users created and changed within the administrator's reach, one-time
set-password links, deactivation and unlocking."""

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.utils import timezone

from hmis.accounts import errors, managing, signin
from hmis.accounts.models import Role, SetPasswordLink, SignInThrottle, User
from hmis.api.tokens import create_api_token, user_for_secret
from hmis.audit.models import AuditAction, AuditEvent
from tests import factories as f

NEW_PASSWORD = "Lantern-orchid-7731-quiet"


@pytest.fixture
def admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN, username="admin_a")


def new_user(admin, organization, **overrides):
    values = {
        "organization": organization,
        "username": "newvolunteer",
        "first_name": "Nia",
        "last_name": "Volunteer",
        "email": "nia@example.org",
        "role": Role.STAFF,
        "can_override_bars": False,
        "can_manage_bars": False,
        "scan_batches": [],
    }
    values.update(overrides)
    return managing.save_user(admin=admin, **values)


def test_agency_admin_creates_a_staff_user_without_a_password_and_audited(admin_a, org_a):
    user = new_user(admin_a, org_a)
    assert user.organization == org_a and user.role == Role.STAFF
    assert not user.has_usable_password()
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="accounts.User")
    assert event.actor == admin_a and event.object_id == str(user.pk)
    assert event.changes["role"] == [None, "staff"]


def test_agency_admin_cannot_create_a_system_administrator(admin_a, org_a):
    with pytest.raises(errors.AccountError) as refusal:
        new_user(admin_a, org_a, role=Role.SYSTEM_ADMIN)
    assert refusal.value.code == errors.ROLE_NOT_ALLOWED
    assert refusal.value.field == "role"
    assert not User.objects.filter(username="newvolunteer").exists()


def test_agency_admin_cannot_raise_a_user_above_their_own_role(admin_a, org_a, staff_a):
    with pytest.raises(errors.AccountError):
        managing.save_user(
            admin=admin_a,
            user=staff_a,
            organization=org_a,
            username=staff_a.username,
            first_name="",
            last_name="",
            email="",
            role=Role.SYSTEM_ADMIN,
            can_override_bars=False,
            can_manage_bars=False,
        )
    staff_a.refresh_from_db()
    assert staff_a.role == Role.STAFF


def test_assignable_roles_stop_at_the_administrators_own(admin_a):
    assert Role.SYSTEM_ADMIN not in managing.assignable_roles(admin_a)
    assert Role.AGENCY_ADMIN in managing.assignable_roles(admin_a)
    system = f.make_user(None, Role.SYSTEM_ADMIN)
    assert Role.SYSTEM_ADMIN in managing.assignable_roles(system)


def test_agency_admin_cannot_put_a_user_in_another_organization(admin_a, org_b):
    with pytest.raises(errors.AccountError) as refusal:
        new_user(admin_a, org_b)
    assert refusal.value.code == errors.ORGANIZATION_REQUIRED


def test_scan_station_is_assigned_to_batches_of_its_organization_only(admin_a, org_a, batch):
    station = new_user(admin_a, org_a, role=Role.SCAN_STATION, scan_batches=[batch])
    assert list(station.scan_batches.all()) == [batch]
    other_batch = f.make_batch(f.make_project(f.make_organization()))
    with pytest.raises(errors.AccountError) as refusal:
        new_user(
            admin_a, org_a, username="kiosk2", role=Role.SCAN_STATION, scan_batches=[other_batch]
        )
    assert refusal.value.code == errors.BATCH_OF_OTHER_ORGANIZATION


def test_a_taken_username_is_refused_whatever_its_case(admin_a, org_a, staff_a):
    with pytest.raises(errors.AccountError) as refusal:
        new_user(admin_a, org_a, username=staff_a.username.upper())
    assert refusal.value.message == errors.USERNAME_TAKEN_MESSAGE


def test_set_password_link_works_once_and_lifts_a_lock(admin_a, org_a):
    user = new_user(admin_a, org_a)
    issued = managing.issue_set_password_link(admin=admin_a, user=user, url_for=str)
    assert issued.link.expires_at - issued.link.created_at == timedelta(hours=24)
    SignInThrottle.objects.create(
        key="user:newvolunteer", failures=0, locked_until=timezone.now() + timedelta(minutes=9)
    )
    managing.set_password_with_link(secret=issued.secret, password=NEW_PASSWORD)
    assert authenticate(username="newvolunteer", password=NEW_PASSWORD) == user
    assert signin.current_lock(signin.Attempt(username="newvolunteer", address=None)) is None
    with pytest.raises(errors.AccountError) as refusal:
        managing.set_password_with_link(secret=issued.secret, password="Another-pass-8812-x")
    assert refusal.value.message == errors.LINK_INVALID_MESSAGE
    assert authenticate(username="newvolunteer", password=NEW_PASSWORD) == user


def test_only_the_hash_of_the_link_is_stored(admin_a, org_a):
    issued = managing.issue_set_password_link(
        admin=admin_a, user=new_user(admin_a, org_a), url_for=str
    )
    assert issued.secret not in SetPasswordLink.objects.get().token_hash


def test_an_expired_or_replaced_link_is_refused(admin_a, org_a):
    user = new_user(admin_a, org_a)
    first = managing.issue_set_password_link(admin=admin_a, user=user, url_for=str)
    second = managing.issue_set_password_link(admin=admin_a, user=user, url_for=str)
    with pytest.raises(errors.AccountError):
        managing.find_set_password_link(first.secret)
    SetPasswordLink.objects.filter(pk=second.link.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(errors.AccountError):
        managing.set_password_with_link(secret=second.secret, password=NEW_PASSWORD)


def test_a_weak_password_is_refused_and_the_link_stays_usable(admin_a, org_a):
    issued = managing.issue_set_password_link(
        admin=admin_a, user=new_user(admin_a, org_a), url_for=str
    )
    with pytest.raises(errors.AccountError) as refusal:
        managing.set_password_with_link(secret=issued.secret, password="short")
    assert refusal.value.code == errors.WEAK_PASSWORD and refusal.value.field == "password1"
    assert managing.find_set_password_link(issued.secret).used_at is None


def test_link_is_emailed_after_commit_when_email_is_configured(
    admin_a, org_a, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.org"
    user = new_user(admin_a, org_a)
    with django_capture_on_commit_callbacks(execute=True):
        issued = managing.issue_set_password_link(
            admin=admin_a, user=user, url_for=lambda secret: f"https://hmis.example.org/{secret}"
        )
    assert issued.emailed
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nia@example.org"]
    assert f"https://hmis.example.org/{issued.secret}" in mail.outbox[0].body


def test_no_email_without_email_settings(admin_a, org_a, settings):
    settings.EMAIL_HOST = ""
    issued = managing.issue_set_password_link(
        admin=admin_a, user=new_user(admin_a, org_a), url_for=str
    )
    assert not issued.emailed and mail.outbox == []


def test_deactivating_ends_the_session_and_api_tokens_at_once(admin_a, staff_a, client):
    client.force_login(staff_a)
    staff_a.refresh_from_db()
    _, secret = create_api_token(user=staff_a, name="kiosk")
    managing.deactivate_user(admin=admin_a, user=staff_a)
    assert client.get("/batches/").status_code == 302  # back to sign-in
    assert user_for_secret(secret) is None
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_id=str(staff_a.pk), changes__is_active=[True, False]
    ).exists()


def test_an_administrator_cannot_deactivate_themselves(admin_a):
    with pytest.raises(errors.AccountError) as refusal:
        managing.deactivate_user(admin=admin_a, user=admin_a)
    assert refusal.value.code == errors.CANNOT_DEACTIVATE_SELF


def test_unlock_sign_in_lifts_the_accounts_lock_through_the_lockout_mechanism(admin_a, staff_a):
    for _ in range(10):
        signin.record_failed_sign_in(
            attempt=signin.Attempt(username=staff_a.username, address=None)
        )
    assert managing.locked_usernames([staff_a.username, admin_a.username]) == {staff_a.username}
    managing.unlock_sign_in(admin=admin_a, user=staff_a)
    assert managing.locked_usernames([staff_a.username]) == set()
    assert signin.current_lock(signin.Attempt(username=staff_a.username, address=None)) is None
