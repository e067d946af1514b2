"""Writing the audit trail. Call inside the transaction of the change being recorded, so the
record and the change commit or roll back together."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from hmis.audit import chain
from hmis.audit.models import AuditAction, AuditEvent

SENSITIVE_FIELDS = frozenset({"dob", "ssn", "ssn_encrypted", "password"})


def _clean(changes: dict[str, Any] | None) -> dict[str, Any]:
    """Drop values an audit row must not hold in plain text (birth dates, SSNs, passwords).

    Keys are matched case-insensitively and at any depth, so HUD's "SSN"/"DOB" inside hud_data
    are redacted too."""
    cleaned: dict[str, Any] = {}
    for key, value in (changes or {}).items():
        if str(key).lower() in SENSITIVE_FIELDS:
            cleaned[key] = "[redacted]"
        elif isinstance(value, dict):
            cleaned[key] = _clean(value)
        elif isinstance(value, list | tuple):
            cleaned[key] = [_clean(item) if isinstance(item, dict) else item for item in value]
        else:
            cleaned[key] = value
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
    if organization_id is None:
        organization_id = _organization_of(obj)
    if organization_id is None and obj is None and client_id is None:
        # Nothing's data was touched (a report of one's own figures, a sign-in without a user).
        organization_id = getattr(actor, "organization_id", None)
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        organization_id=organization_id,
        action=str(action),
        object_type=object_type,
        object_id=object_id,
        client_id=client_id,
        changes=_clean(changes),
        message=message,
        ip_address=ip_address,
    )
    # Known only through the client: filled in by record/record_many, one query for many rows.
    is_the_client = obj is not None and obj._meta.label == "clients.Client"
    event.needs_client_organization = (
        organization_id is None and client_id is not None and not is_the_client
    )
    return event


def _organization_of(obj: models.Model | None) -> int | None:
    """The organization whose data `obj` is: its own organization, its program's, its batch's
    (the actor's organization says nothing about whose data was touched)."""
    if obj is None:
        return None
    if getattr(obj, "organization_id", None) is not None:
        return obj.organization_id
    for owner in ("project", "batch"):
        if getattr(obj, f"{owner}_id", None) is not None:
            return getattr(obj, owner).organization_id
    return None


def _fill_client_organizations(events: list[AuditEvent]) -> None:
    waiting = [e for e in events if getattr(e, "needs_client_organization", False)]
    if not waiting:
        return
    from hmis.clients.models import Client

    owners = dict(
        Client.objects.filter(pk__in={e.client_id for e in waiting}).values_list(
            "pk", "organization_id"
        )
    )
    for event in waiting:
        event.organization_id = owners.get(event.client_id)
        event.needs_client_organization = False


def record(**kwargs: Any) -> AuditEvent:
    """Write one audit row. Keyword arguments as `build_event`.

    The row carries the organization whose data was touched (`organization_id`, else the
    object's, else the client's), not the actor's: each organization sees rows about its own data
    only, whoever acted on it."""
    event = build_event(**kwargs)
    _fill_client_organizations([event])
    # A transaction of its own when called outside one (the chain's lock lasts until commit);
    # inside the caller's, no savepoint: a failed audit write fails the change.
    with transaction.atomic(savepoint=False):
        chain.link([event])
        event.save(force_insert=True)
    return event


def record_many(events: Iterable[AuditEvent]) -> None:
    events = list(events)
    if not events:
        return
    _fill_client_organizations(events)
    # A transaction of its own when called outside one (the chain's lock lasts until commit);
    # inside the caller's, no savepoint: a failed audit write fails the change.
    with transaction.atomic(savepoint=False):
        chain.link(events)
        AuditEvent.objects.bulk_create(events)


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{"field": [old, new]} for the fields whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


# --- Reads, exports and prints (the security engineer's helpers) ---------------------------------


def request_address(request: HttpRequest) -> str | None:
    """The client's IP address. Behind `HMIS_TRUSTED_PROXY_COUNT` reverse proxies it is taken from
    X-Forwarded-For (counted from the right, the part those proxies wrote), else REMOTE_ADDR."""
    proxies = getattr(settings, "HMIS_TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _request_event(
    request: HttpRequest, action: AuditAction, *, obj=None, client_id=None, **kwargs
) -> AuditEvent:
    return record(
        actor=request.user,
        action=action,
        obj=obj,
        client_id=client_id,
        ip_address=request_address(request),
        **kwargs,
    )


def record_read(request: HttpRequest, client, *, what: str = "profile") -> AuditEvent:
    """Record that the request's user opened `client`'s record (`what`: profile, services...)."""
    return _request_event(
        request,
        AuditAction.READ,
        obj=client,
        client_id=client.pk,
        message=f"Viewed client {client.pk} {what}",
    )


def record_reads(request: HttpRequest, clients: Iterable, *, what: str) -> None:
    """Record that the request's user received each of `clients`' records (an API search's
    results carry names, birth dates and card codes: each is a read). One insert for all."""
    address = request_address(request)
    record_many(
        build_event(
            actor=request.user,
            action=AuditAction.READ,
            obj=client,
            client_id=client.pk,
            message=f"Viewed client {client.pk} {what}",
            ip_address=address,
        )
        for client in clients
    )


def _record_file(
    request: HttpRequest,
    action: AuditAction,
    *,
    what: str,
    client=None,
    obj: models.Model | None = None,
    object_type: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    return _request_event(
        request,
        action,
        obj=obj if obj is not None else client,
        object_type=object_type,
        client_id=client.pk if client is not None else None,
        changes=details,
        message=what,
    )


def record_export(request: HttpRequest, **kwargs: Any) -> AuditEvent:
    """Record a download or export (`what`: "HUD CSV export", "attendance report CSV"...), with
    optional `client`, `obj`, `object_type` and `details`: the facts worth keeping (filters, row
    counts), never the exported data."""
    return _record_file(request, AuditAction.EXPORT, **kwargs)


def record_print(request: HttpRequest, **kwargs: Any) -> AuditEvent:
    """Record a print (community card sheet, roster, client face sheet); arguments as
    `record_export`."""
    return _record_file(request, AuditAction.PRINT, **kwargs)
