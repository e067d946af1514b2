"""Every record carries its own HUD ID from creation, so exports re-import as updates."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hmis.accounts.models import User
from hmis.projects.models import Organization, Project
from tests import factories as f


@pytest.mark.django_db
def test_new_records_get_distinct_hud_ids(org_a, day_shelter, staff_a):
    other = f.make_organization()
    assert org_a.hud_organization_id and other.hud_organization_id
    assert org_a.hud_organization_id != other.hud_organization_id
    assert len(day_shelter.hud_project_id) == 32
    assert staff_a.hud_user_id and staff_a.hud_id == staff_a.hud_user_id


@pytest.mark.django_db
def test_posted_services_get_distinct_hud_ids(batch, staff_a):
    from hmis.batches.posting import post_batch
    from hmis.services.models import Service
    from tests.batches.test_posting import add_enrolled

    add_enrolled(batch, staff_a, n=3)
    post_batch(batch=batch, user=staff_a)
    ids = list(Service.objects.values_list("hud_services_id", flat=True))
    assert len(set(ids)) == 3 and all(len(i) == 32 for i in ids)


@pytest.mark.django_db(transaction=True)
def test_migration_gives_existing_records_a_hud_id():
    executor = MigrationExecutor(connection)
    before = [
        ("projects", "0001_initial"),
        ("accounts", "0002_session_key_and_sign_in_throttle"),
        ("services", "0002_leaner_service_indexes"),
    ]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    organization = old.get_model("projects", "Organization").objects.create(name="Old agency")
    user = old.get_model("accounts", "User").objects.create(username="old-user")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert Organization.objects.get(pk=organization.pk).hud_organization_id
    assert User.objects.get(pk=user.pk).hud_user_id
    assert Project.objects.count() == 0
