"""User administration pages (/manage/users/): agency administrators for their organization,
system administrators for everyone. Each view: access helper -> form -> one domain call."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hmis.accounts import managing, twofactor
from hmis.accounts.access import get_managed_token, get_managed_user, users_managed_by
from hmis.accounts.errors import AccountError, TwoFactorError
from hmis.accounts.forms import TokenForm, UserForm
from hmis.accounts.models import Role
from hmis.accounts.permissions import Perm, is_system_admin, requires
from hmis.api.tokens import create_api_token, revoke_api_token
from hmis.audit.recording import request_address

PAGE_SIZE = 50


@requires(Perm.MANAGE_USERS)
@require_GET
def user_list(request):
    show_inactive = request.GET.get("show") == "inactive"
    users = users_managed_by(request.user).filter(is_active=not show_inactive)
    page = Paginator(users.order_by("last_name", "first_name", "username"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    locked = managing.locked_usernames(user.username for user in page.object_list)
    with_two_factor = twofactor.users_with_two_factor(page.object_list)
    rows = [
        {
            "user": user,
            "locked": user.username in locked,
            "two_factor": user.pk in with_two_factor,
        }
        for user in page.object_list
    ]
    return render(
        request,
        "accounts/manage/list.html",
        {
            "page": page,
            "rows": rows,
            "show_inactive": show_inactive,
            "query_prefix": "show=inactive&" if show_inactive else "",
            "all_organizations": is_system_admin(request.user),
        },
    )


def _save(request, form, user):
    data = dict(form.cleaned_data)
    organization = data.pop("organization", None)
    if not is_system_admin(request.user):
        organization = request.user.organization
    try:
        return managing.save_user(admin=request.user, user=user, organization=organization, **data)
    except AccountError as refusal:
        form.add_error(refusal.field, refusal.message)
        return None


def _link_url(request):
    return lambda secret: request.build_absolute_uri(reverse("set_password_link", args=[secret]))


@requires(Perm.MANAGE_USERS)
@never_cache
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserForm(request.POST or None, admin=request.user, initial={"role": Role.STAFF})
    if request.method == "POST" and form.is_valid():
        user = _save(request, form, None)
        if user is not None:
            issued = managing.issue_set_password_link(
                admin=request.user, user=user, url_for=_link_url(request)
            )
            return _link_page(request, user, issued, created=True)
    return render(request, "accounts/manage/form.html", {"form": form, "managed": None})


def _link_page(request, user, issued, *, created: bool = False):
    return render(
        request,
        "accounts/manage/link.html",
        {
            "managed": user,
            "created": created,
            "link": _link_url(request)(issued.secret),
            "expires_at": issued.link.expires_at,
            "emailed": issued.emailed,
        },
    )


@requires(Perm.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_edit(request, user_id):
    managed = get_managed_user(request.user, user_id)
    initial = {
        "first_name": managed.first_name,
        "last_name": managed.last_name,
        "username": managed.username,
        "email": managed.email,
        "organization": managed.organization_id,
        "role": managed.role,
        "can_override_bars": managed.can_override_bars,
        "can_manage_bars": managed.can_manage_bars,
        "scan_batches": list(managed.scan_batches.values_list("pk", flat=True)),
    }
    form = UserForm(request.POST or None, admin=request.user, initial=initial)
    if request.method == "POST" and form.is_valid() and _save(request, form, managed):
        messages.success(request, f"Saved user {form.cleaned_data['username']}.")
        return redirect("manage_users:list")
    context = {
        "form": form,
        "managed": managed,
        "locked": bool(managing.locked_usernames([managed.username])),
        "two_factor": twofactor.has_two_factor(managed),
        "may_reset_two_factor": twofactor.may_reset(by=request.user, user=managed),
        "tokens": managed.api_tokens.all()[:50],
        "token_form": TokenForm(),
        "can_change_role": managed.role in managing.assignable_roles(request.user),
    }
    return render(request, "accounts/manage/form.html", context)


@requires(Perm.MANAGE_USERS)
@never_cache
@require_POST
def user_password_link(request, user_id):
    managed = get_managed_user(request.user, user_id)
    if not managed.is_active:
        messages.error(request, "Reactivate the user before making a set-password link.")
        return redirect("manage_users:edit", user_id=managed.pk)
    issued = managing.issue_set_password_link(
        admin=request.user, user=managed, url_for=_link_url(request)
    )
    return _link_page(request, managed, issued)


@requires(Perm.MANAGE_USERS)
@require_POST
def user_unlock(request, user_id):
    managed = get_managed_user(request.user, user_id)
    managing.unlock_sign_in(admin=request.user, user=managed)
    messages.success(request, f"Sign-in unlocked for {managed.username}.")
    return redirect("manage_users:edit", user_id=managed.pk)


@requires(Perm.MANAGE_USERS)
@require_POST
def user_reset_two_factor(request, user_id):
    managed = get_managed_user(request.user, user_id)
    try:
        twofactor.reset_two_factor(user=managed, by=request.user, address=request_address(request))
    except TwoFactorError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"Two-factor sign-in reset for {managed.username}.")
    return redirect("manage_users:edit", user_id=managed.pk)


@requires(Perm.MANAGE_USERS)
@require_POST
def user_deactivate(request, user_id):
    managed = get_managed_user(request.user, user_id)
    try:
        managing.deactivate_user(admin=request.user, user=managed)
    except AccountError as refusal:
        messages.error(request, refusal.message)
        return redirect("manage_users:edit", user_id=managed.pk)
    messages.success(request, f"Deactivated {managed.username}: signed out, API tokens stopped.")
    return redirect("manage_users:list")


@requires(Perm.MANAGE_USERS)
@require_POST
def user_reactivate(request, user_id):
    managed = managing.reactivate_user(
        admin=request.user, user=get_managed_user(request.user, user_id)
    )
    messages.success(request, f"Reactivated {managed.username}.")
    return redirect("manage_users:edit", user_id=managed.pk)


@requires(Perm.MANAGE_USERS)
@never_cache
@require_POST
def token_create(request, user_id):
    managed = get_managed_user(request.user, user_id)
    form = TokenForm(request.POST)
    if not form.is_valid() or not managed.is_active:
        messages.error(request, "Give the token a name (and the user must be active).")
        return redirect("manage_users:edit", user_id=managed.pk)
    token, secret = create_api_token(
        user=managed, name=form.cleaned_data["name"], created_by=request.user
    )
    return render(
        request,
        "accounts/manage/token.html",
        {"managed": managed, "token": token, "secret": secret},
    )


@requires(Perm.MANAGE_USERS)
@require_POST
def token_revoke(request, user_id, token_id):
    managed = get_managed_user(request.user, user_id)
    token = get_managed_token(request.user, managed, token_id)
    revoke_api_token(token=token, user=request.user)
    messages.success(request, f"Revoked API token {token.name}.")
    return redirect("manage_users:edit", user_id=managed.pk)
