"""batches/notes.py: a client's own comment on a batch entry, posted with or instead of the
batch's Default Comments."""

import pytest

from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches.errors import BatchError
from hmis.batches.notes import set_entry_comment
from hmis.batches.posting import post_batch
from hmis.services.models import Service
from tests.batches.test_posting import add_enrolled

pytestmark = pytest.mark.django_db


@pytest.fixture
def commented_batch(batch):
    batch.default_comments = "Drop-in visit."
    batch.save(update_fields=["default_comments"])
    return batch


def test_added_comment_follows_the_default_comments(commented_batch, staff_a):
    first, second = add_enrolled(commented_batch, staff_a, n=2)
    set_entry_comment(entry=first, user=staff_a, comment=" Needs shoes ", mode="add")
    post_batch(batch=commented_batch, user=staff_a)
    comments = dict(Service.objects.values_list("client_id", "comments"))
    assert comments == {
        first.client_id: "Drop-in visit. Needs shoes",
        second.client_id: "Drop-in visit.",
    }


def test_replacing_comment_is_posted_alone_and_the_change_is_audited(commented_batch, staff_a):
    (entry,) = add_enrolled(commented_batch, staff_a)
    set_entry_comment(entry=entry, user=staff_a, comment="Left early", mode="replace")
    post_batch(batch=commented_batch, user=staff_a)
    assert Service.objects.get().comments == "Left early"
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(entry.pk))
    assert event.changes == {"comment": ["", "Left early"], "comment_mode": ["add", "replace"]}


def test_a_posted_entry_comment_cannot_change(commented_batch, staff_a):
    (entry,) = add_enrolled(commented_batch, staff_a)
    post_batch(batch=commented_batch, user=staff_a)
    with pytest.raises(BatchError) as refused:
        set_entry_comment(entry=entry, user=staff_a, comment="Too late", mode="add")
    assert refused.value.code == "not_pending"
