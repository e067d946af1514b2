import pytest

from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches import errors
from hmis.batches.errors import BatchError
from hmis.batches.models import EntryStatus
from hmis.batches.posting import post_batch
from hmis.batches.removing import remove_entry
from hmis.services.models import Service
from tests.batches.test_posting import add_enrolled

pytestmark = pytest.mark.django_db


def test_removing_a_pending_entry_keeps_it_marked_removed_and_audited(batch, staff_a):
    (entry,) = add_enrolled(batch, staff_a)
    remove_entry(entry=entry, user=staff_a)
    entry.refresh_from_db()
    assert (entry.status, entry.removed_by) == (EntryStatus.REMOVED, staff_a)
    assert AuditEvent.objects.filter(action=AuditAction.REMOVE, object_id=str(entry.pk)).exists()


def test_removed_entries_are_not_posted(batch, staff_a):
    removed, kept = add_enrolled(batch, staff_a, n=2)
    remove_entry(entry=removed, user=staff_a)
    post_batch(batch=batch, user=staff_a)
    assert list(Service.objects.values_list("client_id", flat=True)) == [kept.client_id]


def test_a_posted_entry_cannot_be_removed(batch, staff_a):
    (entry,) = add_enrolled(batch, staff_a)
    post_batch(batch=batch, user=staff_a)
    with pytest.raises(BatchError) as refusal:
        remove_entry(entry=entry, user=staff_a)
    assert refusal.value.code == errors.NOT_PENDING
