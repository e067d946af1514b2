from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

from hmis.accounts.sessions import session_end_reason
from hmis.audit.models import AuditAction
from hmis.audit.recording import record, request_address


class SessionPolicyMiddleware:
    """Ends a session that is idle too long, too old, or replaced by a newer sign-in.

    Goes right after AuthenticationMiddleware."""

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
                # Read the header itself: HtmxMiddleware runs after this one.
                if request.headers.get("HX-Request") == "true":
                    return HttpResponseClientRedirect(redirect_to_login("/").url)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


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
