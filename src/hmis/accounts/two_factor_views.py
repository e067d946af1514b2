"""Two-factor pages: the code step of sign-in, set-up (QR code and secret in text), recovery codes
(shown once), and the signed-in user's own two-factor page."""

from base64 import b32encode

import segno
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from hmis.accounts import signin, twofactor
from hmis.accounts.errors import TwoFactorError
from hmis.accounts.models import User
from hmis.accounts.permissions import Perm, requires
from hmis.accounts.sign_in_steps import (
    complete_sign_in,
    pending_attempt,
    pending_next,
    pending_user,
)
from hmis.audit.recording import request_address

SET_UP_DEVICE_KEY = "hmis_two_factor_set_up_device"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Authentication code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery "
        "codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )


class SetUpForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=12,
        help_text="The 6-digit code the app shows for this account once it is added.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def _two_factor_user(request: HttpRequest) -> User | None:
    """The signed-in user, or the one who passed the password and owes the second factor."""
    if request.user.is_authenticated:
        return request.user
    return pending_user(request)


def _address(request: HttpRequest) -> str | None:
    return request_address(request)


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Sign-in, step two: a code from the authenticator app or a recovery code."""
    user = _two_factor_user(request)
    if user is None:
        return redirect("login")
    if not twofactor.has_two_factor(user):
        return redirect("two_factor_set_up" if twofactor.two_factor_required(user) else "home")
    if request.user.is_authenticated and _is_verified(request):
        return redirect(pending_next(request))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        attempt = pending_attempt(request, user)
        try:
            verified = twofactor.verify_second_factor(user=user, code=form.cleaned_data["code"])
        except TwoFactorError as error:
            form.add_error("code", error.message)
            signin.record_failed_second_factor(user=user, attempt=attempt, reason=error.message)
        else:
            return complete_sign_in(request, user=user, verified=verified, attempt=attempt)
    context = {"form": form, "for_user": user, "next": pending_next(request)}
    return render(request, "accounts/two_factor_verify.html", context)


def _qr_svg(device) -> str:
    qr = segno.make(device.config_url, error="m")
    # Inline SVG made here from the secret: nothing leaves the server, no script, no style.
    return mark_safe(  # noqa: S308 - segno's own markup, no user input in it but the user name
        qr.svg_inline(scale=5, dark="#000", light="#fff", svgclass="qr", lineclass=None, title=None)
    )


def _secret_text(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def set_up(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), confirm with a code."""
    user = _two_factor_user(request)
    if user is None:
        return redirect("login")
    if not twofactor.two_factor_allowed(user):
        raise PermissionDenied
    if twofactor.has_two_factor(user) and not _is_verified(request):
        # Replacing a second factor takes that factor first: a password alone must not.
        return redirect("two_factor_verify")
    device = twofactor.pending_device(
        user=user, device_id=request.session.get(SET_UP_DEVICE_KEY)
    ) or twofactor.start_set_up(user=user)
    request.session[SET_UP_DEVICE_KEY] = device.pk
    form = SetUpForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            codes = twofactor.confirm_set_up(
                user=user, device=device, code=form.cleaned_data["code"], address=_address(request)
            )
        except TwoFactorError as error:
            form.add_error("code", error.message)
        else:
            return _set_up_done(request, user, codes)
    context = {
        "form": form,
        "qr_svg": _qr_svg(device),
        "secret": _secret_text(device),
        "for_user": user,
        "required": twofactor.two_factor_required(user),
        "next": pending_next(request),
    }
    return render(request, "accounts/two_factor_set_up.html", context)


def _set_up_done(request: HttpRequest, user: User, codes: list[str]) -> HttpResponse:
    request.session.pop(SET_UP_DEVICE_KEY, None)
    device = twofactor.confirmed_app(user)
    next_url = pending_next(request)

    def respond() -> HttpResponse:
        context = {"codes": codes, "next": next_url, "first_time": True}
        return render(request, "accounts/two_factor_recovery_codes.html", context)

    if request.user.is_authenticated:
        otp_login(request, device)
        return respond()
    verified = twofactor.Verified(device=device, recovery_code_used=False)
    attempt = pending_attempt(request, user)
    return complete_sign_in(
        request, user=user, verified=verified, attempt=attempt, next_url=next_url, respond=respond
    )


@requires(Perm.SIGNED_IN)
@never_cache
def overview(request: HttpRequest) -> HttpResponse:
    """The signed-in user's two-factor sign-in: on or off, recovery codes left, changes."""
    user = request.user
    context = {
        "allowed": twofactor.two_factor_allowed(user),
        "required": twofactor.two_factor_required(user),
        "enabled": twofactor.has_two_factor(user),
        "codes_left": twofactor.recovery_codes_left(user),
    }
    return render(request, "accounts/two_factor.html", context)


@requires(Perm.SIGNED_IN)
@never_cache
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Make new recovery codes (the old ones stop working), shown once."""
    try:
        codes = twofactor.new_recovery_codes(user=request.user, address=_address(request))
    except TwoFactorError as error:
        messages.error(request, error.message)
        return redirect("two_factor")
    context = {"codes": codes, "next": "/accounts/two-factor/", "first_time": False}
    return render(request, "accounts/two_factor_recovery_codes.html", context)


@requires(Perm.SIGNED_IN)
@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    try:
        twofactor.turn_off_two_factor(user=request.user, address=_address(request))
    except TwoFactorError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Two-factor sign-in is off: you sign in with your password.")
    return redirect("two_factor")
