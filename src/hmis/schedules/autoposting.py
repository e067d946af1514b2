"""Scheduled auto-posting: on each due day, a batch's services are posted for every client
enrolled in its program, through the same domain function as the desk (enrollment, bars,
frequency limits and duplicates are checked the same way). Each client succeeds or fails on its
own; a client already added for that day is left as it is, so a second run adds nothing."""

from datetime import date

from django.db import transaction

from hmis.batches.adding import add_client_to_batch
from hmis.batches.errors import ALREADY_ADDED, BatchError
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.batches.posting import post_entries
from hmis.clients.models import Client, Enrollment
from hmis.schedules.models import AutoPostSchedule


def auto_post_batches(*, day: date) -> dict:
    """Post every batch whose schedule is due on `day`; returns what happened per batch."""
    schedules = AutoPostSchedule.objects.filter(active=True, batch__active=True).select_related(
        "batch__performing_user", "batch__project"
    )
    summary = {}
    for schedule in schedules.order_by("pk"):
        if schedule.is_due_on(day):
            summary[str(schedule.batch_id)] = auto_post_batch(schedule=schedule, day=day)
    return summary


def auto_post_batch(*, schedule: AutoPostSchedule, day: date) -> dict:
    batch = schedule.batch
    user = batch.performing_user
    client_ids = (
        Enrollment.objects.active_on(day)
        .filter(project=batch.project_id, client__deleted_at__isnull=True)
        .values_list("client_id", flat=True)
        .distinct()
    )
    posted, already, refused = 0, 0, {}
    for client in Client.objects.filter(pk__in=list(client_ids)).order_by("pk").iterator():
        try:
            with transaction.atomic():
                entry = add_client_to_batch(
                    batch=batch, client=client, user=user, batch_date=day, date_provided=day
                )
                if not batch.auto_post:  # an auto-posting batch has posted it already
                    locked = list(BatchEntry.objects.select_for_update().filter(pk=entry.pk))
                    post_entries(batch=batch, entries=locked, user=user)
                entry.refresh_from_db(fields=["status"])
                if entry.status != EntryStatus.POSTED:
                    refused[str(client.pk)] = "left pending at posting"
                    continue
            posted += 1
        except BatchError as error:
            if error.code == ALREADY_ADDED:
                already += 1
            else:
                refused[str(client.pk)] = error.code
    return {"posted": posted, "already_added": already, "refused": refused}
