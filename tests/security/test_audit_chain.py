"""Finding 6: the audit trail is hash-chained, so `hmis verify-audit` detects a row removed or
changed by someone with database access; PostgreSQL also refuses TRUNCATE."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from hmis.audit.chain import verify
from hmis.audit.models import AuditAction, AuditEvent
from hmis.audit.recording import build_event, record, record_many

pytestmark = pytest.mark.django_db


def _write_trail(user, n=5):
    for i in range(n):
        record(
            actor=user,
            action=AuditAction.CHANGE,
            obj=user,
            message=f"row {i}",
            changes={"n": [i, i + 1], "note": "café"},
            ip_address="2001:db8::1",
        )
    record_many(
        build_event(actor=user, action=AuditAction.READ, obj=user, message=f"read {i}")
        for i in range(3)
    )


def _as_database_owner(sql, params=()):
    """What someone with database access can do: set the append-only trigger aside."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's own inserts have deferred foreign-key checks pending: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
            cursor.execute(sql, params)


def test_rows_are_numbered_and_linked_and_verify(staff_a):
    _write_trail(staff_a)

    rows = list(AuditEvent.objects.order_by("seq"))
    assert [row.seq for row in rows] == list(range(1, 9))
    assert all(
        row.prev_hash == before.row_hash for before, row in zip(rows, rows[1:], strict=False)
    )
    result = verify()
    assert (result.ok, result.rows, result.head_seq) == (True, 8, 8)
    call_command("verify_audit")


def test_verify_detects_a_removed_row(staff_a):
    _write_trail(staff_a)
    middle = AuditEvent.objects.get(seq=4)

    _as_database_owner("DELETE FROM audit_auditevent WHERE id = %s", [middle.pk])

    result = verify()
    assert not result.ok
    assert "seq 4 to 4 are missing" in result.problems[0]
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_verify_detects_a_changed_row(staff_a):
    _write_trail(staff_a)
    row = AuditEvent.objects.get(seq=3)

    _as_database_owner(
        "UPDATE audit_auditevent SET message = %s WHERE id = %s", ["nothing happened", row.pk]
    )

    assert verify().problems == [f"Row seq 3 (id {row.pk}) was changed after it was written."]


def test_verify_detects_a_row_rewritten_with_a_fresh_hash(staff_a):
    """Recomputing the changed row's own hash does not help: the next row's link breaks."""
    from hmis.audit.chain import row_hash

    _write_trail(staff_a)
    row = AuditEvent.objects.get(seq=3)
    row.message = "nothing happened"
    forged = row_hash(row)

    _as_database_owner(
        "UPDATE audit_auditevent SET message = %s, row_hash = %s WHERE id = %s",
        ["nothing happened", forged, row.pk],
    )

    assert any("seq 4" in problem and "does not follow" in problem for problem in verify().problems)


def test_verify_with_a_noted_head_detects_the_newest_rows_removed(staff_a):
    _write_trail(staff_a)
    head = verify()
    _as_database_owner("DELETE FROM audit_auditevent WHERE seq >= %s", [7])

    assert verify().ok  # a shorter chain is still whole...
    with pytest.raises(CommandError):  # ...but not the one noted earlier
        call_command("verify_audit", expect=f"{head.head_seq}:{head.head_hash}")


@pytest.mark.postgres
def test_postgresql_refuses_truncate_of_the_audit_trail(staff_a):
    _write_trail(staff_a, n=1)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending FK checks
            cursor.execute("TRUNCATE audit_auditevent")

    assert AuditEvent.objects.count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_chain_stays_whole_under_concurrent_writers_on_postgresql(staff_a):
    writers, rows_each = 6, 15
    barrier = threading.Barrier(writers)
    failures = []

    def write(n):
        try:
            barrier.wait()
            for i in range(rows_each):
                with transaction.atomic():
                    record(
                        actor=staff_a,
                        action=AuditAction.CHANGE,
                        obj=staff_a,
                        message=f"writer {n} row {i}",
                    )
                    if i % 3 == 0:
                        record_many(
                            build_event(actor=staff_a, action=AuditAction.READ, obj=staff_a)
                            for _ in range(2)
                        )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    expected = writers * (rows_each + 2 * len(range(0, rows_each, 3)))
    result = verify()
    assert (result.ok, result.rows, result.head_seq) == (True, expected, expected), result.problems
