"""Errors of two-factor sign-in, with their messages (defined once, shown by the pages)."""

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
