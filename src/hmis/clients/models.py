from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hmis.clients.text import fold
from hmis.hud_ids import new_hud_id


class ClientQuerySet(models.QuerySet):
    def live(self):
        """Not deleted, and not merged into another record (a merged-away record is only an
        alias of its survivor: clients/merging.py)."""
        return self.filter(deleted_at__isnull=True, merged_into__isnull=True)


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
    # Set when this record was merged into another: its Client ID, HUD PersonalID and old cards
    # then lead to the survivor (clients/merging.py).
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_aliases"
    )

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

    def in_force_between(self, first: date, last: date):
        """Bars in force on at least one day from `first` through `last`."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=first), start_date__lte=last)


class Bar(models.Model):
    """A client barred from an organization, a project, one location of a project, or one
    service code within the organization ("barred from showers").

    At most one of project (with or without location) and service code is set; `organization` is
    always the owning agency (for visibility, and the scope of a service-code bar).
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
    service_code = models.ForeignKey(
        "services.ServiceCode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Service",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    reason = models.TextField()
    decided_by = models.CharField("Decided by", max_length=200, blank=True)
    end_reason = models.TextField(blank=True)
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
            models.CheckConstraint(
                condition=Q(service_code__isnull=True) | Q(project__isnull=True),
                name="bar_service_code_scope_alone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} barred from {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.service_code_id:
            return f"service {self.service_code.name}"
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
    MERGED = "merged", "Merged"
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
    # Sharing with the whole continuum (every organization), or only with `shared_with`.
    whole_continuum = models.BooleanField("The whole continuum", default=True)
    shared_with = models.ManyToManyField(
        "projects.Organization", blank=True, related_name="+", verbose_name="Organizations"
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    signed_form = models.FileField("Signed form", upload_to="roi-forms/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

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


class AlertPriority(models.TextChoices):
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"


class ClientAlertQuerySet(models.QuerySet):
    def active_on(self, day: date):
        """Not removed and not yet expired on `day` (alerts expire by themselves)."""
        return self.filter(ended_at__isnull=True, expires_on__gte=day)


class ClientAlert(models.Model):
    """A short note staff must see when the client comes in ("Allergic to peanuts – check
    lunch"). Seen by its own organization and those it names; a scan station sees it only when
    it is marked for the front desk."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="alerts")
    organization = models.ForeignKey(
        "projects.Organization", on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField("Alert", max_length=200)
    priority = models.CharField(
        max_length=10, choices=AlertPriority.choices, default=AlertPriority.NORMAL
    )
    expires_on = models.DateField("Expires on")
    front_desk = models.BooleanField("Show at the front desk (scan stations)", default=False)
    shared_with = models.ManyToManyField(
        "projects.Organization", blank=True, related_name="+", verbose_name="Also seen by"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ClientAlertQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "-created_at", "-id"]
        indexes = [models.Index(fields=["client", "expires_on"])]

    def __str__(self) -> str:
        return self.text


class NotDuplicate(models.Model):
    """Two records an organization's administrator judged to be different people: the
    *Possible duplicates* list no longer offers the pair. `first` has the lower Client ID."""

    organization = models.ForeignKey(
        "projects.Organization", on_delete=models.CASCADE, related_name="+"
    )
    first = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "first", "second"], name="not_duplicate_once"
            ),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="not_duplicate_ordered_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} is not {self.second_id}"


class ClientMerge(models.Model):
    """One merge of `merged` into `survivor`: both records' full state before it and what moved,
    so that *Undo merge* can restore both exactly (clients/merging.py)."""

    survivor = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(
        "projects.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    before = models.JSONField(default=dict)
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    merged_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged_id} merged into {self.survivor_id}"
