"""API personas: a bearer-token client for any user, and a scan station of organization A."""

import pytest
from django.test import Client as HttpClient

from hmis.accounts.models import Role
from hmis.api.tokens import create_api_token
from tests import factories as f


@pytest.fixture
def api_as():
    """api_as(user) -> a test client sending a fresh token of `user` on every request."""

    def make(user) -> HttpClient:
        _, secret = create_api_token(user=user, name="test")
        return HttpClient(headers={"Authorization": f"Bearer {secret}"})

    return make


@pytest.fixture
def scan_station_a(org_a, batch):
    station = f.make_user(org_a, Role.SCAN_STATION, username="kiosk_a")
    batch.scan_stations.add(station)
    return station
