"""May these clients receive these codes on these dates? One module answers it for the desk's
scan, a client ID, the API, the household add, auto-posting, posting and a single service.

- Enrollment: the client needs an enrollment in the scope's project (Program) active on the date
  provided (entered on or before it, not exited before it). None: ENROLLMENT_REQUIRED.
- Bars: a bar is in force on a date from its start date through its end date (no end date:
  indefinitely). It applies when its scope covers the service's: the organization (bar without
  project), the project (bar without location), or the location.
- Frequency limits: a code allowing N per client per D days refuses a client when any D-day
  window containing the date provided would then hold more than N (live services, and entries
  pending in any batch): back-dating cannot slip a service in before later ones.

The enrollment and bar rules are written once, as subqueries (`enrollment_on`, `bar_in_force`)
that `with_eligibility` adds to any queryset whose rows name a client and a date: a card being
scanned, the clients of a household, the entries of a batch being posted. Each question then
costs one statement however many clients it asks about; `check_eligibility` wraps that for a
list of (client, date) pairs. Frequency limits need the services of a window, so they are
checked (in two batched queries) only when a code has a limit.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Expression, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields import DateField

from hmis.batches.errors import (
    BARRED,
    ENROLLMENT_REQUIRED,
    ENROLLMENT_REQUIRED_CODE,
    FREQUENCY_LIMIT,
)
from hmis.clients.models import Bar, Client, Enrollment


@dataclass(frozen=True)
class ServiceScope:
    """Where a service outside a batch is given: what a bar's scope is matched against (the
    same attributes a batch has)."""

    organization_id: int
    project_id: int
    location_id: int | None = None


@dataclass(frozen=True)
class Refusal:
    """Why a client may not receive a service: a stable code and the seed's message."""

    code: str
    message: str
    bar: Bar | None = None
    next_allowed: date | None = None


@dataclass(frozen=True)
class Verdict:
    """The answer for one client on one date. `bar` is the bar in force (None when none is);
    whether it refuses depends on an override, which the caller knows."""

    enrollment_id: int | None
    bar: Bar | None

    @property
    def refusal(self) -> Refusal | None:
        """The first rule refusing, in the desk's order: enrollment, then bar."""
        if self.enrollment_id is None:
            return Refusal(ENROLLMENT_REQUIRED_CODE, ENROLLMENT_REQUIRED)
        if self.bar is not None:
            return Refusal(BARRED, bar_message(self.bar), bar=self.bar)
        return None


# --- The rules, as subqueries ---------------------------------------------------------------


def _as_expression(value) -> Expression:
    if isinstance(value, date):
        return Value(value, output_field=DateField())
    return value


def bar_scope_filter(scope) -> Q:
    """Bars whose scope covers `scope` (a batch or a ServiceScope: organization, project,
    location)."""
    covers = Q(organization_id=scope.organization_id, project__isnull=True) | Q(
        project_id=scope.project_id, location__isnull=True
    )
    if scope.location_id:
        covers |= Q(location_id=scope.location_id)
    return covers


def enrollment_on(*, project_id: int, client, day) -> Subquery:
    """The id of `client`'s enrollment in the project active on `day` (the most recent entry if
    several). `client` and `day` are expressions (OuterRef("client_id")) or values."""
    day = _as_expression(day)
    return Subquery(
        Enrollment.objects.filter(
            Q(exit_date__isnull=True) | Q(exit_date__gte=day),
            client_id=client,
            project_id=project_id,
            deleted_at__isnull=True,
            entry_date__lte=day,
        )
        .order_by("-entry_date", "-pk")
        .values("pk")[:1]
    )


def bar_in_force(*, scope, client, day) -> Subquery:
    """The id of the bar keeping `client` from `scope` on `day`: the one that keeps the client
    out longest (indefinite first, then the latest end date), so the message names it."""
    day = _as_expression(day)
    return Subquery(
        Bar.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day),
            bar_scope_filter(scope),
            client_id=client,
            start_date__lte=day,
        )
        .order_by(F("end_date").desc(nulls_first=True), "-pk")
        .values("pk")[:1]
    )


def eligibility_annotations(*, scope, client, day) -> dict[str, Subquery]:
    """`eligible_enrollment_id` and `barring_bar_id` for the client named by `client` (a field
    name of the row, or an expression) on `day` (a field name or a date), to annotate a row."""
    client_ref = OuterRef(client) if isinstance(client, str) else client
    day_ref = OuterRef(day) if isinstance(day, str) else day
    return {
        "eligible_enrollment_id": enrollment_on(
            project_id=scope.project_id, client=client_ref, day=day_ref
        ),
        "barring_bar_id": bar_in_force(scope=scope, client=client_ref, day=day_ref),
    }


def with_eligibility(queryset: QuerySet, *, scope, client="client_id", day) -> QuerySet:
    """`queryset` with `eligible_enrollment_id` and `barring_bar_id` on each row (see
    `eligibility_annotations`)."""
    return queryset.annotate(**eligibility_annotations(scope=scope, client=client, day=day))


