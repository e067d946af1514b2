"""`hmis serve` runs the app under gunicorn, with static files, not Django's development server."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 -- local test server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def server_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env["HMIS_DATA_DIR"] = str(tmp_path)
    subprocess.run(  # noqa: S603 -- our own command
        [sys.executable, "-m", "hmis", "migrate", "-v0"], env=env, check=True, timeout=300
    )
    return env


def wait_until_listening(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"hmis serve exited early:\n{process.stdout.read()}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError("hmis serve did not start listening")


def start_server(env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 -- our own command
        [sys.executable, "-m", "hmis", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_until_listening(port, process)
    return process, port


def stop_server(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output


def test_serve_answers_pages_and_static_files_through_gunicorn(server_env):
    process, port = start_server(server_env)
    try:
        status, headers, body = get(f"http://127.0.0.1:{port}/accounts/login/")
        assert status == 200
        assert headers.get("Server", "").startswith("gunicorn")
        assert b"password" in body.lower()

        status, headers, body = get(f"http://127.0.0.1:{port}/static/admin/css/base.css")
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert len(body) > 1000

        status, _, _ = get(f"http://127.0.0.1:{port}/static/no-such-file.css")
        assert status == 404
    finally:
        output = stop_server(process)
    assert "Starting gunicorn" in output
    assert "not applied" not in output
    # SQLite: one process of several threads waits for its single writer best (serve.py).
    assert "with 1 workers of 8 threads" in output


def test_serve_refuses_zero_workers(server_env):
    env = server_env
    result = subprocess.run(  # noqa: S603 -- our own command
        [sys.executable, "-m", "hmis", "serve", "--workers", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "--workers must be at least 1." in result.stderr


def test_serve_with_worker_runs_jobs_and_ctrl_c_stops_both(server_env):
    """What `make run` does: one command serves the app and runs a job worker beside it."""
    import signal
    import sqlite3
    from pathlib import Path

    port = free_port()
    process = subprocess.Popen(  # noqa: S603 -- our own command
        [sys.executable, "-m", "hmis", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        + ["--with-worker"],
        env=server_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    database = Path(server_env["HMIS_DATA_DIR"]) / "hmis.sqlite3"
    try:
        wait_until_listening(port, process)
        deadline = time.monotonic() + 60
        seen = 0
        while time.monotonic() < deadline and not seen:
            with sqlite3.connect(database) as db:
                seen = db.execute("SELECT count(*) FROM jobs_workerheartbeat").fetchone()[0]
            time.sleep(0.5)
        assert seen == 1, "the worker did not start"
    finally:
        # Ctrl-C in a terminal signals the whole process group.
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode is not None
    worker_line = [line for line in output.splitlines() if "Starting worker" in line]
    assert worker_line, output
    # Nothing of the group is left behind (no orphaned worker).
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        raise AssertionError("a process of `hmis serve --with-worker` is still running")
