"""When the database stays busy: a clear, retryable 503 instead of a 500.

SQLite has one writer. A scan waits for the write lock up to the connection's busy timeout (20 s)
while an import, a post or other scans hold it; when the wait runs out, SQLite raises *database is
locked*. Nothing was written then (the transaction rolled back), so the same request may be sent
again: the desk's queue does so with the same key after Retry-After seconds, and API clients are
told to."""

import logging

from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

CODE = "database_busy"
MESSAGE = (
    "The database is busy with other work, so nothing was recorded yet. "
    "Send the same request again in a few seconds."
)
RETRY_AFTER_SECONDS = 2


def is_database_busy(error: BaseException) -> bool:
    """SQLite gave up waiting for its lock (SQLITE_BUSY after the busy timeout)."""
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def log_busy(request) -> None:
    logger.warning("Database busy: answered 503 to %s %s", request.method, request.path)


class DatabaseBusyMiddleware:
    """Pages and the desk: a view whose database stayed locked answers 503 with Retry-After (the
    API answers in JSON, api/main.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        log_busy(request)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
