"""What each role may do, checked on the server for every view, endpoint and command.

Views declare their permission with `@requires(Perm.X)`; a test walks every URL pattern and fails on
a view without a declaration. `Perm.SIGNED_IN` is the declaration for pages every signed-in user
may open (their own profile, sign-out).
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps

from django.core.exceptions import PermissionDenied

from hmis.accounts.models import Role


class Perm(StrEnum):
    SIGNED_IN = "signed_in"
    SCAN = "scan"  # use the scanning desk of a batch (scan stations: only assigned batches)
    VIEW_BATCHES = "view_batches"
    MANAGE_BATCHES = "manage_batches"  # create, edit, deactivate batches
    POST_SERVICES = "post_services"
    VIEW_CLIENTS = "view_clients"  # search clients, open profiles
    EDIT_CLIENTS = "edit_clients"  # intake, enrollments, bars, photos
    VOID_SERVICES = "void_services"
    MANAGE_CARDS = "manage_cards"  # issue, replace, revoke, print cards and rosters
    REPORTS = "reports"
    EXPORT = "export"  # HUD CSV and other exports
    IMPORT = "import"  # HUD CSV import
    MANAGE_USERS = "manage_users"  # users of the organization, their API tokens
    MANAGE_PROGRAMS = "manage_programs"  # programs and their locations
    MANAGE_CATALOG = "manage_catalog"  # service groups and codes
    AUDIT = "audit"
    DATA_QUALITY = "data_quality"  # the data-quality page: what is missing, stale or unposted
    # The supervisor's tools: bars, releases of information, client alerts. Agency administrators,
    # and staff whose account has *May manage bars* (`can_manage_bars`).
    MANAGE_BARS = "manage_bars"
    MERGE_CLIENTS = "merge_clients"  # merge duplicate records, undo a merge, possible duplicates


_STAFF = {
    Perm.SIGNED_IN,
    Perm.SCAN,
    Perm.VIEW_BATCHES,
    Perm.MANAGE_BATCHES,
    Perm.POST_SERVICES,
    Perm.VIEW_CLIENTS,
    Perm.EDIT_CLIENTS,
    Perm.VOID_SERVICES,
    Perm.MANAGE_CARDS,
    Perm.REPORTS,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.SYSTEM_ADMIN: frozenset(Perm),
    Role.AGENCY_ADMIN: frozenset(
        _STAFF
        | {
            Perm.EXPORT,
            Perm.MANAGE_USERS,
            Perm.MANAGE_PROGRAMS,
            Perm.MANAGE_CATALOG,
            Perm.AUDIT,
            Perm.DATA_QUALITY,
            Perm.MANAGE_BARS,
            Perm.MERGE_CLIENTS,
        }
    ),
    Role.STAFF: frozenset(_STAFF),
    Role.READ_ONLY: frozenset({Perm.SIGNED_IN, Perm.VIEW_BATCHES, Perm.VIEW_CLIENTS, Perm.REPORTS}),
    Role.SCAN_STATION: frozenset({Perm.SIGNED_IN, Perm.SCAN}),
}


def has_perm(user, perm: Perm) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if perm == Perm.MANAGE_BARS and getattr(user, "can_manage_bars", False):
        # The flag adds the supervisor's tools to a role that may already edit clients.
        return Perm.EDIT_CLIENTS in ROLE_PERMISSIONS.get(user.role, frozenset())
    return perm in ROLE_PERMISSIONS.get(user.role, frozenset())


def check_perm(user, perm: Perm) -> None:
    """Raise PermissionDenied (403) unless the user holds `perm`."""
    if not has_perm(user, perm):
        raise PermissionDenied


def is_system_admin(user) -> bool:
    return bool(user.is_superuser or user.role == Role.SYSTEM_ADMIN)


def requires(perm: Perm) -> Callable:
    """Decorate a view: signed-in users holding `perm` only (others get the login page or 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                if request.headers.get("HX-Request") == "true":
                    # A fragment request: send the whole page to sign-in, not into the fragment.
                    from django_htmx.http import HttpResponseClientRedirect

                    from hmis.accounts.middleware import page_path

                    return HttpResponseClientRedirect(redirect_to_login(page_path(request)).url)
                return redirect_to_login(request.get_full_path())
            check_perm(request.user, perm)
            return view(request, *args, **kwargs)

        wrapped.required_permission = perm
        return wrapped

    return decorator
