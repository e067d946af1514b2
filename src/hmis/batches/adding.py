"""Adding a client to a batch: the desk's scan, a client ID, or a pick from a name search.

The steps, in order (architecture.md, "Adding a client to a batch"):
1. Resolve the client (card code, client ID); unknown input is refused naming what was typed.
2. The batch must be active, and both dates within the user's limits (batches/dates.py: never in
   the future, back-dated at most HMIS_BACKDATE_DAYS unless the account may back-date).
3. A repeated add for the same batch, client and date provided adds nothing and says when and by
   whom the client was added (an entry removed, or whose services were all voided, does not
   count). (Checked before the rules below, so that a second read of a card
   answers "already added" and not, say, a frequency limit the first add itself used up.)
4. Enrollment: one active in the batch's program on the date provided, else ENROLLMENT_REQUIRED.
5. Bars in force for the batch's organization, program or location refuse the add, naming scope,
   end date and reason. A service-code bar withholds only its code: the client is added, and the
   result says which code is withheld and why (posting withholds it the same way); it refuses the
   add only when it withholds every code of the batch (clients/eligibility.py `judge_bars`).
   A user with `can_override_bars` may add anyway by giving a reason; the override is audited.
6. Frequency limits: a service code allowing N per client per D days refuses a client when any
   D-day window containing the date provided would then hold more than N (posted, not void, or
   pending in any batch): back-dating cannot slip a service in before later ones.
7. Record a pending entry (the database refuses a second live entry even under a race); if the
   batch posts automatically, post it at once.

Each add succeeds or fails on its own, in its own transaction.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from hmis.accounts.permissions import Perm, has_perm
from hmis.audit.models import AuditAction
from hmis.audit.recording import record
from hmis.batches import errors
from hmis.batches.dates import check_dates
from hmis.batches.errors import ENROLLMENT_REQUIRED, BatchError
from hmis.batches.models import BatchEntry, EntryStatus, ScanOutcome, ServiceBatch
from hmis.batches.posting import post_entries
from hmis.clients.access import can_see_full_record
from hmis.clients.eligibility import (
    active_enrollment,
    bar_message,
    bars_in_force,
    withheld_message,
)
from hmis.clients.errors import LookupFailed
from hmis.clients.lookup import find_client_by_card, find_client_by_id
from hmis.clients.models import Client
from hmis.services.models import Service

SCAN_CARD = "card"
SCAN_CLIENT_ID = "client_id"

ADDED = "added"
POSTED = "posted"
KEY_REUSED = "key_reused"


@dataclass(frozen=True)
class AddResult:
    """What the desk, the API and the CLI show for one add request."""

    ok: bool
    code: str
    message: str
    client: Client | None = None
    entry: BatchEntry | None = None
    replayed: bool = False


def bars_overridden(
    *, client: Client, scope, user, on: date, override_reason: str, code_ids=()
) -> tuple[list, dict]:
    """(refusing, withheld): the bars in force keeping `client` from `scope` (a batch or a
    ServiceScope) and its service `code_ids` on `on` when `user` overrides them ([] when there are
    none), and the codes a service-code bar withholds (code id -> bar; {} once overridden).
    Raises BARRED without a reason (with `can_override` for a user who may), OVERRIDE_NOT_ALLOWED
    for a user without `can_override_bars`. The caller records the override
    (AuditAction.BAR_OVERRIDE)."""
    judgement = bars_in_force(client=client, batch=scope, on=on, code_ids=code_ids)
    bars = judgement.refusing
    if bars:
        if not override_reason:
            raise BatchError(
                errors.BARRED,
                bar_message(bars[0]),
                client=client,
                can_override=bool(getattr(user, "can_override_bars", False)),
            )
        if not getattr(user, "can_override_bars", False):
            raise BatchError(
                errors.OVERRIDE_NOT_ALLOWED,
                "ERROR: You may not override a bar. Ask a supervisor.",
                client=client,
            )
        return bars, {}
    if judgement.withheld and override_reason and getattr(user, "can_override_bars", False):
        # An override given for this client lifts its service-code bars too (posting skips
        # every bar of an entry that carries an override reason).
        return list(judgement.withheld.values()), {}
    return [], judgement.withheld


def add_client_to_batch(
    *,
    batch: ServiceBatch,
    client: Client,
    user,
    batch_date: date,
    date_provided: date,
    bar_override_reason: str = "",
) -> BatchEntry:
    """Add `client` to `batch` for `date_provided` (steps 2-7). Raises BatchError on refusal.

    The entry carries `.withheld`: the service-code bars withholding some of the batch's codes
    (code id -> bar), for the result line."""
    arguments = {
        "batch": batch,
        "user": user,
        "batch_date": batch_date,
        "date_provided": date_provided,
        "bar_override_reason": bar_override_reason,
    }
    # Locks the client's row: a merge of this record (clients/merging.py) either finished before
    # (the add follows the record to its survivor) or waits until the add is done. Inside the
    # caller's transaction (the desk's add_to_batch) no savepoint is needed for it.
    if transaction.get_connection().in_atomic_block:
        return _add_locked(client=lock_client_for_update(client), **arguments)
    with transaction.atomic():
        return _add_locked(client=lock_client_for_update(client), **arguments)


def _add_locked(*, batch, client, user, batch_date, date_provided, bar_override_reason):
    today = timezone.localdate()
    if not batch.active:
        raise BatchError(
            errors.BATCH_INACTIVE, "ERROR: This batch has been deactivated.", client=client
        )
    if batch.location_id and not batch.location.active:
        raise BatchError(
            errors.LOCATION_INACTIVE,
            errors.LOCATION_INACTIVE_MESSAGE.format(location=batch.location.name),
            client=client,
        )
    check_dates(user=user, batch_date=batch_date, date_provided=date_provided, client=client)
    _refuse_if_already_added(batch, client, date_provided, today)

    enrollment = active_enrollment(client=client, project=batch.project_id, on=date_provided)
    if enrollment is None:
        raise BatchError(errors.ENROLLMENT_REQUIRED_CODE, ENROLLMENT_REQUIRED, client=client)

    codes = [bsc.service_code for bsc in batch.service_codes.select_related("service_code")]
    override_reason = (bar_override_reason or "").strip()
    bars, withheld = bars_overridden(
        client=client,
        scope=batch,
        user=user,
        on=date_provided,
        override_reason=override_reason,
        code_ids=[code.pk for code in codes],
    )

    refuse_over_frequency_limit(
        codes=[code for code in codes if code.pk not in withheld],
        client=client,
        date_provided=date_provided,
    )

    now = timezone.now()
    try:
        with transaction.atomic():
            entry = BatchEntry.objects.create(
                batch=batch,
                client=client,
                enrollment=enrollment,
                batch_date=batch_date,
                date_provided=date_provided,
                added_by=user,
                added_at=now,
                bar_override_reason=override_reason if bars else "",
            )
            record(
                actor=user,
                action=AuditAction.ADD_TO_BATCH,
                obj=entry,
                organization_id=batch.organization_id,
                client_id=client.pk,
                changes={"batch": batch.pk, "date_provided": date_provided.isoformat()},
            )
            if bars:
                record(
                    actor=user,
                    action=AuditAction.BAR_OVERRIDE,
                    obj=entry,
                    organization_id=batch.organization_id,
                    client_id=client.pk,
                    changes={"bar": bars[0].pk},
                    message=override_reason,
                )
            if batch.auto_post:
                post_entries(batch=batch, entries=[entry], user=user)
    except IntegrityError:
        # Another station added the same client a moment ago: the unique constraint caught it.
        _refuse_if_already_added(batch, client, date_provided, today)
        raise
    entry.withheld = withheld
    return entry


def lock_client_for_update(client: Client) -> Client:
    """`client`'s row locked for the rest of the transaction, or, when the record was merged
    into another meanwhile, its survivor's (locked, carrying the note the desk shows)."""
    locked = Client.objects.select_for_update().filter(pk=client.pk).values("merged_into_id")
    merged_into = next(iter(locked), {}).get("merged_into_id")
    if merged_into is None:
        return client
    survivor = find_client_by_id(merged_into)
    Client.objects.select_for_update().filter(pk=survivor.pk).values("pk").first()
    survivor.merge_note = f"Client ID {client.pk} was merged into Client ID {survivor.pk}."
    return survivor


