"""The audit trail: written in the change's transaction, append-only, no SSN or birth date."""

import logging

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from hmis.audit.logfilters import RedactSsnFilter, redact_ssn
from hmis.audit.models import AuditAction, AuditEvent
from hmis.audit.recording import (
    record,
    record_export,
    record_print,
    record_read,
    request_address,
)
from hmis.clients.models import Client


def test_audit_row_rolls_back_with_its_change(staff_a, client_a):
    with pytest.raises(RuntimeError), transaction.atomic():
        client_a.first_name = "Changed"
        client_a.save(update_fields=["first_name"])
        record(
            actor=staff_a,
            action=AuditAction.CHANGE,
            obj=client_a,
            client_id=client_a.pk,
            changes={"first_name": ["Marisol", "Changed"]},
        )
        raise RuntimeError("the change fails after the audit row was written")
    client_a.refresh_from_db()
    assert client_a.first_name == "Marisol"
    assert not AuditEvent.objects.filter(client_id=client_a.pk).exists()


def test_audit_row_commits_with_its_change(staff_a, client_a):
    with transaction.atomic():
        client_a.first_name = "Changed"
        client_a.save(update_fields=["first_name"])
        record(actor=staff_a, action=AuditAction.CHANGE, obj=client_a, client_id=client_a.pk)
    assert AuditEvent.objects.filter(client_id=client_a.pk, action="change").count() == 1


def test_audit_rows_cannot_be_changed_or_deleted_through_the_orm(staff_a):
    event = record(actor=staff_a, action=AuditAction.LOGIN, message="Signed in")
    event.message = "edited"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(message="edited")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_to_update_an_audit_row(staff_a):
    event = record(actor=staff_a, action=AuditAction.LOGIN, message="Signed in")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditevent SET message = 'edited' WHERE id = %s", [event.pk]
            )
    assert AuditEvent.objects.get(pk=event.pk).message == "Signed in"


@pytest.mark.postgres
def test_postgres_refuses_to_delete_an_audit_row(staff_a):
    event = record(actor=staff_a, action=AuditAction.LOGIN, message="Signed in")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_birth_dates_and_ssns_are_redacted_at_any_depth_and_any_case(staff_a, client_a):
    event = record(
        actor=staff_a,
        action=AuditAction.CHANGE,
        obj=client_a,
        changes={
            "dob": ["1979-03-14", "1979-03-15"],
            "ssn": ["", "123456789"],
            "hud_data": {"SSN": "123456789", "DOB": "1979-03-14", "VeteranStatus": 0},
            "first_name": ["Marisol", "Mari"],
        },
    )
    event.refresh_from_db()
    assert event.changes["dob"] == "[redacted]"
    assert event.changes["ssn"] == "[redacted]"
    assert event.changes["hud_data"] == {
        "SSN": "[redacted]",
        "DOB": "[redacted]",
        "VeteranStatus": 0,
    }
    assert event.changes["first_name"] == ["Marisol", "Mari"]
    assert "1979-03-14" not in str(event.changes)


def _request(user, address="192.0.2.10", **meta):
    request = RequestFactory().get("/", REMOTE_ADDR=address, **meta)
    request.user = user
    return request


def test_reading_a_client_record_is_audited(staff_a, client_a):
    event = record_read(_request(staff_a), client_a)
    assert (event.action, event.client_id, event.actor) == (AuditAction.READ, client_a.pk, staff_a)
    assert event.object_type == "clients.Client"
    assert event.organization_id == staff_a.organization_id
    assert event.ip_address == "192.0.2.10"


def test_exports_and_prints_are_audited_without_their_data(staff_a, client_a):
    export = record_export(
        _request(staff_a), what="HUD CSV export", details={"rows": 12, "from": "2025-01-01"}
    )
    assert export.action == AuditAction.EXPORT
    assert export.changes == {"rows": 12, "from": "2025-01-01"}
    printed = record_print(_request(staff_a), what="Community card sheet", client=client_a)
    assert (printed.action, printed.client_id) == (AuditAction.PRINT, client_a.pk)


def test_forwarded_address_is_trusted_only_behind_configured_proxies(settings, staff_a):
    request = _request(staff_a, "10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4")
    assert request_address(request) == "10.0.0.2"
    settings.HMIS_TRUSTED_PROXY_COUNT = 1
    assert request_address(request) == "198.51.100.4"


@pytest.mark.parametrize("text", ["SSN 123-45-6789 given", "ssn=123456789", "ssn 123 45 6789."])
def test_logs_never_carry_an_ssn(text):
    assert "6789" not in redact_ssn(text)


def test_log_filter_leaves_other_numbers_alone():
    assert redact_ssn("client 1234567 batch 42 card ABCD123456789X") == (
        "client 1234567 batch 42 card ABCD123456789X"
    )


def test_configured_log_handler_redacts_ssns(caplog):
    logger = logging.getLogger("hmis.test")
    record_ = logger.makeRecord(
        "hmis.test", logging.INFO, __file__, 1, "ssn %s", ("123-45-6789",), None
    )
    RedactSsnFilter().filter(record_)
    assert record_.getMessage() == "ssn [redacted-ssn]"


def test_client_rows_never_hold_a_plain_ssn(client_a):
    from hmis.clients.ssn import set_ssn

    set_ssn(client_a, "123-45-6789")
    client_a.save(update_fields=["ssn_encrypted", "ssn_last4"])
    row = Client.objects.filter(pk=client_a.pk).values().get()
    assert "123456789" not in str(row)
    assert "123-45-6789" not in str(row)
