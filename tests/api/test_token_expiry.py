"""API tokens may carry an expiry date: after it, the token gets 401 like a revoked one."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from hmis.api.models import ApiToken
from hmis.api.tokens import create_api_token

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def test_a_token_works_until_its_expiry_and_not_after(staff_a, batch):
    expires = datetime(2026, 6, 30, 0, 0, tzinfo=CHICAGO)
    _, secret = create_api_token(user=staff_a, name="tablet", expires_at=expires)
    api = HttpClient(headers={"Authorization": f"Bearer {secret}"})

    with time_machine.travel(expires - timedelta(minutes=1), tick=False):
        assert api.get("/api/batches").status_code == 200
    with time_machine.travel(expires, tick=False):
        refused = api.get("/api/batches")
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthorized"


def test_create_api_token_takes_the_last_day_it_works(staff_a, capsys):
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False):
        call_command("create_api_token", staff_a.username, name="kiosk", expires="2026-06-30")

    token = ApiToken.objects.get(name="kiosk")
    assert token.expires_at == datetime(2026, 7, 1, 0, 0, tzinfo=CHICAGO)
    assert "works until the end of 2026-06-30" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["30/06/2026", "2020-01-01", "9999-12-31"])
def test_create_api_token_refuses_an_unreadable_or_past_expiry(staff_a, value):
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False), pytest.raises(CommandError):
        call_command("create_api_token", staff_a.username, name="kiosk", expires=value)
    assert not ApiToken.objects.exists()
