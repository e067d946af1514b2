"""Refusals of two-factor sign-in, user administration and set-password links, each message
defined once (shown by the pages)."""

from hmis.errors import DomainError


class TwoFactorError(DomainError):
    """A second factor was refused, or a two-factor change is not allowed."""


WRONG_CODE = "wrong_code"
WRONG_CODE_MESSAGE = (
    "That code is not right. Enter the 6-digit code your authenticator app shows now, "
    "or one of your recovery codes."
)
WRONG_SET_UP_CODE = "wrong_set_up_code"
WRONG_SET_UP_CODE_MESSAGE = (
    "That code is not right. Check that the clock of the phone is set automatically and enter "
    "the 6-digit code the app shows now."
)
TOO_MANY_CODES = "too_many_codes"
TOO_MANY_CODES_MESSAGE = "Too many wrong codes. Wait {seconds} seconds before trying again."
NOT_ALLOWED = "not_allowed"
NOT_ALLOWED_MESSAGE = (
    "Only a system administrator, or an agency administrator of the user's organization, "
    "may reset another user's two-factor sign-in."
)
NOT_FOR_SCAN_STATIONS = "not_for_scan_stations"
NOT_FOR_SCAN_STATIONS_MESSAGE = (
    "Scan stations do not use two-factor sign-in: they sign in with an API token or a long "
    "password and stay limited to scanning."
)
REQUIRED = "required"
REQUIRED_MESSAGE = "Two-factor sign-in is required for administrators and cannot be turned off."


class AccountError(DomainError):
    """A user could not be created or changed, or a set-password link could not be used.
    `field` names the form field the message belongs beside, when there is one."""

    def __init__(self, code: str, message: str, *, field: str | None = None, **details):
        super().__init__(code, message, **details)
        self.field = field


ROLE_NOT_ALLOWED = "role_not_allowed"
ROLE_NOT_ALLOWED_MESSAGE = "You cannot give a role above your own."
USERNAME_TAKEN = "username_taken"
USERNAME_TAKEN_MESSAGE = "This username is already taken."
BATCH_OF_OTHER_ORGANIZATION = "batch_of_other_organization"
BATCH_OF_OTHER_ORGANIZATION_MESSAGE = "Choose batches of the user's own organization."
ORGANIZATION_REQUIRED = "organization_required"
ORGANIZATION_REQUIRED_MESSAGE = "Choose the user's organization."
CANNOT_DEACTIVATE_SELF = "cannot_deactivate_self"
CANNOT_DEACTIVATE_SELF_MESSAGE = "You cannot deactivate your own account."
LINK_INVALID = "link_invalid"
LINK_INVALID_MESSAGE = (
    "This link is not valid: it was already used, it expired (links last 24 hours), or it was "
    "replaced by a newer one. Ask your administrator for a new link."
)
WEAK_PASSWORD = "weak_password"  # noqa: S105 (an error code, not a password)
PASSWORDS_DIFFER = "passwords_differ"
PASSWORDS_DIFFER_MESSAGE = "The two passwords differ."
