"""Errors of adding and posting, with their messages defined once (tests assert them verbatim)."""

from hmis.errors import DomainError

ENROLLMENT_REQUIRED = "ERROR: Enrollment is a Required Field."


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
OVERRIDE_NOT_ALLOWED = "override_not_allowed"
OVERRIDE_REASON_REQUIRED = "override_reason_required"
NOT_PENDING = "not_pending"
INVALID_UNITS = "invalid_units"
BACKDATE_LIMIT = "backdate_limit"
NOT_YOURS = "not_yours"
UNDO_EXPIRED = "undo_expired"
WRONG_USER = "wrong_user"
