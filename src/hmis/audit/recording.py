"""Writing the audit trail. Call inside the transaction of the change being recorded, so the
record and the change commit or roll back together."""

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from hmis.audit.models import AuditAction, AuditEvent

SENSITIVE_FIELDS = frozenset({"dob", "ssn", "ssn_encrypted", "password"})


def _clean(changes: dict[str, Any] | None) -> dict[str, Any]:
    """Drop values an audit row must not hold in plain text (birth dates, SSNs, passwords)."""
    cleaned: dict[str, Any] = {}
    for key, value in (changes or {}).items():
        cleaned[key] = "[redacted]" if key in SENSITIVE_FIELDS else value
    return cleaned


def build_event(
    *,
    actor,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    organization_id: int | None = None,
    client_id: int | None = None,
    changes: dict[str, Any] | None = None,
    message: str = "",
    ip_address: str | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
    return AuditEvent(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        organization_id=organization_id
        if organization_id is not None
        else getattr(actor, "organization_id", None),
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        client_id=client_id,
        changes=_clean(changes),
        message=message,
        ip_address=ip_address,
    )


def record(**kwargs: Any) -> AuditEvent:
    """Write one audit row. Keyword arguments as `build_event`."""
    event = build_event(**kwargs)
    event.save(force_insert=True)
    return event


def record_many(events: Iterable[AuditEvent]) -> None:
    AuditEvent.objects.bulk_create(list(events))


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{"field": [old, new]} for the fields whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
