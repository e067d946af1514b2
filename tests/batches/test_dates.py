"""The desk's date limits (batches/dates.py), applied by adding."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hmis.accounts.models import Role
from hmis.batches import errors
from hmis.batches.adding import add_client_to_batch
from hmis.batches.dates import date_limits
from hmis.batches.errors import BatchError
from hmis.batches.models import BatchEntry
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_today():
    moment = datetime(2026, 11, 25, 9, 14, tzinfo=ZoneInfo("America/Chicago"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def enrolled(day_shelter):
    client = f.make_client("Maria", "Lopez")
    f.enroll(client, day_shelter, date(2020, 1, 1))
    return client


def add(batch, client, user, *, batch_date=TODAY, date_provided=TODAY):
    return add_client_to_batch(
        batch=batch, client=client, user=user, batch_date=batch_date, date_provided=date_provided
    )


def refusal_of(batch, client, user, **dates) -> BatchError:
    with pytest.raises(BatchError) as refused:
        add(batch, client, user, **dates)
    assert not BatchEntry.objects.exists()
    return refused.value


def test_a_future_batch_date_is_refused_naming_the_field(batch, enrolled, staff_a):
    refused = refusal_of(batch, enrolled, staff_a, batch_date=TODAY + timedelta(days=1))
    assert refused.code == errors.FUTURE_DATE
    assert refused.message == "ERROR: Batch Date (11/26/2026) cannot be in the future."


def test_staff_may_back_date_ninety_days_but_not_ninety_one(batch, enrolled, staff_a):
    refused = refusal_of(batch, enrolled, staff_a, date_provided=TODAY - timedelta(days=91))
    assert refused.code == errors.BACKDATE_LIMIT
    assert refused.message == (
        "ERROR: Date Service Provided (08/26/2026) is more than 90 days back. Only an account "
        "that may back-date can go before 08/27/2026."
    )
    assert add(batch, enrolled, staff_a, date_provided=TODAY - timedelta(days=90)).pk


def test_the_back_date_limit_is_the_agencys_setting(batch, enrolled, staff_a, settings):
    settings.HMIS_BACKDATE_DAYS = 7
    refused = refusal_of(batch, enrolled, staff_a, batch_date=TODAY - timedelta(days=8))
    assert refused.code == errors.BACKDATE_LIMIT
    assert "Batch Date (11/17/2026) is more than 7 days back" in refused.message


def test_an_account_that_may_back_date_goes_further_back(batch, enrolled, org_a):
    archivist = f.make_user(org_a, may_back_date=True)
    old = date(2025, 1, 6)
    assert add(batch, enrolled, archivist, batch_date=old, date_provided=old).date_provided == old
    assert date_limits(archivist).earliest is None


def test_a_scan_station_adds_for_today_only_unless_it_may_back_date(batch, enrolled, org_a):
    station = f.make_user(org_a, Role.SCAN_STATION)
    refused = refusal_of(batch, enrolled, station, date_provided=TODAY - timedelta(days=1))
    assert refused.code == errors.BACKDATE_LIMIT
    assert refused.message == (
        "ERROR: Date Service Provided (11/24/2026) must be today on this station."
    )
    trusted = f.make_user(org_a, Role.SCAN_STATION, may_back_date=True)
    yesterday = TODAY - timedelta(days=1)
    assert add(batch, enrolled, trusted, date_provided=yesterday).date_provided == yesterday
