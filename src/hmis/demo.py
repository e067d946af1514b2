"""Demo data: one agency with a Day Shelter and an SSO program, a service catalog, 300 clients,
cards, enrollments, bars, users, two batches and a few days of posted history.

Idempotent: reference rows are found by name before being created, and the people (clients with
their enrollments, cards, bars and history) are created once, all in one transaction. Names and
dates come from a seeded random generator, so every database gets the same demo.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from hmis.accounts.models import Role, User
from hmis.batches.models import BatchEntry, BatchServiceCode, EntryStatus, ServiceBatch
from hmis.clients.cards import new_card_code
from hmis.clients.models import Bar, Client, CommunityCard, Enrollment
from hmis.clients.text import fold
from hmis.projects.models import Location, Organization, Project, ProjectType
from hmis.services.models import Service, ServiceCode, ServiceGroup

SEED = 20260101
CLIENT_COUNT = 300
CARD_SHARE = 0.85
HISTORY_DAYS = 3

AGENCY = "Downtown Drop-In Center"
DAY_SHELTER = "Day Shelter"
SSO = "Supportive Services (SSO)"
MAIN_SITE = "Main Street Drop-In"
ANNEX = "Riverside Annex"
DAY_SHELTER_SERVICE = "Day Shelter – Homeless Drop-In Centers"
VISIT_BATCH = "Day Shelter Visit + Lunch"
SHOWER_BATCH = "Shower"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    note: str


# Demo accounts only: printed by `hmis demo`, so anyone running the demo can sign in.
LOGINS = (
    DemoLogin(
        "sysadmin", "Lantern-harbor-2931", Role.SYSTEM_ADMIN, "system administrator, /admin/"
    ),
    DemoLogin("agencyadmin", "Copper-meadow-4817", Role.AGENCY_ADMIN, "agency administrator"),
    DemoLogin("staff", "Juniper-cobalt-7362", Role.STAFF, "front-desk staff"),
    DemoLogin("scanner", "Orchard-signal-5208", Role.SCAN_STATION, "scan station, visit batch"),
)

# (group, [(code, default units, limit count, limit days, HUD RecordType, TypeProvided)], programs)
CATALOG = (
    (DAY_SHELTER_SERVICE, [(DAY_SHELTER_SERVICE, 1, None, None, None, None)], (DAY_SHELTER,)),
    (
        "Meals",
        [("Breakfast", 1, None, None, None, None), ("Lunch", 1, None, None, None, None)],
        (DAY_SHELTER, SSO),
    ),
    (
        "Hygiene",
        [("Shower", 1, None, None, None, None), ("Laundry", 1, None, None, None, None)],
        (DAY_SHELTER,),
    ),
    (
        "Counseling",
        [
            ("Case management session", 1, None, None, None, None),
            ("Mental health counseling", 1, None, None, None, None),
        ],
        (DAY_SHELTER, SSO),
    ),
    ("Transportation", [("Bus pass", 1, 1, 30, None, None)], (DAY_SHELTER, SSO)),
    (
        "Financial Assistance",
        [
            ("Rent assistance", 1, None, None, 152, 1),
            ("Utility assistance", 1, None, None, 152, 4),
        ],
        (SSO,),
    ),
)

FIRST_NAMES = (
    "James Maria Robert Linda Michael Patricia David Jennifer William Elizabeth Richard Barbara "
    "Joseph Susan Thomas Jessica Charles Sarah Christopher Karen Daniel Nancy Matthew Lisa "
    "Anthony Betty Mark Sandra Donald Ashley Steven Kimberly Paul Donna Andrew Emily Joshua "
    "Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy Stephanie DeShawn "
    "Aaliyah Tyrone Keisha Jamal Imani Darnell Latoya Marcus Tamika Hector Guadalupe Luis Rosa "
    "Carlos Ana Miguel Lucía Andrés Sofía Raúl Inés Ramón Marisol Tuan Linh Minh Mai Hoang "
    "Abdi Hodan Fatuma Ahmed Amina Mohamed Ifrah Nguyen Sione Leilani Kai Wanbli Winona Chayton "
    "Siobhán Seán Niamh Aoife Zoë Chloé Renée André François Björn Søren Mary-Kate Jean-Luc "
    "Anne-Marie Jo Ray Dee"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Núñez Peña "
    "Muñoz Ibáñez Gutiérrez Pérez Jiménez Tran Pham Vu Hassan Warsame Abdullahi Yusuf Thunderbird "
    "Redcloud Two-Bears Whitehorse O'Brien O'Connor O'Neill D'Angelo McCarthy MacDonald "
    "Smith-Jones García-López Lindqvist Øberg Kowalski Nowak Dubois Lefèvre Schäfer Müller"
).split()
SUFFIXES = ("Jr.", "Sr.", "II", "III")
# A few exact names people will search for when trying the demo.
FIXED_NAMES = (
    ("José", "Núñez"),
    ("Siobhán", "O'Brien"),
    ("Mary-Kate", "Smith-Jones"),
    ("Zoë", "D'Angelo"),
    ("Nguyen", "Tran"),
)


@dataclass
class DemoResult:
    created_people: bool
    organization: Organization
    counts: dict[str, int] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)


def build_demo(*, today: date | None = None) -> DemoResult:
    """Create whatever part of the demo is missing; change nothing that exists."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311 -- reproducible demo data, not secrets
    with transaction.atomic():
        org, _ = Organization.objects.get_or_create(
            name=AGENCY, defaults={"common_name": "Downtown"}
        )
        day_shelter = _project(org, DAY_SHELTER, ProjectType.DAY_SHELTER)
        sso = _project(org, SSO, ProjectType.SERVICES_ONLY)
        main_site, _ = Location.objects.get_or_create(
            project=day_shelter, name=MAIN_SITE, defaults={"address": "120 Main Street"}
        )
        annex, _ = Location.objects.get_or_create(
            project=day_shelter, name=ANNEX, defaults={"address": "45 River Road"}
        )
        users = {login.role: _user(org, login) for login in LOGINS}
        codes = _catalog(org, {DAY_SHELTER: day_shelter, SSO: sso})
        staff = users[Role.STAFF]
        visit = _batch(
            org,
            VISIT_BATCH,
            project=day_shelter,
            location=main_site,
            performing_user=staff,
            auto_post=False,
            default_comments="Drop-in visit and lunch",
            codes=[codes[DAY_SHELTER_SERVICE], codes["Lunch"]],
        )
        visit.scan_stations.add(users[Role.SCAN_STATION])
        shower = _batch(
            org,
            SHOWER_BATCH,
            project=day_shelter,
            location=main_site,
            performing_user=staff,
            auto_post=True,
            default_comments="",
            codes=[codes["Shower"]],
        )
        result = DemoResult(created_people=False, organization=org)
        personal_ids = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(CLIENT_COUNT)]
        if not Client.objects.filter(personal_id=personal_ids[0]).exists():
            _people(
                rng,
                personal_ids,
                today=today,
                org=org,
                day_shelter=day_shelter,
                sso=sso,
                sites=(main_site, annex),
                users=users,
                batches=(visit, shower),
            )
            result.created_people = True
        result.samples = _samples(personal_ids, org)
    result.counts = {
        "clients": Client.objects.filter(personal_id__in=personal_ids).count(),
        "cards": CommunityCard.objects.filter(client__personal_id__in=personal_ids).count(),
        "services": Service.objects.filter(project__organization=org).count(),
    }
    return result


