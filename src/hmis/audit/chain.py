"""The audit trail as a hash chain: someone with database access cannot remove or change a row
without `hmis verify-audit` noticing.

Each row gets the next sequence number (`seq`, 1, 2, 3... with no gap), the hash of the row
before it (`prev_hash`) and its own hash (`row_hash`): the SHA-256 of its content and
`prev_hash`. Changing a row breaks its hash; removing one leaves a gap in `seq` and a broken link.
Removing the newest rows leaves a shorter chain that is still whole: compare the head that
`verify-audit` prints with one noted earlier (`--expect SEQ:HASH`).

Rows get their predecessor one writer at a time: a transaction-scoped lock (PostgreSQL: an
advisory lock; SQLite: its single write lock, taken at BEGIN IMMEDIATE) is held from the moment
a transaction writes its first audit row until it commits, so two writers never read the same
last row. Write audit rows after taking the other locks a change needs, as the domain functions
do, so that no transaction waits for a row lock while holding the chain.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC

from django.db import connection

from hmis.audit.models import AuditEvent

# pg_advisory_xact_lock key: "audit chain" (any constant no other code uses).
CHAIN_LOCK_KEY = 0x41554449_54434841
GENESIS = "0" * 64


def row_hash(event: AuditEvent) -> str:
    """SHA-256 of the row's content and its predecessor's hash, as stored (values are read the
    way the database gives them back, so a row hashes the same before and after saving)."""
    ip_field = AuditEvent._meta.get_field("ip_address")
    content = {
        "seq": event.seq,
        "prev": event.prev_hash,
        "at": event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": event.actor_id,
        "organization": event.organization_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "client_id": event.client_id,
        "changes": json.loads(json.dumps(event.changes)),
        "message": event.message,
        "ip_address": ip_field.get_prep_value(event.ip_address),
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def link(events: list[AuditEvent]) -> None:
    """Give `events` (unsaved) the next sequence numbers and hashes. Call inside the transaction
    that saves them: the chain stays locked to other writers until it commits."""
    if not events:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
    last = (
        AuditEvent.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "row_hash")
        .first()
    )
    seq, previous = last if last else (0, GENESIS)
    for event in events:
        seq += 1
        event.seq, event.prev_hash = seq, previous
        event.row_hash = previous = row_hash(event)


@dataclass
class Verification:
    rows: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


MAX_PROBLEMS = 100


def _in_seq_order(chunk: int = 2000) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=after).order_by("seq")[:chunk])
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def verify(*, expect: tuple[int, str] | None = None) -> Verification:
    """Walk the chain from the first row; list every row changed, removed or added outside it.

    `expect` (seq, hash): a head noted earlier, which must still be in the chain (catches the
    newest rows being removed)."""
    result = Verification()
    problems = result.problems
    previous_seq, previous_hash = 0, GENESIS
    for event in _in_seq_order():
        result.rows += 1
        if event.seq != previous_seq + 1:
            missing = event.seq - previous_seq - 1
            problems.append(
                f"{missing} row(s) removed: seq {previous_seq + 1} to {event.seq - 1} are missing."
            )
        elif event.prev_hash != previous_hash:
            problems.append(f"Row seq {event.seq} (id {event.pk}) does not follow the row before.")
        if row_hash(event) != event.row_hash:
            problems.append(
                f"Row seq {event.seq} (id {event.pk}) was changed after it was written."
            )
        if expect and event.seq == expect[0] and event.row_hash != expect[1]:
            problems.append(f"Row seq {event.seq} is not the row noted earlier (hash differs).")
        previous_seq, previous_hash = event.seq, event.row_hash
        if len(problems) >= MAX_PROBLEMS:
            problems.append("Too many problems: stopped here.")
            break
    result.head_seq, result.head_hash = previous_seq, previous_hash
    if expect and expect[0] > previous_seq:
        problems.append(
            f"The chain ends at seq {previous_seq}, before seq {expect[0]} noted earlier: "
            "the newest rows were removed."
        )
    unchained = AuditEvent.objects.filter(seq__isnull=True).count()
    if unchained:
        problems.append(f"{unchained} row(s) were written outside the chain.")
    return result
