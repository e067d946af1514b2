"""Data retention: clients nobody has touched for years are de-identified.

De-identifying blanks what identifies the person (names, birth date, SSN, photo, identifying HUD
values) and revokes their cards, but keeps the client row, its enrollments and its services, so
service counts and reports stay true. Each client is audited without the removed values.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from hmis.audit.models import AuditAction
from hmis.audit.recording import build_event, record_many
from hmis.batches.models import BatchEntry
from hmis.clients.models import (
    Bar,
    CardRevokeReason,
    Client,
    CommunityCard,
    Enrollment,
    ReleaseOfInformation,
)
from hmis.services.models import Service

DATA_NOT_COLLECTED = 99
CHUNK = 200
# HUD CSV Client.csv keys (and the like) that identify a person.
IDENTIFYING_HUD_KEYS = frozenset(
    {"firstname", "middlename", "lastname", "namesuffix", "ssn", "dob", "name", "alias"}
)
NAME_FIELDS = ["first_name", "middle_name", "last_name", "name_suffix", "preferred_name"]


def retention_cutoff(*, years: int | None = None, now: datetime | None = None) -> datetime:
    years = settings.HMIS_RETENTION_YEARS if years is None else years
    return (now or timezone.now()) - timedelta(days=round(365.25 * years))


def inactive_clients(cutoff: datetime):
    """Live, still identified clients with no change to them or anything of theirs since
    `cutoff`: not the record, an enrollment, a service, a bar, a card, a batch entry or an ROI."""
    recent = [
        Enrollment.objects.filter(client=OuterRef("pk"), updated_at__gte=cutoff),
        Service.objects.filter(client=OuterRef("pk"), updated_at__gte=cutoff),
        Bar.objects.filter(
            Q(created_at__gte=cutoff) | Q(end_date__isnull=True) | Q(end_date__gte=cutoff.date()),
            client=OuterRef("pk"),
        ),
        CommunityCard.objects.filter(
            Q(issued_at__gte=cutoff) | Q(revoked_at__gte=cutoff), client=OuterRef("pk")
        ),
        BatchEntry.objects.filter(client=OuterRef("pk"), added_at__gte=cutoff),
        ReleaseOfInformation.objects.filter(client=OuterRef("pk"), created_at__gte=cutoff),
    ]
    clients = Client.objects.live().filter(deidentified_at__isnull=True, updated_at__lt=cutoff)
    for touched in recent:
        clients = clients.exclude(Exists(touched))
    return clients.order_by("pk")


@dataclass(frozen=True)
class RetentionResult:
    deidentified: int
    photos_removed: int


def _strip_hud_data(hud_data: dict) -> dict:
    return {k: v for k, v in (hud_data or {}).items() if k.lower() not in IDENTIFYING_HUD_KEYS}


def _deidentify_chunk(client_ids: list[int], *, user, years: int, now: datetime) -> list[str]:
    """De-identify one chunk in one transaction; returns the photo files to delete after commit."""
    photos: list[str] = []
    events = []
    clients = list(Client.objects.select_for_update().filter(pk__in=client_ids))
    for client in clients:
        if client.photo:
            photos.append(client.photo.name)
        for name in NAME_FIELDS:
            setattr(client, name, "")
        client.name_data_quality = DATA_NOT_COLLECTED
        client.dob = None
        client.dob_data_quality = DATA_NOT_COLLECTED
        client.ssn_encrypted = ""
        client.ssn_last4 = ""
        client.ssn_data_quality = DATA_NOT_COLLECTED
        client.photo = ""
        client.hud_data = _strip_hud_data(client.hud_data)
        client.deidentified_at = now
        client.save(
            update_fields=[
                *NAME_FIELDS,
                "name_data_quality",
                "dob",
                "dob_data_quality",
                "ssn_encrypted",
                "ssn_last4",
                "ssn_data_quality",
                "photo",
                "hud_data",
                "deidentified_at",
            ]
        )
        events.append(
            build_event(
                actor=user,
                action=AuditAction.CHANGE,
                obj=client,
                organization_id=client.organization_id,
                client_id=client.pk,
                # Field names only: the removed values must not survive in the audit trail.
                changes={"deidentified": ["names", "dob", "ssn", "photo", "identifying HUD data"]},
                message=f"De-identified: no activity for {years} years (data retention)",
            )
        )
    CommunityCard.objects.filter(client_id__in=client_ids, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=user, revoke_reason=CardRevokeReason.OTHER
    )
    record_many(events)
    return photos


def deidentify_clients(
    *, client_ids: Iterable[int], user=None, years: int | None = None
) -> RetentionResult:
    """De-identify the given clients, CHUNK at a time (each chunk one transaction, so a failure
    loses nothing already done and leaves nothing half-done)."""
    years = settings.HMIS_RETENTION_YEARS if years is None else years
    ids = list(client_ids)
    done = photos_removed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            photos = _deidentify_chunk(chunk, user=user, years=years, now=timezone.now())
        # Files go after the commit: a rolled-back chunk must not lose its photos.
        for name in photos:
            storage = Client._meta.get_field("photo").storage
            if storage.exists(name):
                storage.delete(name)
                photos_removed += 1
        done += len(chunk)
    return RetentionResult(deidentified=done, photos_removed=photos_removed)
