import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every populated user hashes a password; the production hasher would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
