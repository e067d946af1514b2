"""The `hmis` command: Django's management entry point with the project's settings.

Subcommands may be spelt with hyphens (`hmis import-hud-csv`) or underscores (`hmis
import_hud_csv`): Python modules cannot hold a hyphen, people type them.
"""

import os
import sys


def command_argv(argv: list[str]) -> list[str]:
    if len(argv) > 1 and not argv[1].startswith("-"):
        return [argv[0], argv[1].replace("-", "_"), *argv[2:]]
    return list(argv)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hmis.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_argv(sys.argv))


if __name__ == "__main__":
    main()
