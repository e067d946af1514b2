from django.conf import settings
from django.db import models
from django.db.models import Q

from hmis.hud_ids import new_hud_id


class ServiceGroup(models.Model):
    """A group of the catalog, as the seed's *Find Service Provided* screen offers them.

    A group with no organization is shared by every agency; `projects` lists the programs it is
    made available to (none: every program of its organization).
    """

    name = models.CharField(max_length=200)
    organization = models.ForeignKey(
        "projects.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_groups",
    )
    projects = models.ManyToManyField("projects.Project", blank=True, related_name="service_groups")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceCode(models.Model):
    """A service that can be provided. Optionally limited (N per client per period of days) and
    mapped to a HUD Services.csv RecordType/TypeProvided pair."""

    group = models.ForeignKey(ServiceGroup, on_delete=models.PROTECT, related_name="codes")
    name = models.CharField(max_length=200)
    unit_of_measure = models.CharField(
        max_length=50, blank=True, help_text="What one unit is: a meal, a night, a voucher..."
    )
    default_units = models.PositiveIntegerField(default=1)
    limit_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="At most this many per client..."
    )
    limit_period_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="...within this many days."
    )
    hud_record_type = models.PositiveSmallIntegerField(null=True, blank=True)
    hud_type_provided = models.PositiveSmallIntegerField(null=True, blank=True)
    # False: recorded only outside batches (e.g. imported); the batch form does not offer it.
    usable_in_batches = models.BooleanField(default=True)
    # False: retired. Stays on past services; cannot be added to a batch again.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(default_units__gte=1), name="code_units_positive"),
            models.CheckConstraint(
                condition=Q(limit_count__isnull=True, limit_period_days__isnull=True)
                | Q(limit_count__gte=1, limit_period_days__gte=1),
                name="code_limit_complete",
            ),
            models.CheckConstraint(
                condition=Q(hud_record_type__isnull=True, hud_type_provided__isnull=True)
                | Q(hud_record_type__isnull=False, hud_type_provided__isnull=False),
                name="code_hud_mapping_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_limit(self) -> bool:
        return self.limit_count is not None and self.limit_period_days is not None


class ServiceQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)


class Service(models.Model):
    """A service transaction on a client's record. Never hard-deleted: voiding sets deleted_at."""

    # Indexes: a services table grows to tens of millions of rows and every index slows each
    # insert (posting, HUD import). FK columns already led by a composite index below, or only
    # read when a user or location is deleted (rare, and refused by PROTECT), carry none.
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="services", db_index=False
    )
    enrollment = models.ForeignKey(
        "clients.Enrollment", on_delete=models.PROTECT, related_name="services"
    )
    service_code = models.ForeignKey(
        ServiceCode, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    date_provided = models.DateField()
    units = models.PositiveIntegerField(default=1)
    comments = models.TextField(blank=True)
    provider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Served by the (project, date_provided) index: the reports' filter.
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    location = models.ForeignKey(
        "projects.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Served by the unique (batch_entry, service_code) index.
    batch_entry = models.ForeignKey(
        "batches.BatchEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        db_index=False,
    )
    fa_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # HUD ServicesID, given at creation like every record's (hmis.hud_ids). Unique by a named
    # constraint (below), not unique=True: its index can then be dropped and built again around
    # a load into an empty table (hudcsv.importing), which is faster than keeping it row by row.
    hud_services_id = models.CharField(max_length=32, null=True, blank=True, default=new_hud_id)
    hud_data = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    void_reason = models.TextField(blank=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["-date_provided", "-id"]
        indexes = [
            models.Index(fields=["client", "date_provided"]),
            # The frequency-limit check (clients/eligibility.py): codes, clients, a window.
            models.Index(fields=["service_code", "client", "date_provided"]),
            # Every report and list of a program and period reads only that period's rows.
            models.Index(fields=["project", "date_provided"], name="service_project_date_idx"),
            models.Index(fields=["updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(units__gte=1), name="service_units_positive"),
            models.UniqueConstraint(
                fields=["hud_services_id"], name="service_hud_services_id_unique"
            ),
            models.UniqueConstraint(
                fields=["batch_entry", "service_code"],
                condition=Q(batch_entry__isnull=False),
                name="service_one_per_entry_and_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} for {self.client_id} on {self.date_provided}"

    @property
    def hud_id(self) -> str:
        return self.hud_services_id or str(self.pk)

    @property
    def is_void(self) -> bool:
        return self.deleted_at is not None
