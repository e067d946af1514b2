"""Sign-in throttling: too many failed sign-ins lock the account, and too many from one address
lock the address, for a while (OWASP ASVS 2.2.1).

The counts live in the database (`SignInThrottle`), so several app servers sharing one database
enforce one limit. Every failure, refusal and lock is audited.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hmis.accounts.models import SignInThrottle, User
from hmis.audit.models import AuditAction
from hmis.audit.recording import record

LOCKED_MESSAGE = (
    "Too many failed sign-ins. Sign-in is locked for {minutes} minutes; "
    "try again later or ask your administrator."
)
# A failure this old no longer counts toward the limit.
FAILURE_MEMORY = timedelta(hours=24)


def _user_key(username: str) -> str:
    # Lower-cased so "Jdoe" and "jdoe" share one count whatever the backend's case rules.
    return f"user:{username.strip().lower()[:150]}"


def _address_key(address: str | None) -> str | None:
    return f"address:{address}" if address else None


def lock_minutes() -> int:
    return settings.HMIS_LOGIN_LOCK_MINUTES


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=lock_minutes())


def _account(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("organization").first()


@dataclass(frozen=True)
class Lock:
    key: str
    until: object


def current_lock(*, username: str, address: str | None) -> Lock | None:
    """The lock in force on this account or address, if any."""
    keys = [_user_key(username)]
    if _address_key(address):
        keys.append(_address_key(address))
    lock = (
        SignInThrottle.objects.filter(key__in=keys, locked_until__gt=timezone.now())
        .order_by("-locked_until")
        .first()
    )
    return Lock(lock.key, lock.locked_until) if lock else None


def _count_failure(key: str, limit: int, now) -> bool:
    """Add one failure under `key`; True when it reaches `limit` and locks the key."""
    # Row lock: two servers counting the same account's failures at once must not lose one.
    throttle, _ = SignInThrottle.objects.select_for_update().get_or_create(key=key)
    if throttle.last_failure_at is None or now - throttle.last_failure_at > FAILURE_MEMORY:
        throttle.failures = 0
    throttle.failures += 1
    throttle.last_failure_at = now
    locked = throttle.failures >= limit
    if locked:
        throttle.locked_until = now + timedelta(minutes=lock_minutes())
        throttle.failures = 0
    throttle.save(update_fields=["failures", "last_failure_at", "locked_until"])
    return locked


def record_failed_sign_in(*, username: str, address: str | None) -> bool:
    """Count and audit a failed sign-in. True when this failure locked the account or address."""
    now = timezone.now()
    account = _account(username)
    with transaction.atomic():
        account_locked = _count_failure(_user_key(username), settings.HMIS_LOGIN_MAX_FAILURES, now)
        address_locked = bool(address) and _count_failure(
            _address_key(address), settings.HMIS_LOGIN_MAX_FAILURES_PER_ADDRESS, now
        )
        _audit(AuditAction.LOGIN_FAILED, account, username, address, "Failed sign-in")
        if account_locked:
            _audit(
                AuditAction.LOCKOUT,
                account,
                username,
                address,
                f"Account locked for {lock_minutes()} minutes after "
                f"{settings.HMIS_LOGIN_MAX_FAILURES} failed sign-ins",
            )
        if address_locked:
            _audit(
                AuditAction.LOCKOUT,
                account,
                username,
                address,
                f"Address {address} locked for {lock_minutes()} minutes after "
                f"{settings.HMIS_LOGIN_MAX_FAILURES_PER_ADDRESS} failed sign-ins",
            )
    return account_locked or address_locked


def record_refused_sign_in(*, username: str, address: str | None, lock: Lock) -> None:
    """Audit a sign-in attempt refused because of a lock (the password is not even checked)."""
    what = "account" if lock.key.startswith("user:") else "address"
    _audit(
        AuditAction.LOGIN_FAILED,
        _account(username),
        username,
        address,
        f"Sign-in refused: {what} locked",
    )


def record_successful_sign_in(*, user: User, address: str | None) -> None:
    now = timezone.now()
    SignInThrottle.objects.filter(key=_user_key(user.username)).update(
        failures=0, last_failure_at=None
    )
    # Forget stale counts (guessed user names leave a row each) so the table stays small.
    SignInThrottle.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        last_failure_at__lt=now - FAILURE_MEMORY,
    ).delete()
    record(
        actor=user,
        action=AuditAction.LOGIN,
        obj=user,
        ip_address=address,
        message="Signed in",
    )


def _audit(action, account: User | None, username: str, address: str | None, message: str):
    # The typed name is kept only when no such account exists (it may be a mistyped password).
    record(
        actor=account,
        action=action,
        obj=account,
        object_type="accounts.User",
        organization_id=account.organization_id if account else None,
        ip_address=address,
        message=message if account else f"{message} (unknown user name)",
    )


def unlock(*, username: str = "", address: str = "") -> int:
    """Lift the lock and forget the failures of an account and/or an address; how many rows."""
    keys = [_user_key(username)] if username else []
    if address:
        keys.append(_address_key(address))
    deleted, _ = SignInThrottle.objects.filter(key__in=keys).delete()
    return deleted
