"""The user a card command acts as (audited), checked like the web checks a signed-in user."""

from django.core.management.base import CommandError

from hmis.accounts.models import User
from hmis.accounts.permissions import Perm, has_perm


def card_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user named {username!r}.")
    if not has_perm(user, Perm.MANAGE_CARDS):
        raise CommandError(f"{username} may not manage community cards.")
    return user
