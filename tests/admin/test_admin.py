"""The Django admin: every page loads with a bounded number of queries, searches find clients the
way staff look for them, and every change made there lands in the audit trail."""

import itertools
from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hmis.accounts.models import Role, User
from hmis.audit.models import AuditAction, AuditEvent
from hmis.audit.recording import record
from hmis.batches.models import BatchEntry, EntryStatus
from hmis.clients.models import ReleaseOfInformation, RoiPermission
from hmis.projects.models import Organization
from hmis.services.models import Service, ServiceCode, ServiceGroup
from tests import factories as f

pytestmark = pytest.mark.django_db
_n = itertools.count(1)
REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        username="root", password=f.PASSWORD, role=Role.SYSTEM_ADMIN, first_name="Root"
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def populate() -> None:
    """One row of every admin's model, linked the way real data is."""
    n = next(_n)
    org = f.make_organization(f"Agency {n}")
    project = f.make_project(org, f"Program {n}")
    location = f.make_location(project, f"Site {n}")
    user = f.make_user(org, Role.STAFF, username=f"worker{n}")
    user_group = Group.objects.create(name=f"Desk {n}")
    user_group.permissions.add(*Permission.objects.filter(codename__startswith="view_")[:3])
    user.groups.add(user_group)
    client = f.make_client("Alex", f"Client{n}", organization=org)
    enrollment = f.enroll(client, project)
    f.issue_card(client, code=f"CARD{n:06d}", issued_by=user)
    f.bar(client, organization=org, project=project, location=location, entered_by=user)
    ReleaseOfInformation.objects.create(
        client=client,
        organization=org,
        permission=RoiPermission.SHARE,
        start_date=date(2024, 1, 1),
        recorded_by=user,
    )
    group = ServiceGroup.objects.create(name=f"Group {n}", organization=org)
    group.projects.add(project)
    code = ServiceCode.objects.create(group=group, name=f"Meal {n}")
    batch = f.make_batch(project, codes=[(code, 1)], performing_user=user, location=location)
    batch.scan_stations.add(user)
    entry = BatchEntry.objects.create(
        batch=batch,
        client=client,
        enrollment=enrollment,
        batch_date=date(2024, 2, 1),
        date_provided=date(2024, 2, 1),
        status=EntryStatus.POSTED,
        added_by=user,
        added_at=timezone.now(),
        posted_by=user,
        posted_at=timezone.now(),
    )
    Service.objects.create(
        client=client,
        enrollment=enrollment,
        service_code=code,
        date_provided=date(2024, 2, 1),
        project=project,
        location=location,
        provider=user,
        batch_entry=entry,
    )
    record(actor=user, action=AuditAction.POST, obj=entry, client_id=client.pk)


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def query_count(admin_client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def results(response) -> list:
    return list(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "model", [model for model, _ in REGISTERED], ids=[m._meta.label for m, _ in REGISTERED]
)
def test_changelist_costs_the_same_queries_with_more_rows(admin_client, model):
    populate()
    url = changelist_url(model)
    admin_client.get(url)  # warm caches (content types, permissions)
    few = query_count(admin_client, url)
    for _ in range(4):
        populate()
    assert query_count(admin_client, url) == few


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED]
)
def test_add_and_change_pages_load_for_a_system_administrator(admin_client, model, model_admin):
    populate()
    opts = model._meta
    obj = model._base_manager.order_by("pk").first()
    if obj is not None:  # populate() makes every model of this app's admins; others may be empty
        change = admin_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )
        assert change.status_code == 200
    add = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert add.status_code == (200 if model_admin.has_add_permission(add.wsgi_request) else 403)


def test_every_reference_model_has_an_admin():
    labels = {model._meta.label for model, _ in REGISTERED}
    assert {
        "projects.Organization",
        "projects.Project",
        "projects.Location",
        "accounts.User",
        "services.ServiceGroup",
        "services.ServiceCode",
        "clients.Client",
        "clients.Enrollment",
        "clients.Bar",
        "clients.CommunityCard",
        "clients.ReleaseOfInformation",
        "batches.ServiceBatch",
        "batches.BatchEntry",
        "services.Service",
        "audit.AuditEvent",
    } <= labels


