"""Merging two records of one person, and undoing a merge.

Rules:
- Agency administrators merge clients whose full record their organization may see; system
  administrators any two live clients. The *survivor* keeps its Client ID; the user chooses, field
  by field, which record's value survives (`MERGE_FIELDS`).
- Everything of the merged-away record moves to the survivor: enrollments, services, batch
  entries (and the desk's stored answers), bars, releases, alerts. The survivor keeps one active
  card: the other's is revoked with reason *merged* (or moves across when the survivor has
  none). Audit rows are never rewritten: the survivor's history includes its aliases' rows
  (audit/search.py).
- The merged-away record stays as an alias (`merged_into`): its Client ID, HUD PersonalID
  (hudcsv/importing.py) and old cards (clients/lookup.py) lead to the survivor.
- Two live entries of one batch and date (both records scanned the same day) cannot both stay
  live: the merged-away record's one is marked removed, kept, and restored by an undo.
- Concurrency: both client rows are locked (lowest Client ID first) for the whole merge. Adding to
  a batch locks the client's row too (batches/adding.py `lock_client_for_update`), so a scan of
  either record is applied before the merge (and moved by it) or after it (to the survivor).
- The merge keeps both records' full before-state (`ClientMerge.before`) and what moved; *Undo
  merge* restores both exactly, provided neither record nor any moved entry changed since.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hmis.accounts.permissions import is_system_admin
from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.batches.models import BatchEntry, EntryStatus, ScanOutcome
from hmis.clients.models import (
    Bar,
    CardRevokeReason,
    Client,
    ClientAlert,
    ClientMerge,
    CommunityCard,
    Enrollment,
    NotDuplicate,
    ReleaseOfInformation,
)
from hmis.errors import DomainError
from hmis.services.models import Service

# The fields a merge lets the user choose, each with the model fields it carries.
MERGE_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "first_name": ("First name", ("first_name",)),
    "middle_name": ("Middle name", ("middle_name",)),
    "last_name": ("Last name", ("last_name",)),
    "name_suffix": ("Suffix", ("name_suffix",)),
    "preferred_name": ("Preferred name", ("preferred_name",)),
    "name_data_quality": ("Name Data Quality", ("name_data_quality",)),
    "dob": ("Date of birth", ("dob", "dob_data_quality")),
    "ssn": ("SSN", ("ssn_encrypted", "ssn_last4", "ssn_data_quality")),
    "veteran_status": ("Veteran Status", ("veteran_status",)),
    "hud_data": ("Race, ethnicity, sex and other HUD answers", ("hud_data",)),
    "photo": ("Photo", ("photo",)),
}

# The records that move with the person, by model, with the field naming the client.
MOVED_MODELS = {
    "enrollments": (Enrollment, "client"),
    "services": (Service, "client"),
    "entries": (BatchEntry, "client"),
    "scan_outcomes": (ScanOutcome, "client"),
    "bars": (Bar, "client"),
    "releases": (ReleaseOfInformation, "client"),
    "alerts": (ClientAlert, "client"),
}

SAME_CLIENT = "ERROR: Choose two different clients to merge."
ALREADY_MERGED = "ERROR: Client ID {pk} was already merged into Client ID {into}."
NOT_LIVE = "ERROR: Client ID {pk} cannot be merged (deleted)."
UNDO_DONE = "ERROR: This merge was already undone."
UNDO_CHANGED = (
    "ERROR: This merge cannot be undone: {what} changed after the merge. Correct the records "
    "by hand instead."
)


class MergeError(DomainError):
    """A merge or an undo was refused."""


def mergeable_by(user):
    """Clients `user` may merge: those whose full record their organization may see."""
    from hmis.clients.access import clients_fully_visible_to

    return Client.objects.live() if is_system_admin(user) else clients_fully_visible_to(user)


def _lock_pair(first_pk: int, second_pk: int) -> dict[int, Client]:
    # Lowest Client ID first, as every merge and undo does: two merges never deadlock.
    rows = Client.objects.select_for_update().filter(pk__in=[first_pk, second_pk]).order_by("pk")
    return {client.pk: client for client in rows}


def _serialized(client: Client) -> dict:
    """Every column of `client` as JSON, timestamps to the microsecond (Django's serializer
    keeps milliseconds only: an undo would not restore the record exactly)."""
    return {name: _shown(value) for name, value in _field_values(client).items()} | {
        "pk": client.pk
    }


def _field_values(client: Client) -> dict:
    return {
        field.attname: getattr(client, field.attname)
        for field in Client._meta.concrete_fields
        if not field.primary_key
    }


def _shown(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "name") and not isinstance(value, str):  # a FieldFile
        return value.name or ""
    return value


def merge_clients(
    *, survivor: Client, merged: Client, user, choices: dict[str, str]
) -> ClientMerge:
    """Merge `merged` into `survivor`. `choices` maps a MERGE_FIELDS key to "merged" where the
    merged-away record's value should survive (the survivor's own value stays otherwise)."""
    if survivor.pk == merged.pk:
        raise MergeError("same_client", SAME_CLIENT)
    with transaction.atomic():
        locked = _lock_pair(survivor.pk, merged.pk)
        for pk in (survivor.pk, merged.pk):
            if pk not in locked or locked[pk].deleted_at is not None:
                raise MergeError("not_live", NOT_LIVE.format(pk=pk))
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        for client in (survivor, merged):
            if client.merged_into_id is not None:
                raise MergeError(
                    "already_merged",
                    ALREADY_MERGED.format(pk=client.pk, into=client.merged_into_id),
                )
        now = timezone.now()
        before = {"survivor": _serialized(survivor), "merged": _serialized(merged)}
        survivor_before = _field_values(survivor)

        changed_fields: list[str] = []
        for key, (_label, fields) in MERGE_FIELDS.items():
            if choices.get(key) == "merged":
                for name in fields:
                    setattr(survivor, name, getattr(merged, name))
                    changed_fields.append(name)
        if changed_fields:
            survivor.save(update_fields=changed_fields)

        moved: dict = {}
        # Entries of both records for the same batch and date: the merged-away one steps aside.
        survivor_days = set(
            BatchEntry.objects.live()
            .filter(client=survivor)
            .values_list("batch_id", "date_provided")
        )
        clashing = [
            entry
            for entry in BatchEntry.objects.live().filter(client=merged)
            if (entry.batch_id, entry.date_provided) in survivor_days
        ]
        moved["clashing_entries"] = {str(e.pk): e.status for e in clashing}
        if clashing:
            BatchEntry.objects.filter(pk__in=[e.pk for e in clashing]).update(
                status=EntryStatus.REMOVED, removed_by=user, removed_at=now
            )
        for name, (model, field) in MOVED_MODELS.items():
            rows = model.objects.filter(**{field: merged})
            moved[name] = list(rows.values_list("pk", flat=True))
            rows.update(**{field: survivor})
        moved["entry_statuses"] = dict(
            (str(pk), status)
            for pk, status in BatchEntry.objects.filter(pk__in=moved["entries"]).values_list(
                "pk", "status"
            )
        )

        moved["cards"] = _merge_cards(survivor=survivor, merged=merged, user=user, now=now)
        # Records merged into the merged-away one earlier now lead to the survivor directly.
        moved["aliases"] = list(
            Client.objects.filter(merged_into=merged).values_list("pk", flat=True)
        )
        Client.objects.filter(pk__in=moved["aliases"]).update(merged_into=survivor)
        merged.merged_into = survivor
        merged.save(update_fields=["merged_into"])
        survivor.refresh_from_db()
        merged.refresh_from_db()
        moved["after"] = {
            "survivor_updated_at": survivor.updated_at.isoformat(),
            "merged_updated_at": merged.updated_at.isoformat(),
        }
        merge = ClientMerge.objects.create(
            survivor=survivor,
            merged=merged,
            organization_id=user.organization_id or survivor.organization_id,
            before=before,
            moved=moved,
            merged_by=user,
            merged_at=now,
        )
        survivor_after = _field_values(survivor)
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=survivor,
            client_id=survivor.pk,
            changes={
                "merged_client": [None, merged.pk],
                **{
                    name: [_shown(survivor_before[name]), _shown(survivor_after[name])]
                    for name in changed_fields
                },
                "before": {
                    "survivor": {k: _shown(v) for k, v in survivor_before.items()},
                    "merged": {
                        k: _shown(v)
                        for k, v in _field_values(_deserialized(before["merged"])).items()
                    },
                },
                "moved": {name: len(moved[name]) for name in MOVED_MODELS},
            },
            message=f"Merged Client ID {merged.pk} into Client ID {survivor.pk} (merge {merge.pk})",
        )
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=merged,
            client_id=merged.pk,
            changes={"merged_into": [None, survivor.pk]},
            message=f"Merged into Client ID {survivor.pk} (merge {merge.pk})",
        )
    return merge


def _merge_cards(*, survivor: Client, merged: Client, user, now) -> dict:
    """The survivor keeps one active card; returns what changed, for an undo."""
    theirs = CommunityCard.objects.filter(client=merged, revoked_at__isnull=True).first()
    if theirs is None:
        return {}
    if CommunityCard.objects.filter(client=survivor, revoked_at__isnull=True).exists():
        # Revoked, but still answering at the desk for the survivor (clients/lookup.py).
        CommunityCard.objects.filter(pk=theirs.pk).update(
            revoked_at=now, revoked_by=user, revoke_reason=CardRevokeReason.MERGED
        )
        return {"revoked": theirs.pk}
    CommunityCard.objects.filter(pk=theirs.pk).update(client=survivor)
    return {"moved": theirs.pk}


def _deserialized(data: dict) -> Client:
    """The Client `_serialized` described (unsaved), each value back in its Python type."""
    values = {}
    for field in Client._meta.concrete_fields:
        if field.primary_key:
            continue
        raw = data[field.attname]
        if raw is not None and field.get_internal_type() in ("DateField", "DateTimeField"):
            raw = field.to_python(raw)
        values[field.attname] = raw
    return Client(pk=data["pk"], **values)


def undoable_merges(*, survivor: Client) -> list[ClientMerge]:
    return list(
        ClientMerge.objects.filter(survivor=survivor, undone_at__isnull=True).order_by("-merged_at")
    )


def undo_merge(*, merge: ClientMerge, user) -> tuple[Client, Client]:
    """Restore both records exactly as they were before `merge`, and move back what moved."""
    with transaction.atomic():
        merge = ClientMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.undone_at is not None:
            raise MergeError("undo_done", UNDO_DONE)
        locked = _lock_pair(merge.survivor_id, merge.merged_id)
        survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
        moved = merge.moved
        after = moved["after"]
        for client, key, what in (
            (survivor, "survivor_updated_at", f"Client ID {survivor.pk}"),
            (merged, "merged_updated_at", f"Client ID {merged.pk}"),
        ):
            if client.updated_at.isoformat() != after[key]:
                raise MergeError("undo_changed", UNDO_CHANGED.format(what=what))
        statuses = dict(
            (str(pk), status)
            for pk, status in BatchEntry.objects.filter(pk__in=moved["entries"]).values_list(
                "pk", "status"
            )
        )
        if statuses != moved["entry_statuses"]:
            raise MergeError("undo_changed", UNDO_CHANGED.format(what="a moved batch entry"))

        for name, (model, field) in MOVED_MODELS.items():
            model.objects.filter(pk__in=moved[name]).update(**{field: merged})
        for status in set(moved["clashing_entries"].values()):
            pks = [int(pk) for pk, s in moved["clashing_entries"].items() if s == status]
            BatchEntry.objects.filter(pk__in=pks).update(
                status=status, removed_by=None, removed_at=None
            )
        cards = moved.get("cards", {})
        if "revoked" in cards:
            CommunityCard.objects.filter(pk=cards["revoked"]).update(
                revoked_at=None, revoked_by=None, revoke_reason=""
            )
        if "moved" in cards:
            CommunityCard.objects.filter(pk=cards["moved"]).update(client=merged)
        Client.objects.filter(pk__in=moved["aliases"]).update(merged_into=merged)
        # Every column back as it was, updated_at included (update() skips auto_now).
        for data in (merge.before["survivor"], merge.before["merged"]):
            original = _deserialized(data)
            Client.objects.filter(pk=original.pk).update(**_field_values(original))
        merge.undone_at = timezone.now()
        merge.undone_by = user
        merge.save(update_fields=["undone_at", "undone_by"])
        for client, other in ((survivor, merged), (merged, survivor)):
            record(
                actor=user,
                action=AuditAction.CHANGE,
                obj=client,
                client_id=client.pk,
                changes={"merge_undone": [merge.pk, None]},
                message=f"Undid merge {merge.pk} of Client ID {merge.merged_id} into "
                f"Client ID {merge.survivor_id}; Client ID {other.pk} restored too",
            )
        survivor.refresh_from_db()
        merged.refresh_from_db()
    return survivor, merged


def mark_not_duplicate(*, first: Client, second: Client, user, organization_id: int) -> None:
    """Remember that `first` and `second` are different people, for this organization's list."""
    low, high = sorted([first.pk, second.pk])
    with transaction.atomic():
        _, created = NotDuplicate.objects.get_or_create(
            organization_id=organization_id,
            first_id=low,
            second_id=high,
            defaults={"decided_by": user},
        )
        if created:
            record(
                actor=user,
                action=AuditAction.CREATE,
                object_type="clients.NotDuplicate",
                object_id=f"{low}-{high}",
                organization_id=organization_id,
                client_id=low,
                changes={"not_duplicate": [None, [low, high]]},
                message=f"Client ID {low} and Client ID {high} are not the same person",
            )


def not_duplicate_pairs(organization_id) -> set[tuple[int, int]]:
    return set(
        NotDuplicate.objects.filter(
            Q(organization_id=organization_id) if organization_id else Q()
        ).values_list("first_id", "second_id")
    )
