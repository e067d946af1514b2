from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from hmis.accounts.sessions import session_end_reason
from hmis.accounts.twofactor import has_two_factor, two_factor_required
from hmis.audit.models import AuditAction
from hmis.audit.recording import record, request_address


class SessionPolicyMiddleware:
    """Ends a session that is idle too long, too old, or replaced by a newer sign-in.

    Goes right after MessageMiddleware (itself after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            reason = session_end_reason(request)
            if reason:
                user = request.user
                record(
                    actor=user,
                    action=AuditAction.LOGOUT,
                    obj=user,
                    ip_address=request_address(request),
                    message=reason,
                )
                logout(request)
                # Said on the sign-in page (a cookie message: the session is gone).
                messages.warning(request, reason.replace("Session ended", "Signed out", 1) + ".")
                # Read the header itself: HtmxMiddleware runs after this one.
                if request.headers.get("HX-Request") == "true":
                    # A page's background request: sign-in returns to that page (the desk, with
                    # its dates in the address), not to the fragment.
                    return HttpResponseClientRedirect(redirect_to_login(page_path(request)).url)
                return redirect_to_login(request.get_full_path())
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and not request.user.is_authenticated
            and response.status_code == 302
            and urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
        ):
            # A background request after the session ended: the page goes to sign-in (and
            # comes back), rather than the request fetching the sign-in page into a fragment
            # (which would also use up the sign-in page's message saying why).
            return HttpResponseClientRedirect(redirect_to_login(page_path(request)).url)
        return response


def page_path(request: HttpRequest) -> str:
    """The path and query of the page an htmx request came from, if it is on this site."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    if current.netloc and current.netloc != request.get_host():
        return "/"
    if not current.path.startswith("/"):
        return "/"
    return current.path + (f"?{current.query}" if current.query else "")


class ContentSecurityPolicyMiddleware:
    """Sends `settings.HMIS_CONTENT_SECURITY_POLICY` on every response that has none: scripts only
    from our own static files, no inline script, no eval."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.HMIS_CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class TwoFactorMiddleware:
    """Confines a system or agency administrator whose session has no second factor (a session
    from before two-factor sign-in, a role just raised, an administrator's reset) to two-factor
    sign-in or its set-up. Goes right after django-otp's OTPMiddleware.

    Staff with the optional second factor never hold such a session: sign-in asks for the code
    before the session starts (accounts/views.py). The API authenticates by token, not session."""

    EXEMPT_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/api/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and two_factor_required(user)
            and not user.is_verified()
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            name = "two_factor_verify" if has_two_factor(user) else "two_factor_set_up"
            target = f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}"
            if request.headers.get("HX-Request") == "true":
                return HttpResponseClientRedirect(target)
            return redirect(target)
        return self.get_response(request)