def add_to_batch(
    *,
    batch: ServiceBatch,
    user,
    scan_type: str,
    typed: str,
    batch_date: date,
    date_provided: date,
    key: str = "",
    bar_override_reason: str = "",
) -> AddResult:
    """Resolve what was scanned or typed and add that client; never raises a domain error.

    With a `key` (made by the browser or API client for this one request), a retried or
    double-sent request gets the first answer back, marked `replayed`, and is applied once."""
    if scan_type == SCAN_CLIENT_ID and not has_perm(user, Perm.VIEW_CLIENTS):
        # A scan station adds by card only, whichever path the request came by (desk, API).
        return AddResult(False, errors.CARD_ONLY, errors.CARD_ONLY_MESSAGE)
    if key:
        stored = _stored_outcome(key, batch, user)
        if stored is not None:
            return stored
    try:
        with transaction.atomic():
            result = _resolve_and_add(
                batch=batch,
                user=user,
                scan_type=scan_type,
                typed=typed,
                batch_date=batch_date,
                date_provided=date_provided,
                bar_override_reason=bar_override_reason,
            )
            if key:
                ScanOutcome.objects.create(
                    key=key,
                    batch=batch,
                    user=user,
                    typed=(typed or "")[:200],
                    code=result.code,
                    message=result.message,
                    ok=result.ok,
                    client=result.client,
                    entry=result.entry,
                )
    except IntegrityError:
        # The same key arrived twice at once: the first one's answer stands.
        stored = _stored_outcome(key, batch, user) if key else None
        if stored is None:
            raise
        return stored
    return result