def bars_by_id(ids: Iterable[int | None]) -> dict[int, Bar]:
    """The bars named by `barring_bar_id`, with what their messages name (one query; none when
    no bar is in force)."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    return {
        bar.pk: bar
        for bar in Bar.objects.filter(pk__in=wanted).select_related(
            "organization", "project", "location"
        )
    }


def check_eligibility(
    *, scope, wants: Sequence[tuple[int, date]]
) -> dict[tuple[int, date], Verdict]:
    """May each (client id, date) of `wants` receive services in `scope`? Enrollment and bars:
    one query per distinct date, and one more only when some bar is in force."""
    by_day: dict[date, set[int]] = defaultdict(set)
    for client_id, day in wants:
        by_day[day].add(client_id)
    found: dict[tuple[int, date], tuple[int | None, int | None]] = {}
    for day, client_ids in by_day.items():
        rows = with_eligibility(
            Client.objects.filter(pk__in=client_ids), scope=scope, client="pk", day=day
        ).values_list("pk", "eligible_enrollment_id", "barring_bar_id")
        for client_id, enrollment_id, bar_id in rows:
            found[(client_id, day)] = (enrollment_id, bar_id)
    bars = bars_by_id(bar_id for _, bar_id in found.values())
    verdicts = {}
    for want in wants:
        enrollment_id, bar_id = found.get(tuple(want), (None, None))
        verdicts[tuple(want)] = Verdict(enrollment_id, bars.get(bar_id))
    return verdicts


# --- Single-client helpers (the profile, the record pages, tests) ---------------------------


def active_enrollment(*, client: Client, project, on: date) -> Enrollment | None:
    """The client's enrollment in `project` active on `on` (the most recent entry if several)."""
    return (
        Enrollment.objects.active_on(on)
        .filter(client=client, project=project)
        .order_by("-entry_date", "-pk")
        .first()
    )


def bars_in_force(*, client: Client, batch, on: date) -> list[Bar]:
    """The bars keeping `client` from `batch` on `on`, longest-lasting first."""
    bars = (
        Bar.objects.in_force_on(on)
        .filter(bar_scope_filter(batch), client=client)
        .select_related("organization", "project", "location")
    )
    # Indefinite bars first, then the latest end date: the message names the bar that keeps the
    # client out longest.
    return sorted(bars, key=lambda b: (b.end_date is not None, -(b.end_date or on).toordinal()))


def bar_message(bar: Bar) -> str:
    """'ERROR: Client is barred from program Day Shelter until 12/31/2026. Reason: ...'"""
    until = f"until {bar.end_date:%m/%d/%Y}" if bar.end_date else "indefinitely"
    return f"ERROR: Client is barred from {bar.scope_label} {until}. Reason: {bar.reason}"


# --- Frequency limits ---------------------------------------------------------------------


def frequency_refusals(*, codes, wants: Sequence[tuple[int, date]]) -> dict[tuple, Refusal]:
    """The (client id, date) pairs of `wants` over a limit of one of `codes`, with the refusal
    (next allowed date, or the later services in the way). Two queries for all of `wants`; none
    when no code has a limit."""
    from hmis.batches.models import BatchEntry, EntryStatus  # batches depends on clients
    from hmis.services.models import Service

    limited = [code for code in codes if code.has_limit]
    if not limited or not wants:
        return {}
    # Every D-day window containing a date provided: from D-1 days before to D-1 days after.
    longest = max(code.limit_period_days for code in limited)
    first = min(day for _, day in wants) - timedelta(days=longest - 1)
    last = max(day for _, day in wants) + timedelta(days=longest - 1)
    code_ids = [code.pk for code in limited]
    client_ids = {client_id for client_id, _ in wants}
    given: dict[tuple[int, int], list[date]] = defaultdict(list)
    for client_id, code_id, day in (
        Service.objects.live()
        .filter(
            client_id__in=client_ids,
            service_code_id__in=code_ids,
            date_provided__range=(first, last),
        )
        .values_list("client_id", "service_code_id", "date_provided")
    ):
        given[(client_id, code_id)].append(day)
    # Pending entries will become services too; count them so two batches can't both add.
    for client_id, code_id, day in BatchEntry.objects.filter(
        client_id__in=client_ids,
        status=EntryStatus.PENDING,
        date_provided__range=(first, last),
        batch__service_codes__service_code_id__in=code_ids,
    ).values_list("client_id", "batch__service_codes__service_code_id", "date_provided"):
        given[(client_id, code_id)].append(day)
    refusals = {}
    for client_id, day in wants:
        for code in limited:
            refusal = _window_full(code, sorted(given[(client_id, code.pk)]), day)
            if refusal is not None:
                refusals[(client_id, day)] = refusal
                break
    return refusals


def _window_full(code, days: list[date], date_provided: date) -> Refusal | None:
    period, limit = code.limit_period_days, code.limit_count
    before = [d for d in days if date_provided - timedelta(days=period - 1) <= d <= date_provided]
    if len(before) >= limit:
        # The window ending on day X holds fewer than N once the oldest surplus drops out.
        next_allowed = before[len(before) - limit] + timedelta(days=period)
        return Refusal(
            FREQUENCY_LIMIT,
            f"ERROR: {code.name} is limited to {limit} per {period} days. This client is next "
            f"allowed on {next_allowed:%m/%d/%Y}.",
            next_allowed=next_allowed,
        )
    for offset in range(period):
        start = date_provided - timedelta(days=offset)
        end = start + timedelta(days=period - 1)
        inside = [d for d in days if start <= d <= end]
        if len(inside) >= limit:
            later = [d for d in inside if d > date_provided]
            return Refusal(
                FREQUENCY_LIMIT,
                f"ERROR: {code.name} is limited to {limit} per {period} days. This client "
                f"already has it on {', '.join(f'{d:%m/%d/%Y}' for d in later)}, within "
                f"{period} days after {date_provided:%m/%d/%Y}.",
            )
    return None
