"""Rate limits on the API's client look-ups: search, a client by ID, a Client ID typed for a batch.

Counted per user and per token, in fixed windows of a minute and of an hour, in the database (one
upsert per counter, atomic on SQLite and PostgreSQL), so several app servers behind one database
share the count. The defaults let a station look up a client every second for hours (60 a minute,
3,600 an hour) and stop anyone walking the client IDs. Beyond a limit: 429 `rate_limited` with
`Retry-After`, the seconds until the window ends. Scanning cards is not a look-up: not counted.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from hmis.api.models import RateCounter
from hmis.errors import DomainError

RATE_LIMITED = "rate_limited"
MSG_RATE_LIMITED = "Too many client look-ups: try again in {seconds} seconds."

# One statement for all of a request's counters, atomic on both databases: concurrent requests
# each get their own count.
_UPSERT = (
    "INSERT INTO api_ratecounter (bucket, window_seconds, window_start, hits) VALUES {rows} "
    "ON CONFLICT (bucket, window_seconds, window_start) "
    "DO UPDATE SET hits = api_ratecounter.hits + 1 "
    "RETURNING bucket, window_seconds, window_start, hits"
)


class RateLimited(DomainError):
    def __init__(self, retry_after: int):
        super().__init__(RATE_LIMITED, MSG_RATE_LIMITED.format(seconds=retry_after))
        self.retry_after = retry_after


@dataclass(frozen=True)
class Window:
    seconds: int
    limit: int


def lookup_windows() -> list[Window]:
    return [
        Window(60, settings.HMIS_API_LOOKUPS_PER_MINUTE),
        Window(3600, settings.HMIS_API_LOOKUPS_PER_HOUR),
    ]


def count_lookup(*, buckets: list[str], now: float | None = None) -> None:
    """Count one look-up against each of `buckets`; raise RateLimited when any is over its limit
    in any window (the request is refused, and counted: hammering does not reset the count)."""
    now = time.time() if now is None else now
    windows = {window.seconds: window for window in lookup_windows()}
    counters = [
        (bucket, seconds, int(now) // seconds * seconds)
        for seconds in windows
        for bucket in buckets
    ]
    sql = _UPSERT.format(rows=", ".join(["(%s, %s, %s, 1)"] * len(counters)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for counter in counters for value in counter])
        rows = cursor.fetchall()
    retry_after = 0
    for bucket, seconds, start, hits in rows:
        if hits == 1 and seconds == 3600:
            # A new hour for this caller: its windows of earlier hours count no more.
            RateCounter.objects.filter(bucket=bucket, window_start__lt=start).delete()
        if hits > windows[seconds].limit:
            retry_after = max(retry_after, start + seconds - int(now))
    if retry_after:
        raise RateLimited(max(retry_after, 1))


def count_api_lookup(request) -> None:
    """Count a look-up made with the request's token, against its user and the token."""
    token = getattr(request, "api_token", None)
    buckets = [f"user:{request.auth.pk}"]
    if token is not None:
        buckets.append(f"token:{token.pk}")
    count_lookup(buckets=buckets)