def _resolve_and_add(
    *, batch, user, scan_type, typed, batch_date, date_provided, bar_override_reason
):
    try:
        if scan_type == SCAN_CARD:
            client = find_client_by_card(typed)
        elif scan_type == SCAN_CLIENT_ID:
            client = find_client_by_id(typed)
        else:
            return AddResult(False, "bad_scan_type", f"Unknown Type: {scan_type!r}.")
    except LookupFailed as failure:
        return AddResult(False, failure.code, failure.message)
    typed_client = client
    try:
        entry = add_client_to_batch(
            batch=batch,
            client=client,
            user=user,
            batch_date=batch_date,
            date_provided=date_provided,
            bar_override_reason=bar_override_reason,
        )
    except BatchError as refusal:
        # The refusal's client: the survivor when the record was merged meanwhile.
        refused = refusal.client or client
        named = refused if _may_name(user, refused) else None
        return AddResult(False, refusal.code, refusal.message, client=named)
    client = entry.client
    notes = [withheld_message(bar) for bar in entry.withheld.values()]
    merge_note = getattr(typed_client, "merge_note", "") or getattr(client, "merge_note", "")
    if merge_note:
        notes.insert(0, merge_note)
    if entry.status == EntryStatus.POSTED:
        message = " ".join(["Added and services posted.", *notes])
        return AddResult(True, POSTED, message, client=client, entry=entry)
    message = " ".join(["Added. Pending until Post Services.", *notes])
    return AddResult(True, ADDED, message, client=client, entry=entry)


