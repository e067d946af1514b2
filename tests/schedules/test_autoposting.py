"""Scheduled auto-posting posts a batch's services for every enrolled client on each due day, with
the desk's rules, once."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from hmis.batches.models import BatchEntry, EntryStatus
from hmis.schedules.autoposting import auto_post_batches
from hmis.schedules.models import AutoPostSchedule, Frequency
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelter_night(org_a, day_shelter, batch):
    """A nightly bed-night batch with three clients: enrolled, enrolled but barred, not enrolled;
    and one whose enrollment ended."""
    schedule = AutoPostSchedule.objects.create(
        batch=batch, frequency=Frequency.DAILY, starts_on=date(2024, 1, 1)
    )
    enrolled = f.make_client("Maria", "Lopez", organization=org_a)
    f.enroll(enrolled, day_shelter, entry_date=date(2024, 1, 1))
    barred = f.make_client("Vic", "Stone", organization=org_a)
    f.enroll(barred, day_shelter, entry_date=date(2024, 1, 1))
    f.bar(barred, organization=org_a, reason="Fighting")
    f.make_client("Tom", "Baker", organization=org_a)  # not enrolled
    exited = f.make_client("Ann", "Gone", organization=org_a)
    f.enroll(exited, day_shelter, entry_date=date(2024, 1, 1), exit_date=date(2024, 6, 1))
    return {"schedule": schedule, "enrolled": enrolled, "barred": barred, "batch": batch}


def test_posts_for_every_enrolled_client_and_refuses_the_barred_as_the_desk_does(shelter_night):
    day = timezone.localdate() - timedelta(days=1)

    summary = auto_post_batches(day=day)

    batch = shelter_night["batch"]
    assert summary == {
        str(batch.pk): {
            "posted": 1,
            "already_added": 0,
            "refused": {str(shelter_night["barred"].pk): "barred"},
        }
    }
    entry = BatchEntry.objects.get(batch=batch)
    assert entry.client == shelter_night["enrolled"] and entry.status == EntryStatus.POSTED
    assert entry.date_provided == day and entry.batch_date == day
    assert Service.objects.filter(client=shelter_night["enrolled"], date_provided=day).count() == 1


def test_running_twice_adds_and_posts_nothing_more(shelter_night):
    day = timezone.localdate() - timedelta(days=1)
    auto_post_batches(day=day)

    again = auto_post_batches(day=day)

    assert again[str(shelter_night["batch"].pk)]["posted"] == 0
    assert again[str(shelter_night["batch"].pk)]["already_added"] == 1
    assert BatchEntry.objects.count() == 1 and Service.objects.count() == 1


def test_weekly_and_monthly_schedules_are_due_on_their_day_only(batch):
    weekly = AutoPostSchedule(
        batch=batch, frequency=Frequency.WEEKLY, weekday=0, starts_on=date(2025, 1, 1)
    )
    assert weekly.is_due_on(date(2025, 3, 3))  # a Monday
    assert not weekly.is_due_on(date(2025, 3, 4))
    monthly = AutoPostSchedule(
        batch=batch, frequency=Frequency.MONTHLY, day_of_month=1, starts_on=date(2025, 1, 1)
    )
    assert monthly.is_due_on(date(2025, 3, 1)) and not monthly.is_due_on(date(2025, 3, 2))
    assert not monthly.is_due_on(date(2024, 12, 1))  # before it starts
    monthly.active = False
    assert not monthly.is_due_on(date(2025, 3, 1))


def test_a_schedule_not_due_posts_nothing(shelter_night):
    schedule = shelter_night["schedule"]
    schedule.frequency, schedule.day_of_month = Frequency.MONTHLY, 1
    schedule.save()
    day = timezone.localdate() - timedelta(days=1)
    if day.day == 1:
        day -= timedelta(days=1)

    assert auto_post_batches(day=day) == {}
    assert not BatchEntry.objects.exists()


def test_a_frequency_limit_refuses_the_day_over_the_limit_as_the_desk_does(org_a, day_shelter):
    weekly_kit = f.make_code("Hygiene kit", limit_count=1, limit_period_days=7)
    batch = f.make_batch(day_shelter, codes=[(weekly_kit, 1)])
    AutoPostSchedule.objects.create(
        batch=batch, frequency=Frequency.DAILY, starts_on=date(2024, 1, 1)
    )
    guest = f.make_client("Maria", "Lopez", organization=org_a)
    f.enroll(guest, day_shelter, entry_date=date(2024, 1, 1))
    first_day = timezone.localdate() - timedelta(days=3)

    first = auto_post_batches(day=first_day)
    second = auto_post_batches(day=first_day + timedelta(days=1))

    assert first[str(batch.pk)] == {"posted": 1, "already_added": 0, "refused": {}}
    assert second[str(batch.pk)] == {
        "posted": 0,
        "already_added": 0,
        "refused": {str(guest.pk): "frequency_limit"},
    }
    assert list(Service.objects.values_list("date_provided", flat=True)) == [first_day]


def test_catching_up_posts_each_client_only_for_the_days_they_were_enrolled(
    org_a, day_shelter, batch
):
    from hmis.schedules.models import ScheduledRun
    from hmis.schedules.scheduling import run_due

    today = timezone.localdate()
    AutoPostSchedule.objects.create(
        batch=batch, frequency=Frequency.DAILY, starts_on=today - timedelta(days=30)
    )
    long_stay = f.make_client("Maria", "Lopez", organization=org_a)
    f.enroll(long_stay, day_shelter, entry_date=today - timedelta(days=30))
    newcomer = f.make_client("Sam", "New", organization=org_a)
    f.enroll(newcomer, day_shelter, entry_date=today - timedelta(days=1))
    ScheduledRun.objects.create(
        task="auto_post", day=today - timedelta(days=4), started_at=timezone.now()
    )

    run_due(now=timezone.make_aware(datetime.combine(today, time(3))))

    def nights(client):
        return sorted(Service.objects.filter(client=client).values_list("date_provided", flat=True))

    assert nights(long_stay) == [today - timedelta(days=n) for n in (3, 2, 1, 0)]
    assert nights(newcomer) == [today - timedelta(days=1), today]
