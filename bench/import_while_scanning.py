"""Desk scans while a HUD CSV import runs: a process scans a card every 0.25 s (the desk's domain
function, as the web desk calls it) while `hmis import-hud-csv` imports a file of N services
(default 100,000) into the same database. Prints the import's time and the scans' latencies
during it (p50, p95, max). A scan whose database stays locked past the busy timeout is sent again
after Retry-After with the same key, as the desk does; its latency runs to its final answer.

    .venv/bin/python bench/import_while_scanning.py [--services 100000]

Uses a temporary SQLite database, or the PostgreSQL database DATABASE_URL names (emptied first:
never point it at real data)."""

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "hudcsv" / "fixtures" / "fy2026"

SCANNER = r"""
import json, os, sys, time
import django
django.setup()
from django.utils import timezone
from hmis.batches.adding import add_to_batch
from hmis.batches.models import ServiceBatch
from django.db import OperationalError
from hmis.database_busy import RETRY_AFTER_SECONDS, is_database_busy
world = json.loads(sys.argv[1]); stop = sys.argv[2]
batch = ServiceBatch.objects.get(pk=world["batch"])
user = batch.performing_user
day = timezone.localdate()
print("ready", flush=True)
samples = []
for n, code in enumerate(world["cards"]):
    if os.path.exists(stop):
        break
    started = time.time()
    busy = 0
    while True:
        try:
            result = add_to_batch(batch=batch, user=user, scan_type="card", typed=code,
                                  batch_date=day, date_provided=day, key=f"bench-{n}")
            samples.append([started, time.time() - started, result.ok, busy])
            break
        except OperationalError as error:
            if not is_database_busy(error):
                samples.append([started, time.time() - started, str(error), busy])
                break
            # The desk is answered 503 and sends the same key again after Retry-After.
            busy += 1
            time.sleep(RETRY_AFTER_SECONDS)
    time.sleep(0.25)
print(json.dumps(samples), flush=True)
"""


def services_zip(work: Path, count: int) -> Path:
    folder = work / "export"
    shutil.copytree(FIXTURE, folder)
    services = folder / "Services.csv"
    with open(services, encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        header, first = reader.fieldnames, next(reader)
    with open(services, "a", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, header, lineterminator="\r\n")
        for number in range(count):
            writer.writerow({**first, "ServicesID": f"BENCH{number}"})
    return Path(shutil.make_archive(str(work / "export"), "zip", folder))


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: with few samples, p95 is the slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {**os.environ, "HMIS_DATA_DIR": str(work / "data"), "PYTHONPATH": str(ROOT)}
        env["DJANGO_SETTINGS_MODULE"] = "hmis.settings"
        run = {"env": env, "capture_output": True, "text": True, "check": True}
        subprocess.run([sys.executable, "-m", "hmis", "migrate", "-v0"], **run)  # noqa: S603
        if env.get("DATABASE_URL"):
            subprocess.run([sys.executable, "-m", "hmis", "flush", "--no-input"], **run)  # noqa: S603
        world = subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "tests" / "deployment" / "world.py"), "1", "2000"],
            cwd=ROOT,
            **run,
        ).stdout
        archive = services_zip(work, args.services)
        stop = work / "stop"
        scanner = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", SCANNER, world, str(stop)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert scanner.stdout.readline().strip() == "ready"
        time.sleep(2)  # scans before the import, for comparison
        started = time.time()
        imported = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "hmis", "import-hud-csv", str(archive), "--quiet-progress"],
            **{**run, "check": False},
        )
        finished = time.time()
        time.sleep(2)
        stop.touch()
        samples = json.loads(scanner.communicate(timeout=300)[0].strip().splitlines()[-1])
    during = [s[1] for s in samples if started <= s[0] <= finished or s[0] + s[1] >= started > s[0]]
    before = [s[1] for s in samples if s[0] + s[1] < started]
    report = {
        "database": "postgresql" if os.environ.get("DATABASE_URL") else "sqlite",
        "services": args.services,
        "import_seconds": round(finished - started, 1),
        "import_exit_status": imported.returncode,
        "scans_during_import": len(during),
        "scans_refused": sum(1 for s in samples if s[2] is False),
        "scans_failed": sorted({s[2] for s in samples if isinstance(s[2], str)}),
        "scans_failed_count": sum(1 for s in samples if isinstance(s[2], str)),
        "scans_answered_busy_then_retried": sum(1 for s in samples if s[3]),
        "busy_answers": sum(s[3] for s in samples),
        "p50_ms_during": round(percentile(during, 0.5) * 1000, 1) if during else None,
        "p95_ms_during": round(percentile(during, 0.95) * 1000, 1) if during else None,
        "max_ms_during": round(max(during) * 1000, 1) if during else None,
        "p95_ms_before": round(percentile(before, 0.95) * 1000, 1) if before else None,
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
