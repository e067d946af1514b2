from django.conf import settings
from django.db import models


class ProjectRecordKind(models.TextChoices):
    FUNDER = "Funder", "Funder"
    PROJECT_COC = "ProjectCoC", "ProjectCoC"
    INVENTORY = "Inventory", "Inventory"


class ProjectRecord(models.Model):
    """A row of Funder.csv, ProjectCoC.csv or Inventory.csv, kept so that the project's HUD
    description travels on to the next export. `data` holds the file's columns by HUD name (dates as
    ISO text), except the key, ProjectID and the metadata, which are fields."""

    kind = models.CharField(max_length=20, choices=ProjectRecordKind.choices)
    hud_id = models.CharField(max_length=32)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="hud_records"
    )
    data = models.JSONField(default=dict, blank=True)
    user_hud_id = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "hud_id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "hud_id"], name="hud_project_record_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.hud_id}"


class ImportRun(models.Model):
    """One import (or dry run) of a HUD CSV export: who, what, and what came of it."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organization = models.ForeignKey(
        "projects.Organization", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_name = models.CharField(max_length=255)
    edition = models.CharField(max_length=10, blank=True)
    export_id = models.CharField(max_length=32, blank=True)
    dry_run = models.BooleanField(default=False)
    committed = models.BooleanField(default=False)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    # {"Client.csv": {"rows": n, "created": n, ...}, ...}
    summary = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_name} at {self.started_at:%Y-%m-%d %H:%M}"
