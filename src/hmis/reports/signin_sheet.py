"""The *Daily sign-in sheet* of a batch for a Date Service Provided: every client added that day
(removed entries, and posted entries whose services were all voided, left out), the time they were
added, their services and units (posted: as recorded; pending: as the batch will post them), and
who added them. Four queries whatever the number of clients."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from hmis.batches.models import BatchEntry, EntryStatus
from hmis.services.models import Service


@dataclass(frozen=True)
class SignInRow:
    number: int
    time: datetime
    client_id: int
    client: str
    services: str
    status: str
    added_by: str


def sign_in_rows(*, batch, day: date) -> list[SignInRow]:
    live_services = Service.objects.live().filter(batch_entry=OuterRef("pk"))
    entries = (
        BatchEntry.objects.filter(
            Q(status=EntryStatus.PENDING) | Q(Exists(live_services), status=EntryStatus.POSTED),
            batch=batch,
            date_provided=day,
        )
        .select_related("client", "added_by")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.live().select_related("service_code").order_by("pk"),
            ),
            "unit_overrides",
        )
        .order_by("added_at", "pk")
    )
    batch_codes = list(batch.service_codes.select_related("service_code").order_by("pk"))
    rows = []
    for number, entry in enumerate(entries, start=1):
        if entry.status == EntryStatus.POSTED:
            given = [(s.service_code.name, s.units) for s in entry.services.all()]
        else:
            overrides = {o.service_code_id: o.units for o in entry.unit_overrides.all()}
            given = [
                (c.service_code.name, overrides.get(c.service_code_id, c.units))
                for c in batch_codes
            ]
        rows.append(
            SignInRow(
                number=number,
                time=timezone.localtime(entry.added_at),
                client_id=entry.client_id,
                client=entry.client.display_name,
                services="; ".join(f"{name} x {units}" for name, units in given),
                status=entry.get_status_display(),
                added_by=entry.added_by.display_name,
            )
        )
    return rows
