"""*Recent clients* on the desk: who this batch served lately but has not been added for the day.

For the client who left their card at home: one click adds them without a search.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef

from hmis.batches.models import BatchEntry, EntryStatus, ServiceBatch
from hmis.clients.models import Client

RECENT_LIMIT = 30


def recent_clients(
    *, batch: ServiceBatch, day: date, days: int | None = None, limit: int = RECENT_LIMIT
) -> list[Client]:
    """Clients with a live entry in `batch` in the `days` before `day` (HMIS_RECENT_CLIENT_DAYS by
    default) and none for `day` itself, most recently served first; at most `limit`. Each client
    carries `last_served` (a date). Two queries whatever the number of rows."""
    days = settings.HMIS_RECENT_CLIENT_DAYS if days is None else days
    live = BatchEntry.objects.filter(batch=batch).exclude(status=EntryStatus.REMOVED)
    added_on_day = live.filter(date_provided=day, client=OuterRef("client"))
    rows = list(
        live.filter(date_provided__gte=day - timedelta(days=days), date_provided__lt=day)
        .exclude(Exists(added_on_day))
        .values("client")
        .annotate(last_served=Max("date_provided"))
        .order_by("-last_served", "client")[:limit]
    )
    clients = Client.objects.live().in_bulk([row["client"] for row in rows])
    found = []
    for row in rows:
        client = clients.get(row["client"])
        if client is not None:
            client.last_served = row["last_served"]
            found.append(client)
    return found
