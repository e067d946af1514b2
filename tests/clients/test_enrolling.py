"""clients/enrolling.py: enrollments, exits, households and corrections, with their refusals."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from hmis.audit.models import AuditEvent
from hmis.clients import enrolling
from hmis.clients.enrolling import (
    EnrollmentError,
    EntryAssessment,
    HouseholdMember,
    correct_enrollment,
    enroll_client,
    enroll_household,
    exit_enrollment,
)
from hmis.clients.intake import IntakeError
from hmis.clients.models import Client, Enrollment
from hmis.clients.ude import ClientDetails
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db

HOMELESS = EntryAssessment(
    disabling_condition=0,
    living_situation=116,
    date_to_street_essh=date(2024, 6, 1),
    times_homeless_past_three_years=2,
    months_homeless_past_three_years=105,
)


def _audits(enrollment, action):
    return AuditEvent.objects.filter(
        object_type="clients.Enrollment", object_id=str(enrollment.pk), action=action
    )


def test_enroll_client_stores_hud_entry_elements_as_enrollment_csv_names(staff_a, day_shelter):
    client = f.make_client("Nia", "Cole")
    enrollment = enroll_client(
        client=client,
        project=day_shelter,
        entry_date=date(2025, 3, 1),
        user=staff_a,
        assessment=HOMELESS,
        reuse_open=False,
    )
    assert enrollment.relationship_to_hoh == 1
    assert enrollment.hud_data == {
        "DisablingCondition": 0,
        "LivingSituation": 116,
        "DateToStreetESSH": "2024-06-01",
        "TimesHomelessPastThreeYears": 2,
        "MonthsHomelessPastThreeYears": 105,
    }
    event = _audits(enrollment, "create").get()
    assert event.changes["LivingSituation"] == [None, 116]


def test_short_institutional_stay_asks_whether_homeless_the_night_before(staff_a, day_shelter):
    client = f.make_client()
    jail_month = EntryAssessment(disabling_condition=1, living_situation=207, length_of_stay=2)
    with pytest.raises(EnrollmentError) as refused:
        enroll_client(
            client=client,
            project=day_shelter,
            entry_date=date(2025, 3, 1),
            user=staff_a,
            assessment=jail_month,
        )
    assert refused.value.code == enrolling.INVALID_ANSWER
    assert "previous_street_essh" in refused.value.fields
    assert not Enrollment.objects.filter(client=client).exists()


def test_long_stay_drops_the_homeless_history_answers_hud_does_not_ask(staff_a, day_shelter):
    data = enrolling.hud_entry_data(
        EntryAssessment(
            disabling_condition=0,
            living_situation=410,
            length_of_stay=5,
            previous_street_essh=1,
            times_homeless_past_three_years=4,
        ),
        entry_date=date(2025, 3, 1),
    )
    assert data == {
        "DisablingCondition": 0,
        "LivingSituation": 410,
        "LengthOfStay": 5,
        "LOSUnderThreshold": 0,
    }


def test_a_value_outside_hud_lists_is_refused_beside_its_field():
    with pytest.raises(EnrollmentError) as refused:
        enrolling.hud_entry_data(
            EntryAssessment(disabling_condition=3, living_situation=17),
            entry_date=date(2025, 3, 1),
        )
    assert set(refused.value.fields) == {"disabling_condition", "living_situation"}


def test_second_open_enrollment_in_the_same_program_is_refused(staff_a, day_shelter):
    client = f.make_client("Nia", "Cole")
    f.enroll(client, day_shelter, date(2025, 1, 1))
    with pytest.raises(EnrollmentError) as refused:
        enroll_client(
            client=client,
            project=day_shelter,
            entry_date=date(2025, 6, 1),
            user=staff_a,
            reuse_open=False,
        )
    assert refused.value.code == enrolling.ALREADY_ENROLLED
    assert refused.value.message == (
        "ERROR: Nia Cole already has an open enrollment in Day Shelter (entered 01/01/2025). "
        "Exit or correct it first."
    )
    assert Enrollment.objects.filter(client=client).count() == 1


def test_desk_intake_still_reuses_the_enrollment_active_that_day(staff_a, day_shelter):
    client = f.make_client()
    first = enroll_client(
        client=client, project=day_shelter, entry_date=date(2025, 3, 1), user=staff_a
    )
    again = enroll_client(
        client=client, project=day_shelter, entry_date=date(2025, 3, 1), user=staff_a
    )
    assert first == again


def test_future_entry_date_is_refused(staff_a, day_shelter):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(EnrollmentError) as refused:
        enroll_client(
            client=f.make_client(), project=day_shelter, entry_date=tomorrow, user=staff_a
        )
    assert refused.value.code == enrolling.FUTURE_DATE


def test_exit_records_date_and_destination_and_is_audited(staff_a, day_shelter):
    enrollment = f.enroll(f.make_client(), day_shelter, date(2025, 1, 1))
    exit_enrollment(
        enrollment=enrollment, exit_date=date(2025, 2, 1), destination=410, user=staff_a
    )
    enrollment.refresh_from_db()
    assert (enrollment.exit_date, enrollment.destination) == (date(2025, 2, 1), 410)
    assert enrollment.hud_exit_id
    assert _audits(enrollment, "change").get().changes == {
        "exit_date": [None, "2025-02-01"],
        "destination": [None, 410],
    }


def test_exit_before_entry_is_refused_and_changes_nothing(staff_a, day_shelter):
    enrollment = f.enroll(f.make_client(), day_shelter, date(2025, 3, 1))
    with pytest.raises(EnrollmentError) as refused:
        exit_enrollment(
            enrollment=enrollment, exit_date=date(2025, 2, 28), destination=410, user=staff_a
        )
    assert refused.value.code == enrolling.EXIT_BEFORE_ENTRY
    assert refused.value.message == (
        "ERROR: Exit Date (02/28/2025) cannot be before the Entry Date (03/01/2025)."
    )
    enrollment.refresh_from_db()
    assert enrollment.exit_date is None and not _audits(enrollment, "change").exists()


def test_exit_before_the_last_service_is_refused(staff_a, day_shelter, batch):
    client = f.make_client()
    enrollment = f.enroll(client, day_shelter, date(2025, 1, 1))
    Service.objects.create(
        client=client,
        enrollment=enrollment,
        service_code=batch.service_codes.first().service_code,
        date_provided=date(2025, 3, 10),
        project=day_shelter,
    )
    with pytest.raises(EnrollmentError) as refused:
        exit_enrollment(
            enrollment=enrollment, exit_date=date(2025, 3, 9), destination=410, user=staff_a
        )
    assert refused.value.code == enrolling.EXIT_BEFORE_LAST_SERVICE
    assert "(03/10/2025)" in refused.value.message
    exit_enrollment(
        enrollment=enrollment, exit_date=date(2025, 3, 10), destination=410, user=staff_a
    )


def test_destination_must_be_from_hud_list(staff_a, day_shelter):
    enrollment = f.enroll(f.make_client(), day_shelter, date(2025, 1, 1))
    with pytest.raises(EnrollmentError) as refused:
        # 37 (worker unable to determine) is not a valid Destination.
        exit_enrollment(
            enrollment=enrollment, exit_date=date(2025, 2, 1), destination=37, user=staff_a
        )
    assert refused.value.code == enrolling.INVALID_ANSWER


def test_correcting_an_enrollment_audits_old_and_new_values(staff_a, day_shelter):
    enrollment = f.enroll(
        f.make_client(), day_shelter, date(2025, 1, 1), exit_date=date(2025, 2, 1), destination=410
    )
    correct_enrollment(
        enrollment=enrollment,
        user=staff_a,
        entry_date=date(2025, 1, 5),
        relationship_to_hoh=1,
        assessment=HOMELESS,
        exit_date=date(2025, 2, 3),
        destination=411,
    )
    enrollment.refresh_from_db()
    assert (enrollment.entry_date, enrollment.exit_date, enrollment.destination) == (
        date(2025, 1, 5),
        date(2025, 2, 3),
        411,
    )
    changes = _audits(enrollment, "change").get().changes
    assert changes["entry_date"] == ["2025-01-01", "2025-01-05"]
    assert changes["destination"] == [410, 411]
    assert changes["LivingSituation"] == [None, 116]


def test_correcting_into_an_overlap_with_another_enrollment_is_refused(staff_a, day_shelter):
    client = f.make_client()
    earlier = f.enroll(
        client, day_shelter, date(2024, 1, 1), exit_date=date(2024, 6, 1), destination=410
    )
    f.enroll(client, day_shelter, date(2025, 1, 1))
    with pytest.raises(EnrollmentError) as refused:
        correct_enrollment(
            enrollment=earlier,
            user=staff_a,
            entry_date=date(2024, 1, 1),
            relationship_to_hoh=1,
            assessment=HOMELESS,
            exit_date=date(2025, 2, 1),
            destination=410,
        )
    assert refused.value.code == enrolling.ALREADY_ENROLLED
    earlier.refresh_from_db()
    assert earlier.exit_date == date(2024, 6, 1)


def test_household_shares_one_household_id_with_relationships(staff_a, day_shelter):
    head, partner, child = f.make_client("Ana"), f.make_client("Ben"), f.make_client("Cy")
    enrollments = enroll_household(
        head=head,
        members=[HouseholdMember(partner, 3), HouseholdMember(child, 2, disabling_condition=0)],
        project=day_shelter,
        entry_date=date(2025, 3, 1),
        user=staff_a,
        assessment=HOMELESS,
    )
    assert len({e.household_id for e in enrollments}) == 1
    assert [e.relationship_to_hoh for e in enrollments] == [1, 3, 2]
    assert enrollments[2].hud_data["DisablingCondition"] == 0


def test_household_with_a_refused_member_enrolls_no_one(staff_a, day_shelter):
    head, member = f.make_client("Ana"), f.make_client("Ben", "Open")
    f.enroll(member, day_shelter, date(2025, 1, 1))
    with pytest.raises(EnrollmentError) as refused:
        enroll_household(
            head=head,
            members=[HouseholdMember(member, 3)],
            project=day_shelter,
            entry_date=date(2025, 3, 1),
            user=staff_a,
        )
    assert refused.value.code == enrolling.ALREADY_ENROLLED
    assert "Ben Open" in refused.value.fields["members"]
    assert not Enrollment.objects.filter(client=head).exists()


def _new_member_details(**overrides) -> ClientDetails:
    values = {
        "first_name": "Dana",
        "last_name": "Newkid",
        "ssn_data_quality": 99,
        "dob": date(2015, 4, 5),
        "races": ("White",),
        "sex": 0,
        "veteran_status": 99,
    }
    return ClientDetails(**{**values, **overrides})


def test_household_with_a_new_member_through_the_intake_shares_one_household_id(
    staff_a, day_shelter
):
    head, partner = f.make_client("Ana"), f.make_client("Ben")
    enrollments = enroll_household(
        head=head,
        members=[
            HouseholdMember(None, 2, disabling_condition=0, details=_new_member_details()),
            HouseholdMember(partner, 3),
        ],
        project=day_shelter,
        entry_date=date(2025, 3, 1),
        user=staff_a,
        assessment=HOMELESS,
    )
    new = Client.objects.get(last_name="Newkid")
    assert [e.client for e in enrollments] == [head, new, partner]
    assert len({e.household_id for e in enrollments}) == 1
    assert [e.relationship_to_hoh for e in enrollments] == [1, 2, 3]
    assert new.organization_id == staff_a.organization_id and new.dob == date(2015, 4, 5)
    assert new.hud_data["White"] == 1
    assert AuditEvent.objects.filter(client_id=new.pk, action="create").exists()


def test_household_refusal_creates_no_new_member_client(staff_a, day_shelter):
    head, member = f.make_client("Ana"), f.make_client("Ben", "Open")
    f.enroll(member, day_shelter, date(2025, 1, 1))
    before = Client.objects.count()
    with pytest.raises(EnrollmentError) as refused:
        enroll_household(
            head=head,
            members=[
                HouseholdMember(None, 2, details=_new_member_details()),
                HouseholdMember(member, 3),
            ],
            project=day_shelter,
            entry_date=date(2025, 3, 1),
            user=staff_a,
        )
    assert refused.value.code == enrolling.ALREADY_ENROLLED
    assert Client.objects.count() == before
    assert not Client.objects.filter(last_name="Newkid").exists()
    assert not Enrollment.objects.filter(client=head).exists()


def test_household_new_member_breaking_a_hud_rule_writes_nothing(staff_a, day_shelter):
    head = f.make_client("Ana")
    with pytest.raises(IntakeError) as refused:
        enroll_household(
            head=head,
            members=[HouseholdMember(None, 2, details=_new_member_details(dob=date(2999, 1, 1)))],
            project=day_shelter,
            entry_date=date(2025, 3, 1),
            user=staff_a,
        )
    assert refused.value.code == "dob_in_future"
    assert not Enrollment.objects.exists()
    assert not Client.objects.filter(first_name="Dana").exists()


def test_hud_csv_export_carries_the_entry_elements_and_the_exit(staff_a, day_shelter):
    import io

    from hmis.hudcsv.exporting import export_hud_csv
    from tests.hudcsv.conftest import rows_of, unzip

    client = f.make_client("Nia", "Cole", organization=staff_a.organization)
    enrollment = enroll_client(
        client=client,
        project=day_shelter,
        entry_date=date(2025, 10, 2),
        user=staff_a,
        assessment=HOMELESS,
    )
    exit_enrollment(
        enrollment=enrollment, exit_date=date(2025, 11, 3), destination=410, user=staff_a
    )
    buffer = io.BytesIO()
    export_hud_csv(output=buffer, start=date(2025, 10, 1), end=date(2025, 12, 31))
    files = unzip(buffer.getvalue())
    (row,) = [
        r
        for r in rows_of(files["Enrollment.csv"])
        if r["EnrollmentID"] == enrollment.hud_enrollment_id
    ]
    assert (row["DisablingCondition"], row["LivingSituation"], row["DateToStreetESSH"]) == (
        "0",
        "116",
        "2024-06-01",
    )
    assert (row["TimesHomelessPastThreeYears"], row["MonthsHomelessPastThreeYears"]) == ("2", "105")
    (exit_row,) = [
        r for r in rows_of(files["Exit.csv"]) if r["EnrollmentID"] == enrollment.hud_enrollment_id
    ]
    assert (exit_row["ExitDate"], exit_row["Destination"]) == ("2025-11-03", "410")


def test_correcting_the_entry_date_past_the_first_service_is_refused(staff_a, day_shelter, batch):
    client = f.make_client()
    enrollment = f.enroll(client, day_shelter, date(2025, 1, 1))
    Service.objects.create(
        client=client,
        enrollment=enrollment,
        service_code=batch.service_codes.first().service_code,
        date_provided=date(2025, 1, 10),
        project=day_shelter,
    )
    with pytest.raises(EnrollmentError) as refused:
        correct_enrollment(
            enrollment=enrollment,
            user=staff_a,
            entry_date=date(2025, 1, 11),
            relationship_to_hoh=1,
            assessment=HOMELESS,
        )
    assert refused.value.code == enrolling.ENTRY_AFTER_FIRST_SERVICE
    enrollment.refresh_from_db()
    assert enrollment.entry_date == date(2025, 1, 1)


def test_an_imported_date_that_is_not_a_date_is_asked_again():
    assessment = EntryAssessment.from_hud_data(
        {"DateToStreetESSH": "sometime", "LivingSituation": 116}
    )
    assert assessment.date_to_street_essh is None and assessment.living_situation == 116


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_enrollments_of_one_client_make_one(staff_a, day_shelter):
    import threading

    from django.db import connection

    client = f.make_client()
    barrier = threading.Barrier(2)
    made, refused, failures = [], [], []

    def desk(day):
        try:
            barrier.wait(timeout=10)
            made.append(
                enroll_client(
                    client=client,
                    project=day_shelter,
                    entry_date=day,
                    user=staff_a,
                    reuse_open=False,
                )
            )
        except EnrollmentError as refusal:
            refused.append(refusal.code)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=desk, args=(d,)) for d in (date(2025, 3, 1), date(2025, 3, 2))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert (len(made), refused) == (1, [enrolling.ALREADY_ENROLLED])
    assert Enrollment.objects.filter(client=client).count() == 1


def test_a_client_enrolled_alone_is_their_own_head_of_household(staff_a, day_shelter):
    with pytest.raises(EnrollmentError) as refused:
        enroll_client(
            client=f.make_client(),
            project=day_shelter,
            entry_date=date(2025, 3, 1),
            user=staff_a,
            relationship_to_hoh=2,
        )
    assert refused.value.code == enrolling.HOUSEHOLD_INVALID


def test_a_correction_may_not_leave_a_household_without_a_head(staff_a, day_shelter):
    head, child = f.make_client("Ana"), f.make_client("Cy")
    head_enrollment, child_enrollment = enroll_household(
        head=head,
        members=[HouseholdMember(child, 2)],
        project=day_shelter,
        entry_date=date(2025, 3, 1),
        user=staff_a,
    )
    with pytest.raises(EnrollmentError) as refused:
        correct_enrollment(
            enrollment=head_enrollment,
            user=staff_a,
            entry_date=date(2025, 3, 1),
            relationship_to_hoh=3,
            assessment=HOMELESS,
        )
    assert refused.value.code == enrolling.HOUSEHOLD_INVALID
    with pytest.raises(EnrollmentError):  # nor with two heads
        correct_enrollment(
            enrollment=child_enrollment,
            user=staff_a,
            entry_date=date(2025, 3, 1),
            relationship_to_hoh=1,
            assessment=HOMELESS,
        )
    # A relationship among members can change freely.
    correct_enrollment(
        enrollment=child_enrollment,
        user=staff_a,
        entry_date=date(2025, 3, 1),
        relationship_to_hoh=4,
        assessment=HOMELESS,
    )
    child_enrollment.refresh_from_db()
    assert child_enrollment.relationship_to_hoh == 4
