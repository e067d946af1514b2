"""`hmis demo` loads the promised demo, once: running it again changes nothing."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db.models import Max

from hmis import demo
from hmis.accounts.models import Role, User
from hmis.batches.models import BatchEntry, EntryStatus, ServiceBatch
from hmis.clients.cards import is_valid_code
from hmis.clients.models import Bar, Client, CommunityCard, Enrollment
from hmis.clients.text import fold
from hmis.projects.models import Organization, ProjectType
from hmis.services.models import Service, ServiceCode, ServiceGroup

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo's four passwords take most of its time under the production hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def snapshot() -> dict[str, tuple[int, object]]:
    """Row count and latest change time of every model with rows: what a re-run must not move."""
    state = {}
    for model in apps.get_models():
        if model._meta.label in {"sessions.Session", "admin.LogEntry", "contenttypes.ContentType"}:
            continue
        fields = {f.name for f in model._meta.concrete_fields}
        latest = None
        if "updated_at" in fields:
            latest = model._base_manager.aggregate(m=Max("updated_at"))["m"]
        state[model._meta.label] = (model._base_manager.count(), latest)
    return state


def test_demo_builds_the_agency_programs_and_locations():
    demo.build_demo(today=TODAY)
    org = Organization.objects.get(name=demo.AGENCY)
    projects = {p.project_type: p for p in org.projects.all()}
    assert set(projects) == {ProjectType.DAY_SHELTER, ProjectType.SERVICES_ONLY}
    assert projects[ProjectType.DAY_SHELTER].locations.count() == 2
    assert projects[ProjectType.SERVICES_ONLY].locations.count() == 0


def test_demo_catalog_has_the_day_shelter_code_meals_limits_and_hud_mappings():
    demo.build_demo(today=TODAY)
    group = ServiceGroup.objects.get(name="Day Shelter – Homeless Drop-In Centers")
    assert list(group.codes.values_list("name", flat=True)) == [
        "Day Shelter – Homeless Drop-In Centers"
    ]
    names = set(ServiceCode.objects.values_list("name", flat=True))
    assert {"Breakfast", "Lunch", "Shower", "Laundry", "Bus pass", "Rent assistance"} <= names
    assert any("ounsel" in name for name in names)
    bus_pass = ServiceCode.objects.get(name="Bus pass")
    assert (bus_pass.limit_count, bus_pass.limit_period_days) == (1, 30)
    rent = ServiceCode.objects.select_related("group").get(name="Rent assistance")
    assert (rent.hud_record_type, rent.hud_type_provided) == (152, 1)
    assert list(rent.group.projects.values_list("project_type", flat=True)) == [
        ProjectType.SERVICES_ONLY
    ]


def test_demo_clients_have_varied_names_cards_and_enrollments():
    demo.build_demo(today=TODAY)
    clients = list(Client.objects.all())
    assert len(clients) == 300
    full_names = {c.full_name for c in clients}
    assert {"José Núñez", "Siobhán O'Brien", "Mary-Kate Smith-Jones"} <= full_names
    assert len(full_names) > 250
    assert all(
        c.search_name == fold(f"{c.first_name} {c.middle_name} {c.last_name}") for c in clients
    )
    assert Client.objects.filter(search_name__contains="jose nunez").exists()
    ages = [(TODAY - c.dob).days // 365 for c in clients]
    assert min(ages) >= 18 and max(ages) <= 80 and len(set(ages)) > 30

    cards = list(CommunityCard.objects.all())
    assert 0.8 <= len(cards) / 300 <= 0.9
    assert all(is_valid_code(card.code) and card.revoked_at is None for card in cards)

    day_shelter = Enrollment.objects.filter(project__project_type=ProjectType.DAY_SHELTER)
    assert day_shelter.filter(exit_date__isnull=True).count() > 200
    assert day_shelter.filter(exit_date__isnull=False).exists()
    assert Enrollment.objects.filter(project__project_type=ProjectType.SERVICES_ONLY).exists()
    never_enrolled = Client.objects.exclude(
        enrollments__project__project_type=ProjectType.DAY_SHELTER
    )
    assert never_enrolled.exists()


def test_demo_bars_cover_organization_program_and_location_with_one_indefinite():
    demo.build_demo(today=TODAY)
    bars = list(Bar.objects.all())
    scopes = {
        ("location" if b.location_id else "program" if b.project_id else "organization")
        for b in bars
    }
    assert scopes == {"organization", "program", "location"}
    assert any(b.end_date is None for b in bars)
    assert all(b.reason for b in bars)


def test_demo_users_sign_in_with_the_printed_passwords_and_hold_their_roles():
    demo.build_demo(today=TODAY)
    roles = {}
    for login in demo.LOGINS:
        assert len(login.password) >= 12
        user = User.objects.get(username=login.username)
        validate_password(login.password, user)
        assert authenticate(username=login.username, password=login.password) == user
        roles[user.role] = user
    assert {Role.STAFF, Role.AGENCY_ADMIN, Role.SCAN_STATION} <= set(roles)
    visit = ServiceBatch.objects.get(description="Day Shelter Visit + Lunch")
    assert list(visit.scan_stations.all()) == [roles[Role.SCAN_STATION]]


def test_demo_batches_one_posting_by_hand_and_one_automatically():
    demo.build_demo(today=TODAY)
    visit = ServiceBatch.objects.get(description="Day Shelter Visit + Lunch")
    shower = ServiceBatch.objects.get(description="Shower")
    assert visit.auto_post is False and shower.auto_post is True
    assert visit.project.project_type == ProjectType.DAY_SHELTER
    visit_codes = {c.service_code.name for c in visit.service_codes.select_related("service_code")}
    assert visit_codes == {"Day Shelter – Homeless Drop-In Centers", "Lunch"}
    assert [c.service_code.name for c in shower.service_codes.all()] == ["Shower"]


def test_demo_history_is_posted_services_for_eligible_clients_on_past_days():
    demo.build_demo(today=TODAY)
    posted = BatchEntry.objects.filter(status=EntryStatus.POSTED).select_related("batch")
    assert posted.count() > 100
    days = set(posted.values_list("date_provided", flat=True))
    assert days == {TODAY - timedelta(days=n) for n in (1, 2, 3)}
    codes_per_batch = {b.pk: b.service_codes.count() for b in ServiceBatch.objects.all()}
    assert Service.objects.count() == sum(codes_per_batch[e.batch_id] for e in posted)
    for entry in posted:
        assert Enrollment.objects.filter(pk=entry.enrollment_id).active_on(entry.date_provided)
        assert not Bar.objects.in_force_on(entry.date_provided).filter(client=entry.client_id)
    pending = BatchEntry.objects.filter(status=EntryStatus.PENDING)
    assert pending.exists() and set(pending.values_list("date_provided", flat=True)) == {TODAY}


def test_running_demo_twice_changes_nothing():
    call_command("demo", stdout=StringIO())
    before = snapshot()
    out = StringIO()
    call_command("demo", stdout=out)
    assert snapshot() == before
    assert "already loaded: nothing changed" in out.getvalue()


def test_demo_command_prints_a_card_sheet_into_the_data_folder(settings):
    out = StringIO()
    call_command("demo", stdout=out)
    sheet = settings.DATA_DIR / "demo-cards.pdf"
    assert sheet.read_bytes().startswith(b"%PDF")
    assert str(sheet) in out.getvalue()


def test_demo_command_prints_how_to_sign_in():
    out = StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    for login in demo.LOGINS:
        assert login.username in text and login.password in text
    assert "Card codes to try" in text
