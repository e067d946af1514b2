from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hmis.clients.text import fold
from hmis.hud_ids import new_hud_id


class ClientQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)


class Client(models.Model):
    """A person served. The primary key is the visible *Client ID* (the seed's ClientTrack ID)."""

    personal_id = models.CharField(
        "HUD PersonalID", max_length=32, unique=True, default=new_hud_id, editable=False
    )
    first_name = models.CharField(max_length=50, blank=True)
    middle_name = models.CharField(max_length=50, blank=True)
    last_name = models.CharField(max_length=50, blank=True)
    name_suffix = models.CharField(max_length=50, blank=True)
    preferred_name = models.CharField(max_length=50, blank=True)
    name_data_quality = models.PositiveSmallIntegerField(default=1)
    dob = models.DateField("Date of birth", null=True, blank=True)
    dob_data_quality = models.PositiveSmallIntegerField(default=1)
    ssn_encrypted = models.TextField(blank=True, editable=False)
    ssn_last4 = models.CharField(max_length=4, blank=True, editable=False)
    ssn_data_quality = models.PositiveSmallIntegerField(default=99)
    veteran_status = models.PositiveSmallIntegerField(default=99)
    photo = models.ImageField(upload_to="client-photos/", blank=True)
    # Folded "first middle last preferred" for case- and accent-insensitive search; kept by save().
    search_name = models.CharField(max_length=250, blank=True, db_index=True, editable=False)
    # The organization whose staff created the record (ROI sharing starts from it).
    organization = models.ForeignKey(
        "projects.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # HUD universal data elements we carry but do not use (race, sex, veteran detail...).
    hud_data = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deidentified_at = models.DateTimeField(null=True, blank=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        # The duplicate check (clients/matching.py) looks up birth dates and SSN last four.
        indexes = [
            models.Index(fields=["dob"], name="client_dob_idx"),
            models.Index(fields=["ssn_last4"], name="client_ssn_last4_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.search_name = fold(
            " ".join([self.first_name, self.middle_name, self.last_name, self.preferred_name])
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_name", "updated_at"}
        super().save(*args, **kwargs)

    @property
    def client_id(self) -> int:
        return self.pk

    @property
    def full_name(self) -> str:
        parts = [self.first_name, self.middle_name, self.last_name, self.name_suffix]
        return " ".join(p for p in parts if p) or f"Client {self.pk}"

    @property
    def initials(self) -> str:
        """ "M. L.": what a kiosk desk shows instead of the name."""
        letters = [name[0].upper() for name in (self.first_name, self.last_name) if name]
        return " ".join(f"{letter}." for letter in letters) or "?"

    @property
    def display_name(self) -> str:
        """Last, First as lists show it."""
        if self.last_name and self.first_name:
            return f"{self.last_name}, {self.first_name}"
        return self.full_name


class EnrollmentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

    def active_on(self, day: date):
        """Active on `day`: entered on or before it, and not exited before it."""
        return self.live().filter(
            Q(exit_date__isnull=True) | Q(exit_date__gte=day), entry_date__lte=day
        )


class Enrollment(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="enrollments")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="enrollments"
    )
    entry_date = models.DateField()
    exit_date = models.DateField(null=True, blank=True)
    household_id = models.CharField(max_length=32, default=new_hud_id)
    relationship_to_hoh = models.PositiveSmallIntegerField(default=1)
    destination = models.PositiveSmallIntegerField(null=True, blank=True)
    hud_enrollment_id = models.CharField(max_length=32, unique=True, default=new_hud_id)
    hud_exit_id = models.CharField(max_length=32, null=True, blank=True, unique=True)
    hud_data = models.JSONField(default=dict, blank=True)
    exit_hud_data = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-entry_date", "-id"]
        indexes = [
            models.Index(fields=["client", "project", "entry_date"]),
            # A household's members (the desk's Add household, asked on every scan).
            models.Index(fields=["household_id"], name="enrollment_household_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=F("entry_date")),
                name="enrollment_exit_not_before_entry",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} in {self.project} from {self.entry_date}"

    def is_active_on(self, day: date) -> bool:
        return self.entry_date <= day and (self.exit_date is None or day <= self.exit_date)

    @property
    def relationship_label(self) -> str:
        from hmis.hudcsv.codes import RelationshipToHoH

        return dict(RelationshipToHoH.choices).get(self.relationship_to_hoh, "")

    @property
    def destination_label(self) -> str:
        from hmis.hudcsv.codes import LivingSituation

        return dict(LivingSituation.choices).get(self.destination, "")


class BarQuerySet(models.QuerySet):
    def in_force_on(self, day: date):
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


class Bar(models.Model):
    """A client barred from an organization, a project, or one location of a project.

    Exactly one scope is set; `organization` is always the owning agency (for visibility).
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="bars")
    organization = models.ForeignKey(
        "projects.Organization", on_delete=models.PROTECT, related_name="bars"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="bars"
    )
    location = models.ForeignKey(
        "projects.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="bars"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.TextField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BarQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="bar_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(location__isnull=True) | Q(project__isnull=False),
                name="bar_location_scope_names_its_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} barred from {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.location_id:
            return f"location {self.location.name} ({self.project.name})"
        if self.project_id:
            return f"program {self.project.name}"
        return f"organization {self.organization.name}"


class CardRevokeReason(models.TextChoices):
    LOST = "lost", "Lost"
    DAMAGED = "damaged", "Damaged"
    STOLEN = "stolen", "Stolen"
    REPLACED = "replaced", "Replaced"
    OTHER = "other", "Other"


class CommunityCard(models.Model):
    """A community ID card. Only an active (not revoked) card resolves a scan."""

    code = models.CharField(max_length=32)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cards")
    legacy = models.BooleanField(
        default=False, help_text="Imported from another system: kept as is, no check character."
    )
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(max_length=20, choices=CardRevokeReason.choices, blank=True)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaces"
    )

    class Meta:
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["code"])]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(revoked_at__isnull=True),
                name="card_code_unique_active",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(revoked_at__isnull=True),
                name="card_one_active_per_client",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RoiPermission(models.TextChoices):
    SHARE = "share", "Share with other organizations"
    DO_NOT_SHARE = "do_not_share", "Do not share"


class ReleaseOfInformation(models.Model):
    """The client's release of information: whether other organizations may see the record."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="releases")
    organization = models.ForeignKey(
        "projects.Organization", on_delete=models.PROTECT, related_name="+"
    )
    permission = models.CharField(max_length=20, choices=RoiPermission.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = "release of information"
        verbose_name_plural = "releases of information"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="roi_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_permission_display()} from {self.start_date}"
