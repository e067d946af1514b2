"""May these clients receive these codes on these dates? One module answers it for the desk's
scan, a client ID, the API, the household add, auto-posting, posting and a single service.

- Enrollment: the client needs an enrollment in the scope's project (Program) active on the date
  provided (entered on or before it, not exited before it). None: ENROLLMENT_REQUIRED.
- Bars: a bar is in force on a date from its start date through its end date (no end date:
  indefinitely). It applies to a batch when its scope covers the batch: the batch's organization
  (bar without project or service code), its project (bar without location), or its location.
  A service-code bar ("barred from showers") applies within its organization to that code only:
  the batch's other codes are still given, and the code is withheld with the bar's reason; only
  when it withholds every code of the batch does it refuse the client as a whole
  (`judge_bars`, used by adding, posting and the profile's *Add service* alike).
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
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    """The answer for one client on one date. `refusing`: the bars in force keeping the client
    out (longest-lasting first; whether they refuse depends on an override, which the caller
    knows); `withheld`: service code id -> the service-code bar withholding that code."""

    enrollment_id: int | None
    refusing: tuple[Bar, ...] = ()
    withheld: dict[int, Bar] = field(default_factory=dict)

    @property
    def bar(self) -> Bar | None:
        return self.refusing[0] if self.refusing else None

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


def bar_scope_filter(scope, code_ids=None) -> Q:
    """Bars whose scope covers `scope` (a batch or a ServiceScope: its organization, project or
    location), and the service-code bars of its organization for `code_ids` (the codes given
    there: a list, or a subquery of code ids)."""
    covers = Q(
        organization_id=scope.organization_id, project__isnull=True, service_code__isnull=True
    ) | Q(project_id=scope.project_id, location__isnull=True)
    if scope.location_id:
        covers |= Q(location_id=scope.location_id)
    if isinstance(code_ids, (list, tuple, set)):
        code_ids = list(code_ids) or None
    if code_ids is not None:
        covers |= Q(organization_id=scope.organization_id, service_code_id__in=code_ids)
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


def bar_in_force(*, scope, client, day, code_ids=None) -> Subquery:
    """The id of a bar covering `scope` (or one of its `code_ids`) in force for `client` on
    `day`, or NULL: the one that keeps the client out longest (indefinite first, then the latest
    end date). NULL, the usual answer, settles it; otherwise `judged` weighs every bar."""
    day = _as_expression(day)
    return Subquery(
        Bar.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day),
            bar_scope_filter(scope, code_ids),
            client_id=client,
            start_date__lte=day,
        )
        .order_by(F("end_date").desc(nulls_first=True), "-pk")
        .values("pk")[:1]
    )


def eligibility_annotations(*, scope, client, day, code_ids=None) -> dict[str, Subquery]:
    """`eligible_enrollment_id` and `barring_bar_id` for the client named by `client` (a field
    name of the row, or an expression) on `day` (a field name or a date), to annotate a row.
    `code_ids` (a list or a subquery): the service codes given, for service-code bars."""
    client_ref = OuterRef(client) if isinstance(client, str) else client
    day_ref = OuterRef(day) if isinstance(day, str) else day
    return {
        "eligible_enrollment_id": enrollment_on(
            project_id=scope.project_id, client=client_ref, day=day_ref
        ),
        "barring_bar_id": bar_in_force(
            scope=scope, client=client_ref, day=day_ref, code_ids=code_ids
        ),
    }


def with_eligibility(
    queryset: QuerySet, *, scope, client="client_id", day, code_ids=None
) -> QuerySet:
    """`queryset` with `eligible_enrollment_id` and `barring_bar_id` on each row (see
    `eligibility_annotations`)."""
    return queryset.annotate(
        **eligibility_annotations(scope=scope, client=client, day=day, code_ids=code_ids)
    )


def judged(*, scope, code_ids, found: dict) -> dict:
    """Verdicts from annotated rows: `found` maps a key to (client id, date, enrollment id,
    barring bar id). Where a bar is in force, every bar of those clients in the dates is read
    (one query, none when no bar is) and weighed by `judge_bars`: whole-scope bars refuse,
    service-code bars withhold their codes."""
    barred = {client_id for client_id, _, _, bar_id in found.values() if bar_id is not None}
    bars: dict[int, list[Bar]] = {}
    if barred:
        dates = [day for client_id, day, _, _ in found.values() if client_id in barred]
        bars = bars_for(
            client_ids=barred,
            batch=scope,
            code_ids=code_ids or (),
            first=min(dates),
            last=max(dates),
        )
    verdicts = {}
    for key, (client_id, day, enrollment_id, bar_id) in found.items():
        if bar_id is None:
            verdicts[key] = Verdict(enrollment_id)
            continue
        judgement = judge_bars(bars.get(client_id, []), code_ids=code_ids or (), on=day)
        verdicts[key] = Verdict(enrollment_id, tuple(judgement.refusing), judgement.withheld)
    return verdicts


def check_eligibility(
    *, scope, wants: Sequence[tuple[int, date]], code_ids=()
) -> dict[tuple[int, date], Verdict]:
    """May each (client id, date) of `wants` receive services (`code_ids`) in `scope`?
    Enrollment and bars: one query per distinct date, and one more only when some bar is in
    force."""
    by_day: dict[date, set[int]] = defaultdict(set)
    for client_id, day in wants:
        by_day[day].add(client_id)
    found: dict[tuple[int, date], tuple] = {}
    for day, client_ids in by_day.items():
        rows = with_eligibility(
            Client.objects.filter(pk__in=client_ids),
            scope=scope,
            client="pk",
            day=day,
            code_ids=list(code_ids),
        ).values_list("pk", "eligible_enrollment_id", "barring_bar_id")
        for client_id, enrollment_id, bar_id in rows:
            found[(client_id, day)] = (client_id, day, enrollment_id, bar_id)
    for client_id, day in wants:
        found.setdefault((client_id, day), (client_id, day, None, None))
    return judged(scope=scope, code_ids=list(code_ids), found=found)


# --- Single-client helpers (the profile, the record pages, tests) ---------------------------


def active_enrollment(*, client: Client, project, on: date) -> Enrollment | None:
    """The client's enrollment in `project` active on `on` (the most recent entry if several)."""
    return (
        Enrollment.objects.active_on(on)
        .filter(client=client, project=project)
        .order_by("-entry_date", "-pk")
        .first()
    )


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