def _project(org: Organization, name: str, project_type: int) -> Project:
    project, _ = Project.objects.get_or_create(
        organization=org,
        name=name,
        defaults={"project_type": project_type, "operating_start_date": date(2015, 1, 1)},
    )
    return project


def _user(org: Organization, login: DemoLogin) -> User:
    user = User.objects.filter(username=login.username).first()
    if user is not None:
        return user
    first, last = {
        Role.SYSTEM_ADMIN: ("Sam", "Admin"),
        Role.AGENCY_ADMIN: ("Alex", "Rivera"),
        Role.STAFF: ("Jordan", "Doe"),
        Role.SCAN_STATION: ("Front", "Desk Scanner"),
    }[login.role]
    user = User(
        username=login.username,
        first_name=first,
        last_name=last,
        organization=org,
        role=login.role,
        can_override_bars=login.role in (Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN),
        is_staff=login.role == Role.SYSTEM_ADMIN,
        is_superuser=login.role == Role.SYSTEM_ADMIN,
    )
    validate_password(login.password, user)
    user.set_password(login.password)
    user.save()
    return user


def _catalog(org: Organization, projects: dict[str, Project]) -> dict[str, ServiceCode]:
    codes: dict[str, ServiceCode] = {}
    for group_name, group_codes, program_names in CATALOG:
        group, _ = ServiceGroup.objects.get_or_create(organization=org, name=group_name)
        group.projects.add(*(projects[name] for name in program_names))
        for name, units, limit_count, limit_days, record_type, type_provided in group_codes:
            codes[name], _ = ServiceCode.objects.get_or_create(
                group=group,
                name=name,
                defaults={
                    "default_units": units,
                    "limit_count": limit_count,
                    "limit_period_days": limit_days,
                    "hud_record_type": record_type,
                    "hud_type_provided": type_provided,
                },
            )
    return codes


