"""A scan over HTTP against its floor, side by side in one run.

`hmis serve` (its defaults) serves the app and a bare floor view (bench/floor.py: one indexed
SELECT of a card and one INSERT in one transaction) from the same server, on a database holding
`--services` services (default 1,000,000). The same load generator (`wrk` when installed, else a
Python client) drives, at 1 and 8 connections, each for `--seconds`:
- floor: the bare view;
- api: POST /api/batches/<id>/entries with a bearer token (card scan, request key);
- desk: POST /batches/<id>/scan/ signed in (session cookie, CSRF token, request key).
Every request scans a card not yet in that run's batch, so every scan adds (the full path:
access, eligibility, entry, audit, stored answer). Prints p50, p95, p99, requests per second and
the p95 ratios to the floor (goal: within 3x).

    .venv/bin/python bench/scan.py [--services 1000000] [--seconds 10] [--connections 1 8]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hmis make bench-scan

SQLite: a fresh database in a temporary folder. PostgreSQL: a fresh database named after the
one in DATABASE_URL with `_bench_scan` appended (dropped and made again each run)."""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGETS = ("floor", "api", "desk")
CARD = "BC{:07d}"


# --- Building the data (run in a child process with the server's environment) --------------


def build(clients: int, services: int, batches: int) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from hmis.api.tokens import create_api_token
    from hmis.clients.models import Client, CommunityCard, Enrollment
    from tests import factories as f

    started = time.monotonic()
    org = f.make_organization("Bench Agency")
    shelter = f.make_project(org, "Day Shelter")
    user = f.make_user(org, username="bench_desk")
    code = f.make_code("Day Shelter visit")
    batch_ids = [
        f.make_batch(shelter, performing_user=user, codes=[(code, 1)], description=f"Run {n}").pk
        for n in range(batches)
    ]
    _, token = create_api_token(user=user, name="bench")
    now = timezone.now()
    chunk = 5000
    for start in range(0, clients, chunk):
        made = Client.objects.bulk_create(
            Client(
                first_name="Guest",
                last_name=f"Number{n}",
                search_name=f"guest number{n}",
                organization=org,
            )
            for n in range(start, min(start + chunk, clients))
        )
        Enrollment.objects.bulk_create(
            Enrollment(
                client=c, project=shelter, entry_date=timezone.localdate().replace(year=2024)
            )
            for c in made
        )
        CommunityCard.objects.bulk_create(
            CommunityCard(client=c, code=CARD.format(n), legacy=True, issued_at=now)
            for n, c in enumerate(made, start)
        )
    _insert_services(connection, services, clients, code.pk, shelter.pk, user.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "batches": batch_ids,
        "user": user.pk,
        "username": user.username,
        "password": f.PASSWORD,
        "token": token,
        "clients": clients,
        "services": services,
        "today": timezone.localdate().isoformat(),
        "build_seconds": round(time.monotonic() - started, 1),
    }


