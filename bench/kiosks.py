"""Kiosks on keep-alive connections: N stations (default 100) each scan a card every 2 seconds (30
scans a minute) for a minute each against `hmis serve` on a loopback port, each on one HTTP/1.1
connection kept open. Like the desk, a scan answered 503 (database busy) is sent again with the
same key after Retry-After. Prints connection errors (must be 0), answers by HTTP status (no 500),
reconnections, scan latencies to the final answer (p50, p95, max) and the machine's load average.

    .venv/bin/python bench/kiosks.py [--stations 100] [--seconds 60] [--workers N] [--threads N]

Loopback only; builds its own SQLite database in a temporary folder (or uses DATABASE_URL)."""

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.deployment.stations import Station  # noqa: E402
from tests.deployment.test_two_servers import free_port, wait_until_listening  # noqa: E402


def kiosk(station: Station, batch: int, cards: list[str], seconds: float, out: dict) -> None:
    """Scan a card every 2 seconds; like the desk, send a scan answered 503 (database busy) again
    with the same key after Retry-After. A scan's latency runs until its final answer."""
    day = time.strftime("%Y-%m-%d")
    deadline = time.monotonic() + seconds
    time.sleep(random.uniform(0, 2))  # kiosks are not in step  # noqa: S311
    n = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        socket_before = getattr(station.connection(0), "sock", None)
        form = {"scan_type": "card", "typed": cards[n % len(cards)], "key": f"{id(station)}-{n}"}
        form |= {"batch_date": day, "date_provided": day}
        try:
            while True:
                status, headers, _ = station.request(0, "POST", f"/batches/{batch}/scan/", form)
                out["answers"][status] = out["answers"].get(status, 0) + 1
                if status != 503:
                    break
                time.sleep(int(headers.get("Retry-After", "2")))
            if status == 200:
                out["latencies"].append(time.monotonic() - started)
            else:
                out["errors"].append(f"scan answered {status}")
            if socket_before is not None and station.connection(0).sock is not socket_before:
                out["reconnections"] += 1
        except (ConnectionError, OSError) as error:
            out["errors"].append(repr(error))
            out["connection_errors"] += 1
            station.connections.clear()
        n += 1
        time.sleep(max(0.0, 2 - (time.monotonic() - started)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, help="hmis serve --workers (default: its own)")
    parser.add_argument("--threads", type=int, help="hmis serve --threads (default: its own)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "HMIS_DATA_DIR": work}
        env.pop("DEBUG", None)
        run = {"env": env, "capture_output": True, "text": True, "check": True}
        subprocess.run([sys.executable, "-m", "hmis", "migrate", "-v0"], **run)  # noqa: S603
        cards_each = int(args.seconds / 2) + 1
        world = json.loads(
            subprocess.run(  # noqa: S603
                [sys.executable, str(ROOT / "tests" / "deployment" / "world.py")]
                + [str(args.stations), str(args.stations * cards_each)],
                cwd=ROOT,
                **run,
            ).stdout
        )
        port = free_port()
        log = open(Path(work) / "server.log", "w")  # noqa: SIM115 (closed below)
        serve = [sys.executable, "-m", "hmis", "serve", "--bind", f"127.0.0.1:{port}"]
        for option in ("workers", "threads"):
            if getattr(args, option):
                serve += [f"--{option}", str(getattr(args, option))]
        server = subprocess.Popen(  # noqa: S603
            serve,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_listening(port, server)
            out = {"latencies": [], "errors": [], "reconnections": 0, "connection_errors": 0}
            out["answers"] = {}
            # Every kiosk signs in first (one after the other: 100 sign-ins at once, each a
            # deliberately slow password hash, would measure a sign-in storm). Then all scan at
            # once for the whole time, each on a connection opened for its first scan (the one it
            # signed in on may have been idle longer than the keep-alive by then) and kept.
            stations = []
            signing_in = time.monotonic()
            for n, user in enumerate(world["users"]):
                station = Station([("127.0.0.1", port)])
                try:
                    station.sign_in(0, user, world["password"])
                except (ConnectionError, OSError, AssertionError) as error:
                    out["errors"].append(f"sign-in: {error!r}")
                    out["connection_errors"] += not isinstance(error, AssertionError)
                    continue
                station.connections.clear()
                stations.append((station, world["cards"][n * cards_each : (n + 1) * cards_each]))
            sign_in_seconds = time.monotonic() - signing_in
            load_before = os.getloadavg()
            threads = [
                threading.Thread(
                    target=kiosk, args=(station, world["batch"], cards, args.seconds, out)
                )
                for station, cards in stations
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
            server_errors = [
                line.strip()
                for line in (Path(work) / "server.log").read_text().splitlines()
                if "[ERROR]" in line or "[CRITICAL]" in line or "WORKER TIMEOUT" in line
            ]
    latencies = sorted(out["latencies"])
    print(
        json.dumps(
            {
                "stations": args.stations,
                "seconds": args.seconds,
                "sign_in_seconds": round(sign_in_seconds, 1),
                "load_average_before": [round(x, 1) for x in load_before],
                "load_average_after": [round(x, 1) for x in os.getloadavg()],
                "scans": len(latencies),
                "scans_at_full_rate": args.stations * int(args.seconds / 2),
                "connection_errors": out["connection_errors"],
                "other_errors": len(out["errors"]) - out["connection_errors"],
                "answers_by_status": out["answers"],
                "reconnections": out["reconnections"],
                "p50_ms": round(percentile(latencies, 0.5) * 1000, 1) if latencies else None,
                "p95_ms": round(percentile(latencies, 0.95) * 1000, 1) if latencies else None,
                "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
                "first_errors": out["errors"][:5],
                "server_errors": server_errors[:10],
            },
            indent=1,
        )
    )


def percentile(ordered: list[float], share: float) -> float:
    """Nearest rank of an ascending list."""
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


if __name__ == "__main__":
    main()
