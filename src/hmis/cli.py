"""The `hmis` command: Django's management entry point with the project's settings.

Subcommands may be spelt with hyphens (`hmis import-hud-csv`) or underscores (`hmis
import_hud_csv`): Python modules cannot hold a hyphen, people type them.

Every command but those that build or inspect the schema first checks that the database's
migrations are applied, and if not says so in one line and exits with status 2 (instead of a
traceback ending in `no such table`).
"""

import os
import sys

# Commands that create, inspect or do not touch the schema.
SCHEMA_NOT_NEEDED = frozenset(
    {
        "migrate",
        "makemigrations",
        "showmigrations",
        "sqlmigrate",
        "squashmigrations",
        "optimizemigration",
        "check",
        "help",
        "version",
        "dbshell",
        "shell",
        "diffsettings",
        "collectstatic",
        "findstatic",
        "startapp",
        "startproject",
        "test",
        "createcachetable",
        "restore",
    }
)
HELP_FLAGS = frozenset({"-h", "--help", "--version"})
EXIT_NOT_MIGRATED = 2


def command_argv(argv: list[str]) -> list[str]:
    if len(argv) > 1 and not argv[1].startswith("-"):
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return list(argv)


def needs_schema(argv: list[str]) -> bool:
    if len(argv) < 2 or argv[1].startswith("-") or HELP_FLAGS.intersection(argv[2:]):
        return False
    return argv[1] not in SCHEMA_NOT_NEEDED


def schema_problem() -> str | None:
    """One line saying why the database cannot be used yet, or None when it is up to date."""
    import django
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    django.setup()
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # unreachable server, bad credentials, unreadable file
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return f"hmis: cannot read the database: {first_line}"
    finally:
        connections.close_all()
    if plan:
        return (
            f"hmis: the database is not up to date ({len(plan)} migration(s) not applied): "
            "run `hmis migrate` first."
        )
    return None


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hmis.settings")
    from django.core.management import execute_from_command_line

    argv = command_argv(sys.argv)
    if needs_schema(argv):
        problem = schema_problem()
        if problem:
            print(problem, file=sys.stderr)
            sys.exit(EXIT_NOT_MIGRATED)
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
