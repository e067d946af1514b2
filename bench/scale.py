"""Statewide data on PostgreSQL, and whether the hot paths stay flat as it grows.

Builds 500,000 clients, 1,000,000 enrollments and 20,000,000 services (times `--scale`) through
COPY, in two steps: first a twentieth of the services (the 1,000,000 of the scan benchmark, at
scale 1), then the rest. At each step it measures, in this process through the app's own code:
- scan: an API add (bearer token, card, eligibility, audit, request key) through Django's
  request handler, p95 of `--scans` scans of new clients;
- posting: 1,000 entries x 3 codes, against a plain bulk_create of the same rows;
- services report: one program, one month (the page's query), against the raw SQL aggregate.
Prints the figures and the ratios: each against its floor, and full size against the first step.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hmis make bench-scale ARGS="--scale 0.1"

Uses a fresh database named after the one in DATABASE_URL with `_bench_scale` appended (dropped
and made again each run)."""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLIENTS, ENROLLMENTS, SERVICES = 500_000, 1_000_000, 20_000_000
PROJECTS = 50
CARD = "SC{:08d}"


def fresh_database(url: str) -> str:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_scale"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def copy_rows(cursor, table: str, columns: list[str], rows) -> int:
    """COPY `rows` (tuples of text-ready values) into `table`, in chunks of text."""
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
            buffer.write("\n")
            count += 1
            if count % 50_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())
    return count


class World:
    """The organizations, programs, users and codes the generated rows point at."""

    def __init__(self):
        from tests import factories as f

        self.org = f.make_organization("State Agency")
        self.projects = [f.make_project(self.org, f"Program {n}") for n in range(PROJECTS)]
        self.user = f.make_user(self.org, username="state_desk")
        self.codes = [f.make_code(f"Service {n}") for n in range(3)]


def generate(world: World, *, clients: int, enrollments: int, services: tuple[int, int]) -> None:
    """Clients, enrollments and cards (when `clients`), and the services numbered
    services[0] to services[1] - 1, spread over the enrollments and the past two years."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now().isoformat()
    today = timezone.localdate()
    org, user = world.org.pk, world.user.pk
    projects = [p.pk for p in world.projects]
    codes = [c.pk for c in world.codes]
    raw = connection.connection
    with raw.cursor() as cursor:
        if clients:
            base = _next_id(cursor, "clients_client")
            copy_rows(
                cursor,
                "clients_client",
                [
                    "id", "personal_id", "first_name", "middle_name", "last_name", "name_suffix",
                    "preferred_name", "name_data_quality", "dob", "dob_data_quality",
                    "ssn_encrypted", "ssn_last4", "ssn_data_quality", "veteran_status", "photo",
                    "search_name", "organization_id", "hud_data", "created_at", "updated_at",
                ],  # fmt: skip
                (
                    (base + n, f"p{base + n:031d}", "Guest", "", f"Number{n}", "", "", 1,
                     date(1960 + n % 40, 1 + n % 12, 1 + n % 28), 1, "", "", 99, 99, "",
                     f"guest number{n}", org, "{}", now, now)
                    for n in range(clients)
                ),
            )  # fmt: skip
            copy_rows(
                cursor,
                "clients_communitycard",
                ["client_id", "code", "legacy", "issued_at", "revoke_reason"],
                ((base + n, CARD.format(n), "t", now, "") for n in range(clients)),
            )
            first_enrollment = _next_id(cursor, "clients_enrollment")
            copy_rows(
                cursor,
                "clients_enrollment",
                [
                    "id", "client_id", "project_id", "entry_date", "household_id",
                    "relationship_to_hoh", "hud_enrollment_id", "hud_data", "exit_hud_data",
                    "created_at", "updated_at",
                ],  # fmt: skip
                (
                    (first_enrollment + n, base + n % clients, projects[n % len(projects)],
                     today - timedelta(days=800), f"h{n:031d}", 1, f"e{n:031d}", "{}", "{}",
                     now, now)
                    for n in range(enrollments)
                ),
            )  # fmt: skip
            _reset_sequences(cursor)
        parents = _enrollments(cursor)
        copy_rows(
            cursor,
            "services_service",
            [
                "client_id", "enrollment_id", "service_code_id", "date_provided", "units",
                "comments", "provider_id", "project_id", "hud_services_id", "hud_data",
                "created_by_id", "created_at", "updated_at", "void_reason",
            ],  # fmt: skip
            (
                (parents[n % len(parents)][0], parents[n % len(parents)][1], codes[n % 3],
                 today - timedelta(days=n * 7 % 730), 1, "", user, parents[n % len(parents)][2],
                 f"s{n:031d}", "{}", user, now, now, "")
                for n in range(*services)
            ),
        )  # fmt: skip
        cursor.execute("ANALYZE")
    raw.commit()


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608 (our table)
    return cursor.fetchone()[0]


def _reset_sequences(cursor) -> None:
    for table in ("clients_client", "clients_enrollment"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
        )


def _enrollments(cursor) -> list[tuple[int, int, int]]:
    """(client, enrollment, project) of every enrollment: the services' parents."""
    cursor.execute("SELECT client_id, id, project_id FROM clients_enrollment ORDER BY id")
    return cursor.fetchall()


