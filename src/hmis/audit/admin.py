from django.contrib import admin
from django.db.models import Q

from hmis.audit.admin_audit import LargeTablePaginator, ReadOnlyAdminMixin
from hmis.audit.models import AuditEvent
from hmis.inputs import parse_id


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail: append-only, so the admin only reads it."""

    list_display = (
        "at",
        "actor",
        "organization",
        "action",
        "object_type",
        "object_id",
        "client_id",
    )
    list_filter = ("action", "organization")
    list_select_related = ("actor", "organization")
    search_fields = ("object_id",)  # shows the search box; the search itself is below
    search_help_text = "Client ID, object ID, object type (clients.Client) or username, exactly."
    readonly_fields = [field.name for field in AuditEvent._meta.fields]
    show_full_result_count = False
    paginator = LargeTablePaginator

    def get_search_results(self, request, queryset, search_term):
        # Exact matches on indexed columns only: the trail holds millions of rows.
        term = search_term.strip()
        if not term:
            return queryset, False
        query = Q(object_id=term) | Q(object_type=term) | Q(actor__username=term)
        if parse_id(term) is not None:
            query |= Q(client_id=parse_id(term))
        return queryset.filter(query), False
