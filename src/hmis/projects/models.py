from django.db import models
from django.db.models import F, Q

from hmis.hud_ids import new_hud_id


class ProjectType(models.IntegerChoices):
    """HUD data element 2.02.6 (FY2026)."""

    ES_ENTRY_EXIT = 0, "Emergency Shelter - Entry Exit"
    ES_NIGHT_BY_NIGHT = 1, "Emergency Shelter - Night-by-Night"
    TRANSITIONAL_HOUSING = 2, "Transitional Housing"
    PSH = 3, "PH - Permanent Supportive Housing"
    STREET_OUTREACH = 4, "Street Outreach"
    SERVICES_ONLY = 6, "Services Only"
    OTHER = 7, "Other"
    SAFE_HAVEN = 8, "Safe Haven"
    PH_HOUSING_ONLY = 9, "PH - Housing Only"
    PH_HOUSING_WITH_SERVICES = 10, "PH - Housing with Services (no disability required for entry)"
    DAY_SHELTER = 11, "Day Shelter"
    HOMELESSNESS_PREVENTION = 12, "Homelessness Prevention"
    RAPID_REHOUSING = 13, "PH - Rapid Re-Housing"
    COORDINATED_ENTRY = 14, "Coordinated Entry"


class Organization(models.Model):
    """An agency. Every batch, enrollment, bar and service lives in one."""

    name = models.CharField(max_length=200)
    common_name = models.CharField(max_length=200, blank=True)
    victim_service_provider = models.BooleanField(default=False)
    hud_organization_id = models.CharField(
        max_length=32, unique=True, null=True, blank=True, default=new_hud_id
    )
    hud_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def hud_id(self) -> str:
        return self.hud_organization_id or str(self.pk)


class Project(models.Model):
    """HUD's Project, shown to users as the seed's *Program*."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(max_length=200)
    common_name = models.CharField(max_length=200, blank=True)
    project_type = models.PositiveSmallIntegerField(
        choices=ProjectType.choices, null=True, blank=True, verbose_name="HUD project type"
    )
    operating_start_date = models.DateField()
    operating_end_date = models.DateField(null=True, blank=True)
    continuum_project = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    auto_exit_days = models.PositiveIntegerField(
        "auto-exit after N days without a service",
        null=True,
        blank=True,
        help_text="Enrollments with no service for this many days are exited by the nightly "
        "schedule (destination: No exit interview completed). Empty: never.",
    )
    hud_project_id = models.CharField(
        max_length=32, unique=True, null=True, blank=True, default=new_hud_id
    )
    hud_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "program"
        constraints = [
            models.CheckConstraint(
                condition=Q(operating_end_date__isnull=True)
                | Q(operating_end_date__gte=F("operating_start_date")),
                name="project_operating_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def hud_id(self) -> str:
        return self.hud_project_id or str(self.pk)


class Location(models.Model):
    """A site within a project (a project may run several)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"], name="location_unique_name_in_project"
            )
        ]

    def __str__(self) -> str:
        return self.name
