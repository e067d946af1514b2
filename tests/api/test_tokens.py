"""Making, checking and revoking API tokens (hmis/api/tokens.py)."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from hmis.api.models import ApiToken
from hmis.api.tokens import create_api_token, revoke_api_token, user_for_secret
from hmis.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_only_the_sha256_of_the_secret_is_stored(staff_a):
    token, secret = create_api_token(user=staff_a, name="Front desk kiosk")

    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get(pk=token.pk))
    assert secret.startswith(stored.prefix)
    assert AuditEvent.objects.filter(object_type="api.ApiToken", object_id=str(token.pk)).exists()


def test_each_token_has_its_own_secret(staff_a):
    _, first = create_api_token(user=staff_a, name="a")
    _, second = create_api_token(user=staff_a, name="b")

    assert first != second
    assert len(first) > 40


def test_secret_identifies_its_user(staff_a):
    _, secret = create_api_token(user=staff_a, name="kiosk")

    assert user_for_secret(secret) == staff_a
    assert user_for_secret(secret + "x") is None
    assert user_for_secret("") is None


def test_revoked_token_no_longer_identifies_anyone(staff_a):
    token, secret = create_api_token(user=staff_a, name="kiosk")

    revoke_api_token(token=token, user=staff_a)

    assert user_for_secret(secret) is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_token_of_a_deactivated_user_identifies_no_one(staff_a):
    _, secret = create_api_token(user=staff_a, name="kiosk")
    staff_a.is_active = False
    staff_a.save(update_fields=["is_active"])

    assert user_for_secret(secret) is None


def test_last_use_is_written_at_most_once_a_minute(staff_a, django_assert_num_queries):
    token, secret = create_api_token(user=staff_a, name="kiosk")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        user_for_secret(secret)
        with django_assert_num_queries(1):  # the look-up only, no write
            user_for_secret(secret)
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        user_for_secret(secret)

    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(minutes=2)
