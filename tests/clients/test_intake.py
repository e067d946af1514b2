"""clients/intake.py: new clients, enrollments and photos from the desk, with audit."""

from datetime import date

import pytest
from django.core.files.base import ContentFile

from hmis.audit.models import AuditEvent
from hmis.clients.enrolling import enroll_client
from hmis.clients.intake import (
    IntakeError,
    create_client,
    set_client_photo,
    update_client,
)
from hmis.clients.models import Client, Enrollment
from hmis.clients.ssn import get_ssn
from hmis.clients.ude import ClientDetails

pytestmark = pytest.mark.django_db


def test_create_client_belongs_to_the_users_organization_and_is_audited(staff_a):
    client = create_client(user=staff_a, first_name=" Nia ", last_name="Cole", dob=None)
    assert (client.first_name, client.last_name) == ("Nia", "Cole")
    assert client.organization == staff_a.organization and client.created_by == staff_a
    assert client.dob_data_quality == 99
    assert AuditEvent.objects.filter(client_id=client.pk, action="create").exists()


def test_enroll_client_enrolls_once_and_is_audited(staff_a, day_shelter):
    client = create_client(user=staff_a, first_name="Nia", last_name="Cole", dob=date(1990, 1, 2))
    first = enroll_client(
        client=client, project=day_shelter, entry_date=date(2026, 3, 1), user=staff_a
    )
    again = enroll_client(
        client=client, project=day_shelter, entry_date=date(2026, 3, 1), user=staff_a
    )
    assert first == again
    assert Enrollment.objects.filter(client=client).count() == 1
    assert first.entry_date == date(2026, 3, 1) and first.created_by == staff_a
    assert (
        AuditEvent.objects.filter(
            client_id=client.pk, object_type="clients.Enrollment", action="create"
        ).count()
        == 1
    )


def test_set_client_photo_stores_the_file_and_audits(staff_a, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    client = create_client(user=staff_a, first_name="Nia", last_name="Cole")
    set_client_photo(client=client, user=staff_a, photo=ContentFile(b"png", name="face.png"))
    client.refresh_from_db()
    assert client.photo.name.startswith("client-photos/")
    assert AuditEvent.objects.filter(client_id=client.pk, message="Photo uploaded").exists()


# ---- HUD Universal Data Elements at intake and on edit ----------------------------------------


def _details(**overrides) -> ClientDetails:
    values = {
        "first_name": "Nia",
        "last_name": "Cole",
        "name_data_quality": 1,
        "ssn": "123-45-6789",
        "ssn_data_quality": 1,
        "dob": date(1990, 1, 2),
        "dob_data_quality": 1,
        "races": ("BlackAfAmerican", "HispanicLatinao"),
        "additional_race_ethnicity": "Afro-Caribbean",
        "sex": 0,
        "veteran_status": 0,
    }
    return ClientDetails(**{**values, **overrides})


def test_create_client_stores_every_universal_data_element(staff_a):
    client = create_client(user=staff_a, details=_details())
    client.refresh_from_db()
    assert client.ssn_last4 == "6789" and get_ssn(client) == "123456789"
    assert (client.name_data_quality, client.ssn_data_quality, client.dob_data_quality) == (1, 1, 1)
    assert client.hud_data["BlackAfAmerican"] == 1 and client.hud_data["White"] == 0
    assert client.hud_data["HispanicLatinao"] == 1 and "RaceNone" not in client.hud_data
    assert client.hud_data["AdditionalRaceEthnicity"] == "Afro-Caribbean"
    assert client.hud_data["Sex"] == 0 and client.veteran_status == 0
    event = AuditEvent.objects.get(client_id=client.pk, action="create")
    assert event.changes["ssn"] == "[redacted]"  # the audit never keeps an SSN
    assert "123456789" not in str(event.changes)


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"last_name": ""}, "last_name", "name_required"),
        (
            {"first_name": "", "last_name": "", "name_data_quality": 2},
            "first_name",
            "name_partial_required",
        ),
        ({"name_data_quality": 9}, "name_data_quality", "name_not_expected"),
        ({"ssn": "12345"}, "ssn", "invalid_ssn"),
        ({"ssn": "000-12-3456"}, "ssn", "invalid_ssn"),
        ({"ssn": ""}, "ssn", "ssn_required"),
        ({"ssn_data_quality": 8}, "ssn_data_quality", "ssn_not_expected"),
        ({"dob": None}, "dob", "dob_required"),
        ({"dob_data_quality": 99}, "dob_data_quality", "dob_not_expected"),
        ({"dob": date(2999, 1, 1)}, "dob", "dob_in_future"),
        ({"races": ("Martian",), "race_none": None}, "races", "invalid_choice"),
        ({"race_none": 9}, "races", "race_conflict"),
        ({"veteran_status": 1, "dob": date(2015, 1, 1)}, "veteran_status", "veteran_minor"),
        ({"sex": 5}, "sex", "invalid_choice"),
    ],
)
def test_create_client_refuses_what_breaks_a_hud_rule_and_writes_nothing(
    staff_a, overrides, field, code
):
    with pytest.raises(IntakeError) as refused:
        create_client(user=staff_a, details=_details(**overrides))
    assert refused.value.code == code
    assert refused.value.problems[0].field == field
    assert not Client.objects.exists()


def test_missing_data_answers_take_no_value(staff_a):
    client = create_client(
        user=staff_a,
        details=_details(
            ssn="", ssn_data_quality=9, dob=None, dob_data_quality=8, races=(), race_none=8
        ),
    )
    assert client.ssn_last4 == "" and client.dob is None and client.hud_data["RaceNone"] == 8


def test_partial_ssn_keeps_x_for_unknown_digits(staff_a):
    client = create_client(user=staff_a, details=_details(ssn="xxxxx1234", ssn_data_quality=2))
    assert get_ssn(client) == "xxxxx1234" and client.ssn_last4 == "1234"


def test_update_client_audits_old_and_new_values_of_what_changed(staff_a):
    client = create_client(user=staff_a, details=_details())
    edited = update_client(
        client=client,
        user=staff_a,
        details=_details(last_name="Cole-Grant", ssn="", races=("White",), veteran_status=99),
    )
    edited.refresh_from_db()
    assert edited.last_name == "Cole-Grant" and get_ssn(edited) == "123456789"
    event = AuditEvent.objects.get(client_id=client.pk, action="change")
    assert event.changes["last_name"] == ["Cole", "Cole-Grant"]
    assert event.changes["White"] == [0, 1] and event.changes["veteran_status"] == [0, 99]
    assert "ssn" not in event.changes and "first_name" not in event.changes


def test_update_client_with_nothing_changed_writes_no_audit_row(staff_a):
    client = create_client(user=staff_a, details=_details())
    update_client(client=client, user=staff_a, details=_details(ssn=""))
    assert not AuditEvent.objects.filter(client_id=client.pk, action="change").exists()


def test_update_client_refusal_changes_nothing(staff_a):
    client = create_client(user=staff_a, details=_details())
    with pytest.raises(IntakeError):
        update_client(client=client, user=staff_a, details=_details(first_name=""))
    client.refresh_from_db()
    assert client.first_name == "Nia"
