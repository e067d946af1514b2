"""Recording, changing and ending bars (the supervisor's *Add bar*, *Edit bar*, *End bar*).

Rules:
- A bar's scope is the whole organization, one of its programs, one location of a program, or a
  service code within the organization ("barred from showers"); the bar belongs to the
  supervisor's organization, whose staff alone see it (clients/access.py `bars_visible_to`).
- The end date is never before the begin date (also a database constraint).
- Ending a bar sets its end date and keeps why it ended; the desk lets the client in from the
  day after (a bar is in force through its end date: clients/eligibility.py).
- Every change is audited with old and new values, in the same transaction.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from hmis.audit.models import AuditAction
from hmis.audit.recording import field_changes, record
from hmis.clients.models import Bar, Client
from hmis.errors import DomainError

END_BEFORE_START = "ERROR: The end date cannot be before the begin date."


class BarError(DomainError):
    """A bar could not be recorded or changed as asked."""


@dataclass(frozen=True)
class BarDetails:
    """What the *Add bar* and *Edit bar* forms ask (exactly one scope: organization when
    project and service code are both empty)."""

    start_date: date
    end_date: date | None
    reason: str
    decided_by: str
    project: object = None
    location: object = None
    service_code: object = None


def bar_snapshot(bar: Bar) -> dict:
    return {
        "scope": bar.scope_label,
        "start_date": bar.start_date.isoformat(),
        "end_date": bar.end_date.isoformat() if bar.end_date else None,
        "reason": bar.reason,
        "decided_by": bar.decided_by,
        "end_reason": bar.end_reason,
    }


def _check(details: BarDetails) -> None:
    if details.end_date is not None and details.end_date < details.start_date:
        raise BarError("end_before_start", END_BEFORE_START)


def _apply(bar: Bar, details: BarDetails) -> None:
    bar.project = details.project if details.service_code is None else None
    bar.location = details.location if bar.project is not None else None
    if bar.location is not None:
        bar.project = bar.location.project
    bar.service_code = details.service_code
    bar.start_date = details.start_date
    bar.end_date = details.end_date
    bar.reason = details.reason.strip()
    bar.decided_by = details.decided_by.strip()


def add_bar(*, client: Client, organization_id: int, user, details: BarDetails) -> Bar:
    """Bar `client` as `details` say, on behalf of `organization_id` (the supervisor's)."""
    _check(details)
    bar = Bar(client=client, organization_id=organization_id, entered_by=user)
    _apply(bar, details)
    with transaction.atomic():
        bar.save()
        record(
            actor=user,
            action=AuditAction.CREATE,
            obj=bar,
            client_id=client.pk,
            changes=field_changes({}, bar_snapshot(bar)),
            message=f"Barred from {bar.scope_label}",
        )
    return bar


def change_bar(*, bar: Bar, user, details: BarDetails) -> Bar:
    """*Edit bar*: new scope, dates, reason or decider, audited with old and new values."""
    _check(details)

    def edit(locked: Bar) -> None:
        _apply(locked, details)
        locked.save()

    return _audited_change(bar, user=user, edit=edit, message="Bar edited")


def end_bar(*, bar: Bar, user, end_date: date, reason: str) -> Bar:
    """*End bar*: the bar is in force through `end_date`, no longer; `reason` says why."""

    def end(locked: Bar) -> None:
        if end_date < locked.start_date:
            raise BarError("end_before_start", END_BEFORE_START)
        locked.end_date = end_date
        locked.end_reason = reason.strip()
        locked.save(update_fields=["end_date", "end_reason"])

    return _audited_change(bar, user=user, edit=end, message="Bar ended")


def _audited_change(bar: Bar, *, user, edit, message: str) -> Bar:
    """`edit` the bar's row, locked, and record its old and new values."""
    with transaction.atomic():
        bar = Bar.objects.select_for_update(of=("self",)).select_related(*_RELATED).get(pk=bar.pk)
        before = bar_snapshot(bar)
        edit(bar)
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=bar,
            client_id=bar.client_id,
            changes=field_changes(before, bar_snapshot(bar)),
            message=message,
        )
    return bar


_RELATED = ("organization", "project", "location", "service_code")
