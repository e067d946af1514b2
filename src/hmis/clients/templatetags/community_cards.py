"""Template helpers for the Community cards section of a client's profile."""

from django import template

from hmis.clients.cards import format_code
from hmis.clients.models import CardRevokeReason

register = template.Library()


@register.filter
def card_code(code: str) -> str:
    """A card code grouped for reading ("ABCD EFGH JKL"); imported codes as they are."""
    return format_code(code)


@register.simple_tag
def active_card(cards):
    """The active card among `cards` (a client's cards), or None."""
    return next((card for card in cards if card.revoked_at is None), None)


@register.simple_tag
def reasons_to_take_a_card_out():
    """The reasons staff choose from to replace or revoke a card: the model's list, less
    "replaced" and "merged", which the system records itself (a new card issued, a merge)."""
    recorded = (CardRevokeReason.REPLACED, CardRevokeReason.MERGED)
    return [c for c in CardRevokeReason.choices if c[0] not in recorded]
