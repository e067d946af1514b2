from django.contrib.auth.models import AbstractUser
from django.db import models

from hmis.hud_ids import new_hud_id


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "System administrator"
    AGENCY_ADMIN = "agency_admin", "Agency administrator"
    STAFF = "staff", "Staff"
    READ_ONLY = "read_only", "Read-only"
    SCAN_STATION = "scan_station", "Scan station"


class User(AbstractUser):
    """An HMIS user: a Django user who belongs to one organization and holds one role.

    `can_override_bars` is the supervisor's permission to add a barred client anyway, with a
    reason.
    """

    organization = models.ForeignKey(
        "projects.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF)
    can_override_bars = models.BooleanField(
        default=False, help_text="May add a barred client to a batch, giving a reason (audited)."
    )
    can_manage_bars = models.BooleanField(
        default=False, help_text="May record, change and lift bars (with the manage bars pages)."
    )
    may_back_date = models.BooleanField(
        "may back-date",
        default=False,
        help_text="May add services dated before the back-date limit (HMIS_BACKDATE_DAYS); "
        "for a scan station, any date before today.",
    )
    phone = models.CharField(max_length=10, blank=True)
    phone_extension = models.CharField(max_length=5, blank=True)
    # HUD User.csv key (UserID).
    hud_user_id = models.CharField(
        max_length=32, null=True, blank=True, unique=True, default=new_hud_id
    )
    updated_at = models.DateTimeField(auto_now=True)
    # The one session this user may hold: a new sign-in ends the older one (accounts/sessions.py).
    current_session_key = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username

    @property
    def short_name(self) -> str:
        """'J. Doe', as the desk says who added a client."""
        if self.first_name and self.last_name:
            return f"{self.first_name[0]}. {self.last_name}"
        return self.display_name

    @property
    def hud_id(self) -> str:
        return self.hud_user_id or str(self.pk)


class SignInThrottle(models.Model):
    """Failed sign-ins counted per account ("user:<name>") and per address ("address:<ip>").

    Kept in the database, not in process memory, so every app server sharing the database sees the
    same count and the same lock."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures} failures"


class SetPasswordLinkQuerySet(models.QuerySet):
    def usable(self, now):
        return self.filter(used_at__isnull=True, expires_at__gt=now, user__is_active=True)


class SetPasswordLink(models.Model):
    """A one-time link an administrator hands a new user (or one who forgot their password) to
    choose a password. Only the SHA-256 of its secret is stored: the link is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="set_password_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = SetPasswordLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Set-password link for {self.user_id}"
