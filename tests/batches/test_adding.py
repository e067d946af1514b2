from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hmis.audit.models import AuditAction, AuditEvent
from hmis.batches import errors
from hmis.batches.adding import SCAN_CARD, SCAN_CLIENT_ID, add_client_to_batch, add_to_batch
from hmis.batches.errors import ENROLLMENT_REQUIRED, BatchError
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.clients.cards import make_code
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2026, 11, 25, 9, 14, tzinfo=CHICAGO), tick=False):
        yield


@pytest.fixture
def enrolled(day_shelter):
    client = f.make_client("Maria", "Lopez")
    f.enroll(client, day_shelter, date(2026, 1, 1))
    return client


def add(batch, client, user, day=TODAY, **kwargs):
    return add_client_to_batch(
        batch=batch, client=client, user=user, batch_date=day, date_provided=day, **kwargs
    )


def test_enrolled_client_is_added_pending(batch, enrolled, staff_a):
    entry = add(batch, enrolled, staff_a)
    assert entry.status == EntryStatus.PENDING
    assert entry.enrollment.project == batch.project
    assert entry.added_by == staff_a
    assert not Service.objects.exists()


def test_scan_of_unenrolled_client_is_refused_with_enrollment_required(batch, staff_a):
    client = f.make_client()
    with pytest.raises(BatchError) as refusal:
        add(batch, client, staff_a)
    assert refusal.value.message == "ERROR: Enrollment is a Required Field."
    assert refusal.value.code == "enrollment_required"
    assert refusal.value.client == client
    assert not BatchEntry.objects.exists()


def test_enrollment_must_be_active_on_the_date_provided(batch, day_shelter, staff_a):
    client = f.make_client()
    f.enroll(client, day_shelter, date(2026, 11, 1), exit_date=date(2026, 11, 10))
    with pytest.raises(BatchError) as refusal:
        add(batch, client, staff_a)
    assert refusal.value.message == ENROLLMENT_REQUIRED
    # Back-dated into the enrollment, the same client is added.
    assert add(batch, client, staff_a, day=date(2026, 11, 5)).date_provided == date(2026, 11, 5)


def test_barred_client_is_refused_naming_scope_end_and_reason(batch, enrolled, staff_a, org_a):
    f.bar(enrolled, organization=org_a, end_date=date(2026, 12, 31), reason="Fighting")
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, staff_a)
    assert refusal.value.code == errors.BARRED
    assert refusal.value.message == (
        "ERROR: Client is barred from organization Agency A until 12/31/2026. Reason: Fighting"
    )
    assert refusal.value.details["can_override"] is False


def test_supervisor_may_override_a_bar_with_a_reason_and_it_is_audited(
    batch, enrolled, org_a, staff_a
):
    f.bar(enrolled, organization=org_a)
    supervisor = f.make_user(org_a, can_override_bars=True)
    entry = add(batch, enrolled, supervisor, bar_override_reason="Cleared by director")
    assert entry.bar_override_reason == "Cleared by director"
    override = AuditEvent.objects.get(action=AuditAction.BAR_OVERRIDE)
    assert override.actor == supervisor
    assert override.message == "Cleared by director"
    assert override.client_id == enrolled.pk


def test_override_needs_the_permission(batch, enrolled, org_a, staff_a):
    f.bar(enrolled, organization=org_a)
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, staff_a, bar_override_reason="Please")
    assert refusal.value.code == errors.OVERRIDE_NOT_ALLOWED
    assert not BatchEntry.objects.exists()


def test_override_needs_a_reason(batch, enrolled, org_a):
    f.bar(enrolled, organization=org_a)
    supervisor = f.make_user(org_a, can_override_bars=True)
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, supervisor, bar_override_reason="   ")
    assert refusal.value.code == errors.BARRED
    assert refusal.value.details["can_override"] is True


def test_frequency_limit_refuses_and_names_the_next_allowed_date(day_shelter, enrolled, staff_a):
    bus_pass = f.make_code("Bus pass", limit_count=1, limit_period_days=30)
    batch = f.make_batch(day_shelter, codes=[(bus_pass, 1)])
    add(batch, enrolled, staff_a, day=date(2026, 11, 10))
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, staff_a)
    assert refusal.value.code == errors.FREQUENCY_LIMIT
    assert refusal.value.message == (
        "ERROR: Bus pass is limited to 1 per 30 days. This client is next allowed on 12/10/2026."
    )


