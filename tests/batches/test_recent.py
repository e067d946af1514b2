"""batches/recent.py: the desk's Recent clients."""

from datetime import UTC, date, datetime, timedelta

import pytest

from hmis.batches.adding import add_client_to_batch
from hmis.batches.recent import recent_clients
from hmis.batches.removing import remove_entry
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)
# Noon in the agency's time zone (America/Chicago) on that last day.
NOON_OF_LAST_DAY = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


@pytest.fixture
def visit(batch, staff_a, day_shelter):
    def add(client, day):
        return add_client_to_batch(
            batch=batch, client=client, user=staff_a, batch_date=day, date_provided=day
        )

    def client(name):
        person = f.make_client(name)
        f.enroll(person, day_shelter)
        return person

    return add, client


def test_recent_clients_are_last_weeks_clients_not_yet_added_on_the_day(batch, visit, time_machine):
    time_machine.move_to(NOON_OF_LAST_DAY)
    add, client = visit
    regular, today_already, long_ago = client("Regular"), client("Already"), client("Longago")
    add(regular, DAY - timedelta(days=2))
    add(regular, DAY - timedelta(days=1))
    add(today_already, DAY - timedelta(days=1))
    add(today_already, DAY)
    add(long_ago, DAY - timedelta(days=8))
    found = recent_clients(batch=batch, day=DAY, days=7)
    assert found == [regular]
    assert found[0].last_served == DAY - timedelta(days=1)


def test_removed_entries_do_not_count(batch, visit, staff_a, time_machine):
    time_machine.move_to(NOON_OF_LAST_DAY)
    add, client = visit
    mistaken = client("Mistaken")
    remove_entry(entry=add(mistaken, DAY - timedelta(days=1)), user=staff_a)
    assert recent_clients(batch=batch, day=DAY, days=7) == []
    came_back = client("Back")
    add(came_back, DAY - timedelta(days=1))
    remove_entry(entry=add(came_back, DAY), user=staff_a)  # removed today: suggest again
    assert recent_clients(batch=batch, day=DAY, days=7) == [came_back]


def test_recent_clients_is_bounded_and_uses_two_queries(
    batch, visit, time_machine, django_assert_num_queries
):
    time_machine.move_to(NOON_OF_LAST_DAY)
    add, client = visit
    for n in range(5):
        add(client(f"Person{n}"), DAY - timedelta(days=1))
    with django_assert_num_queries(2):
        found = recent_clients(batch=batch, day=DAY, days=7, limit=3)
    assert len(found) == 3
