import threading
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches.adding import add_client_to_batch
from hmis.batches.errors import ENROLLMENT_REQUIRED
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.batches.posting import post_batch
from hmis.batches.units import set_entry_units
from hmis.clients.models import Enrollment
from hmis.services.models import Service
from tests import factories as f

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_today():
    noon = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
    with time_machine.travel(noon, tick=False):
        yield


@pytest.fixture
def meal_batch(day_shelter, staff_a):
    visit, meal = f.make_code("Day Shelter visit"), f.make_code("Meal")
    return f.make_batch(
        day_shelter,
        codes=[(visit, 1), (meal, 2)],
        performing_user=staff_a,
        default_comments="Drop-in, morning",
    )


def add_enrolled(batch, user, day=TODAY, n=1):
    entries = []
    for _ in range(n):
        client = f.make_client()
        f.enroll(client, batch.project)
        entries.append(
            add_client_to_batch(
                batch=batch, client=client, user=user, batch_date=day, date_provided=day
            )
        )
    return entries


@pytest.mark.django_db
def test_posting_creates_one_service_per_code_with_the_batch_details(meal_batch, staff_a, org_a):
    (entry,) = add_enrolled(meal_batch, staff_a, day=date(2026, 11, 20))
    poster = f.make_user(org_a)
    result = post_batch(batch=meal_batch, user=poster)
    assert result.services_created == 2
    assert [e.pk for e in result.posted] == [entry.pk]
    services = Service.objects.order_by("service_code__name")
    assert [(s.service_code.name, s.units) for s in services] == [
        ("Day Shelter visit", 1),
        ("Meal", 2),
    ]
    for service in services:
        assert service.comments == "Drop-in, morning"
        assert service.provider == staff_a  # the batch's user performing services
        assert service.created_by == poster
        assert service.date_provided == date(2026, 11, 20)
        assert service.project == meal_batch.project
        assert service.enrollment == entry.enrollment
        assert service.batch_entry_id == entry.pk
    entry.refresh_from_db()
    assert (entry.status, entry.posted_by) == (EntryStatus.POSTED, poster)


@pytest.mark.django_db
def test_entry_units_override_the_batch_units(meal_batch, staff_a):
    (entry,) = add_enrolled(meal_batch, staff_a)
    meal = meal_batch.service_codes.get(service_code__name="Meal").service_code
    set_entry_units(entry=entry, user=staff_a, units={meal.pk: 3})
    post_batch(batch=meal_batch, user=staff_a)
    assert Service.objects.get(service_code=meal).units == 3


@pytest.mark.django_db
def test_posting_twice_posts_nothing_more(meal_batch, staff_a):
    add_enrolled(meal_batch, staff_a, n=3)
    assert post_batch(batch=meal_batch, user=staff_a).services_created == 6
    again = post_batch(batch=meal_batch, user=staff_a)
    assert (again.services_created, again.posted, again.left_pending) == (0, [], [])
    assert Service.objects.count() == 6


@pytest.mark.django_db
def test_posting_one_batch_date_leaves_the_others(meal_batch, staff_a):
    add_enrolled(meal_batch, staff_a, day=date(2026, 11, 24))
    add_enrolled(meal_batch, staff_a, day=TODAY)
    result = post_batch(batch=meal_batch, user=staff_a, batch_date=TODAY)
    assert [e.batch_date for e in result.posted] == [TODAY]
    assert BatchEntry.objects.filter(status=EntryStatus.PENDING).count() == 1


@pytest.mark.django_db
def test_posting_rechecks_eligibility_and_leaves_ineligible_entries_pending(
    meal_batch, staff_a, org_a
):
    exited, barred, fine = add_enrolled(meal_batch, staff_a, n=3)
    Enrollment.objects.filter(pk=exited.enrollment_id).update(
        entry_date=date(2026, 1, 1), exit_date=date(2026, 11, 24)
    )
    f.bar(barred.client, organization=org_a, reason="Fighting")
    result = post_batch(batch=meal_batch, user=staff_a)
    assert [e.pk for e in result.posted] == [fine.pk]
    reasons = {e.pk: e.pending_reason for e in result.left_pending}
    assert reasons[exited.pk] == ENROLLMENT_REQUIRED
    assert reasons[barred.pk].startswith("ERROR: Client is barred from organization Agency A")
    exited.refresh_from_db()
    assert (exited.status, exited.pending_reason) == (EntryStatus.PENDING, ENROLLMENT_REQUIRED)
    assert set(Service.objects.values_list("client_id", flat=True)) == {fine.client_id}


@pytest.mark.django_db
def test_an_overridden_bar_does_not_stop_posting(meal_batch, org_a):
    supervisor = f.make_user(org_a, can_override_bars=True)
    client = f.make_client()
    f.enroll(client, meal_batch.project)
    f.bar(client, organization=org_a)
    add_client_to_batch(
        batch=meal_batch,
        client=client,
        user=supervisor,
        batch_date=TODAY,
        date_provided=TODAY,
        bar_override_reason="Director approved",
    )
    assert len(post_batch(batch=meal_batch, user=supervisor).posted) == 1