@pytest.mark.parametrize("typed", ["nunez jose", "José Núñez", "NUNEZ", "jos nun"])
def test_client_search_finds_a_name_in_any_order_with_or_without_accents(admin_client, typed):
    jose = f.make_client("José", "Núñez")
    f.make_client("Josephine", "Baker")
    response = admin_client.get(changelist_url(jose), {"q": typed})
    assert results(response) == [jose]


def test_client_search_finds_client_id_personal_id_and_card_code(admin_client):
    jose = f.make_client("José", "Núñez")
    other = f.make_client("Ann", "Lee")
    f.issue_card(jose, code="ABCD2345678")
    url = changelist_url(jose)
    assert results(admin_client.get(url, {"q": str(jose.pk)})) == [jose]
    assert results(admin_client.get(url, {"q": jose.personal_id})) == [jose]
    by_card = admin_client.get(url, {"q": "abcd 2345 678"})
    assert results(by_card) == [jose]
    assert "ABCD2345678" in by_card.content.decode()  # the list's "Active card" column
    assert results(admin_client.get(url, {"q": "no such person"})) == []
    assert other not in results(admin_client.get(url, {"q": "ABCD2345678"}))


def test_enrollment_search_finds_by_the_clients_name(admin_client, day_shelter):
    jose = f.make_client("José", "Núñez")
    enrollment = f.enroll(jose, day_shelter)
    f.enroll(f.make_client("Ann", "Lee"), day_shelter)
    response = admin_client.get(changelist_url(enrollment), {"q": "nunez"})
    assert results(response) == [enrollment]


def test_adding_an_organization_writes_a_create_audit_event(admin_client, superuser):
    response = admin_client.post(
        reverse("admin:projects_organization_add"),
        {"name": "Harbor House", "common_name": "", "hud_organization_id": "", "hud_data": "{}"},
    )
    assert response.status_code == 302
    org = Organization.objects.get(name="Harbor House")
    event = AuditEvent.objects.get(object_type="projects.Organization", object_id=str(org.pk))
    assert (event.action, event.actor) == (AuditAction.CREATE, superuser)
    assert event.changes["name"] == [None, "Harbor House"]


def test_changing_a_client_in_the_admin_records_old_and_new_values(admin_client, superuser):
    jose = f.make_client("Jose", "Nunez", dob=date(1970, 1, 2))
    url = reverse("admin:clients_client_change", args=[jose.pk])
    data = {
        "first_name": "José",
        "middle_name": "",
        "last_name": "Núñez",
        "name_suffix": "",
        "preferred_name": "",
        "dob": "1971-01-02",
        "organization": "",
        "name_data_quality": "1",
        "dob_data_quality": "1",
        "ssn_data_quality": "99",
        "veteran_status": "99",
        "hud_data": "{}",
        "deleted_at_0": "",
        "deleted_at_1": "",
        "deidentified_at_0": "",
        "deidentified_at_1": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_type="clients.Client")
    assert event.actor == superuser and event.client_id == jose.pk
    assert event.changes == {
        "first_name": ["Jose", "José"],
        "last_name": ["Nunez", "Núñez"],
        "dob": "[redacted]",
    }


