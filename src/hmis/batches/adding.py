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

Each add succeeds or fails on its own, in its own transaction, holding a lock on the client's
row: a merge of the record (clients/merging.py) finishes before it (the add follows the record to
its survivor) or waits until it is done.

Steps 3 to 6 are asked in one statement (`add_facts`): the scan's look-up of the card carries
them, so a scan costs the batch, that statement and its writes (entry, audit, stored answer);
the rules themselves live in clients/eligibility.py, shared with posting.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Aggregate, CharField, Exists, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from hmis.accounts.permissions import Perm, has_perm
from hmis.audit.models import AuditAction
from hmis.audit.recording import build_event, record_many
from hmis.batches import errors
from hmis.batches.dates import check_dates
from hmis.batches.errors import ENROLLMENT_REQUIRED, BatchError
from hmis.batches.models import (
    BatchEntry,
    BatchServiceCode,
    EntryStatus,
    ScanOutcome,
    ServiceBatch,
)
from hmis.batches.posting import post_event, services_of_entry
from hmis.clients.access import can_see_full_record
from hmis.clients.eligibility import (
    Verdict,
    bar_message,
    eligibility_annotations,
    frequency_refusals,
    judged,
    withheld_message,
)
from hmis.clients.errors import LookupFailed
from hmis.clients.lookup import Annotations, find_client_by_card, find_client_by_id
from hmis.clients.models import Client
from hmis.services.models import Service, ServiceCode

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


@dataclass(frozen=True)
class BatchCode:
    """A batch's service code and its units, as posting needs them."""

    service_code_id: int
    units: int


@dataclass(frozen=True)
class AddFacts:
    """What one statement tells about a client about to be added (see `add_facts`)."""

    live_entry_id: int | None
    enrollment_id: int | None
    bar_id: int | None
    batch_has_limits: bool
    codes: tuple[BatchCode, ...]

    @classmethod
    def of(cls, row) -> "AddFacts":
        codes = []
        for pair in filter(None, (row.batch_codes or "").split(",")):
            code_id, units = pair.split(":")
            codes.append(BatchCode(int(code_id), int(units)))
        return cls(
            row.live_entry_id,
            row.eligible_enrollment_id,
            row.barring_bar_id,
            bool(row.batch_has_limits),
            tuple(sorted(codes, key=lambda code: code.service_code_id)),
        )


class _CommaJoined(Aggregate):
    """Text values joined by commas: GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra_context)


def _batch_codes(batch: ServiceBatch) -> Subquery:
    """'code id:units,...' of the batch, for an automatically posting batch's services."""
    pair = Concat(Cast("service_code_id", CharField()), Value(":"), Cast("units", CharField()))
    return Subquery(
        BatchServiceCode.objects.filter(batch_id=batch.pk)
        .order_by()
        .values("batch_id")
        .annotate(codes=_CommaJoined(pair))
        .values("codes")
    )


def add_facts(*, batch: ServiceBatch, client, day: date) -> dict:
    """Annotations that answer, in the statement that finds the client (`client`: the row's
    client field), everything an add needs to know: a live entry already there (step 3), the
    eligibility (steps 4-5, clients/eligibility.py) and whether any of the batch's codes has a
    frequency limit (step 6 costs queries only then)."""
    client_ref = OuterRef(client)
    return {
        "live_entry_id": Subquery(
            BatchEntry.objects.live()
            .filter(batch_id=batch.pk, client_id=client_ref, date_provided=day)
            .order_by()
            .values("pk")[:1]
        ),
        **eligibility_annotations(
            scope=batch,
            client=client,
            day=day,
            code_ids=BatchServiceCode.objects.filter(batch_id=batch.pk).values("service_code_id"),
        ),
        "batch_has_limits": Exists(
            BatchServiceCode.objects.filter(
                batch_id=batch.pk, service_code__limit_count__isnull=False
            )
        ),
        "batch_codes": _batch_codes(batch) if batch.auto_post else Value(""),
    }


