from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from hmis.accounts import signin
from hmis.audit.models import AuditAction
from hmis.audit.recording import record, request_address


class SignInForm(AuthenticationForm):
    """Django's sign-in form; can refuse up front with the lock message (no password check)."""

    def __init__(self, request=None, *args, locked_message: str = "", **kwargs):
        super().__init__(request, *args, **kwargs)
        self.locked_message = locked_message

    def clean(self):
        if self.locked_message:
            raise ValidationError(self.locked_message, code="locked")
        return super().clean()


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Sign in, unless the account or the address is locked after too many failures."""
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        address = request_address(request)
        lock = signin.current_lock(username=username, address=address)
        if lock:
            # Refused before the password is checked: a locked account cannot be guessed at.
            signin.record_refused_sign_in(username=username, address=address, lock=lock)
            form = SignInForm(request, data=request.POST, locked_message=signin.locked_message())
            form.is_valid()
            status = 429
        elif form.is_valid():
            user = form.get_user()
            login(request, user)
            signin.record_successful_sign_in(user=user, address=address)
            return redirect(_next_url(request))
        elif signin.record_failed_sign_in(username=username, address=address):
            form = SignInForm(request, data=request.POST, locked_message=signin.locked_message())
            form.is_valid()
            status = 429
    context = {"form": form, "next": _next_url(request) if "next" in request.GET else ""}
    return render(request, "registration/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out: the session is deleted on the server, so its cookie is worthless afterwards."""
    if request.user.is_authenticated:
        record(
            actor=request.user,
            action=AuditAction.LOGOUT,
            obj=request.user,
            ip_address=request_address(request),
            message="Signed out",
        )
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def set_password_link_view(request: HttpRequest, token: str) -> HttpResponse:
    """Choose a password with a one-time link from an administrator (no sign-in needed: the link
    is the proof). A used, expired or replaced link is refused."""
    from hmis.accounts.errors import AccountError
    from hmis.accounts.forms import SetPasswordForm
    from hmis.accounts.managing import find_set_password_link, set_password_with_link

    try:
        link = find_set_password_link(token)
    except AccountError as refusal:
        return render(
            request, "accounts/set_password.html", {"refusal": refusal.message}, status=410
        )
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            set_password_with_link(
                secret=token,
                password=form.cleaned_data["password1"],
                address=request_address(request),
            )
        except AccountError as refusal:
            if refusal.field is None:
                return render(
                    request, "accounts/set_password.html", {"refusal": refusal.message}, status=410
                )
            form.add_error(refusal.field, refusal.message)
        else:
            if request.user.is_authenticated:
                logout(request)
            from django.contrib import messages

            messages.success(request, "Your password is set. Sign in with it.")
            return redirect("login")
    return render(request, "accounts/set_password.html", {"form": form, "account": link.user})