def test_changing_a_code_inline_in_its_group_records_the_code_change(admin_client):
    group = ServiceGroup.objects.create(name="Meals")
    code = ServiceCode.objects.create(group=group, name="Lunch")
    prefix = "codes"
    data = {
        "name": "Meals",
        "organization": "",
        "active": "on",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": str(code.pk),
        f"{prefix}-0-group": str(group.pk),
        f"{prefix}-0-name": "Lunch",
        f"{prefix}-0-default_units": "2",
        f"{prefix}-0-active": "on",
    }
    response = admin_client.post(
        reverse("admin:services_servicegroup_change", args=[group.pk]), data
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(object_type="services.ServiceCode", object_id=str(code.pk))
    assert event.action == AuditAction.CHANGE
    assert event.changes == {"default_units": [1, 2]}
    assert not AuditEvent.objects.filter(object_type="services.ServiceGroup").exists()


def test_deleting_in_the_admin_writes_a_delete_audit_event(admin_client, superuser):
    org = f.make_organization("Closed Agency")
    pk = org.pk
    response = admin_client.post(
        reverse("admin:projects_organization_delete", args=[pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Organization.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert (event.object_type, event.object_id, event.actor) == (
        "projects.Organization",
        str(pk),
        superuser,
    )
    assert "Closed Agency" in event.message


def test_a_password_change_in_the_admin_is_audited_without_the_password(admin_client, staff_a):
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[staff_a.pk]),
        {
            "password1": "a-new-long-passphrase-77",
            "password2": "a-new-long-passphrase-77",
            "set_usable_password": "true",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(object_type="accounts.User", object_id=str(staff_a.pk))
    assert event.changes == {"password": "[redacted]"}
    assert "a-new-long-passphrase-77" not in str(event.changes) + event.message


def test_audit_trail_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, staff_a):
    event = record(actor=staff_a, action=AuditAction.READ, object_type="x", object_id="1")
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert admin_client.post(change_url, {"message": "edited"}).status_code == 403
    delete_url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.message == ""


def test_posted_services_and_entries_are_read_only_in_the_admin(admin_client):
    populate()
    service = Service.objects.get()
    entry = BatchEntry.objects.get()
    for obj in (service, entry):
        opts = obj._meta
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert admin_client.post(change, {"units": "5"}).status_code == 403
        delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    service.refresh_from_db()
    assert service.units == 1


@pytest.mark.postgres
def test_unfiltered_list_of_a_big_table_uses_the_planner_estimate(monkeypatch):
    from hmis.audit.admin_audit import LargeTablePaginator

    for n in range(5):
        f.make_organization(f"Counted {n}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE projects_organization")
    for n in range(3):
        f.make_organization(f"Not yet counted {n}")
    monkeypatch.setattr(LargeTablePaginator, "estimate_above", 2)
    assert LargeTablePaginator(Organization.objects.all(), 10).count == 5
    filtered = Organization.objects.filter(name__startswith="Not yet")
    assert LargeTablePaginator(filtered, 10).count == 3
    monkeypatch.setattr(LargeTablePaginator, "estimate_above", 100)
    assert LargeTablePaginator(Organization.objects.all(), 10).count == 8


def test_the_delete_selected_action_audits_each_deleted_row(admin_client, day_shelter):
    sites = [f.make_location(day_shelter, name) for name in ("North", "South")]
    response = admin_client.post(
        changelist_url(sites[0]),
        {
            "action": "delete_selected",
            "_selected_action": [str(site.pk) for site in sites],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    events = AuditEvent.objects.filter(action=AuditAction.DELETE, object_type="projects.Location")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(s.pk) for s in sites)
    assert not day_shelter.locations.exists()


def test_a_batch_whose_location_belongs_to_another_program_is_refused(admin_client, staff_a):
    org = staff_a.organization
    shelter = f.make_project(org, "Shelter")
    other_site = f.make_location(f.make_project(org, "Outreach"), "Van")
    response = admin_client.post(
        reverse("admin:batches_servicebatch_add"),
        {
            "organization": str(org.pk),
            "description": "Lunch",
            "performing_user": str(staff_a.pk),
            "default_comments": "",
            "project": str(shelter.pk),
            "location": str(other_site.pk),
            "active": "on",
            "service_codes-TOTAL_FORMS": "0",
            "service_codes-INITIAL_FORMS": "0",
            "service_codes-MIN_NUM_FORMS": "0",
            "service_codes-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["location"] == ["Van is not a location of Shelter."]
    assert not AuditEvent.objects.exists()