def test_frequency_limit_counts_posted_services_but_not_voided_ones(day_shelter, enrolled, staff_a):
    from hmis.batches.posting import post_batch
    from hmis.services.voiding import void_service

    pass_code = f.make_code("Bus pass", limit_count=2, limit_period_days=7)
    first = f.make_batch(day_shelter, codes=[(pass_code, 1)])
    second = f.make_batch(day_shelter, codes=[(pass_code, 1)])
    add(first, enrolled, staff_a, day=date(2026, 11, 20))
    post_batch(batch=first, user=staff_a)
    add(second, enrolled, staff_a, day=date(2026, 11, 22))
    with pytest.raises(BatchError) as refusal:
        add(first, enrolled, staff_a)
    assert refusal.value.details["next_allowed"] == date(2026, 11, 27)
    void_service(service=Service.objects.get(), user=staff_a, reason="Wrong client")
    assert add(first, enrolled, staff_a).status == EntryStatus.PENDING


def test_repeated_add_says_when_and_by_whom_and_adds_nothing(batch, enrolled, staff_a):
    add(batch, enrolled, staff_a)
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, staff_a)
    assert refusal.value.code == errors.ALREADY_ADDED
    assert refusal.value.message == "Already added today at 09:14 by J. Doe."
    assert BatchEntry.objects.count() == 1


def test_repeated_add_for_a_past_date_names_the_date(batch, enrolled, staff_a):
    add(batch, enrolled, staff_a, day=date(2026, 11, 20))
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, staff_a, day=date(2026, 11, 20))
    assert refusal.value.message == "Already added for 11/20/2026 at 09:14 by J. Doe."


def test_removed_entry_does_not_block_adding_again(batch, enrolled, staff_a):
    from hmis.batches.removing import remove_entry

    remove_entry(entry=add(batch, enrolled, staff_a), user=staff_a)
    assert add(batch, enrolled, staff_a).status == EntryStatus.PENDING


def test_future_date_provided_is_refused(batch, enrolled, staff_a):
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, staff_a, day=date(2026, 11, 26))
    assert refusal.value.code == errors.FUTURE_DATE
    assert refusal.value.message == (
        "ERROR: Date Service Provided (11/26/2026) cannot be in the future."
    )


def test_deactivated_batch_refuses_adds(batch, enrolled, staff_a):
    batch.active = False
    batch.save(update_fields=["active"])
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, staff_a)
    assert refusal.value.code == errors.BATCH_INACTIVE


def test_auto_post_batch_posts_at_once(day_shelter, enrolled, staff_a):
    meal, shower = f.make_code("Meal"), f.make_code("Shower")
    batch = f.make_batch(day_shelter, codes=[(meal, 2), (shower, 1)], auto_post=True)
    entry = add(batch, enrolled, staff_a)
    assert entry.status == EntryStatus.POSTED
    assert sorted(Service.objects.values_list("service_code__name", "units")) == [
        ("Meal", 2),
        ("Shower", 1),
    ]


def test_every_add_is_audited(batch, enrolled, staff_a):
    entry = add(batch, enrolled, staff_a)
    event = AuditEvent.objects.get(action=AuditAction.ADD_TO_BATCH)
    assert (event.actor, event.object_id, event.client_id) == (staff_a, str(entry.pk), enrolled.pk)


# add_to_batch: what the desk and the API call.


def scan(batch, user, typed, key="", scan_type=SCAN_CARD):
    return add_to_batch(
        batch=batch,
        user=user,
        scan_type=scan_type,
        typed=typed,
        batch_date=TODAY,
        date_provided=TODAY,
        key=key,
    )


def test_scan_resolves_the_card_and_adds(batch, enrolled, staff_a):
    f.issue_card(enrolled, code="CARD0001")
    result = scan(batch, staff_a, "CARD0001")
    assert (result.ok, result.code, result.client) == (True, "added", enrolled)
    assert result.message == "Added. Pending until Post Services."


