from django import forms
from django.contrib import admin

from hmis.audit.admin_audit import AuditedModelAdmin, ReadOnlyAdminMixin
from hmis.batches.models import BatchEntry, BatchServiceCode, ServiceBatch
from hmis.clients.admin import ClientSearchMixin


class BatchServiceCodeInline(admin.TabularInline):
    model = BatchServiceCode
    extra = 0
    fields = ("service_code", "units")
    autocomplete_fields = ("service_code",)


class ServiceBatchAdminForm(forms.ModelForm):
    class Meta:
        model = ServiceBatch
        fields = [
            "organization",
            "description",
            "auto_post",
            "performing_user",
            "default_comments",
            "project",
            "location",
            "active",
            "scan_stations",
        ]

    def clean(self):
        data = super().clean()
        organization, project = data.get("organization"), data.get("project")
        location, user = data.get("location"), data.get("performing_user")
        if organization and project and project.organization_id != organization.pk:
            self.add_error("project", f"{project} is not a program of {organization}.")
        if project and location and location.project_id != project.pk:
            self.add_error("location", f"{location} is not a location of {project}.")
        if organization and user and user.organization_id not in (None, organization.pk):
            self.add_error("performing_user", f"{user} is not a user of {organization}.")
        return data


@admin.register(ServiceBatch)
class ServiceBatchAdmin(AuditedModelAdmin):
    form = ServiceBatchAdminForm
    list_display = (
        "description",
        "organization",
        "project",
        "location",
        "performing_user",
        "auto_post",
        "active",
        "updated_at",
    )
    list_filter = ("active", "auto_post", "organization", "project")
    list_select_related = ("organization", "project", "location", "performing_user")
    search_fields = ("description", "project__name", "default_comments")
    autocomplete_fields = (
        "organization",
        "project",
        "location",
        "performing_user",
        "scan_stations",
    )
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [BatchServiceCodeInline]


@admin.register(BatchEntry)
class BatchEntryAdmin(ReadOnlyAdminMixin, ClientSearchMixin, AuditedModelAdmin):
    """Read-only: entries are added, removed and posted at the desk through the domain functions,
    which check eligibility and write the audit trail."""

    list_display = (
        "id",
        "batch",
        "client",
        "batch_date",
        "date_provided",
        "status",
        "added_by",
        "added_at",
        "posted_at",
    )
    list_filter = ("status", "batch__organization", "batch")
    list_select_related = ("batch", "client", "added_by")
    search_fields = ("client__search_name",)
    raw_id_fields = ("client", "enrollment")
    show_full_result_count = False
    ordering = ("-id",)  # newest first, read from the primary key index at any table size
