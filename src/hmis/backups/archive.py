"""`make_backup` and `restore_backup`: one archive (tar.gz, optionally encrypted) holding the
database, consistent while the app runs, and the media folder, with a manifest of every table's
row count and checksum that the restore verifies.

SQLite: the online backup API copies the database page by page into a snapshot file (writers
go on; the copy restarts if they change it underneath). PostgreSQL: `pg_dump --format=custom`
of a snapshot exported from a REPEATABLE READ transaction, whose checksums come from that same
snapshot."""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from hmis.backups import encryption
from hmis.backups.checksums import postgres_tables, sqlite_tables, table_checksums

FORMAT = 1
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
# Tables `hmis migrate` fills by itself: rows there do not make a database "not empty".
MIGRATE_FILLS = {"django_migrations", "django_content_type", "auth_permission"}


class BackupError(Exception):
    pass


def make_backup(*, output: Path, key: str | None = None) -> dict:
    output = Path(output)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".hmis-backup-") as work:
        folder = Path(work)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "engine": connection.vendor,
        }
        if connection.vendor == "sqlite":
            manifest["tables"] = _snapshot_sqlite(folder / SQLITE_FILE)
        elif connection.vendor == "postgresql":
            manifest["tables"] = _dump_postgres(folder / POSTGRES_FILE)
        else:
            raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
        packed = folder / "backup.tar.gz"
        with tarfile.open(packed, "w:gz") as archive:
            archive.add(folder / "manifest.json", "manifest.json")
            for name in (SQLITE_FILE, POSTGRES_FILE):
                if (folder / name).exists():
                    archive.add(folder / name, name)
            media = Path(settings.MEDIA_ROOT)
            if media.is_dir():
                archive.add(media, "media")
        partial = output.with_name(output.name + ".part")
        if key:
            with open(packed, "rb") as source, open(partial, "wb") as target:
                encryption.encrypt(source, target, key)
        else:
            shutil.copyfile(packed, partial)
        os.replace(partial, output)
    return manifest


def _snapshot_sqlite(target: Path) -> dict:
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as snapshot:
        connection.connection.backup(snapshot)
    with closing(sqlite3.connect(target)) as snapshot:
        cursor = snapshot.cursor()
        return table_checksums(cursor, sqlite_tables(cursor))


def _postgres_command(program: str) -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    command = [program, "--no-password", "--dbname", db["NAME"]]
    if db.get("HOST"):
        command += ["--host", db["HOST"]]
    if db.get("PORT"):
        command += ["--port", str(db["PORT"])]
    if db.get("USER"):
        command += ["--username", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return command, env


def _dump_postgres(target: Path) -> dict:
    command, env = _postgres_command("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        # The dump and the checksums see the same snapshot of the database.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        done = subprocess.run(  # noqa: S603 (pg_dump with our own arguments)
            [*command, "--format=custom", "--snapshot", snapshot, "--file", str(target)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        return table_checksums(cursor, postgres_tables(cursor))


def restore_backup(*, source: Path, key: str | None = None, force: bool = False) -> dict:
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    with tempfile.TemporaryDirectory(prefix=".hmis-restore-") as work:
        folder = Path(work)
        packed = folder / "backup.tar.gz"
        if encryption.is_encrypted(source):
            if not key:
                raise BackupError(
                    "This backup is encrypted: give its key (--key-file or HMIS_BACKUP_KEY)."
                )
            with open(source, "rb") as stream, open(packed, "wb") as target:
                encryption.decrypt(stream, target, key)
        else:
            packed = source
        try:
            with tarfile.open(packed, "r:gz") as archive:
                archive.extractall(folder / "unpacked", filter="data")
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{source.name} is not an HMIS backup ({error}).") from None
        unpacked = folder / "unpacked"
        try:
            manifest = json.loads((unpacked / "manifest.json").read_text())
        except (OSError, ValueError):
            raise BackupError(f"{source.name} is not an HMIS backup (no manifest).") from None
        if manifest.get("engine") != connection.vendor:
            raise BackupError(
                f"This is a {manifest.get('engine')} backup; the database here is "
                f"{connection.vendor}."
            )
        if not force:
            _refuse_unless_empty()
        if connection.vendor == "sqlite":
            restored = _restore_sqlite(unpacked / SQLITE_FILE)
        else:
            restored = _restore_postgres(unpacked / POSTGRES_FILE)
        if restored != manifest["tables"]:
            differing = sorted(
                table
                for table in set(restored) | set(manifest["tables"])
                if restored.get(table) != manifest["tables"].get(table)
            )
            raise BackupError(
                "The restored database differs from the backup in: " + ", ".join(differing)
            )
        _restore_media(unpacked / "media", force=force)
    return manifest


def database_has_data() -> bool:
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor)) - MIGRATE_FILLS
        for table in tables:
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                return True
    return False


def _refuse_unless_empty() -> None:
    if database_has_data():
        raise BackupError(
            "The database is not empty: restoring would overwrite it. Use --force to replace it."
        )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(media.iterdir()):
        raise BackupError(
            f"The media folder {media} is not empty. Use --force to replace its files."
        )


def _restore_sqlite(snapshot: Path) -> dict:
    connection.ensure_connection()
    with closing(sqlite3.connect(snapshot)) as backup:
        # Page by page over whatever was there: the target becomes the snapshot, whole.
        backup.backup(connection.connection)
    connections.close_all()
    # Checksums through a plain sqlite3 connection, as for the snapshot (Django's converts types).
    with closing(sqlite3.connect(connection.settings_dict["NAME"])) as restored:
        cursor = restored.cursor()
        return table_checksums(cursor, sqlite_tables(cursor))


def _restore_postgres(dump: Path) -> dict:
    command, env = _postgres_command("pg_restore")
    connections.close_all()
    done = subprocess.run(  # noqa: S603 (pg_restore with our own arguments)
        [*command, "--clean", "--if-exists", "--no-owner", "--single-transaction", str(dump)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    with connection.cursor() as cursor:
        return table_checksums(cursor, postgres_tables(cursor))


def _restore_media(unpacked_media: Path, *, force: bool) -> None:
    media = Path(settings.MEDIA_ROOT)
    if force and media.is_dir():
        shutil.rmtree(media)
    if unpacked_media.is_dir():
        shutil.copytree(unpacked_media, media, dirs_exist_ok=True)
