"""Benchmark: post a batch of 1,000 pending entries x 3 service codes, against the floor of a
plain `Service.objects.bulk_create` of the same 3,000 rows, in the same run.

    .venv/bin/python bench/posting.py            # a throwaway SQLite file in a temp folder
    DATABASE_URL=postgres://... .venv/bin/python bench/posting.py   # a throwaway test database

Target: posting within 2x of the bulk_create floor. Each measure runs ROUNDS times on fresh
entries; the median is reported.
"""

import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throwaway import throwaway_database  # noqa: E402

ENTRIES = 1_000
CODES = 3
ROUNDS = 3


def main() -> int:
    with throwaway_database() as connection:
        posting, floor = run()

    vendor = connection.vendor
    rows = ENTRIES * CODES
    print(
        f"Database: {vendor}; {ENTRIES} pending entries x {CODES} service codes = {rows} services"
    )
    print(f"post_batch:              {posting * 1000:8.1f} ms (median of {ROUNDS})")
    print(f"Service bulk_create:     {floor * 1000:8.1f} ms (median of {ROUNDS})")
    ratio = posting / floor
    print(f"Ratio post_batch / floor: {ratio:.2f}x (target: 2x or less)")
    return 0


def run() -> tuple[float, float]:
    from django.db import transaction
    from django.utils import timezone

    from hmis.accounts.models import Role, User
    from hmis.batches.models import BatchEntry, BatchServiceCode, EntryStatus, ServiceBatch
    from hmis.batches.posting import post_batch
    from hmis.clients.models import Client, Enrollment
    from hmis.clients.text import fold
    from hmis.projects.models import Location, Organization, Project, ProjectType
    from hmis.services.models import Service, ServiceCode, ServiceGroup

    today = timezone.localdate()
    org = Organization.objects.create(name="Bench Agency")
    project = Project.objects.create(
        organization=org,
        name="Bench Day Shelter",
        project_type=ProjectType.DAY_SHELTER,
        operating_start_date=today - timedelta(days=3650),
    )
    location = Location.objects.create(project=project, name="Main")
    user = User.objects.create(username="bench", organization=org, role=Role.STAFF)
    group = ServiceGroup.objects.create(name="Bench", organization=org)
    codes = [
        ServiceCode.objects.create(group=group, name=f"Bench service {n}") for n in range(CODES)
    ]
    clients = Client.objects.bulk_create(
        Client(first_name="Bench", last_name=f"Client {n}", search_name=fold(f"bench client {n}"))
        for n in range(ENTRIES)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(client=client, project=project, entry_date=today - timedelta(days=400))
        for client in clients
    )

    def batch_with_entries(label: str, day, status: str) -> tuple[ServiceBatch, list[BatchEntry]]:
        batch = ServiceBatch.objects.create(
            organization=org,
            description=label,
            performing_user=user,
            project=project,
            location=location,
            default_comments="Benchmark",
        )
        BatchServiceCode.objects.bulk_create(
            BatchServiceCode(batch=batch, service_code=code, units=1) for code in codes
        )
        now = timezone.now()
        entries = BatchEntry.objects.bulk_create(
            BatchEntry(
                batch=batch,
                client=client,
                enrollment=enrollment,
                batch_date=day,
                date_provided=day,
                status=status,
                added_by=user,
                added_at=now,
            )
            for client, enrollment in zip(clients, enrollments, strict=True)
        )
        return batch, entries

    posting_times, floor_times = [], []
    for round_number in range(ROUNDS):
        day = today - timedelta(days=2 * round_number)
        batch, _ = batch_with_entries(f"Posting {round_number}", day, EntryStatus.PENDING)
        started = time.perf_counter()
        result = post_batch(batch=batch, user=user)
        posting_times.append(time.perf_counter() - started)
        assert result.services_created == ENTRIES * CODES, result.services_created
        assert not result.left_pending, result.left_pending[0].pending_reason

        # The floor: the same number of service rows for fresh entries (a separate batch, so no
        # constraint clashes), built and inserted in one transaction, with no checks at all.
        floor_batch, floor_entries = batch_with_entries(
            f"Floor {round_number}", day - timedelta(days=1), EntryStatus.POSTED
        )
        started = time.perf_counter()
        with transaction.atomic():
            Service.objects.bulk_create(
                Service(
                    client_id=entry.client_id,
                    enrollment_id=entry.enrollment_id,
                    service_code=code,
                    date_provided=entry.date_provided,
                    units=1,
                    comments=floor_batch.default_comments,
                    provider=user,
                    project=project,
                    location=location,
                    batch_entry=entry,
                    created_by=user,
                )
                for entry in floor_entries
                for code in codes
            )
        floor_times.append(time.perf_counter() - started)
    return statistics.median(posting_times), statistics.median(floor_times)


if __name__ == "__main__":
    sys.exit(main())
