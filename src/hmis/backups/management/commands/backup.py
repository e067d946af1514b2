"""`hmis backup --output FILE`: the database and media folder in one archive, while the app runs."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hmis.backups.archive import BackupError, make_backup
from hmis.backups.encryption import BackupKeyError


def read_key(key_file: str | None) -> str | None:
    if key_file:
        try:
            return Path(key_file).read_text().strip()
        except OSError as error:
            raise CommandError(f"Cannot read the key file: {error}") from None
    return os.environ.get("HMIS_BACKUP_KEY") or None


class Command(BaseCommand):
    help = "Back up the database and the media folder into one archive (optionally encrypted)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The archive to write.")
        parser.add_argument(
            "--key-file", help="Encrypt with the Fernet key in this file (or set HMIS_BACKUP_KEY)."
        )

    def handle(self, *args, output: str, key_file: str | None, **options):
        key = read_key(key_file)
        try:
            manifest = make_backup(output=Path(output), key=key)
        except (BackupError, BackupKeyError) as error:
            raise CommandError(str(error)) from None
        rows = sum(table["rows"] for table in manifest["tables"].values())
        encrypted = " (encrypted)" if key else ""
        self.stdout.write(
            f"Backed up {len(manifest['tables'])} tables ({rows} rows) and the media folder "
            f"to {output}{encrypted}."
        )
