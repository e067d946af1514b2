"""Signing in across two steps: the password, then the second factor (or its set-up).

Between the steps the session holds only who passed the password and when, not a signed-in user:
`login()` runs once both factors are in, so a password alone neither opens a session nor ends the
owner's open one (sessions.py keeps one session per user)."""

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from hmis.accounts import signin
from hmis.accounts.models import User
from hmis.accounts.twofactor import Verified, recovery_codes_left

PENDING_KEY = "hmis_two_factor_pending"
# Time to type a code, or to install an app and set it up, after the password.
PENDING_SECONDS = 15 * 60


def next_url_from(request: HttpRequest) -> str:
    """The `next` address of the request, when it is on this site; else the home page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def start_pending_sign_in(
    request: HttpRequest, *, user: User, attempt: signin.Attempt, next_url: str
) -> None:
    # A new session key: the pending state is never carried by a key set before the password.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": int(timezone.now().timestamp()),
        "next": next_url,
        "username": attempt.username,
        "address": attempt.address,
        "browser": attempt.browser_id,
    }


def _pending(request: HttpRequest) -> dict | None:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if timezone.now().timestamp() - data.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return data


def pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password in this session and still owes the second factor."""
    data = _pending(request)
    if data is None:
        return None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    if user is not None:
        user.backend = data["backend"]
    return user


def pending_next(request: HttpRequest) -> str:
    """Where to go once signed in: the page asked for before the password, or `?next=`."""
    data = _pending(request)
    return data["next"] if data else next_url_from(request)


def pending_attempt(request: HttpRequest, user: User) -> signin.Attempt:
    data = _pending(request) or {}
    return signin.Attempt(
        username=data.get("username", user.username),
        address=data.get("address"),
        browser_id=data.get("browser", ""),
    )


def complete_sign_in(
    request: HttpRequest,
    *,
    user: User,
    verified: Verified | None,
    attempt: signin.Attempt,
    next_url: str | None = None,
    respond: Callable[[], HttpResponse] | None = None,
) -> HttpResponse:
    """Open the session (when not open yet), mark it verified by `verified.device`, audit the
    sign-in, remember this browser for the account, and go on to `next_url` (or answer with
    `respond()`, rendered once signed in)."""
    next_url = next_url or pending_next(request)
    request.session.pop(PENDING_KEY, None)
    if not (request.user.is_authenticated and request.user.pk == user.pk):
        login(request, user, backend=getattr(user, "backend", None))
    message = "Signed in"
    if verified is not None:
        otp_login(request, verified.device)
        if verified.recovery_code_used:
            left = recovery_codes_left(user)
            message = f"Signed in with a recovery code ({left} left)"
        else:
            message = "Signed in with an authenticator app code"
    signin.record_successful_sign_in(user=user, attempt=attempt, message=message)
    response = respond() if respond else redirect(next_url)
    signin.remember_browser(request, response, user=user)
    return response