def _insert_services(connection, services: int, clients: int, code: int, project: int, user: int):
    """`services` services spread over the clients' enrollments and the past year, in one
    INSERT ... SELECT (no row travels through Python)."""
    per_client = -(-services // clients)
    columns = (
        "client_id, enrollment_id, service_code_id, date_provided, units, comments, provider_id,"
        " project_id, hud_services_id, hud_data, created_by_id, created_at, updated_at,"
        " void_reason"
    )
    if connection.vendor == "postgresql":
        numbers = f"generate_series(0, {per_client - 1}) AS n(i)"
        day = "CURRENT_DATE - ((e.client_id * 7 + n.i * 13) % 365)::int"
        hud_id = "'b' || e.id || '-' || n.i"
        stamp = "now()"
    else:
        numbers = (
            "(WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq"  # noqa: S608
            f" WHERE i < {per_client - 1}) SELECT i FROM seq) AS n"
        )
        day = "date('now', '-' || ((e.client_id * 7 + n.i * 13) % 365) || ' days')"
        hud_id = "'b' || e.id || '-' || n.i"
        stamp = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    # Only integers and fixed text are formatted in.
    sql = (
        f"INSERT INTO services_service ({columns}) "  # noqa: S608
        f"SELECT e.client_id, e.id, {code}, {day}, 1, '', {user}, {project}, {hud_id}, '{{}}',"
        f" {user}, {stamp}, {stamp}, '' "
        f"FROM clients_enrollment e CROSS JOIN {numbers} "
        f"ORDER BY n.i, e.id LIMIT {services}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)


def count_entries(batch_ids: list[int]) -> dict:
    import django

    django.setup()
    from django.db.models import Count

    from hmis.batches.models import BatchEntry
    from hmis.services.models import Service

    rows = BatchEntry.objects.filter(batch_id__in=batch_ids).values("batch_id")
    counts = {row["batch_id"]: row["n"] for row in rows.annotate(n=Count("pk")).order_by()}
    return {"entries": counts, "services": Service.objects.count()}


# --- Load -----------------------------------------------------------------------------------


def request_for(target: str, world: dict, batch: int, cookies: dict) -> dict:
    """Path, headers and a body template (%s: the card; %k: a key unique to the request)."""
    day = world["today"]
    if target == "floor":
        return {
            "path": "/bench/floor/",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": f"typed=%s&batch={batch}&user={world['user']}",
        }
    if target == "api":
        return {
            "path": f"/api/batches/{batch}/entries",
            "headers": {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {world['token']}",
            },
            "body": '{"scan_type": "card", "value": "%s", "key": "%k"}',
        }
    return {
        "path": f"/batches/{batch}/scan/",
        "headers": {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-CSRFToken": cookies["csrftoken"],
        },
        "body": f"scan_type=card&typed=%s&batch_date={day}&date_provided={day}&key=%k",
    }


WRK_SCRIPT = """
local counter = 0
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
local body_template = %(body)s
local stride = %(stride)d
request = function()
  local n = %(first)d + (tid * stride + counter) %% %(cards)d
  counter = counter + 1
  local card = string.format("BC%%07d", n)
  local key = string.format("%(run)s-%%d-%%d", tid, counter)
  local body = body_template:gsub("%%%%s", card):gsub("%%%%k", key)
  return wrk.format("POST", %(path)s, %(headers)s, body)
end
done = function(summary, latency, requests)
  io.write(string.format(
    "RESULT {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%d,"
    .. " \\"p95\\": %%d, \\"p99\\": %%d,"
    .. " \\"bad_status\\": %%d, \\"socket_errors\\": %%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def lua(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{lua(k)}] = {lua(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def run_wrk(port, spec, connections, seconds, first, cards, run) -> dict:
    """Cards `first` to `first + cards - 1`, shared out between the threads."""
    threads = min(connections, 2)
    script = WRK_SCRIPT % {
        "body": lua(spec["body"]),
        "path": lua(spec["path"]),
        "headers": lua(spec["headers"]),
        "stride": cards // threads,
        "first": first,
        "cards": cards,
        "run": run,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(  # noqa: S603
            [
                shutil.which("wrk"),
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                handle.name,
                f"http://127.0.0.1:{port}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    return {
        "requests": result["requests"],
        "rps": round(result["requests"] / result["seconds"], 1),
        "p50_ms": result["p50"] / 1000,
        "p95_ms": result["p95"] / 1000,
        "p99_ms": result["p99"] / 1000,
        "errors": result["bad_status"] + result["socket_errors"],
    }


def run_python(port, spec, connections, seconds, first, cards, run) -> dict:
    """The fallback load generator: `connections` threads, each on one keep-alive connection."""
    import http.client

    latencies, errors = [], [0]
    stride = cards // connections
    deadline = time.monotonic() + seconds

    def client(tid: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < deadline:
            card = CARD.format(first + (tid * stride + n) % cards)
            body = spec["body"].replace("%s", card).replace("%k", f"{run}-{tid}-{n}")
            started = time.perf_counter()
            connection.request("POST", spec["path"], body=body, headers=spec["headers"])
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status >= 400 and response.status != 409:
                errors[0] += 1
            n += 1

    workers = [threading.Thread(target=client, args=(t,)) for t in range(connections)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000, 2)

    return {
        "requests": len(ordered),
        "rps": round(len(ordered) / elapsed, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "errors": errors[0],
    }


# --- The run ----------------------------------------------------------------------------------


def fresh_postgres(url: str) -> str:
    """A fresh database beside the one in `url`; its URL."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") + "_bench_scan"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=50_000)
    parser.add_argument("--seconds", type=float, default=5, help="Seconds of one run.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--python-client", action="store_true", help="Do not use wrk.")
    parser.add_argument("--build", nargs=3, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", nargs="+", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build(*args.build)))
        return
    if args.count:
        print(json.dumps(count_entries(args.count)))
        return

    from tests.deployment.stations import Station
    from tests.deployment.test_two_servers import free_port, wait_until_listening

    use_wrk = shutil.which("wrk") is not None and not args.python_client
    load = run_wrk if use_wrk else run_python
    url = os.environ.get("DATABASE_URL", "")
    engine = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    with tempfile.TemporaryDirectory() as work:
        env = {
            **os.environ,
            "HMIS_DATA_DIR": work,
            "DJANGO_SETTINGS_MODULE": "bench.floor_settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_SSL_REDIRECT": "0",
        }
        if engine == "postgresql":
            env["DATABASE_URL"] = fresh_postgres(url)
        run = {"env": env, "capture_output": True, "text": True, "check": True, "cwd": ROOT}
        subprocess.run([sys.executable, "-m", "hmis", "migrate", "-v0"], **run)  # noqa: S603
        runs = [(t, c) for c in args.connections for t in TARGETS]
        batches = len(runs) + len(TARGETS)  # one per measured run, one per warm-up
        world = json.loads(
            subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--build", str(args.clients), str(args.services)]
                + [str(batches)],
                **run,
            ).stdout
        )
        port = free_port()
        log = open(Path(work) / "server.log", "w")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "hmis", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        rounds: dict = {run: [] for run in runs}
        try:
            wait_until_listening(port, server)
            desk = Station([("127.0.0.1", port)])
            desk.sign_in(0, world["username"], world["password"])
            batch_ids = iter(world["batches"])
            share = world["clients"] // (args.rounds + 1)  # cards for one run of one round
            for target in TARGETS:  # warm every worker's code and connection
                spec = request_for(target, world, next(batch_ids), desk.cookies)
                load(port, spec, max(args.connections), 2, 0, share, f"warm-{target}")
            specs = {run: request_for(run[0], world, next(batch_ids), desk.cookies) for run in runs}
            # Rounds of short runs, each target in turn, so that whatever else the machine is
            # doing weighs on the scan and its floor alike.
            for n in range(args.rounds):
                for target, connections in runs:
                    rounds[(target, connections)].append(
                        result := load(
                            port,
                            specs[(target, connections)],
                            connections,
                            args.seconds,
                            (n + 1) * share,
                            share,
                            f"{target}{connections}r{n}",
                        )
                    )
                    print(f"round {n + 1}: {target} x{connections}: {result}", file=sys.stderr)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        counted = json.loads(
            subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--count", *map(str, world["batches"])], **run
            ).stdout
        )
    report(rounds, world, counted, engine, "wrk" if use_wrk else "python client", args)