def refuse_unless_overridden(
    verdict: Verdict, *, client, user, override_reason: str
) -> tuple[list, dict]:
    """(overridden, withheld) for a client whose bars `verdict` weighed: the bars `user`
    overrides ([] when none applies), and the service codes a service-code bar withholds (code id
    -> bar; {} once overridden). Raises BARRED without a reason (with `can_override` for a user
    who may), OVERRIDE_NOT_ALLOWED for a user without `can_override_bars`. The caller records
    the override (AuditAction.BAR_OVERRIDE)."""
    bars = list(verdict.refusing)
    may_override = bool(getattr(user, "can_override_bars", False))
    if bars:
        if not override_reason:
            raise BatchError(
                errors.BARRED, bar_message(bars[0]), client=client, can_override=may_override
            )
        if not may_override:
            raise BatchError(
                errors.OVERRIDE_NOT_ALLOWED,
                "ERROR: You may not override a bar. Ask a supervisor.",
                client=client,
            )
        return bars, {}
    if verdict.withheld and override_reason and may_override:
        # An override given for this client lifts its service-code bars too (posting skips
        # every bar of an entry that carries an override reason).
        return list(verdict.withheld.values()), {}
    return [], dict(verdict.withheld)


def add_client_to_batch(
    *,
    batch: ServiceBatch,
    client: Client,
    user,
    batch_date: date,
    date_provided: date,
    bar_override_reason: str = "",
    facts: AddFacts | None = None,
) -> BatchEntry:
    """Add `client` to `batch` for `date_provided` (steps 2-7). Raises BatchError on refusal.

    `facts`: what `add_facts` found for this client and date, when the caller's own look-up
    already asked (the scan); else one query asks. The entry carries `.withheld`: the
    service-code bars withholding some of the batch's codes (code id -> bar), for the result."""
    arguments = {
        "batch": batch,
        "user": user,
        "batch_date": batch_date,
        "date_provided": date_provided,
        "bar_override_reason": bar_override_reason,
    }
    # Inside the caller's transaction (the desk's add_to_batch) no savepoint is needed.
    if transaction.get_connection().in_atomic_block:
        return _add_locked(client=client, facts=facts, **arguments)
    with transaction.atomic():
        return _add_locked(client=client, facts=facts, **arguments)


def _add_locked(
    *, batch, client, user, batch_date, date_provided, bar_override_reason, facts
) -> BatchEntry:
    locked = lock_client_for_update(client)
    if locked is not client:
        # Merged into another record since the look-up: ask again, for the survivor.
        client, facts = locked, None
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
    if facts is None:
        facts = AddFacts.of(
            Client.objects.filter(pk=client.pk)
            .annotate(**add_facts(batch=batch, client="pk", day=date_provided))
            .only("pk")
            .get()
        )
    if facts.live_entry_id is not None:
        _refuse_as_already_added(facts.live_entry_id, client, date_provided, today)
    if facts.enrollment_id is None:
        raise BatchError(errors.ENROLLMENT_REQUIRED_CODE, ENROLLMENT_REQUIRED, client=client)

    override_reason = (bar_override_reason or "").strip()
    verdict = Verdict(facts.enrollment_id)
    if facts.bar_id is not None:  # a bar is in force: weigh them all (a query, only then)
        code_ids = list(batch.service_codes.values_list("service_code_id", flat=True))
        found = {client.pk: (client.pk, date_provided, facts.enrollment_id, facts.bar_id)}
        verdict = judged(scope=batch, code_ids=code_ids, found=found)[client.pk]
    bars, withheld = refuse_unless_overridden(
        verdict, client=client, user=user, override_reason=override_reason
    )
    if facts.batch_has_limits:
        limited = ServiceCode.objects.filter(
            pk__in=batch.service_codes.values("service_code_id"), limit_count__isnull=False
        ).exclude(pk__in=list(withheld))
        refuse_over_frequency_limit(codes=list(limited), client=client, date_provided=date_provided)

    now = timezone.now()
    entry = BatchEntry(
        batch=batch,
        client=client,
        enrollment_id=facts.enrollment_id,
        batch_date=batch_date,
        date_provided=date_provided,
        added_by=user,
        added_at=now,
        bar_override_reason=override_reason if bars else "",
    )
    if batch.auto_post:
        # Posted at once: eligibility was just checked in this transaction, so the entry is
        # written posted and its services with it (the same rows `post_entries` would write).
        entry.status, entry.posted_by, entry.posted_at = EntryStatus.POSTED, user, now
    try:
        with transaction.atomic():
            entry.save(force_insert=True)
            events = [
                build_event(
                    actor=user,
                    action=AuditAction.ADD_TO_BATCH,
                    obj=entry,
                    organization_id=batch.organization_id,
                    client_id=client.pk,
                    changes={"batch": batch.pk, "date_provided": date_provided.isoformat()},
                )
            ]
            if bars:
                events.append(
                    build_event(
                        actor=user,
                        action=AuditAction.BAR_OVERRIDE,
                        obj=entry,
                        organization_id=batch.organization_id,
                        client_id=client.pk,
                        changes={"bar": bars[0].pk},
                        message=override_reason,
                    )
                )
            if batch.auto_post:
                codes = [code for code in facts.codes if code.service_code_id not in withheld]
                Service.objects.bulk_create(
                    services_of_entry(
                        batch=batch, entry=entry, codes=codes, overrides={}, user=user, now=now
                    )
                )
                events.append(post_event(batch=batch, entry=entry, user=user, services=len(codes)))
            record_many(events)
    except IntegrityError:
        # Another station added the same client a moment ago: the unique constraint caught it.
        _refuse_if_already_added(batch, client, date_provided, today)
        raise
    entry.withheld = withheld
    return entry


