from django.conf import settings
from django.db import models
from django.db.models import Q


class ServiceBatchQuerySet(models.QuerySet):
    def for_organization(self, organization_id: int):
        return self.filter(organization_id=organization_id)


class ServiceBatch(models.Model):
    """The seed's service batch: a service, or set of services, for many clients, reused daily."""

    organization = models.ForeignKey(
        "projects.Organization", on_delete=models.PROTECT, related_name="batches"
    )
    description = models.CharField("Description", max_length=200)
    auto_post = models.BooleanField("Automatically Post Services", default=False)
    performing_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="batches_performed",
        verbose_name="Name of User Performing Services",
    )
    default_comments = models.TextField("Default Comments", blank=True)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="batches", verbose_name="Program"
    )
    location = models.ForeignKey(
        "projects.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name="Location",
    )
    active = models.BooleanField(default=True)
    # Scan-station accounts allowed to use this batch's desk.
    scan_stations = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="scan_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceBatchQuerySet.as_manager()

    class Meta:
        ordering = ["description", "id"]
        verbose_name = "service batch"
        verbose_name_plural = "service batches"

    def __str__(self) -> str:
        return self.description


class BatchServiceCode(models.Model):
    """One row of the batch form's *Service Codes* section: a code and its units."""

    batch = models.ForeignKey(ServiceBatch, on_delete=models.CASCADE, related_name="service_codes")
    service_code = models.ForeignKey(
        "services.ServiceCode", on_delete=models.PROTECT, related_name="+", verbose_name="Service"
    )
    units = models.PositiveIntegerField("Units", default=1)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "service_code"], name="batch_code_unique_in_batch"
            ),
            models.CheckConstraint(condition=Q(units__gte=1), name="batch_code_units_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} x {self.units}"


class EntryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    POSTED = "posted", "Posted"
    REMOVED = "removed", "Removed"
    # Posted, then every one of its services voided: no longer counts as added.
    VOIDED = "voided", "Voided"


# Entries that count as "added": a removed or voided one lets the client be added again.
ENDED_STATUSES = ("removed", "voided")


class BatchEntryQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(status__in=ENDED_STATUSES)


class CommentMode(models.TextChoices):
    ADD = "add", "Add to Default Comments"
    REPLACE = "replace", "Replace Default Comments"


class BatchEntry(models.Model):
    """A client added to a batch for one date provided. At most one live entry per
    (batch, client, date provided): the database refuses a double scan whatever path it took."""

    batch = models.ForeignKey(ServiceBatch, on_delete=models.PROTECT, related_name="entries")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    enrollment = models.ForeignKey("clients.Enrollment", on_delete=models.PROTECT, related_name="+")
    batch_date = models.DateField("Batch Date")
    date_provided = models.DateField("Date Service Provided")
    status = models.CharField(
        max_length=10, choices=EntryStatus.choices, default=EntryStatus.PENDING
    )
    # Why posting left this entry pending (the client no longer qualified); empty otherwise.
    pending_reason = models.TextField(blank=True)
    bar_override_reason = models.TextField(blank=True)
    # The client's own note: posted with (or instead of) the batch's Default Comments.
    comment = models.TextField("Comment", blank=True)
    comment_mode = models.CharField(
        max_length=10, choices=CommentMode.choices, default=CommentMode.ADD
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField()
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = BatchEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name_plural = "batch entries"
        indexes = [
            models.Index(fields=["batch", "status", "batch_date"]),
            models.Index(fields=["batch", "date_provided"]),
            models.Index(fields=["client", "date_provided"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "client", "date_provided"],
                condition=~Q(status__in=ENDED_STATUSES),
                name="entry_one_live_per_batch_client_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} in batch {self.batch_id} on {self.date_provided}"


class EntryUnits(models.Model):
    """A pending entry's own units for one of its batch's service codes (a client who took two
    meals). Posting uses it instead of the batch's units."""

    entry = models.ForeignKey(BatchEntry, on_delete=models.CASCADE, related_name="unit_overrides")
    service_code = models.ForeignKey(
        "services.ServiceCode", on_delete=models.PROTECT, related_name="+"
    )
    units = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "service_code"], name="entry_units_unique"),
            models.CheckConstraint(condition=Q(units__gte=1), name="entry_units_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.units} x code {self.service_code_id} for entry {self.entry_id}"


class ScanOutcome(models.Model):
    """The answer given to one add request carrying a key made by the browser (or an API client).

    A retried or double-sent request with the same key gets this stored answer back instead of
    being applied twice."""

    key = models.CharField(max_length=64, unique=True)
    batch = models.ForeignKey(ServiceBatch, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    typed = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=40)
    message = models.TextField()
    ok = models.BooleanField()
    client = models.ForeignKey(
        "clients.Client", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entry = models.ForeignKey(
        BatchEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.code}"
