"""User administration in the app: creating, changing and deactivating users, one-time
set-password links, and lifting a sign-in lock.

An agency administrator manages the users of their organization and may give any role up to
their own (never system administrator); a system administrator manages everyone. Every change is
written with its audit row (old and new values) in one transaction.
"""

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from hmis.accounts import errors, signin
from hmis.accounts.models import Role, SetPasswordLink, User
from hmis.accounts.permissions import is_system_admin
from hmis.accounts.sessions import end_session
from hmis.audit.models import AuditAction
from hmis.audit.recording import field_changes, record

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(hours=24)
# Higher is more power. Read-only and scan station sit below staff.
ROLE_RANK = {
    Role.SCAN_STATION: 0,
    Role.READ_ONLY: 0,
    Role.STAFF: 1,
    Role.AGENCY_ADMIN: 2,
    Role.SYSTEM_ADMIN: 3,
}
_TRACKED = (
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "organization_id",
    "can_override_bars",
    "can_manage_bars",
    "is_active",
)


def assignable_roles(admin) -> list[Role]:
    """The roles `admin` may give: up to their own; system administrator only by one."""
    if is_system_admin(admin):
        return list(Role)
    own = ROLE_RANK.get(admin.role, -1)
    return [role for role in Role if role != Role.SYSTEM_ADMIN and ROLE_RANK[role] <= own]


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of these accounts are locked now (one query, for the users list)."""
    return signin.locked_usernames(usernames)


def _snapshot(user: User) -> dict:
    values = {name: getattr(user, name) for name in _TRACKED}
    values["scan_batches"] = (
        sorted(user.scan_batches.values_list("pk", flat=True)) if user.pk else []
    )
    return values


def _check(
    *, admin, organization, role: str, scan_batches, username: str, user: User | None
) -> None:
    if role not in assignable_roles(admin):
        raise errors.AccountError(
            errors.ROLE_NOT_ALLOWED, errors.ROLE_NOT_ALLOWED_MESSAGE, field="role"
        )
    if user is not None and role != user.role and user.role not in assignable_roles(admin):
        raise errors.AccountError(
            errors.ROLE_NOT_ALLOWED, errors.ROLE_NOT_ALLOWED_MESSAGE, field="role"
        )
    if organization is None and role != Role.SYSTEM_ADMIN:
        raise errors.AccountError(
            errors.ORGANIZATION_REQUIRED, errors.ORGANIZATION_REQUIRED_MESSAGE, field="organization"
        )
    if not is_system_admin(admin) and organization.pk != admin.organization_id:
        raise errors.AccountError(
            errors.ORGANIZATION_REQUIRED, errors.ORGANIZATION_REQUIRED_MESSAGE, field="organization"
        )
    if any(batch.organization_id != getattr(organization, "pk", None) for batch in scan_batches):
        raise errors.AccountError(
            errors.BATCH_OF_OTHER_ORGANIZATION,
            errors.BATCH_OF_OTHER_ORGANIZATION_MESSAGE,
            field="scan_batches",
        )
    taken = User.objects.filter(username__iexact=username)
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise errors.AccountError(
            errors.USERNAME_TAKEN, errors.USERNAME_TAKEN_MESSAGE, field="username"
        )


def save_user(
    *,
    admin,
    user: User | None = None,
    organization,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    can_override_bars: bool,
    can_manage_bars: bool,
    scan_batches: Iterable = (),
) -> User:
    """Create a user (`user=None`, without a usable password: give them a set-password link) or
    change one. Scan-station batches apply to scan stations only."""
    scan_batches = list(scan_batches) if role == Role.SCAN_STATION else []
    with transaction.atomic():
        creating = user is None
        if not creating:
            # Lock the row: two administrators saving the same user at once must not interleave.
            user = User.objects.select_for_update().get(pk=user.pk)
        _check(
            admin=admin,
            organization=organization,
            role=role,
            scan_batches=scan_batches,
            username=username,
            user=user,
        )
        if creating:
            user = User(is_active=True)
            user.set_unusable_password()
            before: dict = {}
        else:
            before = _snapshot(user)
        user.organization = organization
        user.username = username
        user.first_name = first_name
        user.last_name = last_name
        user.email = email
        user.role = role
        user.can_override_bars = can_override_bars
        user.can_manage_bars = can_manage_bars
        user.save()
        user.scan_batches.set(scan_batches)
        record(
            actor=admin,
            action=AuditAction.CREATE if creating else AuditAction.CHANGE,
            obj=user,
            organization_id=user.organization_id,
            changes=field_changes(before, _snapshot(user)),
            message=f"User {'created' if creating else 'changed'}: {user.username}",
        )
    return user


def deactivate_user(*, admin, user: User) -> User:
    """The user can no longer sign in; their open session ends and their API tokens stop working
    at once (tokens only work for active users), and their set-password links die."""
    if user.pk == admin.pk:
        raise errors.AccountError(
            errors.CANNOT_DEACTIVATE_SELF, errors.CANNOT_DEACTIVATE_SELF_MESSAGE
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            return user
        session_key = user.current_session_key
        user.is_active = False
        user.current_session_key = ""
        user.save(update_fields=["is_active", "current_session_key", "updated_at"])
        SetPasswordLink.objects.filter(user=user, used_at__isnull=True).update(
            expires_at=timezone.now()
        )
        if session_key:
            end_session(session_key)
        record(
            actor=admin,
            action=AuditAction.CHANGE,
            obj=user,
            organization_id=user.organization_id,
            changes={"is_active": [True, False]},
            message=f"User deactivated: {user.username}",
        )
    return user


def reactivate_user(*, admin, user: User) -> User:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            return user
        user.is_active = True
        user.save(update_fields=["is_active", "updated_at"])
        record(
            actor=admin,
            action=AuditAction.CHANGE,
            obj=user,
            organization_id=user.organization_id,
            changes={"is_active": [False, True]},
            message=f"User reactivated: {user.username}",
        )
    return user


def unlock_sign_in(*, admin, user: User) -> int:
    """Lift the sign-in lock of the user's account (after too many failed sign-ins)."""
    with transaction.atomic():
        cleared = signin.unlock(username=user.username)
        record(
            actor=admin,
            action=AuditAction.CHANGE,
            obj=user,
            organization_id=user.organization_id,
            message=f"Sign-in unlocked for {user.username}",
        )
    return cleared


