"""`hmis restore FILE`: restore a backup into an empty database and media folder (or, with
--force, over what is there), and check every table against the backup's checksums."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hmis.backups.archive import BackupError, restore_backup
from hmis.backups.encryption import BackupKeyError
from hmis.backups.management.commands.backup import read_key


class Command(BaseCommand):
    help = "Restore a backup made by `hmis backup` into an empty database and media folder."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup archive.")
        parser.add_argument("--key-file", help="The Fernet key of an encrypted backup.")
        parser.add_argument(
            "--force", action="store_true", help="Replace a database or media folder in use."
        )

    def handle(self, *args, file: str, key_file: str | None, force: bool, **options):
        try:
            manifest = restore_backup(source=Path(file), key=read_key(key_file), force=force)
        except (BackupError, BackupKeyError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']}: {len(manifest['tables'])} tables, "
            "every row count and checksum as backed up."
        )
