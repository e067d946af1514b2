import pytest

from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches import errors
from hmis.batches.errors import BatchError
from hmis.batches.models import EntryStatus
from hmis.batches.posting import post_batch
from hmis.batches.units import set_entry_units, units_for_entries
from tests import factories as f
from tests.batches.test_posting import add_enrolled

pytestmark = pytest.mark.django_db


@pytest.fixture
def meal(batch):
    code = f.make_code("Meal")
    batch.service_codes.create(service_code=code, units=1)
    return code


def test_pending_entry_units_can_be_changed_and_are_audited(batch, meal, staff_a):
    (entry,) = add_enrolled(batch, staff_a)
    set_entry_units(entry=entry, user=staff_a, units={meal.pk: 2})
    assert units_for_entries([entry]) == {entry.pk: {meal.pk: 2}}
    event = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert event.changes == {f"units[{meal.pk}]": [1, 2]}


def test_setting_the_same_units_changes_nothing(batch, meal, staff_a):
    (entry,) = add_enrolled(batch, staff_a)
    set_entry_units(entry=entry, user=staff_a, units={meal.pk: 1})
    assert units_for_entries([entry]) == {}
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE).exists()


@pytest.mark.parametrize("bad", [0, -1, "2", 1.5, True])
def test_units_must_be_whole_numbers_of_at_least_one(batch, meal, staff_a, bad):
    (entry,) = add_enrolled(batch, staff_a)
    with pytest.raises(BatchError) as refusal:
        set_entry_units(entry=entry, user=staff_a, units={meal.pk: bad})
    assert refusal.value.code == errors.INVALID_UNITS


def test_only_the_batch_codes_can_be_changed(batch, staff_a):
    (entry,) = add_enrolled(batch, staff_a)
    stranger = f.make_code("Not in batch")
    with pytest.raises(BatchError) as refusal:
        set_entry_units(entry=entry, user=staff_a, units={stranger.pk: 2})
    assert refusal.value.message == "ERROR: That service is not in this batch."


def test_posted_entry_units_cannot_change(batch, meal, staff_a):
    (entry,) = add_enrolled(batch, staff_a)
    post_batch(batch=batch, user=staff_a)
    with pytest.raises(BatchError) as refusal:
        set_entry_units(entry=entry, user=staff_a, units={meal.pk: 2})
    assert refusal.value.code == errors.NOT_PENDING
    entry.refresh_from_db()
    assert entry.status == EntryStatus.POSTED