# --- Measures --------------------------------------------------------------------------------


def measure(world: World, *, step: str, scans: int, first_card: int) -> dict:
    return {
        "step": step,
        **measure_scans(world, scans=scans, first_card=first_card),
        **measure_posting(world),
        **measure_report(world),
    }


def measure_scans(world: World, *, scans: int, first_card: int) -> dict:
    from django.test import Client as HttpClient

    from hmis.api.tokens import create_api_token
    from tests import factories as f

    batch = f.make_batch(world.projects[0], performing_user=world.user, codes=[(world.codes[0], 1)])
    _, secret = create_api_token(user=world.user, name=f"bench {batch.pk}")
    http = HttpClient(headers={"Authorization": f"Bearer {secret}"})
    times = []
    # Cards of clients enrolled in Program 0 (every PROJECTS-th enrollment is in it).
    for n in range(scans):
        card = CARD.format(first_card + n * PROJECTS)
        started = time.perf_counter()
        response = http.post(
            f"/api/batches/{batch.pk}/entries",
            {"scan_type": "card", "value": card, "key": f"scale-{batch.pk}-{n}"},
            content_type="application/json",
        )
        times.append(time.perf_counter() - started)
        assert response.status_code == 201, response.content[:300]
    times.sort()
    return {
        "scan_p50_ms": round(statistics.median(times) * 1000, 2),
        "scan_p95_ms": round(times[int(len(times) * 0.95) - 1] * 1000, 2),
    }


def measure_posting(world: World) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from hmis.batches.models import BatchEntry, EntryStatus
    from hmis.batches.posting import post_batch
    from hmis.clients.models import Enrollment
    from hmis.services.models import Service
    from tests import factories as f

    project = world.projects[1]
    by_client = dict(
        Enrollment.objects.filter(project=project)
        .order_by("-id")
        .values_list("client_id", "pk")[:2000]
    )
    enrollments = list(by_client.items())[:1000]  # one entry per client
    day = timezone.localdate()

    def entries_of(batch, status):
        now = timezone.now()
        return BatchEntry.objects.bulk_create(
            BatchEntry(
                batch=batch,
                client_id=client_id,
                enrollment_id=enrollment_id,
                batch_date=day,
                date_provided=day,
                status=status,
                added_by=world.user,
                added_at=now,
            )
            for client_id, enrollment_id in enrollments
        )

    codes = [(code, 1) for code in world.codes]
    batch = f.make_batch(project, performing_user=world.user, codes=codes)
    entries_of(batch, EntryStatus.PENDING)
    started = time.perf_counter()
    result = post_batch(batch=batch, user=world.user)
    posting = time.perf_counter() - started
    assert result.services_created == len(enrollments) * 3, result.services_created

    floor_batch = f.make_batch(project, performing_user=world.user, codes=codes)
    floor_entries = entries_of(floor_batch, EntryStatus.POSTED)
    started = time.perf_counter()
    with transaction.atomic():
        Service.objects.bulk_create(
            Service(
                client_id=entry.client_id,
                enrollment_id=entry.enrollment_id,
                service_code=code,
                date_provided=day,
                units=1,
                provider=world.user,
                project=project,
                batch_entry=entry,
                created_by=world.user,
            )
            for entry in floor_entries
            for code in world.codes
        )
    floor = time.perf_counter() - started
    return {
        "posting_ms": round(posting * 1000, 1),
        "posting_floor_ms": round(floor * 1000, 1),
    }


