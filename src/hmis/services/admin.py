from django.contrib import admin

from hmis.audit.admin_audit import AuditedModelAdmin, ReadOnlyAdminMixin
from hmis.clients.admin import ClientSearchMixin
from hmis.services.models import Service, ServiceCode, ServiceGroup


class ServiceCodeInline(admin.TabularInline):
    model = ServiceCode
    extra = 0
    fields = (
        "name",
        "unit_of_measure",
        "default_units",
        "limit_count",
        "limit_period_days",
        "hud_record_type",
        "hud_type_provided",
        "active",
    )


@admin.register(ServiceGroup)
class ServiceGroupAdmin(AuditedModelAdmin):
    list_display = ("name", "organization", "active")
    list_filter = ("active", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "codes__name")
    autocomplete_fields = ("organization",)
    filter_horizontal = ("projects",)
    inlines = [ServiceCodeInline]


@admin.register(ServiceCode)
class ServiceCodeAdmin(AuditedModelAdmin):
    list_display = (
        "name",
        "group",
        "default_units",
        "limit_count",
        "limit_period_days",
        "hud_record_type",
        "hud_type_provided",
        "active",
    )
    list_filter = ("active", "group", "hud_record_type")
    list_select_related = ("group",)
    search_fields = ("name", "group__name")
    autocomplete_fields = ("group",)


class VoidedFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("live", "Live"), ("void", "Voided"))

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(deleted_at__isnull=True)
        if self.value() == "void":
            return queryset.filter(deleted_at__isnull=False)
        return queryset


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdminMixin, ClientSearchMixin, AuditedModelAdmin):
    """Read-only: services are posted from batches and voided with a reason in the app, so every
    change goes through the domain functions and their audit trail."""

    list_display = (
        "id",
        "date_provided",
        "client",
        "service_code",
        "units",
        "project",
        "location",
        "provider",
        "deleted_at",
    )
    list_filter = (VoidedFilter, "project__organization", "project", "service_code__group")
    list_select_related = ("client", "service_code", "project", "location", "provider")
    search_fields = ("client__search_name",)
    raw_id_fields = ("client", "enrollment", "batch_entry")
    show_full_result_count = False
    ordering = ("-id",)  # newest first, read from the primary key index at any table size
