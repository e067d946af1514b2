from django.contrib import admin

from hmis.audit.admin_audit import AuditedModelAdmin
from hmis.projects.models import Location, Organization, Project


@admin.register(Organization)
class OrganizationAdmin(AuditedModelAdmin):
    list_display = ("name", "common_name", "hud_organization_id", "victim_service_provider")
    list_filter = ("victim_service_provider",)
    search_fields = ("name", "common_name", "hud_organization_id")
    readonly_fields = ("created_at", "updated_at")


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    fields = ("name", "address", "active")


@admin.register(Project)
class ProjectAdmin(AuditedModelAdmin):
    list_display = (
        "name",
        "organization",
        "project_type",
        "operating_start_date",
        "operating_end_date",
        "active",
        "hud_project_id",
    )
    list_filter = ("active", "project_type", "continuum_project", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "common_name", "hud_project_id", "organization__name")
    autocomplete_fields = ("organization",)
    date_hierarchy = "operating_start_date"
    readonly_fields = ("created_at", "updated_at")
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(AuditedModelAdmin):
    list_display = ("name", "project", "organization_name", "address", "active")
    list_filter = ("active", "project__organization")
    list_select_related = ("project__organization",)
    search_fields = ("name", "address", "project__name")
    autocomplete_fields = ("project",)

    @admin.display(description="Organization", ordering="project__organization__name")
    def organization_name(self, obj: Location) -> str:
        return obj.project.organization.name
