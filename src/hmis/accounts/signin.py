"""Sign-in throttling that keeps brute force out without letting a stranger lock people out
(OWASP ASVS 2.2.1; issue 14, finding 8).

Failures are counted in buckets, each in the database (`SignInThrottle`) so that every app server
sharing the database enforces one limit:

- `pair:<user>|<address>`: one account tried from one address. After `HMIS_LOGIN_SLOWDOWN_AFTER`
  failures each further attempt must wait (1, 2, 4 ... seconds, at most a minute): the answer
  is an immediate 429 with `Retry-After`, no worker thread sleeps. At `HMIS_LOGIN_MAX_FAILURES`
  the pair is locked for `HMIS_LOGIN_LOCK_MINUTES`. A stranger elsewhere locks only themselves.
- `browser:<user>|<id>`: a browser that signed in to this account before (a signed, long-lived
  cookie, the OWASP "device cookie") is counted on its own, under the same rules, and ignores the
  buckets below: a stranger on the shelter's shared address cannot lock a kiosk out.
- `address:<address>`: many accounts guessed from one address (`..._PER_ADDRESS`) and
  `user:<user>`: one account guessed from many addresses (`..._PER_ACCOUNT`) lock out unknown
  browsers only.

A lock never stops a correct password together with a valid second factor (accounts with
two-factor sign-in): the locked form asks for both, checks the code only after the password, and
answers both mistakes alike. Every failure, refusal and lock is audited.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hmis.accounts.models import SignInThrottle, User
from hmis.audit.models import AuditAction
from hmis.audit.recording import record

LOCKED_MESSAGE = (
    "Too many failed sign-ins. Sign-in is locked for {minutes} minutes; "
    "try again later or ask your administrator."
)
WAIT_MESSAGE = "Too many failed sign-ins. Wait {seconds} seconds before trying again."
# A failure this old no longer counts toward the limit.
FAILURE_MEMORY = timedelta(hours=24)
# The longest wait asked between two attempts before the lock.
MAX_WAIT_SECONDS = 60

KNOWN_BROWSER_COOKIE = "hmis_known_browser"
KNOWN_BROWSER_SALT = "hmis.accounts.signin.known_browser"
KNOWN_BROWSER_MAX_AGE = 365 * 24 * 3600
# A shared workstation may remember this many accounts.
KNOWN_BROWSER_MAX_ACCOUNTS = 20


def _name(username: str) -> str:
    # Lower-cased so "Jdoe" and "jdoe" share one count whatever the backend's case rules.
    # "|" cannot occur in a Django user name, so it separates the parts of a key safely.
    return username.strip().lower()[:150]


@dataclass(frozen=True)
class Attempt:
    """Who is trying to sign in, from where, and whether this browser signed in to them before."""

    username: str
    address: str | None
    browser_id: str = ""

    @property
    def known_browser(self) -> bool:
        return bool(self.browser_id)

    def slowed_key(self) -> str:
        """The bucket that slows down, then locks, this attempt's own failures."""
        if self.browser_id:
            return f"browser:{_name(self.username)}|{self.browser_id}"
        return f"pair:{_name(self.username)}|{self.address or '-'}"

    def wide_keys(self) -> list[tuple[str, int]]:
        """Account-wide and address-wide buckets, with their limits (unknown browsers only)."""
        if self.browser_id:
            return []
        keys = [(f"user:{_name(self.username)}", settings.HMIS_LOGIN_MAX_FAILURES_PER_ACCOUNT)]
        if self.address:
            keys.append((f"address:{self.address}", settings.HMIS_LOGIN_MAX_FAILURES_PER_ADDRESS))
        return keys


@dataclass(frozen=True)
class Lock:
    key: str
    until: datetime
    # "wait": a short pause before the next attempt; "lock": the full lock.
    kind: str

    def retry_after(self) -> int:
        return max(1, int((self.until - timezone.now()).total_seconds() + 0.999))

    def message(self) -> str:
        if self.kind == "wait":
            return WAIT_MESSAGE.format(seconds=self.retry_after())
        return locked_message()


