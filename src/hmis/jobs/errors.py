"""Why a job did not finish, in words for the user (defined once; tests assert them verbatim)."""

MSG_CANCELLED = "Cancelled by {user}. Nothing was written."
MSG_CRASHED = "The job stopped on an unexpected error ({error}). Nothing was written."
MSG_NOT_CANCELLABLE = "This job has already finished."


class JobCancelled(BaseException):  # noqa: N818
    """Raised inside a job when its cancel was requested.

    A BaseException, like KeyboardInterrupt, so that the job's own `except Exception` handlers
    (the HUD CSV importer turns any error into a report) do not swallow it; transaction.atomic
    still rolls back on it."""


class JobFailed(Exception):
    """The job's work refused its input: `message` says why (shown on the job page)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
