"""batches/editing.py: saving and deactivating batches."""

import pytest

from hmis.audit.models import AuditEvent
from hmis.batches.editing import deactivate_batch, save_batch
from tests import factories as f

pytestmark = pytest.mark.django_db


def save(user, project, codes, batch=None, **fields):
    values = {
        "description": "Lunch",
        "auto_post": False,
        "performing_user": user,
        "default_comments": "",
        "project": project,
        "location": None,
    }
    values.update(fields)
    return save_batch(user=user, batch=batch, codes=codes, **values)


def test_save_batch_creates_a_batch_in_the_programs_organization_with_its_codes(
    staff_a, day_shelter
):
    visit, meal = f.make_code("Visit"), f.make_code("Meal")
    batch = save(staff_a, day_shelter, [(visit, 1), (meal, 2)])
    assert batch.organization == day_shelter.organization and batch.created_by == staff_a
    assert [(r.service_code, r.units) for r in batch.service_codes.all()] == [(visit, 1), (meal, 2)]
    event = AuditEvent.objects.get(object_type="batches.ServiceBatch", object_id=str(batch.pk))
    assert event.action == "create" and event.actor == staff_a


def test_save_batch_changes_fields_and_replaces_codes_and_audits_the_difference(
    staff_a, day_shelter
):
    visit, meal = f.make_code("Visit"), f.make_code("Meal")
    batch = save(staff_a, day_shelter, [(visit, 1)])
    save(staff_a, day_shelter, [(meal, 3)], batch=batch, description="Dinner", auto_post=True)
    batch.refresh_from_db()
    assert batch.description == "Dinner" and batch.auto_post
    assert [(r.service_code, r.units) for r in batch.service_codes.all()] == [(meal, 3)]
    change = AuditEvent.objects.get(action="change", object_id=str(batch.pk))
    assert change.changes["description"] == ["Lunch", "Dinner"]
    assert change.changes["service_codes"] == [[f"{visit.pk}x1"], [f"{meal.pk}x3"]]


def test_deactivate_batch_is_audited_once(staff_a, batch):
    deactivate_batch(batch=batch, user=staff_a)
    deactivate_batch(batch=batch, user=staff_a)
    batch.refresh_from_db()
    assert batch.active is False
    assert (
        AuditEvent.objects.filter(
            object_id=str(batch.pk), message__startswith="Batch deactivated"
        ).count()
        == 1
    )