def report(rounds, world, counted, engine, generator, args) -> None:
    """Each figure is the median over the rounds; a ratio is the median of the rounds' ratios
    (a scan's p95 over the floor's p95 measured just before it)."""
    print(
        f"Scan over HTTP: {engine}, {world['services']:,} services before the run, "
        f"{world['clients']:,} clients; hmis serve defaults; {generator}; "
        f"{args.rounds} rounds of {args.seconds:g} s per run"
    )
    print(
        f"{'run':<8}{'conns':>6}{'requests':>10}{'rps':>9}{'p50 ms':>9}{'p95 ms':>9}"
        f"{'p99 ms':>9}{'errors':>8}{'p95/floor':>11}"
    )
    ok = True
    for (target, connections), runs in rounds.items():
        floors = rounds[("floor", connections)]
        ratios = [
            r["p95_ms"] / f["p95_ms"] for r, f in zip(runs, floors, strict=True) if f["p95_ms"]
        ]
        ratio = statistics.median(ratios) if ratios else float("nan")
        if target != "floor":
            ok = ok and ratio <= 3  # nan (a floor run that finished nothing) is not met

        def median(name, runs=runs):
            return statistics.median(r[name] for r in runs)

        entries = counted["entries"].get(str(specs_batch(world, target, connections, rounds)), 0)
        print(
            f"{target:<8}{connections:>6}{sum(r['requests'] for r in runs):>10}"
            f"{median('rps'):>9.1f}{median('p50_ms'):>9.2f}{median('p95_ms'):>9.2f}"
            f"{median('p99_ms'):>9.2f}{sum(r['errors'] for r in runs):>8}"
            f"{'' if target == 'floor' else f'{ratio:.2f}x':>11}"
            + ("" if target == "floor" else f"   ({entries} entries added)")
        )
    print(f"database build: {world['build_seconds']} s; services after: {counted['services']:,}")
    verdict = "met" if ok else "NOT met"
    print(f"goal (p95 within 3x of the floor at every connection count): {verdict}")


def specs_batch(world, target, connections, rounds) -> int:
    """The batch a run scanned into (as handed out in `main`: warm-ups first, then the runs)."""
    return world["batches"][len(TARGETS) + list(rounds).index((target, connections))]


if __name__ == "__main__":
    main()
