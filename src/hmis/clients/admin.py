from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Q, Subquery

from hmis.audit.admin_audit import AuditedModelAdmin
from hmis.clients.cards import normalize_scan
from hmis.clients.models import Bar, Client, CommunityCard, Enrollment, ReleaseOfInformation
from hmis.clients.text import fold
from hmis.inputs import parse_id

SEARCH_HELP = "Name (any order, accents optional), client ID, HUD PersonalID or card code."


def client_search_q(term: str, prefix: str = "") -> Q:
    """Clients matching `term` as a card code, a client ID, a HUD PersonalID or a name.

    `prefix` reaches the client from a related model ("client__"). Names match the folded
    search column word by word, so "nunez jose" finds José Núñez."""
    client_pk = f"{prefix}pk" if prefix else "pk"
    query = Q(**{f"{prefix}personal_id__in": {term, term.lower()}}) | Q(
        **{
            f"{client_pk}__in": CommunityCard.objects.filter(
                code__in={term, normalize_scan(term)}
            ).values("client_id")
        }
    )
    if parse_id(term) is not None:
        query |= Q(**{client_pk: parse_id(term)})
    words = fold(term).split()
    if words:
        name = Q()
        for word in words:
            name &= Q(**{f"{prefix}search_name__contains": word})
        query |= name
    return query


class ClientSearchMixin:
    """Admin search on the client an object belongs to (or the client itself)."""

    client_prefix = "client__"
    search_help_text = SEARCH_HELP

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(client_search_q(term, self.client_prefix)), False


class ActiveFilter(admin.SimpleListFilter):
    """Open or ended, by a nullable end-date field."""

    title = "status"
    parameter_name = "status"
    field = "end_date"
    labels = (("active", "Active"), ("ended", "Ended"))

    def lookups(self, request, model_admin):
        return self.labels

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(**{f"{self.field}__isnull": True})
        if self.value() == "ended":
            return queryset.filter(**{f"{self.field}__isnull": False})
        return queryset


class EnrollmentStatusFilter(ActiveFilter):
    field = "exit_date"
    labels = (("active", "Active (no exit date)"), ("ended", "Exited"))


class CardStatusFilter(ActiveFilter):
    field = "revoked_at"
    labels = (("active", "Active"), ("ended", "Revoked"))


class BarEndFilter(ActiveFilter):
    labels = (("active", "Indefinite (no end date)"), ("ended", "Has an end date"))


@admin.register(Client)
class ClientAdmin(ClientSearchMixin, AuditedModelAdmin):
    client_prefix = ""
    list_display = ("id", "last_name", "first_name", "dob", "card", "organization", "personal_id")
    list_display_links = ("id", "last_name", "first_name")
    list_filter = ("organization", "veteran_status")
    list_select_related = ("organization",)
    search_fields = ("search_name",)  # shows the search box; the search itself is client_search_q
    autocomplete_fields = ("organization",)
    # Deletion and de-identification happen through their own audited paths, never by typing a
    # date here.
    readonly_fields = (
        "personal_id",
        "created_by",
        "created_at",
        "updated_at",
        "deleted_at",
        "deidentified_at",
    )
    show_full_result_count = False
    ordering = ("-id",)  # newest first, read from the primary key index at any table size
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("first_name", "middle_name", "last_name", "name_suffix"),
                    "preferred_name",
                    "dob",
                    "organization",
                    "photo",
                )
            },
        ),
        (
            "HUD",
            {
                "fields": (
                    "personal_id",
                    "name_data_quality",
                    "dob_data_quality",
                    "ssn_data_quality",
                    "veteran_status",
                    "hud_data",
                ),
                "classes": ("collapse",),
            },
        ),
        (
            "Record",
            {"fields": ("created_by", "created_at", "updated_at", "deleted_at", "deidentified_at")},
        ),
    )

    def get_queryset(self, request):
        # The active card's code in the same query (at most one active card per client).
        active_card = CommunityCard.objects.filter(client=OuterRef("pk"), revoked_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(active_card_code=Subquery(active_card.values("code")[:1]))
        )

    @admin.display(description="Active card")
    def card(self, obj: Client) -> str:
        return obj.active_card_code or "—"


@admin.register(Enrollment)
class EnrollmentAdmin(ClientSearchMixin, AuditedModelAdmin):
    list_display = ("id", "client", "project", "entry_date", "exit_date", "relationship_to_hoh")
    list_filter = (EnrollmentStatusFilter, "project__organization", "project")
    list_select_related = ("client", "project")
    search_fields = ("client__search_name",)
    autocomplete_fields = ("client", "project")
    readonly_fields = ("created_by", "created_at", "updated_at", "deleted_at")
    show_full_result_count = False
    ordering = ("-id",)  # newest first, read from the primary key index at any table size


class BarAdminForm(forms.ModelForm):
    class Meta:
        model = Bar
        fields = [
            "client",
            "organization",
            "project",
            "location",
            "start_date",
            "end_date",
            "reason",
            "entered_by",
        ]

    def clean(self):
        data = super().clean()
        organization, project = data.get("organization"), data.get("project")
        location = data.get("location")
        if location and not project:
            self.add_error("project", "A location bar also names the location's program.")
        if organization and project and project.organization_id != organization.pk:
            self.add_error("project", f"{project} is not a program of {organization}.")
        if project and location and location.project_id != project.pk:
            self.add_error("location", f"{location} is not a location of {project}.")
        return data


@admin.register(Bar)
class BarAdmin(ClientSearchMixin, AuditedModelAdmin):
    form = BarAdminForm
    list_display = ("client", "scope", "start_date", "end_date", "reason", "entered_by")
    list_filter = (BarEndFilter, "organization")
    list_select_related = ("client", "organization", "project", "location", "entered_by")
    search_fields = ("client__search_name",)
    autocomplete_fields = ("client", "organization", "project", "location", "entered_by")
    readonly_fields = ("created_at",)
    show_full_result_count = False
    ordering = ("-id",)  # newest first, read from the primary key index at any table size

    @admin.display(description="Scope")
    def scope(self, obj: Bar) -> str:
        return obj.scope_label


@admin.register(CommunityCard)
class CommunityCardAdmin(ClientSearchMixin, AuditedModelAdmin):
    list_display = ("code", "client", "issued_at", "revoked_at", "revoke_reason", "legacy")
    list_filter = (CardStatusFilter, "revoke_reason", "legacy")
    list_select_related = ("client",)
    search_fields = ("client__search_name",)
    autocomplete_fields = ("client", "issued_by", "revoked_by")
    raw_id_fields = ("replaced_by",)
    # Issue, replace and revoke through the client profile's card actions, which enforce one
    # active card per client and stamp and audit these.
    readonly_fields = ("issued_at", "revoked_at")

    def has_add_permission(self, request) -> bool:
        return False

    show_full_result_count = False
    ordering = ("-id",)  # newest first, read from the primary key index at any table size


@admin.register(ReleaseOfInformation)
class ReleaseOfInformationAdmin(ClientSearchMixin, AuditedModelAdmin):
    list_display = ("client", "organization", "permission", "start_date", "end_date", "recorded_by")
    list_filter = ("permission", "organization")
    list_select_related = ("client", "organization", "recorded_by")
    search_fields = ("client__search_name",)
    autocomplete_fields = ("client", "organization", "recorded_by")
    readonly_fields = ("created_at",)
    show_full_result_count = False
    ordering = ("-id",)  # newest first, read from the primary key index at any table size
