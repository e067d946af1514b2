"""May this client receive this batch's services on this date?

- Enrollment: the client needs an enrollment in the batch's project (Program) active on the date
  provided (entered on or before it, not exited before it). None: ENROLLMENT_REQUIRED.
- Bars: a bar is in force on a date from its start date through its end date (no end date:
  indefinitely). It applies to a batch when its scope covers the batch: the batch's organization
  (bar without project or service code), its project (bar without location), or its location.
  A service-code bar ("barred from showers") applies within its organization to that code only:
  the batch's other codes are still given, and the code is withheld with the bar's reason; only
  when it withholds every code of the batch does it refuse the client as a whole
  (`judge_bars`, used by adding, posting and the profile's *Add service* alike).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from hmis.clients.models import Bar, Client, Enrollment


def active_enrollment(*, client: Client, project, on: date) -> Enrollment | None:
    """The client's enrollment in `project` active on `on` (the most recent entry if several)."""
    return (
        Enrollment.objects.active_on(on)
        .filter(client=client, project=project)
        .order_by("-entry_date", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ServiceScope:
    """Where a service outside a batch is given: what a bar's scope is matched against (the
    same attributes a batch has)."""

    organization_id: int
    project_id: int
    location_id: int | None = None


def bar_scope_filter(batch, code_ids=None) -> Q:
    """Bars whose scope covers `batch` (its organization, project or location), and the
    service-code bars of its organization for `code_ids` (the codes given there)."""
    scope = Q(
        organization_id=batch.organization_id, project__isnull=True, service_code__isnull=True
    ) | Q(project_id=batch.project_id, location__isnull=True)
    if batch.location_id:
        scope |= Q(location_id=batch.location_id)
    if code_ids:
        scope |= Q(organization_id=batch.organization_id, service_code_id__in=list(code_ids))
    return scope


def bars_for(*, client_ids, batch, code_ids, first: date, last: date) -> dict[int, list[Bar]]:
    """Every bar covering `batch` or its codes in force on some day from `first` to `last`, per
    client, in one query (matched to each day by `judge_bars`)."""
    found: dict[int, list[Bar]] = {}
    rows = (
        Bar.objects.in_force_between(first, last)
        .filter(bar_scope_filter(batch, code_ids), client_id__in=list(client_ids))
        .select_related("organization", "project", "location", "service_code")
    )
    for bar in rows:
        found.setdefault(bar.client_id, []).append(bar)
    return found


@dataclass(frozen=True)
class BarJudgement:
    """What a client's bars do to one batch on one day: `refusing` keep the client out
    (longest-lasting first), `withheld` maps each withheld service code id to its bar."""

    refusing: list[Bar]
    withheld: dict[int, Bar]


def _in_force(bar: Bar, day: date) -> bool:
    return bar.start_date <= day and (bar.end_date is None or day <= bar.end_date)


def _longest_first(bars: list[Bar], day: date) -> list[Bar]:
    # Indefinite bars first, then the latest end date: the message names the bar that keeps the
    # client out longest.
    return sorted(bars, key=lambda b: (b.end_date is not None, -(b.end_date or day).toordinal()))


def judge_bars(bars: list[Bar], *, code_ids, on: date) -> BarJudgement:
    """Apply a client's `bars` (as fetched by `bars_for`) to a batch giving `code_ids` on `on`.

    A service-code bar withholds its code; when every code is withheld the client is refused."""
    code_ids = list(code_ids)
    in_force = [b for b in bars if _in_force(b, on)]
    whole = [b for b in in_force if b.service_code_id is None]
    withheld: dict[int, Bar] = {}
    for bar in _longest_first([b for b in in_force if b.service_code_id is not None], on):
        if bar.service_code_id in code_ids:
            withheld.setdefault(bar.service_code_id, bar)
    if code_ids and len(withheld) == len(set(code_ids)):
        whole = whole + list(withheld.values())
    return BarJudgement(refusing=_longest_first(whole, on), withheld=withheld)


def bars_in_force(*, client: Client, batch, on: date, code_ids=()) -> BarJudgement:
    """The bars keeping `client` from `batch` (or a ServiceScope) and its `code_ids` on `on`."""
    bars = bars_for(client_ids=[client.pk], batch=batch, code_ids=code_ids, first=on, last=on)
    return judge_bars(bars.get(client.pk, []), code_ids=code_ids, on=on)


def _until(bar: Bar) -> str:
    return f"until {bar.end_date:%m/%d/%Y}" if bar.end_date else "indefinitely"


def bar_message(bar: Bar) -> str:
    """'ERROR: Client is barred from program Day Shelter until 12/31/2026. Reason: ...'"""
    return f"ERROR: Client is barred from {bar.scope_label} {_until(bar)}. Reason: {bar.reason}"


def withheld_message(bar: Bar) -> str:
    """'Shower withheld: client is barred from service Shower until 12/31/2026. Reason: ...'"""
    return (
        f"{bar.service_code.name} withheld: client is barred from {bar.scope_label} "
        f"{_until(bar)}. Reason: {bar.reason}"
    )
