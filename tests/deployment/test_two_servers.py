"""Several app servers on one PostgreSQL database: two `hmis serve` on loopback ports and a
worker; stations alternate between the servers with retries and duplicate keys; a session made on
one server works on the other; every scan is applied exactly once; kiosks keep their connection."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.deployment.stations import Station

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(port: int, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"a process exited early:\n{process.stdout.read()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("the server did not start listening")


@pytest.fixture(scope="module")
def database_url():
    base = os.environ["DATABASE_URL"]
    server, _, name = base.rpartition("/")
    db = f"{name}_two_servers"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{db}"')
    yield f"{server}/{db}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture(scope="module")
def deployment(database_url, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("deployment")
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG"}}
    env.update(DATABASE_URL=database_url, HMIS_DATA_DIR=str(tmp_path / "data"))
    run = {"env": env, "capture_output": True, "text": True, "timeout": 300, "check": True}
    subprocess.run([sys.executable, "-m", "hmis", "migrate", "-v0"], **run)  # noqa: S603
    world = json.loads(
        subprocess.run(  # noqa: S603 -- our own script
            [sys.executable, str(ROOT / "tests" / "deployment" / "world.py")], cwd=ROOT, **run
        ).stdout
    )
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(  # noqa: S603 -- our own command
            [sys.executable, "-m", "hmis", "serve", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", "2"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for port in ports
    ]
    processes.append(
        subprocess.Popen(  # noqa: S603 -- our own command
            [sys.executable, "-m", "hmis", "worker"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    )
    try:
        for port, process in zip(ports, processes, strict=False):
            wait_until_listening(port, process)
        yield {
            "world": world,
            "servers": [("127.0.0.1", port) for port in ports],
            "url": database_url,
        }
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_two_servers_share_sessions_and_apply_every_scan_exactly_once(deployment):
    world, servers = deployment["world"], deployment["servers"]
    batch, cards = world["batch"], world["cards"]
    day = time.strftime("%Y-%m-%d")

    # Signed in on server 0, the session works on server 1.
    first = Station(servers)
    first.sign_in(0, world["users"][0], world["password"])
    status, _, page = first.request(1, "GET", f"/batches/{batch}/add/")
    assert status == 200 and "Add Clients to Batch" in page

    second = Station(servers)
    second.sign_in(1, world["users"][1], world["password"])
    stations = [first, second]

    answers = []
    for n, code in enumerate(cards):
        station = stations[n % 2]
        key = f"station{n % 2}-scan{n}"
        server = n % 2
        answers.append(station.scan(server, batch, code, key, day))
        # The answer was "lost": the station retries the same key on the other server.
        retried = station.scan(1 - server, batch, code, key, day)
        assert retried == answers[-1] or "Added" in retried
        # Someone scans the same card again at the other station: a new key, already added.
        other = stations[1 - n % 2]
        again = other.scan(server, batch, code, f"station{1 - n % 2}-rescan{n}", day)
        assert "already added" in again.lower(), again[:500]
    assert all("result--ok" in answer for answer in answers), answers[0][:500]

    with psycopg.connect(deployment["url"]) as db:
        entries = db.execute(
            "SELECT client_id, count(*) FROM batches_batchentry WHERE batch_id = %s "
            "GROUP BY client_id",
            [batch],
        ).fetchall()
        services = db.execute(
            "SELECT count(*), count(DISTINCT client_id) FROM services_service"
        ).fetchone()
    assert len(entries) == len(cards) and all(count == 1 for _, count in entries)
    assert services == (len(cards), len(cards))  # posted at once (the batch posts automatically)

    # Both servers report the shared worker as alive.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        healthy = [first.request(n, "GET", "/healthz")[0] == 200 for n in (0, 1)]
        if all(healthy):
            break
        time.sleep(2)
    assert all(healthy)


def test_kiosks_scanning_every_two_seconds_keep_their_connections(deployment):
    """20 kiosks, each on one keep-alive connection, a request every 2 s for 10 s: no connection
    is reset (bench/kiosks.py runs 100 kiosks for a minute)."""
    servers = deployment["servers"]
    kiosks = [Station(servers) for _ in range(20)]
    errors, sockets = 0, {}
    for _ in range(5):
        started = time.monotonic()
        for n, kiosk in enumerate(kiosks):
            try:
                status, _, _ = kiosk.request(n % 2, "GET", "/healthz")
                assert status in (200, 503)
            except (ConnectionError, OSError):
                errors += 1
                continue
            sockets.setdefault(n, set()).add(id(kiosk.connection(n % 2).sock))
        time.sleep(max(0.0, 2 - (time.monotonic() - started)))
    assert errors == 0
    assert all(len(used) == 1 for used in sockets.values())  # one connection, kept throughout
