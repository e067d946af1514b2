"""Merging two records of one person (clients/merging.py), and undoing it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hmis.accounts.models import Role
from hmis.audit.models import AuditEvent
from hmis.batches.adding import SCAN_CARD, SCAN_CLIENT_ID, add_to_batch
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.clients.alerts import write_alert
from hmis.clients.lookup import find_client_by_card, find_client_by_id
from hmis.clients.merging import MergeError, merge_clients, undo_merge
from hmis.clients.models import Client, CommunityCard
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=ZoneInfo("America/Chicago"))):
        yield


@pytest.fixture
def admin_a(org_a):
    return f.make_user(org_a, Role.AGENCY_ADMIN)


@pytest.fixture
def pair(org_a, day_shelter, batch, staff_a):
    """Two records of Maria Lopez, each with an enrollment, a service, a card and an alert."""
    keep = f.make_client("Maria", "Lopez", organization=org_a, dob=date(1980, 5, 17))
    old = f.make_client("Maria", "Lopes", organization=org_a, dob=None, preferred_name="Mari")
    for client in (keep, old):
        f.enroll(client, day_shelter)
    keep_card, old_card = f.issue_card(keep), f.issue_card(old)
    old_entry = BatchEntry.objects.create(
        batch=batch,
        client=old,
        enrollment=old.enrollments.get(),
        batch_date=date(2026, 11, 1),
        date_provided=date(2026, 11, 1),
        added_by=staff_a,
        added_at=datetime(2026, 11, 1, 9, tzinfo=ZoneInfo("UTC")),
    )
    write_alert(
        client=old,
        organization_id=org_a.pk,
        user=staff_a,
        text="Allergic to peanuts – check lunch",
        priority="high",
        expires_on=date(2027, 1, 1),
        front_desk=True,
    )
    return keep, old, keep_card, old_card, old_entry


def state(client: Client) -> dict:
    client = Client.objects.get(pk=client.pk)
    return {field.attname: getattr(client, field.attname) for field in Client._meta.concrete_fields}


def test_merge_moves_everything_and_keeps_the_chosen_fields(pair, admin_a):
    keep, old, keep_card, old_card, old_entry = pair
    merge_clients(survivor=keep, merged=old, user=admin_a, choices={"preferred_name": "merged"})
    keep.refresh_from_db()
    old.refresh_from_db()
    assert keep.preferred_name == "Mari" and keep.last_name == "Lopez"
    assert keep.dob == date(1980, 5, 17)
    assert old.merged_into_id == keep.pk
    assert keep.enrollments.count() == 2
    assert BatchEntry.objects.get(pk=old_entry.pk).client_id == keep.pk
    assert keep.alerts.get().text == "Allergic to peanuts – check lunch"
    old_card.refresh_from_db()
    assert old_card.revoke_reason == "merged" and old_card.client_id == old.pk
    assert CommunityCard.objects.filter(client=keep, revoked_at__isnull=True).get() == keep_card
    assert not Client.objects.live().filter(pk=old.pk).exists()


def test_the_old_card_and_client_id_answer_for_the_survivor(pair, admin_a, batch, staff_a):
    keep, old, _keep_card, old_card, _ = pair
    merge_clients(survivor=keep, merged=old, user=admin_a, choices={})
    assert find_client_by_card(old_card.code).pk == keep.pk
    assert find_client_by_id(str(old.pk)).pk == keep.pk
    result = add_to_batch(
        batch=batch,
        user=staff_a,
        scan_type=SCAN_CARD,
        typed=old_card.code,
        batch_date=TODAY,
        date_provided=TODAY,
    )
    assert result.ok and result.client.pk == keep.pk
    assert result.message.startswith(
        f"Added. Pending until Post Services. This card was merged into Client ID {keep.pk}."
    )
    assert BatchEntry.objects.filter(client=keep, date_provided=TODAY).exists()
    by_id = add_to_batch(
        batch=batch,
        user=staff_a,
        scan_type=SCAN_CLIENT_ID,
        typed=str(old.pk),
        batch_date=TODAY,
        date_provided=TODAY,
    )
    assert by_id.code == "already_added"


def test_undo_merge_restores_both_records_exactly(pair, admin_a):
    keep, old, keep_card, old_card, old_entry = pair
    before = (state(keep), state(old))
    merge = merge_clients(
        survivor=keep,
        merged=old,
        user=admin_a,
        choices={"preferred_name": "merged", "dob": "merged"},
    )
    assert state(keep) != before[0]
    undo_merge(merge=merge, user=admin_a)
    assert (state(keep), state(old)) == before
    assert BatchEntry.objects.get(pk=old_entry.pk).client_id == old.pk
    assert old.enrollments.count() == 1 and keep.enrollments.count() == 1
    assert old.alerts.count() == 1
    old_card.refresh_from_db()
    assert old_card.revoked_at is None and old_card.revoke_reason == ""
    assert find_client_by_card(old_card.code).pk == old.pk
    with pytest.raises(MergeError) as again:
        undo_merge(merge=merge, user=admin_a)
    assert again.value.code == "undo_done"


def test_undo_is_refused_once_a_record_changed_after_the_merge(pair, admin_a):
    keep, old, *_ = pair
    merge = merge_clients(survivor=keep, merged=old, user=admin_a, choices={})
    keep.refresh_from_db()
    keep.first_name = "María"
    keep.save(update_fields=["first_name"])
    with pytest.raises(MergeError) as refusal:
        undo_merge(merge=merge, user=admin_a)
    assert refusal.value.message.startswith("ERROR: This merge cannot be undone")


def test_same_day_entries_of_both_records_leave_one_live(pair, admin_a, batch, staff_a):
    keep, old, _, _, old_entry = pair
    keep_entry = BatchEntry.objects.create(
        batch=batch,
        client=keep,
        enrollment=keep.enrollments.get(),
        batch_date=old_entry.batch_date,
        date_provided=old_entry.date_provided,
        added_by=staff_a,
        added_at=old_entry.added_at,
    )
    merge = merge_clients(survivor=keep, merged=old, user=admin_a, choices={})
    assert BatchEntry.objects.get(pk=old_entry.pk).status == EntryStatus.REMOVED
    assert BatchEntry.objects.get(pk=keep_entry.pk).status == EntryStatus.PENDING
    undo_merge(merge=merge, user=admin_a)
    assert BatchEntry.objects.get(pk=old_entry.pk).status == EntryStatus.PENDING


def test_a_survivor_without_a_card_takes_the_other_card(org_a, admin_a):
    keep, old = f.make_client(organization=org_a), f.make_client(organization=org_a)
    card = f.issue_card(old)
    merge = merge_clients(survivor=keep, merged=old, user=admin_a, choices={})
    card.refresh_from_db()
    assert card.client_id == keep.pk and card.revoked_at is None
    undo_merge(merge=merge, user=admin_a)
    card.refresh_from_db()
    assert card.client_id == old.pk


def test_merging_twice_or_into_itself_is_refused(pair, admin_a, org_a):
    keep, old, *_ = pair
    with pytest.raises(MergeError):
        merge_clients(survivor=keep, merged=keep, user=admin_a, choices={})
    merge_clients(survivor=keep, merged=old, user=admin_a, choices={})
    third = f.make_client(organization=org_a)
    with pytest.raises(MergeError) as refusal:
        merge_clients(survivor=third, merged=old, user=admin_a, choices={})
    assert refusal.value.code == "already_merged"


def test_merge_is_audited_with_both_records_before_state(pair, admin_a):
    keep, old, *_ = pair
    merge_clients(survivor=keep, merged=old, user=admin_a, choices={"preferred_name": "merged"})
    event = AuditEvent.objects.get(client_id=keep.pk, message__startswith="Merged Client ID")
    assert event.changes["preferred_name"] == ["", "Mari"]
    assert event.changes["before"]["merged"]["last_name"] == "Lopes"
    assert event.changes["before"]["survivor"]["dob"] == "[redacted]"
    assert event.changes["moved"]["enrollments"] == 1


def test_services_move_and_move_back(pair, admin_a, day_shelter, staff_a):
    keep, old, *_ = pair
    service = Service.objects.create(
        client=old,
        enrollment=old.enrollments.get(),
        service_code=f.make_code(),
        date_provided=date(2026, 11, 2),
        units=1,
        provider=staff_a,
        project=day_shelter,
    )
    merge = merge_clients(survivor=keep, merged=old, user=admin_a, choices={})
    assert Service.objects.get(pk=service.pk).client_id == keep.pk
    undo_merge(merge=merge, user=admin_a)
    assert Service.objects.get(pk=service.pk).client_id == old.pk


def test_staff_cannot_revoke_a_card_as_merged(org_a, staff_a):
    from hmis.clients.cards import CardError, revoke_card

    card = f.issue_card(f.make_client(organization=org_a))
    with pytest.raises(CardError):
        revoke_card(card=card, user=staff_a, reason="merged")
