"""Small explicit builders for test data: plain defaults, override what matters."""

import itertools
from datetime import date

from django.utils import timezone

from hmis.accounts.models import Role, User
from hmis.batches.models import BatchServiceCode, ServiceBatch
from hmis.clients.models import Bar, Client, CommunityCard, Enrollment
from hmis.projects.models import Location, Organization, Project, ProjectType
from hmis.services.models import ServiceCode, ServiceGroup

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery-staple-42"


def make_organization(name: str | None = None) -> Organization:
    return Organization.objects.create(name=name or f"Agency {next(_seq)}")


def make_project(
    organization: Organization | None = None,
    name: str | None = None,
    project_type: int = ProjectType.DAY_SHELTER,
) -> Project:
    return Project.objects.create(
        organization=organization or make_organization(),
        name=name or f"Program {next(_seq)}",
        project_type=project_type,
        operating_start_date=date(2020, 1, 1),
    )


def make_location(project: Project, name: str | None = None) -> Location:
    return Location.objects.create(project=project, name=name or f"Site {next(_seq)}")


def make_user(
    organization: Organization | None = None,
    role: str = Role.STAFF,
    username: str | None = None,
    **fields,
) -> User:
    n = next(_seq)
    fields.setdefault("first_name", "Pat")
    fields.setdefault("last_name", f"Worker{n}")
    return User.objects.create_user(
        username=username or f"user{n}",
        password=PASSWORD,
        organization=organization,
        role=role,
        **fields,
    )


def make_client(first_name: str = "Alex", last_name: str | None = None, **fields) -> Client:
    fields.setdefault("dob", date(1980, 5, 17))
    return Client.objects.create(
        first_name=first_name, last_name=last_name or f"Client{next(_seq)}", **fields
    )


def enroll(client: Client, project: Project, entry_date: date = date(2024, 1, 1), **fields):
    return Enrollment.objects.create(
        client=client, project=project, entry_date=entry_date, **fields
    )


def issue_card(client: Client, code: str | None = None, **fields) -> CommunityCard:
    return CommunityCard.objects.create(
        client=client, code=code or f"TEST{next(_seq):06d}", issued_at=timezone.now(), **fields
    )


def bar(
    client: Client, *, organization: Organization, start_date: date = date(2024, 1, 1), **fields
):
    fields.setdefault("reason", "Fighting in the dining room")
    return Bar.objects.create(
        client=client, organization=organization, start_date=start_date, **fields
    )


def make_code(name: str | None = None, group: ServiceGroup | None = None, **fields) -> ServiceCode:
    group = group or ServiceGroup.objects.create(name=f"Group {next(_seq)}")
    return ServiceCode.objects.create(group=group, name=name or f"Service {next(_seq)}", **fields)


def make_batch(
    project: Project,
    *,
    codes: list[tuple[ServiceCode, int]] | None = None,
    performing_user: User | None = None,
    **fields,
) -> ServiceBatch:
    fields.setdefault("description", f"Batch {next(_seq)}")
    batch = ServiceBatch.objects.create(
        organization=project.organization,
        project=project,
        performing_user=performing_user or make_user(project.organization),
        **fields,
    )
    for code, units in codes if codes is not None else [(make_code("Day Shelter visit"), 1)]:
        BatchServiceCode.objects.create(batch=batch, service_code=code, units=units)
    return batch
