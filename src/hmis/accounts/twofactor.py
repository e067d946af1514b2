"""Two-factor sign-in: an authenticator app (TOTP, RFC 6238) plus one-time recovery codes, kept by
django-otp (`TOTPDevice`, `StaticDevice`).

Required of system and agency administrators (they are sent to set-up until it is done), optional
for staff and read-only users, never asked of scan stations (they sign in with an API token or a
long password and stay limited to scanning). Every change is audited.
"""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from hmis.accounts import errors
from hmis.accounts.errors import TwoFactorError
from hmis.accounts.models import Role, User
from hmis.audit.models import AuditAction
from hmis.audit.recording import record

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits without look-alikes (0/o, 1/l/i), five and five: "k7mp3-x4qa2".
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10


def two_factor_required(user) -> bool:
    """System and agency administrators must use a second factor."""
    return bool(user.is_superuser or user.role in (Role.SYSTEM_ADMIN, Role.AGENCY_ADMIN))


def two_factor_allowed(user) -> bool:
    """Everyone but scan stations may turn two-factor sign-in on."""
    return two_factor_required(user) or user.role != Role.SCAN_STATION


def has_two_factor(user) -> bool:
    """True when the user has a confirmed authenticator app: sign-in then asks for a code."""
    if not getattr(user, "pk", None):
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def users_with_two_factor(users) -> set[int]:
    """The ids of these users who have a confirmed authenticator app (one query, for lists)."""
    return set(
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )


def confirmed_app(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isascii() and ch.isalnum())[:32]


def format_recovery_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def start_set_up(*, user: User) -> TOTPDevice:
    """A new, not yet confirmed authenticator device with a fresh secret. Nothing changes for the
    user until `confirm_set_up` checks a code from it."""
    if not two_factor_allowed(user):
        raise TwoFactorError(errors.NOT_FOR_SCAN_STATIONS, errors.NOT_FOR_SCAN_STATIONS_MESSAGE)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def pending_device(*, user: User, device_id: int | None) -> TOTPDevice | None:
    """The unconfirmed device `start_set_up` made for this user, if it is still there."""
    if not device_id:
        return None
    return TOTPDevice.objects.filter(user=user, pk=device_id, confirmed=False).first()


def confirm_set_up(
    *, user: User, device: TOTPDevice, code: str, address: str | None = None
) -> list[str]:
    """Turn two-factor sign-in on once a code from the new app checks out; replaces any older app
    and recovery codes. Returns the new recovery codes (shown once, stored only by the device)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        _check_throttle(device)
        # A wrong code must commit its throttle count, so it is raised after the block.
        right = device.verify_token(_normalize(code))
        if right:
            codes, replaced = _confirm(user, device, address)
    if not right:
        raise TwoFactorError(errors.WRONG_SET_UP_CODE, errors.WRONG_SET_UP_CODE_MESSAGE)
    return codes


def _confirm(user: User, device: TOTPDevice, address: str | None) -> tuple[list[str], int]:
    replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()[0]
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_recovery_codes(user)
    record(
        actor=user,
        action=AuditAction.CHANGE,
        obj=user,
        ip_address=address,
        changes={"two_factor": "[set up]"},
        message="Two-factor sign-in set up"
        + (" (the previous authenticator app was replaced)" if replaced else ""),
    )
    return codes, replaced


def new_recovery_codes(*, user: User, address: str | None = None) -> list[str]:
    """Replace the user's recovery codes (the old ones stop working); the new ones, shown once."""
    if not has_two_factor(user):
        raise TwoFactorError(errors.WRONG_CODE, "Set up two-factor sign-in first.")
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=user,
            ip_address=address,
            changes={"recovery_codes": "[replaced]"},
            message="New recovery codes made (the old ones no longer work)",
        )
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [format_recovery_code(code) for code in codes]


@dataclass(frozen=True)
class Verified:
    device: Device
    recovery_code_used: bool


def _check_throttle(device: Device) -> None:
    # django-otp slows repeated wrong codes on each device (1, 2, 4 ... seconds).
    allowed, data = device.verify_is_allowed()
    if not allowed and data and data.get("locked_until"):
        seconds = max(1, int((data["locked_until"] - timezone.now()).total_seconds() + 0.999))
        raise TwoFactorError(
            errors.TOO_MANY_CODES, errors.TOO_MANY_CODES_MESSAGE.format(seconds=seconds)
        )


def verify_second_factor(*, user: User, code: str) -> Verified:
    """Check a 6-digit app code or a recovery code (each recovery code works once). Raises
    TwoFactorError when neither matches. The caller audits the sign-in it completes."""
    token = _normalize(code)
    with transaction.atomic():
        if token.isdigit():
            devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            recovery = False
        else:
            devices = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            recovery = True
        for device in devices:
            _check_throttle(device)
            if device.verify_token(token):
                return Verified(device=device, recovery_code_used=recovery)
    raise TwoFactorError(errors.WRONG_CODE, errors.WRONG_CODE_MESSAGE)


def may_reset(*, by: User, user: User) -> bool:
    """System administrators reset anyone; agency administrators the users of their organization."""
    if by.is_superuser or by.role == Role.SYSTEM_ADMIN:
        return True
    return by.role == Role.AGENCY_ADMIN and by.organization_id == user.organization_id


def reset_two_factor(*, user: User, by: User, address: str | None = None) -> None:
    """An administrator's answer to a lost phone: remove the user's authenticator app and
    recovery codes. An administrator must then set up again at the next sign-in; staff sign in
    with their password alone until they turn it on again. Audited."""
    if not may_reset(by=by, user=user):
        raise TwoFactorError(errors.NOT_ALLOWED, errors.NOT_ALLOWED_MESSAGE)
    with transaction.atomic():
        apps = TOTPDevice.objects.filter(user=user).delete()[0]
        StaticDevice.objects.filter(user=user).delete()
        record(
            actor=by,
            action=AuditAction.CHANGE,
            obj=user,
            organization_id=user.organization_id,
            ip_address=address,
            changes={"two_factor": "[reset]"},
            message=f"Two-factor sign-in of {user.username} reset by {by.username}"
            + ("" if apps else " (none was set up)"),
        )


def turn_off_two_factor(*, user: User, address: str | None = None) -> None:
    """Staff may turn their optional two-factor sign-in off again; administrators may not."""
    if two_factor_required(user):
        raise TwoFactorError(errors.REQUIRED, errors.REQUIRED_MESSAGE)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=user,
            ip_address=address,
            changes={"two_factor": "[turned off]"},
            message="Two-factor sign-in turned off",
        )
