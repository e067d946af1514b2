"""Recurring work: which batches post on a schedule, and the ledger of scheduled runs that makes
each run happen once per day however many workers look."""

from datetime import date

from django.db import models


class Frequency(models.TextChoices):
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"
    MONTHLY = "monthly", "Every month"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class AutoPostSchedule(models.Model):
    """ClientTrack's "Auto-Posting Services for a Program": the batch's services are posted for
    every client enrolled in its program, on each due day."""

    batch = models.OneToOneField(
        "batches.ServiceBatch", on_delete=models.CASCADE, related_name="auto_post_schedule"
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices, null=True, blank=True, help_text="For weekly posting."
    )
    day_of_month = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For monthly posting: 1 to 28."
    )
    starts_on = models.DateField(help_text="No posting before this date.")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(frequency="weekly") | models.Q(weekday__isnull=False),
                name="auto_post_weekly_has_weekday",
            ),
            models.CheckConstraint(
                condition=~models.Q(frequency="monthly")
                | models.Q(day_of_month__gte=1, day_of_month__lte=28),
                name="auto_post_monthly_has_day_1_to_28",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch}: {self.get_frequency_display().lower()}"

    def is_due_on(self, day: date) -> bool:
        if not self.active or day < self.starts_on:
            return False
        if self.frequency == Frequency.WEEKLY:
            return day.weekday() == self.weekday
        if self.frequency == Frequency.MONTHLY:
            return day.day == self.day_of_month
        return True


class ScheduledRun(models.Model):
    """One recurring task done for one day. The unique (task, day) row is the claim: a second
    worker, or a second look after downtime, finds it and does nothing."""

    task = models.CharField(max_length=40)
    day = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-day", "task"]
        constraints = [
            models.UniqueConstraint(fields=["task", "day"], name="one_scheduled_run_per_task_day")
        ]

    def __str__(self) -> str:
        return f"{self.task} for {self.day}"
