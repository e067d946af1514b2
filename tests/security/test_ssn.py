"""SSNs: encrypted at rest with the key from the environment, shown masked."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from hmis.clients.models import Client
from hmis.clients.ssn import INVALID_SSN, get_ssn, masked, rotate, set_ssn
from hmis.errors import DomainError

KEY_1 = Fernet.generate_key().decode()
KEY_2 = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def field_key(settings):
    settings.HMIS_FIELD_ENCRYPTION_KEY = KEY_1


def test_ssn_is_stored_encrypted_and_read_back(client_a):
    fields = set_ssn(client_a, "123-45-6789")
    client_a.save(update_fields=fields)
    stored = Client.objects.get(pk=client_a.pk)
    assert "6789" not in stored.ssn_encrypted
    assert stored.ssn_last4 == "6789"
    assert get_ssn(stored) == "123456789"
    assert Fernet(KEY_1).decrypt(stored.ssn_encrypted.encode()) == b"123456789"


def test_ssn_is_shown_masked(client_a):
    set_ssn(client_a, "123 45 6789")
    assert masked(client_a) == "***-**-6789"
    assert masked(Client(first_name="No SSN")) == ""


@pytest.mark.parametrize("typed", ["12345678", "1234567890", "123-45-678x", "ssn"])
def test_malformed_ssn_is_refused(client_a, typed):
    with pytest.raises(DomainError) as error:
        set_ssn(client_a, typed)
    assert (error.value.code, error.value.message) == ("invalid_ssn", INVALID_SSN)


def test_blank_ssn_clears_the_stored_one(client_a):
    set_ssn(client_a, "123456789")
    set_ssn(client_a, "  ")
    assert (client_a.ssn_encrypted, client_a.ssn_last4, get_ssn(client_a)) == ("", "", "")


def test_keys_can_be_rotated(client_a, settings):
    set_ssn(client_a, "123456789")
    old_ciphertext = client_a.ssn_encrypted
    settings.HMIS_FIELD_ENCRYPTION_KEY = f"{KEY_2},{KEY_1}"
    assert get_ssn(client_a) == "123456789"  # the old key still decrypts
    rotate(client_a)
    assert client_a.ssn_encrypted != old_ciphertext
    settings.HMIS_FIELD_ENCRYPTION_KEY = KEY_2
    assert get_ssn(client_a) == "123456789"


def test_a_missing_key_is_a_clear_configuration_error(client_a, settings):
    set_ssn(client_a, "123456789")
    settings.HMIS_FIELD_ENCRYPTION_KEY = KEY_2
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        get_ssn(client_a)


def test_production_refuses_to_store_an_ssn_without_a_key(client_a, settings):
    settings.HMIS_FIELD_ENCRYPTION_KEY = ""
    settings.HMIS_FIELD_ENCRYPTION_KEY_REQUIRED = True
    with pytest.raises(ImproperlyConfigured, match="HMIS_FIELD_ENCRYPTION_KEY must be set"):
        set_ssn(client_a, "123456789")