def measure_report(world: World) -> dict:
    from django.db import connection
    from django.utils import timezone

    from hmis.reports.queries import services_delivered, services_delivered_totals

    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)  # last month
    end = today.replace(day=1) - timedelta(days=1)
    project = world.projects[2]
    filters = {"user": world.user, "start": start, "end": end, "project": project}

    def page():
        rows = list(services_delivered(**filters))
        services_delivered_totals(**filters)
        return rows

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT date_provided, service_code_id, COUNT(*), SUM(units),"
                " COUNT(DISTINCT client_id) FROM services_service"
                " WHERE project_id = %s AND date_provided BETWEEN %s AND %s"
                " AND deleted_at IS NULL GROUP BY date_provided, service_code_id",
                [project.pk, start, end],
            )
            return cursor.fetchall()

    return {
        "report_ms": round(_median_time(page) * 1000, 2),
        "report_floor_ms": round(_median_time(raw) * 1000, 2),
    }


def _median_time(work, rounds: int = 5) -> float:
    work()  # warm
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--scans", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/scale.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    os.environ["DATABASE_URL"] = fresh_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hmis.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.update(
        ALLOWED_HOSTS="testserver",
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "hmis", "migrate", "-v0"], env=env, check=True, cwd=ROOT
    )
    import django

    django.setup()
    clients = int(CLIENTS * args.scale)
    enrollments = int(ENROLLMENTS * args.scale)
    services = int(SERVICES * args.scale)
    first = services // 20
    scans = min(args.scans, clients // PROJECTS // 2)
    world = World()
    started = time.monotonic()
    generate(world, clients=clients, enrollments=enrollments, services=(0, first))
    built_first = time.monotonic() - started
    small = measure(world, step=f"{first:,} services", scans=scans, first_card=0)
    started = time.monotonic()
    generate(world, clients=0, enrollments=0, services=(first, services))
    built_rest = time.monotonic() - started
    large = measure(world, step=f"{services:,} services", scans=scans, first_card=scans * PROJECTS)
    print(
        f"Statewide data (scale {args.scale:g}): {clients:,} clients, {enrollments:,} "
        f"enrollments, {services:,} services; COPY {built_first:.0f} s + {built_rest:.0f} s"
    )
    for figures in (small, large):
        print(json.dumps(figures))
    print(
        f"scan p95, full size / first step: {large['scan_p95_ms'] / small['scan_p95_ms']:.2f}x "
        "(goal 1.2x)"
    )
    for label, figures in (("first step", small), ("full size", large)):
        posting = figures["posting_ms"] / figures["posting_floor_ms"]
        report = figures["report_ms"] / figures["report_floor_ms"]
        print(
            f"{label}: posting / bulk_create {posting:.2f}x (goal 2x); "
            f"services report / raw SQL {report:.2f}x (goal 2x)"
        )
    print(
        f"services report, full size / first step: "
        f"{large['report_ms'] / small['report_ms']:.2f}x (goal 1.5x)"
    )


if __name__ == "__main__":
    main()
