"""Reads for the desk and a batch's history: entries per date, counts, dates used."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q

from hmis.batches.models import BatchEntry, EntryStatus, ServiceBatch
from hmis.services.models import Service

ENTRY_LIST_LIMIT = 300


@dataclass
class DayCounts:
    pending: int = 0
    posted: int = 0
    removed: int = 0
    voided: int = 0

    @property
    def live(self) -> int:
        return self.pending + self.posted


def day_counts(*, batch: ServiceBatch, batch_date: date) -> DayCounts:
    rows = (
        BatchEntry.objects.filter(batch=batch, batch_date=batch_date)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = DayCounts()
    for row in rows:
        setattr(counts, row["status"], row["n"])
    return counts


def scans_on(*, batch: ServiceBatch, day: date) -> int:
    """How many clients were added to `batch` on `day` (by the clock, whatever their dates)."""
    return batch.entries.live().filter(added_at__date=day).count()


def entries_on(
    *,
    batch: ServiceBatch,
    batch_date: date,
    include_removed: bool = False,
    limit: int = ENTRY_LIST_LIMIT,
) -> list[BatchEntry]:
    """The entries of `batch` for `batch_date`, newest first, at most `limit`, each with its
    `units_rows` [(batch service code, units)] and its live `services` prefetched."""
    entries = BatchEntry.objects.filter(batch=batch, batch_date=batch_date)
    if not include_removed:
        entries = entries.live()
    entries = list(
        entries.select_related("client", "added_by", "posted_by")
        .prefetch_related(
            "unit_overrides",
            Prefetch(
                "services",
                queryset=Service.objects.live().select_related("service_code"),
                to_attr="live_services",
            ),
        )
        .order_by("-added_at", "-pk")[:limit]
    )
    codes = list(batch.service_codes.select_related("service_code"))
    for entry in entries:
        own = {row.service_code_id: row.units for row in entry.unit_overrides.all()}
        entry.units_rows = [(row, own.get(row.service_code_id, row.units)) for row in codes]
    return entries


def dates_used(batch: ServiceBatch):
    """One row per batch date: clients (live entries), pending, posted, removed, services posted.
    A queryset of dicts, newest first, for the caller to paginate. Counts are distinct because the
    services join repeats each entry once per service."""
    not_removed = ~Q(status=EntryStatus.REMOVED)
    return (
        BatchEntry.objects.filter(batch=batch)
        .values("batch_date")
        .annotate(
            clients=Count("client", distinct=True, filter=not_removed),
            pending=Count("pk", distinct=True, filter=Q(status=EntryStatus.PENDING)),
            posted=Count("pk", distinct=True, filter=Q(status=EntryStatus.POSTED)),
            removed=Count("pk", distinct=True, filter=Q(status=EntryStatus.REMOVED)),
            services=Count("services", distinct=True, filter=Q(services__deleted_at__isnull=True)),
        )
        .order_by("-batch_date")
    )
