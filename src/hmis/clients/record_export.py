"""Everything the system holds on one client, for the client's request to inspect their record.

A system administrator's export holds everything. An agency's export holds what that agency may
see (its own enrollments, services, bars, batch entries and audit rows, plus the client's own
details, cards and releases): the `scope` key says which.
"""

from typing import Any

from django.db.models import F

from hmis.accounts.permissions import is_system_admin
from hmis.audit.search import events_visible_to
from hmis.batches.models import BatchEntry
from hmis.clients import ude
from hmis.clients.access import bars_visible_to, enrollments_visible_to
from hmis.clients.models import Client
from hmis.clients.ssn import masked
from hmis.services.access import services_visible_to

CLIENT_FIELDS = [
    *ude.CLIENT_FIELDS,
    "hud_data",
    "created_at",
    "updated_at",
    "deidentified_at",
]


def client_record(*, client: Client, user) -> dict[str, Any]:
    """The client's record as plain data (dates as date objects: serialize with
    DjangoJSONEncoder). A fixed number of queries whatever the record's size."""
    everything = is_system_admin(user)
    details = {name: getattr(client, name) for name in CLIENT_FIELDS}
    # The full SSN never leaves encrypted storage in an export; HUD values carry none either.
    details["hud_data"] = {k: v for k, v in client.hud_data.items() if k.lower() != "ssn"}
    details["ssn"] = masked(client)
    details["has_photo"] = bool(client.photo)
    return {
        "scope": "all organizations"
        if everything
        else f"organization {user.organization.name if user.organization else ''}",
        "client_id": client.pk,
        "hud_personal_id": client.personal_id,
        "details": details,
        "enrollments": list(
            enrollments_visible_to(user)
            .filter(client=client)
            .values(
                "id",
                "entry_date",
                "exit_date",
                "household_id",
                "relationship_to_hoh",
                "destination",
                "hud_data",
                "exit_hud_data",
                "created_at",
                "updated_at",
                program=F("project__name"),
                organization=F("project__organization__name"),
            )
            .order_by("entry_date", "id")
        ),
        "services": list(
            services_visible_to(user)
            .filter(client=client)
            .values(
                "id",
                "date_provided",
                "units",
                "comments",
                "fa_amount",
                "created_at",
                "deleted_at",
                "void_reason",
                service=F("service_code__name"),
                program=F("project__name"),
                location_name=F("location__name"),
                provider_user=F("provider__username"),
            )
            .order_by("date_provided", "id")
        ),
        "bars": list(
            bars_visible_to(user)
            .filter(client=client)
            .values(
                "id",
                "start_date",
                "end_date",
                "reason",
                "created_at",
                organization_name=F("organization__name"),
                program=F("project__name"),
                location_name=F("location__name"),
            )
            .order_by("start_date", "id")
        ),
        "community_cards": list(
            client.cards.values(
                "code", "legacy", "issued_at", "revoked_at", "revoke_reason"
            ).order_by("issued_at")
        ),
        "releases_of_information": list(
            client.releases.values(
                "permission",
                "start_date",
                "end_date",
                "created_at",
                organization_name=F("organization__name"),
            ).order_by("start_date")
        ),
        "batch_entries": list(
            _entries_visible(user, everything)
            .filter(client=client)
            .values(
                "batch_date",
                "date_provided",
                "status",
                "added_at",
                "posted_at",
                "removed_at",
                batch_description=F("batch__description"),
            )
            .order_by("date_provided", "id")
        ),
        # Who created, changed, read or exported this record (HIPAA-style accounting).
        "audit_trail": list(
            events_visible_to(user)
            .filter(client_id=client.pk)
            .values(
                "at", "action", "object_type", "object_id", "message", user=F("actor__username")
            )
            .order_by("at", "id")
        ),
    }


def _entries_visible(user, everything: bool):
    entries = BatchEntry.objects.all()
    if everything:
        return entries
    if user.organization_id is None:
        return entries.none()
    return entries.filter(batch__organization_id=user.organization_id)
