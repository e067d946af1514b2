"""Who is calling, and may they do this?

Every request carries `Authorization: Bearer <token>` (see `hmis create-api-token`). Every
operation declares what it needs with `@api_requires(Perm.X)`; a test walks the API and fails on an
operation without a declaration.
"""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from ninja.security import HttpBearer

from hmis.accounts.permissions import Perm, has_perm
from hmis.api.tokens import token_for_secret


class TokenAuth(HttpBearer):
    """A bearer token of an active user, not revoked, not expired. Anything else: 401."""

    def authenticate(self, request, token: str):
        found = token_for_secret(token)
        if found is None:
            return None
        # Code below the API (audit, access helpers) reads request.user, as in the web views;
        # the rate limits count per token too.
        request.user = found.user
        request.api_token = found
        return found.user


def api_requires(*perms: Perm) -> Callable:
    """Decorate an operation: the caller must hold one of `perms` (else 403).

    `required_permission` on the operation is the Perm, or a tuple of Perms any of which is
    enough (reading a batch: staff with VIEW_BATCHES, or the scan station assigned to it)."""
    if not perms or not all(isinstance(p, Perm) for p in perms):
        raise TypeError("api_requires needs at least one Perm")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(has_perm(request.auth, perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_permission = perms[0] if len(perms) == 1 else perms
        return wrapped

    return decorator
