"""Password rules: at least 12 characters, not like the user name, not a common password."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from hmis.accounts.models import User


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Short-pw-1!", "too short"),  # 11 characters
        ("qwertyqwerty", "too common"),
        ("mariaquintero2", "too similar to the username"),
        ("839201748291", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, reason):
    user = User(username="mariaquintero", first_name="Maria", last_name="Quintero")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_unrelated_passphrase_is_accepted():
    user = User(username="mariaquintero", first_name="Maria", last_name="Quintero")
    validate_password("lantern-orchard-vivid-47", user)


def test_twelve_characters_is_the_minimum():
    user = User(username="someone")
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("k7#mQz!pW2x", user)
    validate_password("k7#mQz!pW2xR", user)
