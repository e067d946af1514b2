import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Signing in and setting passwords many times: a cheap hasher keeps it quick (tests only)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
