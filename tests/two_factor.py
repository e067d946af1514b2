"""Two-factor helpers for tests: a TOTP code computed here from the secret (RFC 6238, written out
so the tests do not trust the library they check), an authenticator device for a user, and a test
client signed in with both factors."""

import hashlib
import hmac
import struct
import time
from base64 import b32decode

from django.test import Client as DjangoTestClient
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hmis.accounts.twofactor import has_two_factor, two_factor_required
from tests import factories as f

# A fixed secret for devices made by `give_two_factor` (hex, as django-otp stores it).
TEST_KEY_HEX = "3132333435363738393031323334353637383930"


def totp(secret: bytes | str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows at `at` for `secret` (raw bytes or base32 text)."""
    if isinstance(secret, str):
        cleaned = secret.replace(" ", "").upper()
        secret = b32decode(cleaned + "=" * (-len(cleaned) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def give_two_factor(user) -> TOTPDevice:
    """A confirmed authenticator app for `user` (accepting codes up to 20 steps ahead, so a test
    may sign in several times within one 30-second step without waiting)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="Test app", key=TEST_KEY_HEX, confirmed=True, tolerance=20
    )


def next_code(device: TOTPDevice) -> str:
    """A code the device has not accepted yet (django-otp refuses a code used before)."""
    device.refresh_from_db()
    now_step = int(time.time() // device.step)
    step = max(now_step, device.last_t + 1)
    return totp(device.bin_key, at=step * device.step)


def mark_verified(client: DjangoTestClient, user) -> None:
    """Mark the client's session as verified by the user's authenticator app."""
    device = give_two_factor(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in_with_password_only(client: DjangoTestClient, user) -> None:
    """A session holding the password's half only (as after a role change or a reset)."""
    client._login(user, "django.contrib.auth.backends.ModelBackend")


def sign_in_with_code(client: DjangoTestClient, user, *, address: str = "127.0.0.1"):
    """Sign in through the pages: password, then (set up if needed) an app code."""
    device = give_two_factor(user)
    client.post(
        "/accounts/login/",
        {"username": user.username, "password": f.PASSWORD},
        REMOTE_ADDR=address,
    )
    return client.post(
        "/accounts/two-factor/code/", {"code": next_code(device)}, REMOTE_ADDR=address
    )


def install_force_login_with_second_factor(monkeypatch) -> None:
    """`client.force_login(user)` stands for a finished sign-in: for users who need or have a
    second factor, the session is marked verified by their (test) authenticator app."""
    original = DjangoTestClient.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if two_factor_required(user) or has_two_factor(user):
            mark_verified(self, user)

    monkeypatch.setattr(DjangoTestClient, "force_login", force_login)
