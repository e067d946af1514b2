"""Data retention: clients untouched for seven years are listed (dry run), then de-identified
with their services kept, each audited without the removed values."""

from datetime import date, datetime
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from hmis.audit.models import AuditAction, AuditEvent
from hmis.clients.models import Client
from hmis.clients.retention import deidentify_clients, inactive_clients, retention_cutoff
from hmis.clients.ssn import set_ssn
from hmis.services.models import Service
from tests import factories as f

LONG_AGO = datetime(2015, 6, 1, 12, tzinfo=timezone.get_fixed_timezone(0))
NOW = datetime(2025, 6, 1, 12, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def old_client(org_a, day_shelter, batch, staff_a, time_machine):
    """A client served in 2015 and never touched since."""
    time_machine.move_to(LONG_AGO, tick=False)
    client = f.make_client("Old", "Timer", organization=org_a, hud_data={"SSN": "1", "Race": 1})
    set_ssn(client, "123456789")
    client.save()
    enrollment = f.enroll(
        client, day_shelter, entry_date=date(2015, 5, 1), exit_date=date(2015, 6, 1)
    )
    code = batch.service_codes.first().service_code
    for day in (1, 2, 3):
        Service.objects.create(
            client=client,
            enrollment=enrollment,
            service_code=code,
            date_provided=date(2015, 5, day),
            project=day_shelter,
        )
    f.issue_card(client)
    time_machine.move_to(NOW, tick=False)
    return client


@pytest.fixture
def recent_client(org_a, time_machine, old_client):
    time_machine.move_to(datetime(2022, 1, 1, tzinfo=timezone.get_fixed_timezone(0)), tick=False)
    client = f.make_client("Recent", "Visitor", organization=org_a)
    time_machine.move_to(NOW, tick=False)
    return client


def test_only_clients_untouched_for_seven_years_are_inactive(old_client, recent_client):
    assert list(inactive_clients(retention_cutoff())) == [old_client]
    assert list(inactive_clients(retention_cutoff(years=2))) == [old_client, recent_client]


def test_a_recent_service_keeps_an_old_client(old_client, time_machine, day_shelter):
    service = Service.objects.filter(client=old_client).first()
    service.comments = "corrected"
    service.save(update_fields=["comments", "updated_at"])
    assert not inactive_clients(retention_cutoff()).exists()


def test_an_open_ended_bar_keeps_the_client_identified(old_client, org_a):
    f.bar(old_client, organization=org_a, start_date=date(2015, 1, 1))
    assert not inactive_clients(retention_cutoff()).exists()


def test_deidentifying_blanks_identity_but_keeps_services(old_client, system_admin):
    old_client.photo.save("old.jpg", ContentFile(b"jpeg"), save=True)
    old_client.updated_at = LONG_AGO
    Client.objects.filter(pk=old_client.pk).update(updated_at=LONG_AGO)
    photo_name = old_client.photo.name
    result = deidentify_clients(client_ids=[old_client.pk], user=system_admin)
    assert (result.deidentified, result.photos_removed) == (1, 1)
    client = Client.objects.get(pk=old_client.pk)
    assert (client.first_name, client.last_name, client.dob) == ("", "", None)
    assert (client.ssn_encrypted, client.ssn_last4, client.photo.name) == ("", "", "")
    assert client.hud_data == {"Race": 1}
    assert client.deidentified_at == NOW
    assert not client.photo.storage.exists(photo_name)
    assert Service.objects.filter(client=client).count() == 3
    assert not client.cards.filter(revoked_at__isnull=True).exists()
    event = AuditEvent.objects.get(client_id=client.pk, action=AuditAction.CHANGE)
    assert event.actor == system_admin
    assert "Old" not in str(event.changes) and "1980" not in str(event.changes)
    assert not inactive_clients(retention_cutoff()).exists()  # not done twice


def test_command_dry_run_lists_and_changes_nothing(old_client, recent_client):
    out = StringIO()
    call_command("deidentify_inactive", stdout=out)
    text = out.getvalue()
    assert "1 client(s) with no activity since 2018-06-01 (dry run, nothing changed):" in text
    assert f"client {old_client.pk}  last changed 2015-06-01" in text
    assert "Timer" not in text  # no names on the terminal
    assert Client.objects.get(pk=old_client.pk).first_name == "Old"


def test_command_commit_deidentifies_and_is_audited(old_client, recent_client, system_admin):
    out = StringIO()
    call_command("deidentify_inactive", "--commit", "--user", "sysadmin", stdout=out)
    assert "De-identified 1 client(s)" in out.getvalue()
    assert Client.objects.get(pk=old_client.pk).first_name == ""
    assert Client.objects.get(pk=recent_client.pk).first_name == "Recent"
    assert AuditEvent.objects.filter(actor=system_admin, client_id=old_client.pk).exists()


def test_command_commit_needs_a_system_administrator(old_client, staff_a):
    with pytest.raises(CommandError, match="active system administrator"):
        call_command("deidentify_inactive", "--commit", "--user", "staff_a")
    with pytest.raises(CommandError):
        call_command("deidentify_inactive", "--commit")
    assert Client.objects.get(pk=old_client.pk).first_name == "Old"


def test_retention_period_is_configurable(old_client, recent_client, settings):
    settings.HMIS_RETENTION_YEARS = 2
    out = StringIO()
    call_command("deidentify_inactive", stdout=out)
    assert out.getvalue().startswith("2 client(s)")
