"""When the database stays busy: a clear, retryable 503 instead of a 500.

SQLite has one writer. A scan waits for the write lock up to the connection's busy timeout (20 s)
while an import, a post or other scans hold it; when the wait runs out, SQLite raises *database is
locked*. Nothing was written then (the transaction rolled back), so the same request may be sent
again: the desk's queue does so with the same key after Retry-After seconds, and API clients are
told to."""

import logging
import sys

from django.contrib.sessions import middleware as sessions
from django.contrib.sessions.exceptions import SessionInterrupted
from django.core.signals import got_request_exception
from django.db import OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

CODE = "database_busy"
MESSAGE = (
    "The database is busy with other work, so nothing was recorded yet. "
    "Send the same request again in a few seconds."
)
RETRY_AFTER_SECONDS = 2
BUSY_MARK = "_hmis_database_busy"


def is_database_busy(error: BaseException | None) -> bool:
    """SQLite gave up waiting for its lock (SQLITE_BUSY after the busy timeout)."""
    return isinstance(error, OperationalError) and "database is locked" in str(error)


def caused_by_busy_database(error: BaseException | None) -> bool:
    """`error`, or an error it was raised from or while handling, is the database being busy."""
    for _ in range(5):
        if error is None:
            return False
        if is_database_busy(error):
            return True
        error = error.__cause__ or error.__context__
    return False


def log_busy(request) -> None:
    logger.warning("Database busy: answered 503 to %s %s", request.method, request.path)


def busy_response() -> HttpResponse:
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@receiver(got_request_exception, dispatch_uid="hmis_database_busy")
def _mark_busy_request(sender, request=None, **kwargs) -> None:
    # Django turns an exception outside the view (a session saved after it, say) into a 500
    # before outer middleware sees it; the mark lets the middleware answer 503 instead.
    if request is not None and is_database_busy(sys.exc_info()[1]):
        setattr(request, BUSY_MARK, True)


class DatabaseBusyMiddleware:
    """Pages and the desk: a request whose database stayed locked answers 503 with Retry-After (the
    API answers in JSON, api/main.py). First in MIDDLEWARE, so it also covers the middleware that
    writes (sessions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, BUSY_MARK, False):
            log_busy(request)
            return busy_response()
        return response

    def process_exception(self, request, exception):
        if not is_database_busy(exception):
            return None
        log_busy(request)
        return busy_response()


class SessionMiddleware(sessions.SessionMiddleware):
    """Django's, except that a session it could not save because the database stayed locked
    answers 503 (send the request again) instead of 400 *session interrupted*: Django reports any
    failed session update as a session deleted meanwhile."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except SessionInterrupted as interrupted:
            if not caused_by_busy_database(interrupted):
                raise
            log_busy(request)
            return busy_response()
