"""Web fixtures: a signed-in staff client of organization A and a Day Shelter batch with two codes,
and clients ready to be scanned."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from hmis.accounts.models import Role
from hmis.services.models import ServiceGroup
from tests import factories as f


@pytest.fixture
def group(org_a):
    return ServiceGroup.objects.create(name="Day Shelter services", organization=org_a)


@pytest.fixture
def visit_code(group):
    return f.make_code("Day Shelter – Homeless Drop-In Centers", group=group)


@pytest.fixture
def meal_code(group):
    return f.make_code("Meal", group=group)


@pytest.fixture
def desk_batch(day_shelter, staff_a, visit_code, meal_code):
    return f.make_batch(
        day_shelter,
        performing_user=staff_a,
        description="Drop-in visit and meals",
        codes=[(visit_code, 1), (meal_code, 2)],
    )


@pytest.fixture
def carded(day_shelter, org_a):
    """An enrolled client of A with an active card."""

    def make(code: str, first: str = "Alex", last: str | None = None):
        client = f.make_client(first, last, organization=org_a)
        f.enroll(client, day_shelter, entry_date=date(2024, 1, 1))
        f.issue_card(client, code=code)
        return client

    return make


def signed_in(user, *, csrf: bool = False) -> HttpClient:
    http = HttpClient(enforce_csrf_checks=csrf)
    http.force_login(user)
    return http


@pytest.fixture
def web_a(staff_a):
    return signed_in(staff_a)


@pytest.fixture
def web_b(staff_b):
    return signed_in(staff_b)


@pytest.fixture
def station_a(org_a, desk_batch):
    user = f.make_user(org_a, Role.SCAN_STATION, username="station_a")
    desk_batch.scan_stations.add(user)
    return user


def count_queries(request) -> int:
    """How many queries `request()` runs (to compare a list of N rows with one of 3N rows)."""
    with CaptureQueriesContext(connection) as queries:
        request()
    return len(queries.captured_queries)
