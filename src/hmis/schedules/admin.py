from django.contrib import admin

from hmis.audit.admin_audit import AuditedModelAdmin
from hmis.schedules.models import AutoPostSchedule, ScheduledRun


@admin.register(AutoPostSchedule)
class AutoPostScheduleAdmin(AuditedModelAdmin):
    list_display = ["batch", "frequency", "weekday", "day_of_month", "starts_on", "active"]
    list_filter = ["frequency", "active"]
    raw_id_fields = ["batch"]


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ["task", "day", "started_at", "finished_at", "error"]
    list_filter = ["task"]
    readonly_fields = ["task", "day", "started_at", "finished_at", "result", "error"]

    def has_add_permission(self, request):
        return False
