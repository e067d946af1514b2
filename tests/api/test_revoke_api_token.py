"""`hmis revoke-api-token TOKEN_ID` (hmis/api/management/commands/revoke_api_token.py)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hmis.api.tokens import create_api_token, user_for_secret

pytestmark = pytest.mark.django_db


def test_revoked_token_stops_working(staff_a):
    token, secret = create_api_token(user=staff_a, name="Lost tablet")
    out = StringIO()

    call_command("revoke_api_token", str(token.pk), stdout=out)

    assert "revoked" in out.getvalue()
    assert user_for_secret(secret) is None


def test_unknown_token_id_is_an_error():
    with pytest.raises(CommandError, match="No API token has id 999"):
        call_command("revoke_api_token", "999", stdout=StringIO())
