"""`hmis serve`: the app under gunicorn, a production-grade WSGI server (not runserver).

Static files are served by whitenoise straight from the app folders (WHITENOISE_USE_FINDERS), so
no collectstatic step is needed.
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
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

    def handle(self, *args, bind: str, workers: int, timeout: int, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        self.warn_about_unapplied_migrations()
        self.stdout.write(f"Serving HMIS on http://{bind}/ with {workers} workers (Ctrl-C stops).")
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

    def warn_about_unapplied_migrations(self) -> None:
        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as error:  # any database trouble: say so, keep serving
            self.stderr.write(self.style.WARNING(f"Could not check migrations: {error}"))
            return
        finally:
            connections.close_all()
        if plan:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(plan)} migration(s) not applied: run `hmis migrate` first."
                )
            )
