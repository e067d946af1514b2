"""HUD CSV export and import at site size: time, rows per second, peak memory, and the ratio to a
plain csv write/read of the same rows, measured in the same run.

    .venv/bin/python bench/hudcsv.py               # 25,000 clients, 50,000 enrollments, 1M services
    .venv/bin/python bench/hudcsv.py --scale 0.02  # a quick smoke run

Each phase runs in its own process on its own SQLite database (under --workdir, a temporary folder
by default), or with DATABASE_URL set on its own PostgreSQL database (`<name>_bench_source` and
`<name>_bench_target`, created afresh), so peak memory (ru_maxrss) is that phase's alone:
1. generate: a synthetic site (bulk_create in large batches), every record with its own
   DateCreated and DateUpdated, as in real data;
2. export: `export_hud_csv` of everything to a zip;
3. plain: the same rows read with csv.reader, and written with csv.writer (the baseline);
4. import: `import_hud_csv` of that zip into an empty database.
Targets: export within 3x of the plain write, import within 10x of the plain read, peak memory
under 300 MB for both.
"""

import argparse
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS, ENROLLMENTS_PER_CLIENT, SERVICES_PER_ENROLLMENT = 25_000, 2, 20
TARGET_EXPORT_RATIO, TARGET_IMPORT_RATIO, TARGET_MB = 3.0, 10.0, 300.0
PG = bool(os.environ.get("DATABASE_URL"))


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def setup_django(data_dir: str) -> None:
    os.environ["HMIS_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hmis.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- phases (each in a subprocess) ---


def phase_generate(scale: float) -> dict:
    from datetime import date, timedelta

    from django.db import transaction

    from hmis.accounts.models import Role, User
    from hmis.clients.models import Client, Enrollment
    from hmis.clients.text import fold
    from hmis.projects.models import Organization, Project, ProjectType
    from hmis.services.models import Service, ServiceCode, ServiceGroup

    started = time.perf_counter()
    n_clients = max(int(CLIENTS * scale), 1)
    with transaction.atomic():
        org = Organization.objects.create(name="Bench Agency", hud_organization_id="ORG-BENCH")
        user = User.objects.create_user(
            username="bench", organization=org, role=Role.STAFF, hud_user_id="U-BENCH"
        )
        shelters = [
            Project.objects.create(
                organization=org,
                name=f"Night Shelter {i}",
                project_type=ProjectType.ES_NIGHT_BY_NIGHT,
                operating_start_date=date(2015, 1, 1),
                continuum_project=True,
                hud_project_id=f"P-NBN-{i}",
            )
            for i in range(5)
        ]
        rrh = [
            Project.objects.create(
                organization=org,
                name=f"SSVF RRH {i}",
                project_type=ProjectType.RAPID_REHOUSING,
                operating_start_date=date(2015, 1, 1),
                continuum_project=True,
                hud_project_id=f"P-RRH-{i}",
            )
            for i in range(5)
        ]
        group = ServiceGroup.objects.create(name="Bench services")
        bed = ServiceCode.objects.create(
            group=group, name="Bed night", hud_record_type=200, hud_type_provided=200
        )
        case = ServiceCode.objects.create(
            group=group, name="SSVF case management", hud_record_type=144, hud_type_provided=2
        )
    first, last = ["Maria", "José", "Li", "Aisha", "John", "Zoë"], ["O'Brien", "Núñez", "Smith"]
    batch = 20_000
    clients = [
        Client(
            personal_id=f"C{i:07d}",
            first_name=first[i % 6],
            last_name=last[i % 3],
            search_name=fold(f"{first[i % 6]} {last[i % 3]}"),
            dob=date(1950, 1, 1) + timedelta(days=i % 20000),
            organization=org,
            hud_data={"Sex": i % 2, "White": 1, "RaceNone": None},
        )
        for i in range(n_clients)
    ]
    Client.objects.bulk_create(clients, batch_size=batch)
    client_ids = list(Client.objects.order_by("pk").values_list("pk", flat=True))
    del clients
    enrollments = []
    for i, client_id in enumerate(client_ids):
        for j in range(ENROLLMENTS_PER_CLIENT):
            project = shelters[i % 5] if j == 0 else rrh[i % 5]
            enrollments.append(
                Enrollment(
                    client_id=client_id,
                    project=project,
                    entry_date=date(2025, 10, 1),
                    hud_enrollment_id=f"E{i:07d}{j}",
                    household_id=f"H{i:07d}",
                    hud_data={"DisablingCondition": 0, "LivingSituation": 116},
                    created_by=user,
                )
            )
    Enrollment.objects.bulk_create(enrollments, batch_size=batch)
    del enrollments
    rows = Enrollment.objects.order_by("pk").values_list("pk", "client_id", "project_id")
    services: list[Service] = []
    n_services = 0
    for enrollment_id, client_id, project_id in rows.iterator(chunk_size=batch):
        is_shelter = project_id in {p.pk for p in shelters}
        for k in range(SERVICES_PER_ENROLLMENT):
            services.append(
                Service(
                    client_id=client_id,
                    enrollment_id=enrollment_id,
                    project_id=project_id,
                    service_code=bed if is_shelter else case,
                    date_provided=date(2025, 10, 1) + timedelta(days=k),
                    provider=user,
                    created_by=user,
                    hud_services_id=f"S{enrollment_id:08d}{k:02d}",
                )
            )
        if len(services) >= 50_000:
            Service.objects.bulk_create(services, batch_size=batch)
            n_services += len(services)
            services = []
    Service.objects.bulk_create(services, batch_size=batch)
    n_services += len(services)
    spread_timestamps()
    return {
        "clients": len(client_ids),
        "enrollments": len(client_ids) * ENROLLMENTS_PER_CLIENT,
        "services": n_services,
        "seconds": time.perf_counter() - started,
    }


# Real records are created and changed at different moments: a different DateCreated and
# DateUpdated on nearly every row (bulk_create stamps every row with the same "now").
SPREAD = {
    "sqlite": (
        "UPDATE {table} SET created_at = datetime({start}, '+' || ({id} * {step}) || ' seconds'),"
        " updated_at = datetime({start}, '+' || ({id} * {step} + 600) || ' seconds')"
    ),
    "postgresql": (
        "UPDATE {table} SET created_at = {start}::timestamptz + {id} * {step} * interval '1 s',"
        " updated_at = {start}::timestamptz + ({id} * {step} + 600) * interval '1 s'"
    ),
}


def spread_timestamps() -> None:
    from django.db import connection

    from hmis.clients.models import Client, Enrollment
    from hmis.services.models import Service

    with connection.cursor() as cursor:
        for model, start, step in [
            (Client, "'2025-06-01 14:00:00'", 97),
            (Enrollment, "'2025-09-01 14:00:00'", 41),
            (Service, "'2025-10-01 14:00:00'", 7),
        ]:
            sql = SPREAD[connection.vendor].format(
                table=connection.ops.quote_name(model._meta.db_table),
                start=start,
                id='"id"',
                step=step,
            )
            cursor.execute(sql)


def phase_export(output: str) -> dict:
    from datetime import date

    from hmis.hudcsv.exporting import export_hud_csv

    baseline = peak_mb()
    started = time.perf_counter()
    with open(output, "wb") as stream:
        result = export_hud_csv(
            output=stream, start=date(2025, 10, 1), end=date(2025, 12, 31), period_type=3
        )
    return {
        "seconds": time.perf_counter() - started,
        "rows": sum(result.rows.values()),
        "per_file": result.rows,
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
    }


def phase_import(source: str) -> dict:
    from hmis.hudcsv.importing import import_hud_csv

    baseline = peak_mb()
    started = time.perf_counter()
    result = import_hud_csv(source=source)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "rows": sum(s.rows for s in result.summaries.values()),
        "committed": result.committed,
        "errors": result.error_count,
        "warnings": result.warning_count,
        "refused": result.refused,
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
    }


