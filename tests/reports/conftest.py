"""Known activity of organization A (and a little of B) for the reports, today being 03/10/2026.

Attendance of A (visits = live batch entries by Date Service Provided):
  03/08  Bo's visit, later voided                       -> nothing
  03/09  Al and Bo visit, Al showers (pending), Di eats -> 3 unique clients, 4 visits
  03/10  Al and Cy visit; Cy's shower was removed       -> 2 unique clients, 2 visits
Services of A (live services): Visit 03/09 x2, 03/10 x2 (1 unit each); Meal 03/09 x1 (2 units).
Organization B: Ed visits on 03/09 (must never show in A's reports).
"""

from datetime import date
from types import SimpleNamespace

import pytest
import time_machine

from hmis.accounts.models import Role
from hmis.batches.adding import add_client_to_batch
from hmis.batches.removing import remove_entry
from hmis.services.models import Service
from hmis.services.voiding import void_service
from tests import factories as f

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False):
        yield


@pytest.fixture
def activity(org_a, org_b, staff_a, staff_b, day_shelter):
    sso = f.make_project(org_a, "Supportive Services")
    main_street = f.make_location(day_shelter, "Main Street")
    visit_code, shower_code, meal_code = (f.make_code(n) for n in ("Visit", "Shower", "Meal"))
    visit = f.make_batch(
        day_shelter,
        description="Visit",
        location=main_street,
        auto_post=True,
        codes=[(visit_code, 1)],
        performing_user=staff_a,
    )
    shower = f.make_batch(
        day_shelter, description="Shower", codes=[(shower_code, 1)], performing_user=staff_a
    )
    meals = f.make_batch(
        sso, description="Meals", auto_post=True, codes=[(meal_code, 2)], performing_user=staff_a
    )
    al, bo, cy = (f.make_client(n, "Tester") for n in ("Al", "Bo", "Cy"))
    di = f.make_client("Di", "Tester")
    for client in (al, bo, cy):
        f.enroll(client, day_shelter)
    f.enroll(di, sso)

    def add(batch, client, day, user=staff_a):
        return add_client_to_batch(
            batch=batch, client=client, user=user, batch_date=day, date_provided=day
        )

    voided = add(visit, bo, date(2026, 3, 8))
    void_service(service=Service.objects.get(batch_entry=voided), user=staff_a, reason="Wrong card")
    add(visit, al, date(2026, 3, 9))
    add(visit, bo, date(2026, 3, 9))
    add(shower, al, date(2026, 3, 9))
    add(meals, di, date(2026, 3, 9))
    add(visit, al, TODAY)
    add(visit, cy, TODAY)
    remove_entry(entry=add(shower, cy, TODAY), user=staff_a)

    other = f.make_project(org_b, "Other Shelter")
    ed = f.make_client("Ed", "Outsider")
    f.enroll(ed, other)
    add(
        f.make_batch(other, auto_post=True, codes=[(visit_code, 1)], performing_user=staff_b),
        ed,
        date(2026, 3, 9),
        user=staff_b,
    )
    return SimpleNamespace(
        day_shelter=day_shelter,
        sso=sso,
        other=other,
        main_street=main_street,
        visit=visit,
        shower=shower,
        meals=meals,
        visit_code=visit_code,
        meal_code=meal_code,
    )


@pytest.fixture
def scan_station_a(org_a):
    return f.make_user(org_a, Role.SCAN_STATION, username="kiosk_a")