def lock_client_for_update(client: Client) -> Client:
    """`client`'s row locked for the rest of the transaction, or, when the record was merged
    into another meanwhile, its survivor's (locked, carrying the note the desk shows)."""
    locked = (
        Client.objects.select_for_update().filter(pk=client.pk).order_by().values("merged_into_id")
    )
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
    also: Annotations | None = None,
) -> AddResult:
    """Resolve what was scanned or typed and add that client; never raises a domain error.

    With a `key` (made by the browser or API client for this one request), a retried or
    double-sent request gets the first answer back, marked `replayed`, and is applied once: the
    answer is stored in the same transaction as the add, and a second request with that key
    fails to store its own, rolls back, and reads the first.

    `also(client_field)`: more annotations asked in the look-up of the client (the desk's
    household question), set on `result.client`."""
    if scan_type == SCAN_CLIENT_ID and not has_perm(user, Perm.VIEW_CLIENTS):
        # A scan station adds by card only, whichever path the request came by (desk, API).
        return AddResult(False, errors.CARD_ONLY, errors.CARD_ONLY_MESSAGE)
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
                also=also,
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
        # The key was used before (a retry, or the same request twice at once): the first
        # answer stands, and this request's work was rolled back with its answer.
        stored = _stored_outcome(key, batch, user) if key else None
        if stored is None:
            raise
        return stored
    return result


def _resolve_and_add(
    *, batch, user, scan_type, typed, batch_date, date_provided, bar_override_reason, also
):
    def annotations(client_field: str) -> dict:
        facts = add_facts(batch=batch, client=client_field, day=date_provided)
        return {**facts, **(also(client_field) if also else {})}

    try:
        if scan_type == SCAN_CARD:
            client = find_client_by_card(typed, annotations=annotations)
        elif scan_type == SCAN_CLIENT_ID:
            client = find_client_by_id(typed, annotations=annotations)
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
            facts=AddFacts.of(client),
        )
    except BatchError as refusal:
        # The refusal's client: the survivor when the record was merged meanwhile.
        refused = refusal.client or client
        named = refused if _may_name(user, refused) else None
        return AddResult(False, refusal.code, refusal.message, client=named)
    if entry.client_id != client.pk:
        client = entry.client  # merged meanwhile: the survivor
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
        .values_list("pk", flat=True)
        .first()
    )
    if existing is not None:
        _refuse_as_already_added(existing, client, date_provided, today)


def _refuse_as_already_added(entry_id: int, client, date_provided: date, today: date) -> None:
    existing = BatchEntry.objects.select_related("added_by").get(pk=entry_id)
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
    refusal = frequency_refusals(codes=codes, wants=[(client.pk, date_provided)]).get(
        (client.pk, date_provided)
    )
    if refusal is not None:
        details = {"next_allowed": refusal.next_allowed} if refusal.next_allowed else {}
        raise BatchError(refusal.code, refusal.message, client=client, **details)