@pytest.mark.django_db
def test_a_pending_reason_is_cleared_once_the_entry_posts(meal_batch, staff_a):
    (entry,) = add_enrolled(meal_batch, staff_a)
    Enrollment.objects.filter(pk=entry.enrollment_id).update(entry_date=date(2026, 11, 26))
    assert post_batch(batch=meal_batch, user=staff_a).left_pending
    Enrollment.objects.filter(pk=entry.enrollment_id).update(entry_date=date(2026, 11, 1))
    assert post_batch(batch=meal_batch, user=staff_a).posted
    entry.refresh_from_db()
    assert entry.pending_reason == ""


@pytest.mark.django_db
def test_every_posted_entry_is_audited(meal_batch, staff_a):
    entries = add_enrolled(meal_batch, staff_a, n=2)
    post_batch(batch=meal_batch, user=staff_a)
    posted = AuditEvent.objects.filter(action=AuditAction.POST)
    assert sorted(posted.values_list("client_id", flat=True)) == sorted(
        e.client_id for e in entries
    )


@pytest.mark.django_db
def test_a_failed_post_leaves_nothing_half_written(meal_batch, staff_a, monkeypatch):
    add_enrolled(meal_batch, staff_a, n=2)

    def explode(events):
        raise RuntimeError("disk full")

    monkeypatch.setattr("hmis.batches.posting.record_many", explode)
    with pytest.raises(RuntimeError):
        post_batch(batch=meal_batch, user=staff_a)
    assert not Service.objects.exists()
    assert BatchEntry.objects.filter(status=EntryStatus.PENDING).count() == 2


@pytest.mark.django_db
def test_posting_costs_the_same_queries_for_five_or_twenty_five_entries(meal_batch, staff_a):
    # Sizes kept under SQLite's 999-variable limit, where bulk_create starts a second INSERT.
    from django.test.utils import CaptureQueriesContext

    def post_n(n):
        add_enrolled(meal_batch, staff_a, n=n)
        with CaptureQueriesContext(connection) as captured:
            assert len(post_batch(batch=meal_batch, user=staff_a).posted) == n
        return len(captured)

    assert post_n(5) == post_n(25)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_stations_posting_the_same_batch_at_once_post_each_entry_once(meal_batch, staff_a):
    add_enrolled(meal_batch, staff_a, n=30)
    barrier = threading.Barrier(2)
    results, failures = [], []

    def station():
        try:
            barrier.wait(timeout=10)
            results.append(post_batch(batch=meal_batch, user=staff_a))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=station) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert sorted(len(r.posted) for r in results) == [0, 30]
    assert Service.objects.count() == 60
    assert not BatchEntry.objects.filter(status=EntryStatus.PENDING).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_stations_scanning_the_same_card_at_once_add_it_once(meal_batch, staff_a):
    from hmis.batches.adding import SCAN_CARD, add_to_batch

    client = f.make_client()
    f.enroll(client, meal_batch.project)
    f.issue_card(client, code="RACE0001")
    barrier = threading.Barrier(2)
    results = []

    def station(key):
        try:
            barrier.wait(timeout=10)
            results.append(
                add_to_batch(
                    batch=meal_batch,
                    user=staff_a,
                    scan_type=SCAN_CARD,
                    typed="RACE0001",
                    batch_date=TODAY,
                    date_provided=TODAY,
                    key=key,
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=station, args=(k,)) for k in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r.code for r in results) == ["added", "already_added"]
    assert BatchEntry.objects.count() == 1


@pytest.mark.django_db
def test_posting_withholds_a_code_barred_since_the_client_was_added(meal_batch, staff_a, org_a):
    (entry,) = add_enrolled(meal_batch, staff_a)
    meal = meal_batch.service_codes.get(service_code__name="Meal").service_code
    f.bar(entry.client, organization=org_a, service_code=meal, start_date=TODAY)
    result = post_batch(batch=meal_batch, user=staff_a)
    assert [e.pk for e in result.posted] == [entry.pk]
    assert result.services_created == 1
    assert list(Service.objects.values_list("service_code__name", flat=True)) == [
        "Day Shelter visit"
    ]
    posted = AuditEvent.objects.get(action=AuditAction.POST, object_id=str(entry.pk))
    assert posted.changes["services"] == 1


@pytest.mark.django_db
def test_posting_gives_the_code_again_once_its_bar_ended(meal_batch, staff_a, org_a):
    (entry,) = add_enrolled(meal_batch, staff_a)
    meal = meal_batch.service_codes.get(service_code__name="Meal").service_code
    f.bar(entry.client, organization=org_a, service_code=meal, end_date=date(2026, 11, 24))
    assert post_batch(batch=meal_batch, user=staff_a).services_created == 2
