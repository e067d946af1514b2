"""Auto-exit: enrollments with no service for the program's N days are exited the day after the
last service, with destination 30, audited, once."""

from datetime import date

import pytest
from django.utils import timezone

from hmis.audit.models import AuditEvent
from hmis.clients.models import Enrollment
from hmis.schedules.autoexit import auto_exit_enrollments
from hmis.services.models import Service
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 31)


def service_on(enrollment, day, code, **fields):
    return Service.objects.create(
        client=enrollment.client,
        enrollment=enrollment,
        service_code=code,
        date_provided=day,
        project=enrollment.project,
        **fields,
    )


def test_enrollments_without_service_for_n_days_are_exited_the_day_after_the_last(
    org_a, day_shelter
):
    day_shelter.auto_exit_days = 30
    day_shelter.save(update_fields=["auto_exit_days"])
    code = f.make_code()
    stale = f.enroll(f.make_client(organization=org_a), day_shelter, entry_date=date(2025, 1, 1))
    service_on(stale, date(2025, 2, 28), code)
    voided = {"deleted_at": timezone.now(), "void_reason": "Wrong client"}
    service_on(stale, date(2025, 3, 20), code, **voided)
    recent = f.enroll(f.make_client(organization=org_a), day_shelter, entry_date=date(2025, 1, 1))
    service_on(recent, date(2025, 3, 1), code)  # 30 days ago: not yet
    never = f.enroll(f.make_client(organization=org_a), day_shelter, entry_date=date(2025, 2, 1))
    other_program = f.enroll(
        f.make_client(organization=org_a), f.make_project(org_a), entry_date=date(2024, 1, 1)
    )

    summary = auto_exit_enrollments(day=DAY)

    assert summary == {"exited": {str(day_shelter.pk): sorted([stale.pk, never.pk])}}
    stale.refresh_from_db()
    assert stale.exit_date == date(2025, 3, 1)  # the voided service of 3/20 does not count
    assert stale.destination == 30 and stale.hud_exit_id
    never.refresh_from_db()
    assert never.exit_date == date(2025, 2, 2)
    for untouched in (recent, other_program):
        untouched.refresh_from_db()
        assert untouched.exit_date is None
    event = AuditEvent.objects.get(object_type="clients.Enrollment", object_id=str(stale.pk))
    assert event.message == "Auto-exit: no service for 30 days"
    assert event.changes["exit_date"] == [None, "2025-03-01"]

    assert auto_exit_enrollments(day=DAY) == {"exited": {}}
    assert Enrollment.objects.filter(exit_date__isnull=False).count() == 2


def test_auto_exits_are_listed_for_the_agency_administrator_of_their_organization(
    client, org_a, org_b, day_shelter
):
    from django.urls import reverse

    from hmis.accounts.models import Role

    day_shelter.auto_exit_days = 30
    day_shelter.save(update_fields=["auto_exit_days"])
    stale = f.enroll(f.make_client(organization=org_a), day_shelter, entry_date=date(2025, 1, 1))
    auto_exit_enrollments(day=DAY)

    client.force_login(f.make_user(org_a, Role.AGENCY_ADMIN))
    page = client.get(reverse("schedules:auto_exits")).content.decode()
    assert f'href="/clients/{stale.client_id}/"' in page
    assert "Day Shelter" in page and "2025-01-02" in page

    client.force_login(f.make_user(org_b, Role.AGENCY_ADMIN))
    page = client.get(reverse("schedules:auto_exits")).content.decode()
    assert "No enrollment has been auto-exited." in page

    client.force_login(f.make_user(org_a, Role.STAFF))
    assert client.get(reverse("schedules:auto_exits")).status_code == 403