def _batch(
    org: Organization, description: str, *, codes: list[ServiceCode], **fields
) -> ServiceBatch:
    batch, created = ServiceBatch.objects.get_or_create(
        organization=org,
        description=description,
        defaults={**fields, "created_by": fields["performing_user"]},
    )
    if created:
        BatchServiceCode.objects.bulk_create(
            BatchServiceCode(batch=batch, service_code=code, units=code.default_units)
            for code in codes
        )
    return batch


def _names(rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(first, middle, last, suffix) for every demo client."""
    names = [(first, "", last, "") for first, last in FIXED_NAMES]
    while len(names) < CLIENT_COUNT:
        middle = rng.choice(FIRST_NAMES) if rng.random() < 0.2 else ""
        suffix = rng.choice(SUFFIXES) if rng.random() < 0.03 else ""
        names.append((rng.choice(FIRST_NAMES), middle, rng.choice(LAST_NAMES), suffix))
    return names


def _people(
    rng: random.Random,
    personal_ids: list[str],
    *,
    today: date,
    org: Organization,
    day_shelter: Project,
    sso: Project,
    sites: tuple[Location, Location],
    users: dict[str, User],
    batches: tuple[ServiceBatch, ServiceBatch],
) -> None:
    staff, admin = users[Role.STAFF], users[Role.AGENCY_ADMIN]
    now = timezone.now()
    clients = []
    for personal_id, (first, middle, last, suffix) in zip(personal_ids, _names(rng), strict=True):
        age_days = rng.randint(18 * 365, 78 * 365)
        clients.append(
            Client(
                personal_id=personal_id,
                first_name=first,
                middle_name=middle,
                last_name=last,
                name_suffix=suffix,
                # bulk_create skips save(): fill the search column the same way save() does.
                search_name=fold(" ".join([first, middle, last, ""])),
                dob=today - timedelta(days=age_days),
                veteran_status=rng.choice((0, 0, 0, 0, 1)),
                organization=org,
                created_by=staff,
            )
        )
    clients = Client.objects.bulk_create(clients)

    # Day Shelter: most active, some exited, a few never enrolled (to show the enrollment error).
    enrollments, shelter_entry = [], {}
    for index, client in enumerate(clients):
        roll = rng.random()
        entry = today - timedelta(days=rng.randint(HISTORY_DAYS + 1, 700))
        if index < len(FIXED_NAMES) or roll < 0.8:
            shelter_entry[client.pk] = entry
            enrollments.append(_enrollment(rng, client, day_shelter, entry, None, staff))
        elif roll < 0.92:
            exit_day = entry + timedelta(days=rng.randint(0, (today - entry).days - HISTORY_DAYS))
            enrollments.append(_enrollment(rng, client, day_shelter, entry, exit_day, staff))
        if rng.random() < 0.3:
            sso_entry = today - timedelta(days=rng.randint(1, 400))
            sso_exit = sso_entry + timedelta(days=60) if rng.random() < 0.3 else None
            if sso_exit is not None and sso_exit > today:
                sso_exit = None
            enrollments.append(_enrollment(rng, client, sso, sso_entry, sso_exit, staff))
    enrollments = Enrollment.objects.bulk_create(enrollments)
    shelter_enrollment = {
        e.client_id: e for e in enrollments if e.project_id == day_shelter.pk and not e.exit_date
    }

    issued = timezone.make_aware(datetime.combine(today - timedelta(days=30), time(9)))
    CommunityCard.objects.bulk_create(
        CommunityCard(code=new_card_code(), client=client, issued_at=issued, issued_by=admin)
        for index, client in enumerate(clients)
        if index < len(FIXED_NAMES) or rng.random() < CARD_SHARE
    )

    # Bars on enrolled, carded clients, so a scan shows the bar message.
    barred = [c for c in clients[len(FIXED_NAMES) :] if c.pk in shelter_enrollment][:4]
    main_site = sites[0]
    Bar.objects.bulk_create(
        [
            Bar(
                client=barred[0],
                organization=org,
                start_date=today - timedelta(days=60),
                end_date=None,
                reason="Threatened staff with a weapon",
                entered_by=admin,
            ),
            Bar(
                client=barred[1],
                organization=org,
                project=day_shelter,
                start_date=today - timedelta(days=10),
                end_date=today + timedelta(days=20),
                reason="Fighting in the dining room",
                entered_by=admin,
            ),
            Bar(
                client=barred[2],
                organization=org,
                project=day_shelter,
                location=main_site,
                start_date=today - timedelta(days=5),
                end_date=today + timedelta(days=9),
                reason="Damaged the showers",
                entered_by=staff,
            ),
            Bar(
                client=barred[3],
                organization=org,
                project=day_shelter,
                start_date=today - timedelta(days=200),
                end_date=today - timedelta(days=170),
                reason="Verbal abuse (bar served)",
                entered_by=staff,
            ),
        ]
    )
    barred_now = {c.pk for c in barred[:3]}
    eligible = [c for c in clients if c.pk in shelter_enrollment and c.pk not in barred_now]
    _history(rng, eligible, shelter_enrollment, today=today, now=now, staff=staff, batches=batches)


def _enrollment(rng, client, project, entry, exit_day, user) -> Enrollment:
    return Enrollment(
        client=client,
        project=project,
        entry_date=entry,
        exit_date=exit_day,
        household_id=uuid.UUID(int=rng.getrandbits(128)).hex,
        hud_enrollment_id=uuid.UUID(int=rng.getrandbits(128)).hex,
        hud_exit_id=uuid.UUID(int=rng.getrandbits(128)).hex if exit_day else None,
        created_by=user,
    )


def _history(rng, eligible, shelter_enrollment, *, today, now, staff, batches) -> None:
    """Posted visits and showers on the last few days, and a few pending visits today."""
    visit, shower = batches
    batch_codes = {
        batch.pk: list(batch.service_codes.select_related("service_code")) for batch in batches
    }
    entries = []
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        at = timezone.make_aware(datetime.combine(day, time(9, 15)))
        visitors = rng.sample(eligible, k=min(70, len(eligible)))
        for batch, people in ((visit, visitors), (shower, visitors[:25])):
            for offset, client in enumerate(people):
                added = at + timedelta(minutes=offset)
                entries.append(
                    BatchEntry(
                        batch=batch,
                        client=client,
                        enrollment=shelter_enrollment[client.pk],
                        batch_date=day,
                        date_provided=day,
                        status=EntryStatus.POSTED,
                        added_by=staff,
                        added_at=added,
                        posted_by=staff,
                        posted_at=added if batch.auto_post else at + timedelta(hours=3),
                    )
                )
    for offset, client in enumerate(rng.sample(eligible, k=min(8, len(eligible)))):
        entries.append(
            BatchEntry(
                batch=visit,
                client=client,
                enrollment=shelter_enrollment[client.pk],
                batch_date=today,
                date_provided=today,
                status=EntryStatus.PENDING,
                added_by=staff,
                added_at=min(
                    now,
                    timezone.make_aware(datetime.combine(today, time(8)))
                    + timedelta(minutes=offset),
                ),
            )
        )
    entries = BatchEntry.objects.bulk_create(entries)
    Service.objects.bulk_create(
        Service(
            client_id=entry.client_id,
            enrollment_id=entry.enrollment_id,
            service_code_id=code.service_code_id,
            date_provided=entry.date_provided,
            units=code.units,
            comments=entry.batch.default_comments,
            provider_id=entry.batch.performing_user_id,
            project_id=entry.batch.project_id,
            location_id=entry.batch.location_id,
            batch_entry=entry,
            created_by=staff,
        )
        for entry in entries
        if entry.status == EntryStatus.POSTED
        for code in batch_codes[entry.batch_id]
    )


def _samples(personal_ids: list[str], org: Organization) -> dict[str, str]:
    """Card codes worth trying at the desk: a regular client, a barred one, an unenrolled one."""
    cards = {
        card.client_id: card.code
        for card in CommunityCard.objects.filter(
            client__personal_id__in=personal_ids, revoked_at__isnull=True
        )
    }
    samples: dict[str, str] = {}
    first = Client.objects.filter(personal_id=personal_ids[0]).first()
    if first is not None and first.pk in cards:
        samples[f"{first.full_name} (enrolled)"] = cards[first.pk]
    bar = (
        Bar.objects.filter(organization=org, end_date__isnull=True, client_id__in=list(cards))
        .select_related("client")
        .first()
    )
    if bar is not None:
        samples[f"{bar.client.full_name} (barred indefinitely)"] = cards[bar.client_id]
    unenrolled = (
        Client.objects.filter(personal_id__in=personal_ids, pk__in=list(cards))
        .exclude(enrollments__project__organization=org, enrollments__project__name=DAY_SHELTER)
        .order_by("pk")
        .first()
    )
    if unenrolled is not None:
        samples[f"{unenrolled.full_name} (not enrolled in {DAY_SHELTER})"] = cards[unenrolled.pk]
    return samples