def test_scan_by_client_id(batch, enrolled, staff_a):
    result = scan(batch, staff_a, str(enrolled.pk), scan_type=SCAN_CLIENT_ID)
    assert result.ok and result.entry.client == enrolled


def test_scan_results_carry_refusals_as_values(batch, staff_a):
    unenrolled = f.make_client()
    f.issue_card(unenrolled, code="CARD0002")
    refused = scan(batch, staff_a, "CARD0002")
    assert (refused.ok, refused.code, refused.message) == (
        False,
        "enrollment_required",
        ENROLLMENT_REQUIRED,
    )
    assert refused.client == unenrolled
    unknown = scan(batch, staff_a, make_code("NPNP2222NP"))
    assert (unknown.ok, unknown.code, unknown.client) == (False, "unknown_card", None)


def test_a_retried_request_is_recorded_once_and_answered_with_the_first_result(
    batch, enrolled, staff_a
):
    f.issue_card(enrolled, code="CARD0003")
    first = scan(batch, staff_a, "CARD0003", key="k-1")
    again = scan(batch, staff_a, "CARD0003", key="k-1")
    assert first.code == again.code == "added"
    assert again.replayed and not first.replayed
    assert again.entry == first.entry
    assert BatchEntry.objects.count() == 1


def test_a_double_read_with_a_new_key_is_answered_already_added(batch, enrolled, staff_a):
    f.issue_card(enrolled, code="CARD0004")
    scan(batch, staff_a, "CARD0004", key="k-1")
    second = scan(batch, staff_a, "CARD0004", key="k-2")
    assert (second.ok, second.code) == (False, "already_added")
    assert BatchEntry.objects.count() == 1


def test_a_refusal_is_replayed_too(batch, staff_a):
    first = scan(batch, staff_a, "NOPE0001", key="k-9")
    again = scan(batch, staff_a, "NOPE0001", key="k-9")
    assert again.replayed and again.message == first.message


def test_a_key_from_another_batch_is_not_replayed_there(batch, day_shelter, enrolled, staff_a):
    f.issue_card(enrolled, code="CARD0005")
    scan(batch, staff_a, "CARD0005", key="shared")
    other = f.make_batch(day_shelter)
    result = scan(other, staff_a, "CARD0005", key="shared")
    assert (result.ok, result.code) == (False, "key_reused")


def test_one_bad_scan_does_not_block_the_next(batch, enrolled, staff_a):
    f.issue_card(enrolled, code="CARD0006")
    assert not scan(batch, staff_a, "BAD", key="a").ok
    assert scan(batch, staff_a, "CARD0006", key="b").ok


def _scan_queries(batch, user, code, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = scan(batch, user, code, key=f"key-{code}")
    assert result.ok, result.message
    return len(captured)


def test_adding_costs_the_same_queries_whatever_the_database_size(
    day_shelter, org_a, staff_a, django_assert_max_num_queries
):
    bus_pass = f.make_code("Bus pass", limit_count=1, limit_period_days=30)
    batch = f.make_batch(day_shelter, codes=[(f.make_code("Visit"), 1), (bus_pass, 1)])

    def new_enrolled_card(code):
        client = f.make_client()
        f.enroll(client, day_shelter)
        f.issue_card(client, code=code)
        return client

    new_enrolled_card("SMALL001")
    small = _scan_queries(batch, staff_a, "SMALL001", django_assert_max_num_queries)
    for n in range(40):
        other = new_enrolled_card(f"FILL{n:04d}")
        f.bar(other, organization=org_a, end_date=date(2026, 1, 1))
        scan(batch, staff_a, f"FILL{n:04d}")
    new_enrolled_card("LARGE001")
    large = _scan_queries(batch, staff_a, "LARGE001", django_assert_max_num_queries)
    assert small == large


def test_back_dating_cannot_slip_a_limited_service_in_before_later_ones(
    day_shelter, enrolled, staff_a
):
    bus_pass = f.make_code("Bus pass", limit_count=1, limit_period_days=30)
    batch = f.make_batch(day_shelter, codes=[(bus_pass, 1)])
    add(batch, enrolled, staff_a, day=date(2026, 11, 20))
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, staff_a, day=date(2026, 11, 1))
    assert refusal.value.code == errors.FREQUENCY_LIMIT
    assert refusal.value.message == (
        "ERROR: Bus pass is limited to 1 per 30 days. This client already has it on "
        "11/20/2026, within 30 days after 11/01/2026."
    )
    # A window of 30 days holding both is what is refused; 30 days apart is allowed.
    assert add(batch, enrolled, staff_a, day=date(2026, 10, 21)).pk


