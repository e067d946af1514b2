from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from hmis.accounts import signin, twofactor
from hmis.accounts.errors import TwoFactorError
from hmis.accounts.sign_in_steps import complete_sign_in, next_url_from, start_pending_sign_in
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


class LockedSignInForm(SignInForm):
    """The form shown while sign-in is locked: a correct password with a valid second factor still
    signs in, so a stranger's failures cannot lock out an account that has one."""

    code = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=32,
        help_text="While sign-in is locked, an account with two-factor sign-in still signs in "
        "with its password and a code from the authenticator app (or a recovery code).",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


def _locked(request: HttpRequest, lock: signin.Lock) -> HttpResponse:
    form = LockedSignInForm(request, data=request.POST, locked_message=lock.message())
    form.is_valid()
    context = {"form": form, "next": next_url_from(request)}
    response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(lock.retry_after())
    return response


def _sign_in_through_lock(request: HttpRequest, attempt: signin.Attempt) -> HttpResponse | None:
    """Password and second factor given together while locked: signs in when both are right.
    The code is checked only after the password, so a stranger cannot wear out the owner's
    code throttle; either mistake is answered alike and counted."""
    form = SignInForm(request, data=request.POST)
    if form.is_valid() and twofactor.has_two_factor(form.get_user()):
        user = form.get_user()
        try:
            verified = twofactor.verify_second_factor(user=user, code=request.POST["code"])
        except TwoFactorError:
            pass
        else:
            next_url = next_url_from(request)
            return complete_sign_in(
                request, user=user, verified=verified, attempt=attempt, next_url=next_url
            )
    signin.record_failed_sign_in(attempt=attempt, reason="Failed sign-in while locked")
    return None


@sensitive_post_parameters("password", "code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Sign in: the password, then (when the account has or needs one) the second factor."""
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        attempt = signin.attempt_from(request, username=username, address=request_address(request))
        lock = signin.current_lock(attempt)
        if lock and lock.kind == "lock" and request.POST.get("code"):
            response = _sign_in_through_lock(request, attempt)
            return response or _locked(request, signin.current_lock(attempt) or lock)
        if lock:
            # Refused before the password is checked: a locked account cannot be guessed at.
            signin.record_refused_sign_in(attempt=attempt, lock=lock)
            return _locked(request, lock)
        if form.is_valid():
            return password_accepted(request, user=form.get_user(), attempt=attempt)
        lock = signin.record_failed_sign_in(attempt=attempt)
        if lock:
            return _locked(request, lock)
    context = {"form": form, "next": next_url_from(request) if "next" in request.GET else ""}
    return render(request, "registration/login.html", context)


def password_accepted(request: HttpRequest, *, user, attempt: signin.Attempt) -> HttpResponse:
    """The password was right: sign in, or first ask for (or set up) the second factor."""
    if twofactor.has_two_factor(user) or twofactor.two_factor_required(user):
        start_pending_sign_in(request, user=user, attempt=attempt, next_url=next_url_from(request))
        name = "two_factor_verify" if twofactor.has_two_factor(user) else "two_factor_set_up"
        return redirect(name)
    return complete_sign_in(
        request, user=user, verified=None, attempt=attempt, next_url=next_url_from(request)
    )


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
