"""Kiosks on keep-alive connections: N stations (default 100) each scan a card every 2 seconds (30
scans a minute) for a minute against `hmis serve` on a loopback port, each on one HTTP/1.1
connection kept open. Prints connection errors (must be 0), reconnections, and scan latencies.

    .venv/bin/python bench/kiosks.py [--stations 100] [--seconds 60]

Loopback only; builds its own SQLite database in a temporary folder (or uses DATABASE_URL)."""

import argparse
import json
import os
import statistics
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
    day = time.strftime("%Y-%m-%d")
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        socket_before = getattr(station.connection(0), "sock", None)
        try:
            station.scan(0, batch, cards[n % len(cards)], f"{id(station)}-{n}", day)
            out["latencies"].append(time.monotonic() - started)
            if socket_before is not None and station.connection(0).sock is not socket_before:
                out["reconnections"] += 1
        except (ConnectionError, OSError, AssertionError) as error:
            out["errors"].append(repr(error))
            station.connections.clear()
        n += 1
        time.sleep(max(0.0, 2 - (time.monotonic() - started)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
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
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "hmis", "serve", "--bind", f"127.0.0.1:{port}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_listening(port, server)
            out = {"latencies": [], "errors": [], "reconnections": 0}
            threads = []
            for n, user in enumerate(world["users"]):
                station = Station([("127.0.0.1", port)])
                station.sign_in(0, user, world["password"])
                cards = world["cards"][n * cards_each : (n + 1) * cards_each]
                threads.append(
                    threading.Thread(
                        target=kiosk, args=(station, world["batch"], cards, args.seconds, out)
                    )
                )
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
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    print(
        json.dumps(
            {
                "stations": args.stations,
                "seconds": args.seconds,
                "scans": len(latencies),
                "connection_errors": len(out["errors"]),
                "reconnections": out["reconnections"],
                "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
                "p95_ms": round(p95 * 1000, 1),
                "first_errors": out["errors"][:5],
                "server_errors": server_errors[:10],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
