"""Errors of adding and posting, with their messages defined once (tests assert them verbatim)."""

from hmis.errors import DomainError

ENROLLMENT_REQUIRED = "ERROR: Enrollment is a Required Field."
CARD_ONLY_MESSAGE = "ERROR: This station adds clients by Scan Card ID only."


class BatchError(DomainError):
    """A client could not be added to (or posted from) a batch. `client` is set when known."""

    def __init__(self, code: str, message: str, *, client=None, **details):
        super().__init__(code, message, **details)
        self.client = client


# Stable codes, shared by the web desk, the API and the CLI.
ENROLLMENT_REQUIRED_CODE = "enrollment_required"
BARRED = "barred"
FREQUENCY_LIMIT = "frequency_limit"
ALREADY_ADDED = "already_added"
FUTURE_DATE = "future_date"
BATCH_INACTIVE = "batch_inactive"
LOCATION_INACTIVE = "location_inactive"
LOCATION_INACTIVE_MESSAGE = "ERROR: This batch's location ({location}) has been deactivated."
OVERRIDE_NOT_ALLOWED = "override_not_allowed"
OVERRIDE_REASON_REQUIRED = "override_reason_required"
NOT_PENDING = "not_pending"
INVALID_UNITS = "invalid_units"
ENTRY_DATE_FUTURE = "entry_date_in_future"
ENTRY_AFTER_SERVICE = "entry_after_service"
INVALID_COMMENT = "invalid_comment"
CARD_ONLY = "card_only"  # a scan station typed a Client ID: it adds by card only
BACKDATE_LIMIT = "backdate_limit"
NOT_YOURS = "not_yours"
UNDO_EXPIRED = "undo_expired"
WRONG_USER = "wrong_user"
