"""Making, checking and revoking API tokens.

A token's secret is `hmis_` followed by 43 random URL-safe characters. Only its SHA-256 is stored,
so a copy of the database gives no working token.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from hmis.api.models import ApiToken
from hmis.audit.models import AuditAction
from hmis.audit.recording import record

SECRET_PREFIX = "hmis_"  # noqa: S105 (a marker, not a secret)
# Record use at most once a minute per token: a kiosk scanning every second must not turn each
# scan into an extra write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(
    *, user, name: str, created_by=None, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token for `user`; return it with its secret, which is never available again.
    `expires_at`: when it stops working (None: when revoked)."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        token_hash=hash_secret(secret),
        prefix=secret[: len(SECRET_PREFIX) + 4],
        expires_at=expires_at,
    )
    record(
        actor=created_by or user,
        action=AuditAction.CREATE,
        obj=token,
        organization_id=user.organization_id,
        changes={
            "user": user.username,
            "name": token.name,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
        message=f"API token {token.name!r} made for {user.username}",
    )
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: ApiToken, user) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(
        actor=user,
        action=AuditAction.DELETE,
        obj=token,
        organization_id=token.user.organization_id,
        message=f"API token {token.name!r} of {token.user.username} revoked",
    )


def user_for_secret(secret: str):
    """The active user holding this unrevoked, unexpired token, or None."""
    token = token_for_secret(secret)
    return token.user if token is not None else None


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token with this secret (its user loaded), or None."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("user", "user__organization")
        .filter(token_hash=hash_secret(secret))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
