"""Errors of finding a client, with their messages."""

from hmis.errors import DomainError


class LookupFailed(DomainError):
    """Nothing (or nothing usable) matched what was typed or scanned."""


UNKNOWN_CARD = "unknown_card"
INVALID_CARD = "invalid_card"
REVOKED_CARD = "revoked_card"
UNKNOWN_CLIENT = "unknown_client"
EMPTY_INPUT = "empty_input"
