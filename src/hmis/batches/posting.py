"""Posting a batch: turning pending entries into services on the clients' records.

Rules:
- Each pending entry gets one Service per batch service code, with that code's units (or the
  entry's own override), the batch's default comments (with or replaced by the entry's own
  comment: notes.py), the batch's user as provider, and the entry's date provided, project and
  location.
- Eligibility is checked again, by the same rules as adding (clients/eligibility.py): an entry
  whose client no longer has an active enrollment on the date provided, or is now barred
  (without an override recorded at adding), stays pending with the reason in `pending_reason`.
  A service-code bar in force withholds only its code (no Service for it; the others are
  posted), as at adding (clients/eligibility.py `judge_bars`).
- All or nothing, and idempotent: a posted entry is never posted twice. Two stations posting the
  same batch at once queue on a lock of the batch row; the second finds nothing left to post.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from hmis.audit.models import AuditAction
from hmis.audit.recording import build_event, record_many
from hmis.batches.models import BatchEntry, EntryStatus, EntryUnits, ServiceBatch
from hmis.batches.notes import posted_comments
from hmis.clients.eligibility import Verdict, judged, with_eligibility
from hmis.services.models import Service


@dataclass
class PostResult:
    posted: list[BatchEntry] = field(default_factory=list)
    left_pending: list[BatchEntry] = field(default_factory=list)
    services_created: int = 0


def post_batch(*, batch: ServiceBatch, user, batch_date: date | None = None) -> PostResult:
    """Post every pending entry of `batch` (only those of `batch_date` when given)."""
    with transaction.atomic():
        # The batch row lock serialises concurrent posts of one batch (PostgreSQL); on SQLite the
        # IMMEDIATE transaction already holds the database's write lock.
        batch = ServiceBatch.objects.select_for_update().get(pk=batch.pk)
        pending = BatchEntry.objects.filter(batch=batch, status=EntryStatus.PENDING)
        if batch_date is not None:
            pending = pending.filter(batch_date=batch_date)
        entries = list(pending.select_for_update().order_by("pk"))
        return post_entries(batch=batch, entries=entries, user=user)


def post_entries(*, batch: ServiceBatch, entries: list[BatchEntry], user) -> PostResult:
    """Post `entries` (pending, of `batch`, already locked by the caller's transaction)."""
    result = PostResult()
    if not entries:
        return result
    codes = list(batch.service_codes.all())
    overrides = _unit_overrides(entries)
    verdicts = _verdicts(batch, entries, code_ids=[code.service_code_id for code in codes])
    now = timezone.now()

    services: list[Service] = []
    reasons: dict[int, str] = {}
    changed_enrollment: list[BatchEntry] = []
    services_given: dict[int, int] = {}
    for entry in entries:
        verdict = verdicts[entry.pk]
        if entry.bar_override_reason:  # overridden (and audited) at adding: every bar
            verdict = Verdict(verdict.enrollment_id)
        if verdict.refusal is not None:
            reasons[entry.pk] = verdict.refusal.message
            continue
        if verdict.enrollment_id != entry.enrollment_id:
            entry.enrollment_id = verdict.enrollment_id
            changed_enrollment.append(entry)
        given = [code for code in codes if code.service_code_id not in verdict.withheld]
        services_given[entry.pk] = len(given)
        services.extend(
            services_of_entry(
                batch=batch, entry=entry, codes=given, overrides=overrides, user=user, now=now
            )
        )

    Service.objects.bulk_create(services, batch_size=1000)
    posted_ids = [e.pk for e in entries if e.pk not in reasons]
    BatchEntry.objects.filter(pk__in=posted_ids).update(
        status=EntryStatus.POSTED, posted_by=user, posted_at=now, pending_reason=""
    )
    if changed_enrollment:
        BatchEntry.objects.bulk_update(changed_enrollment, ["enrollment"])
    left = [e for e in entries if e.pk in reasons]
    for entry in left:
        entry.pending_reason = reasons[entry.pk]
    if left:
        BatchEntry.objects.bulk_update(left, ["pending_reason"])

    events = []
    for entry in entries:
        if entry.pk in reasons:
            continue
        entry.status, entry.posted_by, entry.posted_at, entry.pending_reason = (
            EntryStatus.POSTED,
            user,
            now,
            "",
        )
        result.posted.append(entry)
        events.append(
            post_event(batch=batch, entry=entry, user=user, services=services_given[entry.pk])
        )
    record_many(events)
    result.left_pending = left
    result.services_created = len(services)
    return result


def services_of_entry(
    *, batch: ServiceBatch, entry: BatchEntry, codes, overrides: dict, user, now
) -> list[Service]:
    """The services posting `entry` creates: one per batch service code (unsaved)."""
    comments = posted_comments(
        default_comments=batch.default_comments, comment=entry.comment, mode=entry.comment_mode
    )
    return [
        Service(
            client_id=entry.client_id,
            enrollment_id=entry.enrollment_id,
            service_code_id=code.service_code_id,
            date_provided=entry.date_provided,
            units=overrides.get((entry.pk, code.service_code_id), code.units),
            comments=comments,
            provider_id=batch.performing_user_id,
            project_id=batch.project_id,
            location_id=batch.location_id,
            batch_entry_id=entry.pk,
            created_by=user,
            created_at=now,
            updated_at=now,
        )
        for code in codes
    ]


def post_event(*, batch: ServiceBatch, entry: BatchEntry, user, services: int):
    return build_event(
        actor=user,
        action=AuditAction.POST,
        obj=entry,
        organization_id=batch.organization_id,
        client_id=entry.client_id,
        changes={"batch": batch.pk, "services": services},
    )


def _unit_overrides(entries: list[BatchEntry]) -> dict[tuple[int, int], int]:
    rows = EntryUnits.objects.filter(entry__in=[e.pk for e in entries]).values_list(
        "entry_id", "service_code_id", "units"
    )
    return {(entry_id, code_id): units for entry_id, code_id, units in rows}


def _verdicts(batch: ServiceBatch, entries: list[BatchEntry], *, code_ids) -> dict[int, Verdict]:
    """Eligibility again, for each entry's client on its date provided: one query for all the
    entries (and one more for the bars, only when some bar is in force)."""
    rows = with_eligibility(
        BatchEntry.objects.filter(pk__in=[e.pk for e in entries]),
        scope=batch,
        day="date_provided",
        code_ids=code_ids,
    ).values_list("pk", "client_id", "date_provided", "eligible_enrollment_id", "barring_bar_id")
    found = {
        pk: (client_id, day, enrollment_id, bar_id)
        for pk, client_id, day, enrollment_id, bar_id in rows
    }
    return judged(scope=batch, code_ids=code_ids, found=found)
