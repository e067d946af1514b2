"""services/providing.py: a single service outside a batch, under the batches' rules."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from hmis.audit.models import AuditEvent
from hmis.batches.errors import ENROLLMENT_REQUIRED, BatchError
from hmis.services.models import Service
from hmis.services.providing import provide_service
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def code(batch):
    return batch.service_codes.first().service_code


def _provide(client, project, code, user, day=date(2025, 3, 3), **extra):
    return provide_service(
        client=client,
        project=project,
        service_code=code,
        date_provided=day,
        units=extra.pop("units", 2),
        comments=extra.pop("comments", " Walk-in "),
        user=user,
        **extra,
    )


def test_service_is_posted_on_the_enrollment_active_that_day(staff_a, day_shelter, code):
    client = f.make_client()
    enrollment = f.enroll(client, day_shelter, date(2025, 1, 1))
    service = _provide(client, day_shelter, code, staff_a)
    assert (service.enrollment, service.units, service.comments) == (enrollment, 2, "Walk-in")
    assert service.provider == staff_a and service.batch_entry is None
    assert AuditEvent.objects.filter(
        object_type="services.Service", object_id=str(service.pk), action="create"
    ).exists()


def test_unenrolled_client_gets_the_desk_message(staff_a, day_shelter, code):
    client = f.make_client()
    f.enroll(client, day_shelter, date(2025, 1, 1), exit_date=date(2025, 3, 2), destination=410)
    with pytest.raises(BatchError) as refused:
        _provide(client, day_shelter, code, staff_a)
    assert (refused.value.code, refused.value.message) == (
        "enrollment_required",
        ENROLLMENT_REQUIRED,
    )
    assert not Service.objects.filter(client=client).exists()


def test_barred_client_is_refused_naming_the_bar(staff_a, day_shelter, code, org_a):
    client = f.make_client()
    f.enroll(client, day_shelter, date(2025, 1, 1))
    f.bar(client, organization=org_a, reason="Fighting")
    with pytest.raises(BatchError) as refused:
        _provide(client, day_shelter, code, staff_a)
    assert refused.value.code == "barred" and "Reason: Fighting" in refused.value.message


def test_user_who_may_override_posts_past_a_bar_with_a_reason_audited(
    staff_a, day_shelter, code, org_a
):
    staff_a.can_override_bars = True
    staff_a.save(update_fields=["can_override_bars"])
    client = f.make_client()
    f.enroll(client, day_shelter, date(2025, 1, 1))
    bar = f.bar(client, organization=org_a, reason="Fighting")
    with pytest.raises(BatchError) as refused:
        _provide(client, day_shelter, code, staff_a)
    assert refused.value.code == "barred" and refused.value.details["can_override"] is True
    service = _provide(client, day_shelter, code, staff_a, bar_override_reason=" Case manager OK ")
    event = AuditEvent.objects.get(
        object_type="services.Service", object_id=str(service.pk), action="bar_override"
    )
    assert event.message == "Case manager OK" and event.changes == {"bar": bar.pk}


def test_user_who_may_not_override_is_refused_and_nothing_is_written(
    staff_a, day_shelter, code, org_a
):
    client = f.make_client()
    f.enroll(client, day_shelter, date(2025, 1, 1))
    f.bar(client, organization=org_a, reason="Fighting")
    with pytest.raises(BatchError) as refused:
        _provide(client, day_shelter, code, staff_a, bar_override_reason="Please")
    assert refused.value.code == "override_not_allowed"
    assert not Service.objects.filter(client=client).exists()
    assert not AuditEvent.objects.filter(action="bar_override").exists()


def test_frequency_limit_counts_batch_services_too(staff_a, day_shelter, code):
    code.limit_count, code.limit_period_days = 1, 30
    code.save()
    client = f.make_client()
    f.enroll(client, day_shelter, date(2025, 1, 1))
    _provide(client, day_shelter, code, staff_a, day=date(2025, 3, 1))
    with pytest.raises(BatchError) as refused:
        _provide(client, day_shelter, code, staff_a, day=date(2025, 3, 10))
    assert refused.value.code == "frequency_limit"
    assert "next allowed on 03/31/2025" in refused.value.message


def test_future_date_is_refused(staff_a, day_shelter, code):
    client = f.make_client()
    f.enroll(client, day_shelter, date(2025, 1, 1))
    with pytest.raises(BatchError) as refused:
        _provide(client, day_shelter, code, staff_a, day=timezone.localdate() + timedelta(days=1))
    assert refused.value.code == "future_date"


def test_single_service_form_refuses_a_code_of_a_group_limited_to_other_programs(db):
    from hmis.services.forms import SingleServiceForm
    from hmis.services.models import ServiceGroup

    org = f.make_organization("Hope Center")
    shelter, outreach = f.make_project(org, "Day Shelter"), f.make_project(org, "Outreach")
    group = ServiceGroup.objects.create(name="Outreach kits", organization=org)
    group.projects.add(outreach)
    kit = f.make_code("Hygiene kit", group=group)
    form = SingleServiceForm(
        {"service_code": kit.pk, "date_provided": "2026-11-30", "units": 1, "project": shelter.pk},
        organization_id=org.pk,
    )
    assert not form.is_valid()
    assert "not offered in Day Shelter" in form.errors["service_code"][0]
    form = SingleServiceForm(
        {"service_code": kit.pk, "date_provided": "2026-11-30", "units": 1, "project": outreach.pk},
        organization_id=org.pk,
    )
    assert form.is_valid(), form.errors
