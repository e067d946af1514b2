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


@pytest.fixture
def served(org_a, org_b, staff_a, day_shelter):
    """Services of organization A known by construction (today 03/10/2026; period 03/01-03/10):

      Ann  01/15 (SSO, before the period); 03/02, 03/03, 03/04      -> returning, 3 visits
      Ben  03/05 visit + meal of 2 units (SSO)                      -> new, 1 visit
      Cat  03/01 ... 03/06 at Main Street                           -> new, 6 visits
      Dan  03/05/2025 (last year); today by batch, added 09:40      -> returning, 1 visit
      Gus  02/28 (the day before the period), 03/01                 -> returning, 1 visit
      Eve  03/03, voided                                            -> nothing
      Fay  organization B, 03/03                                    -> never shown to A
    Visits: 12 services, 12 units; Meal: 1 service, 2 units.
    """
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hmis.batches.models import BatchEntry, EntryStatus

    sso = f.make_project(org_a, "Supportive Services")
    main_street = f.make_location(day_shelter, "Main Street")
    visit, meal = f.make_code("Visit"), f.make_code("Meal")
    batch = f.make_batch(day_shelter, description="Front desk", codes=[(visit, 1)])
    people = {}

    def give(name, project, day, code=visit, units=1, location=None, entry=None, voided=False):
        client = people.get(name)
        if client is None:
            client = people[name] = f.make_client(name, "Served")
        enrollment = client.enrollments.filter(project=project).first() or f.enroll(
            client, project, date(2024, 1, 1)
        )
        service = Service.objects.create(
            client=client,
            enrollment=enrollment,
            service_code=code,
            date_provided=day,
            units=units,
            project=project,
            location=location,
            batch_entry=entry,
            provider=staff_a,
        )
        if voided:
            void_service(service=service, user=staff_a, reason="Wrong client")
        return service

    give("Ann", sso, date(2026, 1, 15))
    for day in (2, 3, 4):
        give("Ann", day_shelter, date(2026, 3, day))
    give("Ben", day_shelter, date(2026, 3, 5))
    give("Ben", sso, date(2026, 3, 5), code=meal, units=2)
    for day in range(1, 7):
        give("Cat", day_shelter, date(2026, 3, day), location=main_street)
    give("Dan", day_shelter, date(2025, 3, 5))
    dan = people["Dan"]
    entry = BatchEntry.objects.create(
        batch=batch,
        client=dan,
        enrollment=dan.enrollments.get(),
        batch_date=TODAY,
        date_provided=TODAY,
        status=EntryStatus.POSTED,
        added_by=staff_a,
        added_at=datetime(2026, 3, 10, 9, 40, tzinfo=ZoneInfo("America/Chicago")),
        posted_by=staff_a,
        posted_at=datetime(2026, 3, 10, 9, 41, tzinfo=ZoneInfo("America/Chicago")),
    )
    give("Dan", day_shelter, TODAY, entry=entry)
    give("Gus", day_shelter, date(2026, 2, 28))
    give("Gus", day_shelter, date(2026, 3, 1))
    give("Eve", day_shelter, date(2026, 3, 3), voided=True)
    other = f.make_project(org_b, "Other Shelter")
    give("Fay", other, date(2026, 3, 3))
    return SimpleNamespace(
        sso=sso,
        main_street=main_street,
        batch=batch,
        visit=visit,
        meal=meal,
        people=people,
        start=date(2026, 3, 1),
        end=TODAY,
    )
