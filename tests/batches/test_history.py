"""batches/history.py: entries per date, counts, dates used."""

from datetime import UTC, date, datetime

import pytest

from hmis.batches.adding import add_client_to_batch
from hmis.batches.history import dates_used, day_counts, entries_on
from hmis.batches.posting import post_batch
from hmis.batches.removing import remove_entry
from hmis.batches.units import set_entry_units
from tests import factories as f

pytestmark = pytest.mark.django_db

D1, D2 = date(2026, 3, 9), date(2026, 3, 10)
# Noon in the agency's time zone (America/Chicago) on that last day.
NOON_OF_LAST_DAY = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)


@pytest.fixture
def used_batch(day_shelter, staff_a, time_machine):
    time_machine.move_to(NOON_OF_LAST_DAY)
    visit, meal = f.make_code("Visit"), f.make_code("Meal")
    batch = f.make_batch(day_shelter, performing_user=staff_a, codes=[(visit, 1), (meal, 2)])
    people = []
    for n in range(3):
        person = f.make_client(f"P{n}")
        f.enroll(person, day_shelter)
        people.append(person)

    def add(person, day):
        return add_client_to_batch(
            batch=batch, client=person, user=staff_a, batch_date=day, date_provided=day
        )

    add(people[0], D1)
    add(people[1], D1)
    post_batch(batch=batch, user=staff_a, batch_date=D1)
    entry = add(people[0], D2)
    set_entry_units(entry=entry, user=staff_a, units={meal.pk: 4})
    remove_entry(entry=add(people[2], D2), user=staff_a)
    return batch, meal


def test_dates_used_counts_clients_entries_and_services_per_date(used_batch):
    batch, _ = used_batch
    rows = list(dates_used(batch))
    assert [r["batch_date"] for r in rows] == [D2, D1]
    assert rows[0] == {
        "batch_date": D2,
        "clients": 1,
        "pending": 1,
        "posted": 0,
        "removed": 1,
        "services": 0,
    }
    assert rows[1] == {
        "batch_date": D1,
        "clients": 2,
        "pending": 0,
        "posted": 2,
        "removed": 0,
        "services": 4,
    }


def test_entries_on_a_date_carry_their_units_per_code(used_batch):
    batch, meal = used_batch
    entries = entries_on(batch=batch, batch_date=D2)
    assert len(entries) == 1
    assert [(row.service_code.name, units) for row, units in entries[0].units_rows] == [
        ("Visit", 1),
        ("Meal", 4),
    ]
    assert len(entries_on(batch=batch, batch_date=D2, include_removed=True)) == 2
    counts = day_counts(batch=batch, batch_date=D2)
    assert (counts.pending, counts.posted, counts.removed, counts.live) == (1, 0, 1, 1)


def test_entries_on_is_bounded(used_batch):
    batch, _ = used_batch
    assert len(entries_on(batch=batch, batch_date=D1, limit=1)) == 1
