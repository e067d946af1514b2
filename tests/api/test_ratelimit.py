"""API limits: client search and look-ups by ID are rate-limited per user and per token, in the
database (shared by every app server), answered with 429 and Retry-After; card scans are not."""

import pytest
import time_machine
from django.test import Client as HttpClient

from hmis.api.models import RateCounter
from hmis.api.ratelimit import RATE_LIMITED, RateLimited, count_lookup
from hmis.api.tokens import create_api_token
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_limits(settings):
    settings.HMIS_API_LOOKUPS_PER_MINUTE = 3
    settings.HMIS_API_LOOKUPS_PER_HOUR = 5


def _token_client(user):
    _, secret = create_api_token(user=user, name="t")
    return HttpClient(headers={"Authorization": f"Bearer {secret}"})


def test_search_beyond_the_minute_limit_gets_429_with_retry_after(tight_limits, staff_a):
    api = _token_client(staff_a)
    with time_machine.travel("2026-03-10 15:00:10+00:00", tick=False):
        statuses = [api.get("/api/clients", {"q": "ana"}).status_code for _ in range(4)]
        refused = api.get("/api/clients", {"q": "ana"})

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused.json()["code"] == RATE_LIMITED
    assert refused["Retry-After"] == "50"


def test_the_limit_is_per_user_across_tokens_and_other_users_are_untouched(
    tight_limits, staff_a, readonly_a
):
    first, second = _token_client(staff_a), _token_client(staff_a)
    client = f.make_client("Ana", "Lopez", organization=staff_a.organization)
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False):
        for _ in range(3):
            assert first.get(f"/api/clients/{client.pk}").status_code == 200
        assert second.get(f"/api/clients/{client.pk}").status_code == 429
        assert _token_client(readonly_a).get(f"/api/clients/{client.pk}").status_code == 200


def test_typed_client_ids_count_but_card_scans_do_not(tight_limits, staff_a, batch):
    api = _token_client(staff_a)
    url = f"/api/batches/{batch.pk}/entries"
    with time_machine.travel("2026-03-10 15:00:00+00:00", tick=False):
        cards = [
            api.post(url, {"scan_type": "card", "value": f"NOCARD{i}"}, "application/json")
            for i in range(6)
        ]
        typed = [
            api.post(url, {"scan_type": "client_id", "value": "999"}, "application/json")
            for _ in range(4)
        ]

    assert {r.status_code for r in cards} == {422}
    assert [r.status_code for r in typed] == [422, 422, 422, 429]


def test_counts_are_kept_in_the_database_so_every_app_server_shares_them(tight_limits):
    for _ in range(3):
        count_lookup(buckets=["user:1"], now=1_000_020.0)

    assert RateCounter.objects.get(bucket="user:1", window_seconds=60).hits == 3
    with pytest.raises(RateLimited):
        count_lookup(buckets=["user:1"], now=1_000_021.0)


def test_a_station_looking_up_once_a_second_for_hours_is_never_limited(settings):
    """Default limits: 7,200 look-ups, one a second for two hours."""
    start = 1_800_000_000
    for second in range(2 * 3600):
        count_lookup(buckets=["user:7", "token:9"], now=start + second)

    # Earlier hours' windows are forgotten: this hour's minutes and the hour, per bucket.
    assert RateCounter.objects.count() == 2 * (60 + 1)


def test_the_hour_limit_holds_even_at_a_steady_pace(settings):
    settings.HMIS_API_LOOKUPS_PER_HOUR = 100
    start = 1_800_000_000 - 1_800_000_000 % 3600
    for second in range(100):
        count_lookup(buckets=["user:7"], now=start + second)

    with pytest.raises(RateLimited) as refused:
        count_lookup(buckets=["user:7"], now=start + 100)
    assert refused.value.retry_after == 3600 - 100
