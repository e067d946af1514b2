"""*Undo* on the desk's last result line (batches/undoing.py)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hmis.accounts.models import Role
from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches import errors
from hmis.batches.adding import add_client_to_batch
from hmis.batches.errors import BatchError
from hmis.batches.models import EntryStatus
from hmis.batches.removing import remove_entry
from hmis.batches.undoing import UNDO_REASON, undo_add
from hmis.batches.units import set_entry_units
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 14, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture
def enrolled(day_shelter):
    client = f.make_client("Maria", "Lopez")
    f.enroll(client, day_shelter, date(2026, 1, 1))
    return client


def add(batch, client, user):
    day = NOW.date()
    return add_client_to_batch(
        batch=batch, client=client, user=user, batch_date=day, date_provided=day
    )


def test_undo_removes_a_pending_entry_and_is_audited(batch, enrolled, staff_a):
    with time_machine.travel(NOW, tick=False):
        entry = add(batch, enrolled, staff_a)
        undone = undo_add(entry=entry, user=staff_a)
    assert undone.status == EntryStatus.REMOVED
    assert AuditEvent.objects.filter(action=AuditAction.REMOVE, object_id=str(entry.pk)).exists()


def test_undo_voids_the_services_of_an_auto_posted_entry_as_scanned_by_mistake(
    day_shelter, enrolled, staff_a
):
    batch = f.make_batch(day_shelter, auto_post=True)
    with time_machine.travel(NOW, tick=False):
        entry = add(batch, enrolled, staff_a)
        undone = undo_add(entry=entry, user=staff_a)
        # The client can be added again for that date.
        assert add(batch, enrolled, staff_a).status == EntryStatus.POSTED
    assert undone.status == EntryStatus.VOIDED
    voided = Service.objects.filter(batch_entry=entry)
    assert voided.count() == 1
    assert all(s.deleted_at and s.void_reason == UNDO_REASON for s in voided)
    assert AuditEvent.objects.filter(action=AuditAction.VOID, message=UNDO_REASON).count() == 1


def test_only_the_user_who_scanned_can_undo(batch, enrolled, staff_a, org_a):
    other = f.make_user(org_a)
    with time_machine.travel(NOW, tick=False):
        entry = add(batch, enrolled, staff_a)
        with pytest.raises(BatchError) as refusal:
            undo_add(entry=entry, user=other)
    assert refusal.value.code == errors.NOT_YOURS
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_undo_is_possible_for_five_minutes(batch, enrolled, staff_a):
    with time_machine.travel(NOW, tick=False):
        entry = add(batch, enrolled, staff_a)
    with time_machine.travel(NOW + timedelta(minutes=5, seconds=1), tick=False):
        with pytest.raises(BatchError) as refusal:
            undo_add(entry=entry, user=staff_a)
    assert refusal.value.code == errors.UNDO_EXPIRED
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING


def test_a_scan_station_cannot_remove_or_change_another_users_entry(
    batch, enrolled, staff_a, org_a
):
    station = f.make_user(org_a, Role.SCAN_STATION)
    with time_machine.travel(NOW, tick=False):
        entry = add(batch, enrolled, staff_a)
    code_id = batch.service_codes.get().service_code_id
    with pytest.raises(BatchError) as refusal:
        remove_entry(entry=entry, user=station)
    assert refusal.value.code == errors.NOT_YOURS
    with pytest.raises(BatchError):
        set_entry_units(entry=entry, user=station, units={code_id: 2})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PENDING
    assert not entry.unit_overrides.exists()