# --- One-time set-password links ---------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedLink:
    link: SetPasswordLink
    secret: str
    emailed: bool


def issue_set_password_link(*, admin, user: User, url_for) -> IssuedLink:
    """Make a set-password link for `user`, valid 24 hours and once; older unused links of the user
    stop working. `url_for(secret)` builds the address; the link is emailed to the user after
    commit when email is configured (EMAIL_HOST) and the user has an address."""
    secret = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        SetPasswordLink.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        link = SetPasswordLink.objects.create(
            user=user,
            token_hash=_hash(secret),
            created_by=admin if getattr(admin, "pk", None) else None,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
        record(
            actor=admin,
            action=AuditAction.CREATE,
            obj=link,
            organization_id=user.organization_id,
            changes={"user": user.username, "expires_at": link.expires_at.isoformat()},
            message=f"Set-password link made for {user.username}",
        )
        emailed = bool(settings.EMAIL_HOST and user.email)
        if emailed:
            url = url_for(secret)
            transaction.on_commit(lambda: _send_link(user, url))
    return IssuedLink(link, secret, emailed)


def _send_link(user: User, url: str) -> None:
    try:
        send_mail(
            "Set your HMIS password",
            f"Hello {user.display_name},\n\nChoose your HMIS password (user name "
            f"{user.username}) at this address within 24 hours. The link works once.\n\n{url}\n",
            None,
            [user.email],
        )
    except OSError:
        # The administrator still has the link on screen; a mail outage must not lose it.
        logger.exception("Could not email the set-password link of user %s", user.pk)


def find_set_password_link(secret: str) -> SetPasswordLink:
    """The usable link for `secret`, or AccountError(link_invalid)."""
    link = (
        SetPasswordLink.objects.usable(timezone.now())
        .select_related("user")
        .filter(token_hash=_hash(secret))
        .first()
    )
    if link is None:
        raise errors.AccountError(errors.LINK_INVALID, errors.LINK_INVALID_MESSAGE)
    return link


def set_password_with_link(*, secret: str, password: str, address: str | None = None) -> User:
    """Use a set-password link once: check the password against the password rules, store it,
    spend the link, lift any sign-in lock of the account."""
    with transaction.atomic():
        link = find_set_password_link(secret)
        # Lock the link: two tabs submitting the same link at once must not both use it.
        link = SetPasswordLink.objects.select_for_update().select_related("user").get(pk=link.pk)
        if link.used_at is not None:
            raise errors.AccountError(errors.LINK_INVALID, errors.LINK_INVALID_MESSAGE)
        user = link.user
        try:
            validate_password(password, user)
        except ValidationError as problems:
            raise errors.AccountError(
                errors.WEAK_PASSWORD, " ".join(problems.messages), field="password1"
            ) from None
        user.set_password(password)
        user.save(update_fields=["password", "updated_at"])
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        signin.unlock(username=user.username)
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=user,
            organization_id=user.organization_id,
            changes={"password": "[redacted]"},
            ip_address=address,
            message=f"Password set with a one-time link by {user.username}",
        )
    return user
