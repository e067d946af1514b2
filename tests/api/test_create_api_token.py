"""`hmis create-api-token USERNAME --name NAME` (api/management/commands/create_api_token.py)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hmis.api.models import ApiToken
from hmis.api.tokens import user_for_secret

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_command_prints_a_working_secret_once(staff_a):
    output = run("create_api_token", "staff_a", "--name", "Front desk kiosk")

    secret = next(line for line in output.splitlines() if line.startswith("hmis_"))
    assert user_for_secret(secret) == staff_a
    assert ApiToken.objects.get().name == "Front desk kiosk"


def test_underscore_spelling_works_too(staff_a):
    run("create_api_token", "staff_a", "--name", "Tablet")

    assert ApiToken.objects.filter(user=staff_a, name="Tablet").exists()


def test_unknown_user_is_an_error():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        run("create_api_token", "nobody", "--name", "x")


def test_deactivated_user_gets_no_token(staff_a):
    staff_a.is_active = False
    staff_a.save(update_fields=["is_active"])

    with pytest.raises(CommandError, match="deactivated"):
        run("create_api_token", "staff_a", "--name", "x")
    assert not ApiToken.objects.exists()


def test_blank_name_is_an_error(staff_a):
    with pytest.raises(CommandError, match="name"):
        run("create_api_token", "staff_a", "--name", "  ")
