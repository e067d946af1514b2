"""The invariants hold in the database, whatever path a write takes."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from hmis.batches.models import BatchEntry, BatchServiceCode, EntryStatus
from hmis.clients.models import CommunityCard, Enrollment
from hmis.services.models import Service
from tests import factories as f
from tests.batches.test_posting import add_enrolled

pytestmark = pytest.mark.django_db

# Within the desk's back-date limit (batches/dates.py), whatever day the suite runs.
RECENT = timezone.localdate() - timedelta(days=3)


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_one_live_entry_per_batch_client_and_date(batch, staff_a):
    (entry,) = add_enrolled(batch, staff_a, day=RECENT)

    def duplicate():
        BatchEntry.objects.create(
            batch=batch,
            client=entry.client,
            enrollment=entry.enrollment,
            batch_date=entry.batch_date,
            date_provided=entry.date_provided,
            added_by=staff_a,
            added_at=timezone.now(),
        )

    refused(duplicate)
    entry.status = EntryStatus.REMOVED
    entry.save(update_fields=["status"])
    duplicate()  # a removed entry no longer counts


def test_one_service_per_entry_and_code(batch, staff_a):
    from hmis.batches.posting import post_batch

    add_enrolled(batch, staff_a, day=RECENT)
    post_batch(batch=batch, user=staff_a)
    service = Service.objects.get()
    service.pk = None
    refused(service.save)


def test_hud_services_ids_are_unique(batch, staff_a):
    from hmis.batches.posting import post_batch

    add_enrolled(batch, staff_a, day=RECENT)
    post_batch(batch=batch, user=staff_a)
    service = Service.objects.get()
    service.pk, service.batch_entry = None, None  # not the same entry: only the HUD ID repeats
    refused(service.save)
    service.hud_services_id = "ANOTHER-ID"
    service.save()


def test_active_card_codes_are_unique():
    f.issue_card(f.make_client(), code="SAME0001")
    refused(lambda: f.issue_card(f.make_client(), code="SAME0001"))
    CommunityCard.objects.update(revoked_at=timezone.now())
    f.issue_card(f.make_client(), code="SAME0001")  # a revoked code no longer blocks


def test_exit_date_cannot_precede_entry_date(day_shelter):
    client = f.make_client()
    refused(
        lambda: Enrollment.objects.create(
            client=client,
            project=day_shelter,
            entry_date=date(2026, 2, 1),
            exit_date=date(2026, 1, 31),
        )
    )


def test_units_must_be_positive(batch):
    refused(
        lambda: BatchServiceCode.objects.create(batch=batch, service_code=f.make_code(), units=0)
    )
    refused(lambda: f.make_code(default_units=0))
