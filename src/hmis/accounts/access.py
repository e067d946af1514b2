"""The one way administration pages and the API fetch users for an administrator: an agency
administrator sees the users of their organization (never a system administrator), a system
administrator everyone."""

from django.db.models import Q
from django.http import Http404

from hmis.accounts.models import Role, User
from hmis.accounts.permissions import is_system_admin
from hmis.api.models import ApiToken


def users_managed_by(admin) -> "QuerySet[User]":  # noqa: F821
    users = User.objects.select_related("organization")
    if is_system_admin(admin):
        return users
    if admin.organization_id is None:
        return users.none()
    return users.filter(organization_id=admin.organization_id).exclude(
        Q(role=Role.SYSTEM_ADMIN) | Q(is_superuser=True)
    )


def get_managed_user(admin, pk) -> User:
    """The user, or 404 for anyone outside the administrator's reach."""
    try:
        return users_managed_by(admin).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("No such user.") from None


def get_managed_token(admin, user: User, pk) -> ApiToken:
    """An API token of a user the caller already fetched through `get_managed_user`."""
    try:
        return ApiToken.objects.select_related("user").get(pk=pk, user=user)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404("No such token.") from None
