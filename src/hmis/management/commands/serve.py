"""`hmis serve`: the app under gunicorn, a production-grade WSGI server (not runserver).

Static files are served by whitenoise straight from the app folders (WHITENOISE_USE_FINDERS), so
no collectstatic step is needed. `--with-worker` also starts `hmis worker` for background jobs
(what `make run` does), and stops it when the server stops.
"""

import os
import subprocess
import sys

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


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, 8)


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
            help="Worker processes (default: %(default)s).",
        )
        parser.add_argument(
            "--timeout", type=int, default=60, help="Seconds before a stuck worker is restarted."
        )
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run `hmis worker` (background jobs) until the server stops.",
        )

    def handle(self, *args, bind: str, workers: int, timeout: int, with_worker: bool, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        self.stdout.write(f"Serving HMIS on http://{bind}/ with {workers} workers (Ctrl-C stops).")
        job_worker = None
        if with_worker:
            job_worker = subprocess.Popen([sys.executable, "-m", "hmis", "worker"])  # noqa: S603
        try:
            self.serve(bind=bind, workers=workers, timeout=timeout)
        finally:
            if job_worker is not None:
                stop_process(job_worker)

    def serve(self, *, bind: str, workers: int, timeout: int) -> None:
        HmisApplication(
            {
                "bind": bind,
                "workers": workers,
                "timeout": timeout,
                # Threads keep a slow client from holding a whole worker at the scanning desk.
                "worker_class": "gthread",
                "threads": 4,
                "accesslog": "-",
                "errorlog": "-",
                # The app is loaded in each worker after the fork: no database connection is
                # shared between processes.
                "preload_app": False,
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
