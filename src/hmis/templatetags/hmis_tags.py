"""Template helpers for the pages: permission checks for menus, query strings that keep state."""

from django import template

from hmis.accounts.permissions import Perm, has_perm

register = template.Library()


@register.filter
def can(user, perm_name: str) -> bool:
    """`{% if user|can:"view_batches" %}`: the same check the views make, for showing links."""
    return has_perm(user, Perm(perm_name))
