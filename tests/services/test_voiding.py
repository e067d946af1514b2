import pytest

from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches.posting import post_batch
from hmis.errors import DomainError
from hmis.services.models import Service
from hmis.services.voiding import void_service
from tests.batches.test_posting import add_enrolled

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(batch, staff_a):
    add_enrolled(batch, staff_a)
    post_batch(batch=batch, user=staff_a)
    return Service.objects.get()


def test_voiding_soft_deletes_with_the_reason_and_is_audited(service, staff_a):
    void_service(service=service, user=staff_a, reason="Scanned the wrong card")
    service.refresh_from_db()
    assert service.deleted_at is not None
    assert (service.deleted_by, service.void_reason) == (staff_a, "Scanned the wrong card")
    assert Service.objects.live().count() == 0
    assert Service.objects.count() == 1
    event = AuditEvent.objects.get(action=AuditAction.VOID)
    assert (event.message, event.client_id) == ("Scanned the wrong card", service.client_id)


def test_voiding_needs_a_reason(service, staff_a):
    with pytest.raises(DomainError) as refusal:
        void_service(service=service, user=staff_a, reason="  ")
    assert refusal.value.message == "ERROR: Give a reason for voiding this service."
    service.refresh_from_db()
    assert service.deleted_at is None


def test_a_void_service_cannot_be_voided_again(service, staff_a):
    void_service(service=service, user=staff_a, reason="Duplicate")
    with pytest.raises(DomainError) as refusal:
        void_service(service=service, user=staff_a, reason="Again")
    assert refusal.value.code == "already_void"
