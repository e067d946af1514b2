"""Posting a batch: turning pending entries into services on the clients' records.

Rules:
- Each pending entry gets one Service per batch service code, with that code's units (or the
  entry's own override), the batch's default comments (with or replaced by the entry's own
  comment: notes.py), the batch's user as provider, and the entry's date provided, project and
  location.
- Eligibility is checked again: an entry whose client no longer has an active enrollment on the
  date provided, or is now barred (without an override recorded at adding), stays pending with
  the reason in `pending_reason`. A service-code bar in force withholds only its code (no Service
  for it; the others are posted), as at adding (clients/eligibility.py `judge_bars`).
- All or nothing, and idempotent: a posted entry is never posted twice. Two stations posting the
  same batch at once queue on a lock of the batch row; the second finds nothing left to post.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hmis.audit.models import AuditAction
from hmis.audit.recording import build_event, record_many
from hmis.batches.errors import ENROLLMENT_REQUIRED
from hmis.batches.models import BatchEntry, EntryStatus, EntryUnits, ServiceBatch
from hmis.batches.notes import posted_comments
from hmis.clients.eligibility import bar_message, bars_for, judge_bars
from hmis.clients.models import Enrollment
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
    window = _Window.of(entries)
    enrollments = _active_enrollments(batch, window)
    code_ids = [code.service_code_id for code in codes]
    bars = bars_for(
        client_ids=window.client_ids,
        batch=batch,
        code_ids=code_ids,
        first=window.first_day,
        last=window.last_day,
    )
    now = timezone.now()

    services: list[Service] = []
    reasons: dict[int, str] = {}
    changed_enrollment: list[BatchEntry] = []
    given: dict[int, int] = {}
    for entry in entries:
        enrollment = _enrollment_on(enrollments[entry.client_id], entry.date_provided)
        barred_by, withheld = None, {}
        if not entry.bar_override_reason:
            judgement = judge_bars(
                bars.get(entry.client_id, []), code_ids=code_ids, on=entry.date_provided
            )
            barred_by = judgement.refusing[0] if judgement.refusing else None
            withheld = judgement.withheld
        if enrollment is None:
            reasons[entry.pk] = ENROLLMENT_REQUIRED
        elif barred_by is not None:
            reasons[entry.pk] = bar_message(barred_by)
        else:
            if enrollment.pk != entry.enrollment_id:
                entry.enrollment = enrollment
                changed_enrollment.append(entry)
            for code in codes:
                if code.service_code_id in withheld:
                    continue
                given[entry.pk] = given.get(entry.pk, 0) + 1
                units = overrides.get((entry.pk, code.service_code_id), code.units)
                services.append(
                    Service(
                        client_id=entry.client_id,
                        enrollment_id=enrollment.pk,
                        service_code_id=code.service_code_id,
                        date_provided=entry.date_provided,
                        units=units,
                        comments=posted_comments(
                            default_comments=batch.default_comments,
                            comment=entry.comment,
                            mode=entry.comment_mode,
                        ),
                        provider_id=batch.performing_user_id,
                        project_id=batch.project_id,
                        location_id=batch.location_id,
                        batch_entry_id=entry.pk,
                        created_by=user,
                        created_at=now,
                        updated_at=now,
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
            build_event(
                actor=user,
                action=AuditAction.POST,
                obj=entry,
                organization_id=batch.organization_id,
                client_id=entry.client_id,
                changes={"batch": batch.pk, "services": given.get(entry.pk, 0)},
            )
        )
    record_many(events)
    result.left_pending = left
    result.services_created = len(services)
    return result


def _unit_overrides(entries: list[BatchEntry]) -> dict[tuple[int, int], int]:
    rows = EntryUnits.objects.filter(entry__in=[e.pk for e in entries]).values_list(
        "entry_id", "service_code_id", "units"
    )
    return {(entry_id, code_id): units for entry_id, code_id, units in rows}


@dataclass(frozen=True)
class _Window:
    """The clients and the span of dates provided of the entries being posted."""

    client_ids: frozenset[int]
    first_day: date
    last_day: date

    @classmethod
    def of(cls, entries: list[BatchEntry]) -> "_Window":
        days = [e.date_provided for e in entries]
        return cls(frozenset(e.client_id for e in entries), min(days), max(days))


def _active_enrollments(batch, window: _Window) -> dict[int, list[Enrollment]]:
    """The batch project's live enrollments of these clients that could be active on some entry's
    date, in one query; matched to each entry's date in Python."""
    found: dict[int, list[Enrollment]] = defaultdict(list)
    rows = (
        Enrollment.objects.live()
        .filter(
            Q(exit_date__isnull=True) | Q(exit_date__gte=window.first_day),
            project_id=batch.project_id,
            client_id__in=window.client_ids,
            entry_date__lte=window.last_day,
        )
        .order_by("-entry_date", "-pk")
    )
    for enrollment in rows:
        found[enrollment.client_id].append(enrollment)
    return found


def _enrollment_on(enrollments: list[Enrollment], day: date) -> Enrollment | None:
    return next((e for e in enrollments if e.is_active_on(day)), None)