def _may_name(user, client: Client) -> bool:
    """A refusal names the client only to a user who may see them: one who may search clients
    (any organization's client shows at least as a summary, to avoid duplicates), or whose
    organization holds the client's record. A scan station otherwise hears only what was
    refused."""
    return has_perm(user, Perm.VIEW_CLIENTS) or can_see_full_record(user, client)


def _stored_outcome(key: str, batch, user) -> AddResult | None:
    stored = ScanOutcome.objects.filter(key=key).select_related("client", "entry").first()
    if stored is None:
        return None
    if stored.batch_id != batch.pk or stored.user_id != user.pk:
        return AddResult(False, KEY_REUSED, "ERROR: This request key was already used elsewhere.")
    return AddResult(
        stored.ok, stored.code, stored.message, stored.client, stored.entry, replayed=True
    )


def _refuse_if_already_added(batch, client, date_provided: date, today: date) -> None:
    existing = (
        BatchEntry.objects.filter(batch=batch, client=client, date_provided=date_provided)
        .live()
        .select_related("added_by")
        .first()
    )
    if existing is None:
        return
    when = "today" if date_provided == today else f"for {date_provided:%m/%d/%Y}"
    at = timezone.localtime(existing.added_at)
    raise BatchError(
        errors.ALREADY_ADDED,
        f"Already added {when} at {at:%H:%M} by {existing.added_by.short_name}.",
        client=client,
        entry=existing,
    )


def refuse_over_frequency_limit(*, codes, client, date_provided: date) -> None:
    """Step 6 for any set of service codes (a batch's, or a single service on the profile)."""
    limited = [code for code in codes if code.has_limit]
    if not limited:
        return
    # Every D-day window containing the date provided: from D-1 days before to D-1 days after.
    longest = max(code.limit_period_days for code in limited)
    first = date_provided - timedelta(days=longest - 1)
    last = date_provided + timedelta(days=longest - 1)
    code_ids = [code.pk for code in limited]
    given: dict[int, list[date]] = {code_id: [] for code_id in code_ids}
    for code_id, day in (
        Service.objects.live()
        .filter(client=client, service_code_id__in=code_ids, date_provided__range=(first, last))
        .values_list("service_code_id", "date_provided")
    ):
        given[code_id].append(day)
    # Pending entries will become services too; count them so two batches can't both add.
    for code_id, day in BatchEntry.objects.filter(
        client=client,
        status=EntryStatus.PENDING,
        date_provided__range=(first, last),
        batch__service_codes__service_code_id__in=code_ids,
    ).values_list("batch__service_codes__service_code_id", "date_provided"):
        given[code_id].append(day)
    for code in limited:
        _refuse_if_window_full(code, sorted(given[code.pk]), date_provided, client)


def _refuse_if_window_full(code, days: list[date], date_provided: date, client) -> None:
    period, limit = code.limit_period_days, code.limit_count
    before = [d for d in days if date_provided - timedelta(days=period - 1) <= d <= date_provided]
    if len(before) >= limit:
        # The window ending on day X holds fewer than N once the oldest surplus drops out.
        next_allowed = before[len(before) - limit] + timedelta(days=period)
        raise BatchError(
            errors.FREQUENCY_LIMIT,
            f"ERROR: {code.name} is limited to {limit} per {period} days. This client is next "
            f"allowed on {next_allowed:%m/%d/%Y}.",
            client=client,
            next_allowed=next_allowed,
        )
    for offset in range(period):
        start = date_provided - timedelta(days=offset)
        end = start + timedelta(days=period - 1)
        inside = [d for d in days if start <= d <= end]
        if len(inside) >= limit:
            later = [d for d in inside if d > date_provided]
            raise BatchError(
                errors.FREQUENCY_LIMIT,
                f"ERROR: {code.name} is limited to {limit} per {period} days. This client "
                f"already has it on {', '.join(f'{d:%m/%d/%Y}' for d in later)}, within "
                f"{period} days after {date_provided:%m/%d/%Y}.",
                client=client,
            )