def plain_baseline(zip_path: str, workdir: Path) -> dict:
    """csv.reader over every file of the export, and csv.writer of the same rows (the write timed
    alone, chunk by chunk, so holding the rows is not needed)."""
    folder = workdir / "plain"
    folder.mkdir(exist_ok=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
    read_seconds = write_seconds = 0.0
    rows = 0
    for path in sorted(folder.glob("*.csv")):
        started = time.perf_counter()
        with open(path, encoding="utf-8", newline="") as stream:
            for _row in csv.reader(stream):
                rows += 1
        read_seconds += time.perf_counter() - started
        with (
            open(path, encoding="utf-8", newline="") as stream,
            open(folder / f"{path.stem}.copy", "w", encoding="utf-8", newline="") as out,
        ):
            reader = csv.reader(stream)
            writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
            while True:
                chunk = [row for _, row in zip(range(20_000), reader, strict=False)]
                if not chunk:
                    break
                started = time.perf_counter()
                writer.writerows(chunk)
                write_seconds += time.perf_counter() - started
    return {"read_seconds": read_seconds, "write_seconds": write_seconds, "rows": rows}


# --- driver ---


def phase_database(data_dir: Path, *, fresh: bool) -> str | None:
    """With DATABASE_URL (PostgreSQL), each phase's own database, named after the phase's folder
    (`<name>_bench_source`, `<name>_bench_target`), created empty when `fresh`; None on SQLite."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    import psycopg

    base, _, name = url.rpartition("/")
    database = f"{name}_bench_{data_dir.name}"
    if fresh:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
            admin.execute(f'CREATE DATABASE "{database}"')
    return f"{base}/{database}"


def run_phase(name: str, data_dir: Path, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    database = phase_database(data_dir, fresh=name != "export")
    if database:
        env["DATABASE_URL"] = database
    command = [sys.executable, __file__, "--phase", name, "--data-dir", str(data_dir), *args]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"phase {name} failed")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the site size")
    parser.add_argument("--workdir", help="keep databases and files here (default: a temp dir)")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the dataset already generated in --workdir"
    )
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        setup_django(args.data_dir)
        if args.phase == "generate":
            result = phase_generate(args.scale)
        elif args.phase == "export":
            result = phase_export(args.file)
        else:
            result = phase_import(args.file)
        print(json.dumps(result))
        return

    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="hudcsv-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    source_db, target_db = workdir / "source", workdir / "target"
    zip_path = workdir / "export.zip"
    print(f"Working in {workdir}")
    if args.reuse and (PG or (source_db / "hmis.sqlite3").exists()):
        print("Reusing the generated dataset")
    else:
        shutil.rmtree(source_db, ignore_errors=True)
        generated = run_phase("generate", source_db, "--scale", str(args.scale))
        print(
            f"Generated {generated['clients']:,} clients, {generated['enrollments']:,} "
            f"enrollments, {generated['services']:,} services in {generated['seconds']:.1f} s"
        )
    shutil.rmtree(target_db, ignore_errors=True)
    exported = run_phase("export", source_db, "--file", str(zip_path))
    plain = plain_baseline(str(zip_path), workdir)
    imported = run_phase("import", target_db, "--file", str(zip_path))
    if not imported["committed"]:
        raise SystemExit(f"import did not commit: {imported}")

    export_ratio = exported["seconds"] / plain["write_seconds"]
    import_ratio = imported["seconds"] / plain["read_seconds"]
    out = io.StringIO()
    out.write(f"\nRows in the export: {exported['rows']:,} ({exported['per_file']})\n")
    out.write(
        f"{'':8}{'seconds':>10}{'rows/s':>12}{'plain s':>10}{'ratio':>8}{'target':>8}"
        f"{'peak MB':>10}{'(base MB)':>11}\n"
    )
    out.write(
        f"{'export':8}{exported['seconds']:>10.1f}{exported['rows'] / exported['seconds']:>12,.0f}"
        f"{plain['write_seconds']:>10.2f}{export_ratio:>8.1f}{TARGET_EXPORT_RATIO:>8.0f}"
        f"{exported['peak_mb']:>10.0f}{exported['baseline_mb']:>11.0f}\n"
    )
    out.write(
        f"{'import':8}{imported['seconds']:>10.1f}{imported['rows'] / imported['seconds']:>12,.0f}"
        f"{plain['read_seconds']:>10.2f}{import_ratio:>8.1f}{TARGET_IMPORT_RATIO:>8.0f}"
        f"{imported['peak_mb']:>10.0f}{imported['baseline_mb']:>11.0f}\n"
    )
    met = (
        export_ratio <= TARGET_EXPORT_RATIO
        and import_ratio <= TARGET_IMPORT_RATIO
        and max(exported["peak_mb"], imported["peak_mb"]) < TARGET_MB
    )
    out.write(f"Targets {'met' if met else 'NOT met'} (peak MB is the whole process, ru_maxrss).\n")
    print(out.getvalue())


if __name__ == "__main__":
    main()
