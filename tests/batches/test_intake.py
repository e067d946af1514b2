"""batches/intake.py: the desk's intake enrolls and adds in one transaction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hmis.audit.models import AuditEvent
from hmis.batches.errors import BatchError
from hmis.batches.intake import enroll_and_add
from hmis.batches.models import BatchEntry
from hmis.clients.cards import CardError, generate_code
from hmis.clients.intake import IntakeError
from hmis.clients.lookup import find_client_by_card
from hmis.clients.models import Client, Enrollment
from hmis.clients.ude import ClientDetails
from tests import factories as f

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _details(**overrides) -> ClientDetails:
    return ClientDetails(**{"first_name": "Nia", "last_name": "Cole", "sex": 0, **overrides})


def test_a_new_client_is_created_enrolled_and_added(batch, staff_a):
    day = _today()
    result = enroll_and_add(
        batch=batch,
        user=staff_a,
        details=_details(),
        entry_date=day,
        batch_date=day,
        date_provided=day,
    )
    assert result.created and result.refusal is None
    assert result.enrollment.project == batch.project and result.enrollment.entry_date == day
    assert BatchEntry.objects.get(batch=batch).client == result.client
    assert AuditEvent.objects.filter(client_id=result.client.pk).count() == 3


def test_an_existing_client_is_enrolled_and_added(batch, staff_a, org_a):
    client = f.make_client("Tom", "Baker", organization=org_a)
    day = _today()
    result = enroll_and_add(
        batch=batch, user=staff_a, client=client, entry_date=day, batch_date=day, date_provided=day
    )
    assert not result.created and result.entry.client == client


def test_a_refused_add_keeps_the_intake_and_says_why(batch, staff_a, org_a):
    client = f.make_client("Tom", "Baker", organization=org_a)
    f.bar(client, organization=org_a, reason="Fighting")
    day = _today()
    result = enroll_and_add(
        batch=batch, user=staff_a, client=client, entry_date=day, batch_date=day, date_provided=day
    )
    assert result.entry is None and result.refusal.code == "barred"
    assert Enrollment.objects.filter(client=client, project=batch.project).exists()
    assert not BatchEntry.objects.exists()


def test_bad_details_or_entry_date_write_nothing(batch, staff_a):
    day = _today()
    with pytest.raises(IntakeError):
        enroll_and_add(
            batch=batch,
            user=staff_a,
            details=_details(last_name="", name_data_quality=1),
            entry_date=day,
            batch_date=day,
            date_provided=day,
        )
    with pytest.raises(BatchError) as refused:
        enroll_and_add(
            batch=batch,
            user=staff_a,
            details=_details(),
            entry_date=day,
            batch_date=day,
            date_provided=day - timedelta(days=1),
        )
    assert refused.value.code == "entry_after_service"
    assert not Client.objects.exists() and not Enrollment.objects.exists()


def test_a_failure_after_the_client_is_created_rolls_everything_back(batch, staff_a, monkeypatch):
    import hmis.batches.intake as intake

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(intake, "add_client_to_batch", broken)
    day = _today()
    with pytest.raises(RuntimeError):
        enroll_and_add(
            batch=batch,
            user=staff_a,
            details=_details(),
            entry_date=day,
            batch_date=day,
            date_provided=day,
        )
    assert not Client.objects.exists() and not Enrollment.objects.exists()


def test_the_unknown_card_scanned_is_issued_to_the_new_client(batch, staff_a):
    code = generate_code()
    day = _today()
    result = enroll_and_add(
        batch=batch,
        user=staff_a,
        details=_details(),
        card_code=code,
        entry_date=day,
        batch_date=day,
        date_provided=day,
    )
    assert find_client_by_card(code) == result.client


def test_a_card_already_in_use_leaves_nothing_written(batch, staff_a, org_a):
    holder = f.make_client("Tom", "Baker", organization=org_a)
    card = f.issue_card(holder, code=generate_code())
    day = _today()
    with pytest.raises(CardError):
        enroll_and_add(
            batch=batch,
            user=staff_a,
            details=_details(),
            card_code=card.code,
            entry_date=day,
            batch_date=day,
            date_provided=day,
        )
    assert Client.objects.count() == 1 and not Enrollment.objects.exists()
