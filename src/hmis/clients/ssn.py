"""Social Security numbers: encrypted at rest, shown masked.

The full number is stored only as Fernet ciphertext (`Client.ssn_encrypted`) under the key(s) in
HMIS_FIELD_ENCRYPTION_KEY (comma-separated, newest first: older keys still decrypt, so keys can be
rotated). The last four digits are kept in clear (`Client.ssn_last4`) for masked display and
matching. Without a key, development derives one from SECRET_KEY; production (DEBUG off at
start-up) refuses to store or read one.
"""

import base64
import hashlib
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from hmis.clients.models import Client
from hmis.errors import DomainError

INVALID_SSN = "A Social Security number has 9 digits (for example 123-45-6789)."
MASK = "***-**-"


def _keys() -> list[str]:
    configured = [key.strip() for key in settings.HMIS_FIELD_ENCRYPTION_KEY.split(",")]
    configured = [key for key in configured if key]
    if configured:
        return configured
    if settings.HMIS_FIELD_ENCRYPTION_KEY_REQUIRED:
        raise ImproperlyConfigured(
            "HMIS_FIELD_ENCRYPTION_KEY must be set before Social Security numbers can be stored."
        )
    digest = hashlib.sha256(f"hmis-ssn:{settings.SECRET_KEY}".encode()).digest()
    return [base64.urlsafe_b64encode(digest).decode()]


def _cipher() -> MultiFernet:
    return _cipher_for(tuple(_keys()))


@lru_cache(maxsize=4)
def _cipher_for(keys: tuple[str, ...]) -> MultiFernet:
    # Cached: a HUD CSV import encrypts one SSN per client row.
    return MultiFernet([Fernet(key) for key in keys])


def normalize(raw: str) -> str:
    """The nine digits of a typed SSN ("123-45-6789", "123 45 6789"), or DomainError."""
    digits = re.sub(r"[\s-]", "", raw or "")
    if not re.fullmatch(r"\d{9}", digits):
        raise DomainError("invalid_ssn", INVALID_SSN)
    return digits


def normalize_partial(raw: str) -> str:
    """Nine digits or `x` (unknown digit), lower case, or DomainError."""
    text = re.sub(r"[\s-]", "", raw or "").lower()
    if not re.fullmatch(r"[0-9x]{9}", text):
        raise DomainError("invalid_ssn", INVALID_SSN)
    return text


def set_ssn(client: Client, raw: str, *, partial: bool = False) -> list[str]:
    """Put `raw` (or nothing, when blank) on the client, encrypted. Does not save: returns the
    field names to pass to `save(update_fields=...)`. `partial` (HUD SSN data quality 2) takes
    nine characters with `x` for unknown digits, as HUD CSV writes them."""
    if not (raw or "").strip():
        client.ssn_encrypted = ""
        client.ssn_last4 = ""
    else:
        digits = normalize_partial(raw) if partial else normalize(raw)
        client.ssn_encrypted = _cipher().encrypt(digits.encode()).decode()
        client.ssn_last4 = digits[-4:] if digits[-4:].isdigit() else ""
    return ["ssn_encrypted", "ssn_last4"]


def get_ssn(client: Client) -> str:
    """The full nine digits, or "" when none is stored. Show it only where the full number is
    needed (HUD CSV export); pages show `masked()`."""
    if not client.ssn_encrypted:
        return ""
    try:
        return _cipher().decrypt(client.ssn_encrypted.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored SSN cannot be decrypted with HMIS_FIELD_ENCRYPTION_KEY: the key that "
            "encrypted it is missing from the list."
        ) from None


def masked(client: Client) -> str:
    """ "***-**-6789", or "" when no SSN is stored."""
    return f"{MASK}{client.ssn_last4}" if client.ssn_last4 else ""


def rotate(client: Client) -> list[str]:
    """Re-encrypt under the newest key (after adding a key at the front of the list)."""
    if client.ssn_encrypted:
        client.ssn_encrypted = _cipher().rotate(client.ssn_encrypted.encode()).decode()
    return ["ssn_encrypted"]