def test_frequency_windows_around_the_date_count_both_sides(day_shelter, enrolled, staff_a):
    meals = f.make_code("Meal pass", limit_count=2, limit_period_days=7)
    batch = f.make_batch(day_shelter, codes=[(meals, 1)])
    add(batch, enrolled, staff_a, day=date(2026, 11, 10))
    add(batch, enrolled, staff_a, day=date(2026, 11, 16))
    # 11/13 would make three in the 7 days 11/10-11/16.
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, staff_a, day=date(2026, 11, 13))
    assert refusal.value.code == errors.FREQUENCY_LIMIT
    # 11/17 is in 11/11-11/17 with only 11/16: allowed.
    assert add(batch, enrolled, staff_a, day=date(2026, 11, 17)).pk


def test_a_visit_whose_services_were_all_voided_no_longer_counts_as_added(
    day_shelter, enrolled, staff_a
):
    from hmis.services.voiding import void_service

    batch = f.make_batch(day_shelter, auto_post=True)
    first = add(batch, enrolled, staff_a)
    assert first.status == EntryStatus.POSTED
    for service in Service.objects.filter(batch_entry=first):
        void_service(service=service, user=staff_a, reason="Wrong client")
    first.refresh_from_db()
    assert first.status == EntryStatus.VOIDED
    again = add(batch, enrolled, staff_a)
    assert again.pk != first.pk
    assert again.status == EntryStatus.POSTED
    changes = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(first.pk))
    assert [event.changes for event in changes] == [{"status": ["posted", "voided"]}]


def test_shower_bar_withholds_the_shower_and_the_result_line_says_why(
    day_shelter, enrolled, staff_a, org_a
):
    visit, shower = f.make_code("Day Shelter visit"), f.make_code("Shower")
    batch = f.make_batch(day_shelter, codes=[(visit, 1), (shower, 1)])
    f.bar(enrolled, organization=org_a, service_code=shower, reason="Flooded the shower room")
    card = f.issue_card(enrolled)
    result = add_to_batch(
        batch=batch,
        user=staff_a,
        scan_type=SCAN_CARD,
        typed=card.code,
        batch_date=TODAY,
        date_provided=TODAY,
    )
    assert result.ok
    assert result.message == (
        "Added. Pending until Post Services. Shower withheld: client is barred from service "
        "Shower indefinitely. Reason: Flooded the shower room"
    )


def test_shower_bar_refuses_a_batch_of_showers_only(day_shelter, enrolled, staff_a, org_a):
    shower = f.make_code("Shower")
    batch = f.make_batch(day_shelter, codes=[(shower, 1)])
    f.bar(enrolled, organization=org_a, service_code=shower, reason="Flooded")
    with pytest.raises(BatchError) as refusal:
        add(batch, enrolled, staff_a)
    assert refusal.value.code == errors.BARRED
    assert "barred from service Shower" in refusal.value.message


def test_automatic_posting_gives_the_visit_and_withholds_the_barred_shower(
    day_shelter, enrolled, staff_a, org_a
):
    visit, shower = f.make_code("Day Shelter visit"), f.make_code("Shower")
    batch = f.make_batch(day_shelter, codes=[(visit, 1), (shower, 1)], auto_post=True)
    f.bar(enrolled, organization=org_a, service_code=shower)
    entry = add(batch, enrolled, staff_a)
    assert entry.status == EntryStatus.POSTED
    given = Service.objects.filter(client=enrolled).values_list("service_code__name", flat=True)
    assert list(given) == ["Day Shelter visit"]
