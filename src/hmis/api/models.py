from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Not revoked, not expired, and held by an active user."""
        return self.filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now()),
            revoked_at__isnull=True,
            user__is_active=True,
        )


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only the SHA-256 of the secret is stored: the secret is
    shown once, when the token is made, and cannot be recovered (make a new one instead)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses the token: a kiosk, a tablet...")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, so people can tell their tokens apart in lists.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # None: until revoked. Otherwise the token stops working at this moment.
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class RateCounter(models.Model):
    """Requests counted per caller (`bucket`: "user:12", "token:3") and time window, in the
    database so that every app server shares them (api/ratelimit.py)."""

    bucket = models.CharField(max_length=64)
    window_start = models.BigIntegerField(help_text="Unix time the window began")
    window_seconds = models.PositiveIntegerField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bucket", "window_seconds", "window_start"], name="rate_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bucket} {self.window_seconds}s@{self.window_start}: {self.hits}"
