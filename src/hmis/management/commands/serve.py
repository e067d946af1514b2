"""`hmis serve`: the app under gunicorn, a production-grade WSGI server (not runserver).

Static files are served by whitenoise straight from the app folders (WHITENOISE_USE_FINDERS), so
no collectstatic step is needed. `--with-worker` also starts `hmis worker` for background jobs
(what `make run` does), and stops it when the server stops.
"""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication


class HmisApplication(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from hmis.wsgi import application

        return application


KEEPALIVE_SECONDS = 75


def prepare_metrics_folder() -> Path:
    """/metrics adds up the counts of every gunicorn worker through files in this folder
    (prometheus_client's multiprocess mode); a new server starts from an empty one."""
    from django.conf import settings

    folder = Path(
        os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        or Path(settings.DATA_DIR) / f"prometheus-{os.getpid()}"
    )
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    return folder


def _forget_dead_worker_metrics(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"


def default_workers() -> int:
    """SQLite has one writer, which processes wait for by polling it (sleeping up to 100 ms between
    tries): one process of several threads served many kiosks faster and more evenly than several
    processes (README, "SQLite under load")."""
    if on_sqlite():
        return 1
    return min(2 * (os.cpu_count() or 1) + 1, 8)


def default_threads() -> int:
    return 8 if on_sqlite() else 4


class Command(BaseCommand):
    help = "Serve the application with gunicorn (default 127.0.0.1:8000)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="Address to listen on (default: %(default)s)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Worker processes (default here: %(default)s; 1 on SQLite, else 2 x CPUs + 1).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=default_threads(),
            help="Threads per worker process (default here: %(default)s; 8 on SQLite, else 4).",
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help="Seconds before a stuck worker is restarted."
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run `hmis worker` (background jobs) until the server stops.",
        )

    def handle(
        self,
        *args,
        bind: str,
        workers: int,
        threads: int,
        timeout: int,
        with_worker: bool,
        **options,
    ):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if threads < 1:
            raise CommandError("--threads must be at least 1.")
        self.stdout.write(
            f"Serving HMIS on http://{bind}/ with {workers} workers of {threads} threads "
            "(Ctrl-C stops)."
        )
        job_worker = None
        if with_worker:
            job_worker = subprocess.Popen([sys.executable, "-m", "hmis", "worker"])  # noqa: S603
        try:
            self.serve(bind=bind, workers=workers, threads=threads, timeout=timeout)
        finally:
            if job_worker is not None:
                stop_process(job_worker)

    def serve(self, *, bind: str, workers: int, threads: int, timeout: int) -> None:
        metrics_folder = prepare_metrics_folder()
        try:
            self.run_gunicorn(bind=bind, workers=workers, threads=threads, timeout=timeout)
        finally:
            for counts in metrics_folder.glob("*.db"):
                counts.unlink(missing_ok=True)
            try:
                metrics_folder.rmdir()
            except OSError:
                pass

    def run_gunicorn(self, *, bind: str, workers: int, threads: int, timeout: int) -> None:
        from django.conf import settings

        HmisApplication(
            {
                "bind": bind,
                "workers": workers,
                "timeout": timeout,
                # Threads keep a slow client from holding a whole worker at the scanning desk.
                "worker_class": "gthread",
                "threads": threads,
                # With HMIS_LOG_REQUESTS the app logs each request itself (with its request id,
                # without the query string, which may hold a searched name).
                "accesslog": None if settings.HMIS_LOG_REQUESTS else "-",
                "errorlog": "-",
                # The app is loaded in each worker after the fork: no database connection is
                # shared between processes.
                "preload_app": False,
                # Kiosks scanning every 2 seconds keep their connection: idle connections are
                # closed only after 75 s (more than browsers' and proxies' own idle limits).
                "keepalive": KEEPALIVE_SECONDS,
                "child_exit": _forget_dead_worker_metrics,
            }
        ).run()


def stop_process(process: subprocess.Popen) -> None:
    """Ask a child to stop (it finishes its current step), and insist after a while."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
