"""A job: long work (a HUD CSV import or export...) run by `hmis worker`, followed by the page that
started it. django-tasks queues and runs it; this row holds what the user sees: who asked, how far
it got, why it failed, and where its result is."""

from django.conf import settings
from django.db import models


class JobKind(models.TextChoices):
    HUD_IMPORT = "hud_import", "HUD CSV import"
    HUD_EXPORT = "hud_export", "HUD CSV export"
    CARD_SHEET = "card_sheet", "Community card printing"
    CLIENT_RECORD = "client_record", "Client record export"
    REPORT_CSV = "report_csv", "Report CSV"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job is seen by whoever started it (system administrators see every job)."""
        from hmis.accounts.permissions import is_system_admin

        if is_system_admin(user):
            return self
        return self.filter(created_by=user)


class Job(models.Model):
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "projects.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    options = models.JSONField(default=dict, blank=True)
    # What the page shows when the job is done (an import's summary, an export's row counts).
    result = models.JSONField(default=dict, blank=True)
    # Why it failed or was cancelled, in words for the user.
    message = models.TextField(blank=True)
    # The file to download when done, relative to HMIS_JOBS_DIR.
    result_file = models.CharField(max_length=200, blank=True)
    result_filename = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


class WorkerHeartbeat(models.Model):
    """A worker's last sign of life: /healthz reports whether one was seen recently."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.seen_at:%Y-%m-%d %H:%M:%S})"