def lock_minutes() -> int:
    return settings.HMIS_LOGIN_LOCK_MINUTES


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=lock_minutes())


def _account(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("organization").first()


# Known browsers ---------------------------------------------------------------------------------


def _browser_cookie(request: HttpRequest) -> dict:
    raw = request.COOKIES.get(KNOWN_BROWSER_COOKIE)
    if not raw:
        return {}
    try:
        value = signing.loads(raw, salt=KNOWN_BROWSER_SALT, max_age=KNOWN_BROWSER_MAX_AGE)
    except signing.BadSignature:
        return {}
    ok = isinstance(value, dict) and isinstance(value.get("id"), str)
    return value if ok and isinstance(value.get("users"), list) else {}


def attempt_from(request: HttpRequest, *, username: str, address: str | None) -> Attempt:
    """The attempt, with the browser's id when its cookie says it signed in to `username` before."""
    cookie = _browser_cookie(request)
    known = _name(username) in cookie.get("users", [])
    return Attempt(username=username, address=address, browser_id=cookie["id"] if known else "")


def remember_browser(request: HttpRequest, response: HttpResponse, *, user: User) -> None:
    """After a full sign-in, mark this browser as known for `user` (signed, so not forgeable)."""
    cookie = _browser_cookie(request)
    users = [name for name in cookie.get("users", []) if name != _name(user.username)]
    users = [_name(user.username), *users][:KNOWN_BROWSER_MAX_ACCOUNTS]
    value = {"id": cookie.get("id") or secrets.token_urlsafe(16), "users": users}
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        signing.dumps(value, salt=KNOWN_BROWSER_SALT),
        max_age=KNOWN_BROWSER_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# Counting ---------------------------------------------------------------------------------------


def current_lock(attempt: Attempt) -> Lock | None:
    """The wait or lock in force on this attempt's buckets, if any (the longest)."""
    keys = [attempt.slowed_key(), *(key for key, _ in attempt.wide_keys())]
    throttle = (
        SignInThrottle.objects.filter(key__in=keys, locked_until__gt=timezone.now())
        .order_by("-locked_until")
        .first()
    )
    if throttle is None:
        return None
    kind = "wait" if throttle.failures and throttle.key == attempt.slowed_key() else "lock"
    return Lock(throttle.key, throttle.locked_until, kind)


def _wait_seconds(failures: int) -> int:
    """The pause after the `failures`-th failure in a row: 0 until the slow-down starts, then
    1, 2, 4 ... seconds, at most MAX_WAIT_SECONDS."""
    beyond = failures - settings.HMIS_LOGIN_SLOWDOWN_AFTER
    return 0 if beyond < 0 else min(2**beyond, MAX_WAIT_SECONDS)


def _count_failure(key: str, limit: int, now: datetime, *, slow_down: bool) -> Lock | None:
    """Add one failure under `key`; the wait or lock this failure imposes, if any."""
    # Row lock: two servers counting the same bucket's failures at once must not lose one.
    throttle, _ = SignInThrottle.objects.select_for_update().get_or_create(key=key)
    if throttle.failures == 0 and throttle.locked_until and throttle.locked_until > now:
        # A full lock is in force (password and code tried together): it stands until it ends.
        return None
    if throttle.last_failure_at is None or now - throttle.last_failure_at > FAILURE_MEMORY:
        throttle.failures = 0
    throttle.failures += 1
    throttle.last_failure_at = now
    lock = None
    if throttle.failures >= limit:
        throttle.locked_until = now + timedelta(minutes=lock_minutes())
        throttle.failures = 0
        lock = Lock(key, throttle.locked_until, "lock")
    elif slow_down and _wait_seconds(throttle.failures):
        throttle.locked_until = now + timedelta(seconds=_wait_seconds(throttle.failures))
        lock = Lock(key, throttle.locked_until, "wait")
    throttle.save(update_fields=["failures", "last_failure_at", "locked_until"])
    return lock


def record_failed_sign_in(
    *, attempt: Attempt, reason: str = "Failed sign-in", user: User | None = None
) -> Lock | None:
    """Count and audit a failed sign-in; the wait or lock it imposes on this attempt, if any."""
    now = timezone.now()
    account = user or _account(attempt.username)
    with transaction.atomic():
        imposed = []
        own = _count_failure(
            attempt.slowed_key(), settings.HMIS_LOGIN_MAX_FAILURES, now, slow_down=True
        )
        imposed.append((own, settings.HMIS_LOGIN_MAX_FAILURES))
        for key, limit in attempt.wide_keys():
            imposed.append((_count_failure(key, limit, now, slow_down=False), limit))
        _audit(AuditAction.LOGIN_FAILED, account, attempt, reason)
        for lock, limit in imposed:
            if lock and lock.kind == "lock":
                _audit(AuditAction.LOCKOUT, account, attempt, _lock_description(lock, limit))
    locks = [lock for lock, _ in imposed if lock]
    return max(locks, key=lambda lock: lock.until) if locks else None


def _lock_description(lock: Lock, limit: int) -> str:
    kind, _, rest = lock.key.partition(":")
    name, _, where = rest.partition("|")
    what = {
        "pair": f"Account locked for address {where}",
        "browser": "Account locked for this browser",
        "user": "Account locked for unknown browsers",
        "address": f"Address {rest} locked for unknown browsers",
    }[kind]
    return f"{what} for {lock_minutes()} minutes after {limit} failed sign-ins"


def record_refused_sign_in(*, attempt: Attempt, lock: Lock) -> None:
    """Audit a sign-in attempt refused because of a wait or lock (the password is not checked)."""
    what = {"user": "account", "address": "address"}.get(lock.key.partition(":")[0], "account")
    state = "locked" if lock.kind == "lock" else "slowed down"
    _audit(
        AuditAction.LOGIN_FAILED,
        _account(attempt.username),
        attempt,
        f"Sign-in refused: {what} {state}",
    )


def record_successful_sign_in(*, user: User, attempt: Attempt, message: str = "Signed in") -> None:
    now = timezone.now()
    SignInThrottle.objects.filter(key=attempt.slowed_key()).update(
        failures=0, last_failure_at=None, locked_until=None
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
        ip_address=attempt.address,
        message=message,
    )


def _audit(action, account: User | None, attempt: Attempt, message: str):
    # The typed name is kept only when no such account exists (it may be a mistyped password).
    record(
        actor=account,
        action=action,
        obj=account,
        object_type="accounts.User",
        organization_id=account.organization_id if account else None,
        ip_address=attempt.address,
        message=message if account else f"{message} (unknown user name)",
    )


def unlock(*, username: str = "", address: str = "") -> int:
    """Lift the locks and forget the failures of an account (from every address and browser)
    and/or of an address; how many rows."""
    match = Q(pk__in=[])
    if username:
        name = _name(username)
        match |= Q(key=f"user:{name}")
        match |= Q(key__startswith=f"pair:{name}|") | Q(key__startswith=f"browser:{name}|")
    if address:
        match |= Q(key=f"address:{address}")
        match |= Q(key__startswith="pair:", key__endswith=f"|{address}")
    deleted, _ = SignInThrottle.objects.filter(match).delete()
    return deleted


def locked_usernames(usernames) -> set[str]:
    """Which of these accounts have a full lock in force now, from any address or browser (one
    query, for the users list). Waits between attempts are not locks."""
    names = {_name(username): username for username in usernames}
    if not names:
        return set()
    match = Q(pk__in=[])
    for name in names:
        match |= Q(key=f"user:{name}")
        match |= Q(key__startswith=f"pair:{name}|") | Q(key__startswith=f"browser:{name}|")
    keys = SignInThrottle.objects.filter(
        match, failures=0, locked_until__gt=timezone.now()
    ).values_list("key", flat=True)
    return {names[key.partition(":")[2].partition("|")[0]] for key in keys}


def record_failed_second_factor(*, user: User, attempt: Attempt, reason: str) -> None:
    """Audit a wrong code after a correct password (django-otp slows the device's next tries)."""
    _audit(AuditAction.LOGIN_FAILED, user, attempt, reason)
