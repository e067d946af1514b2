"""`hmis backup` while a desk scans, `hmis restore` into a fresh database: every table holds the
same rows (count and checksum) as the backup's snapshot; an encrypted backup needs its key; a
database in use is not overwritten unless told."""

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from contextlib import closing
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hmis.backups import encryption
from hmis.backups.checksums import sqlite_tables, table_checksums

ROOT = Path(__file__).resolve().parents[2]


def hmis(env, *args, check=True):
    done = subprocess.run(  # noqa: S603 -- our own command
        [sys.executable, "-m", "hmis", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def env_for(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env["HMIS_DATA_DIR"] = str(folder)
    return env


def checksums_of(database: Path) -> dict:
    with closing(sqlite3.connect(database)) as db:
        cursor = db.cursor()
        return table_checksums(cursor, sqlite_tables(cursor))


def test_backup_while_scanning_restores_every_table_exactly(tmp_path):
    source, target = env_for(tmp_path / "source"), env_for(tmp_path / "target")
    hmis(source, "migrate", "-v0")
    photo = tmp_path / "source" / "media" / "photos" / "p1.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8 not really a photo")
    key_file = tmp_path / "backup.key"
    key_file.write_text(Fernet.generate_key().decode())
    stop = tmp_path / "stop"
    scanner = subprocess.Popen(  # noqa: S603 -- our own script
        [sys.executable, str(ROOT / "tests" / "backups" / "scanner.py"), str(stop)],
        env=source,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert scanner.stdout.readline().strip() == "ready", scanner.stderr.read()
        archive = tmp_path / "hmis.backup"
        hmis(source, "backup", "--output", str(archive), "--key-file", str(key_file))
    finally:
        stop.touch()
        scanner.wait(timeout=120)
    scanned_in_all = checksums_of(tmp_path / "source" / "hmis.sqlite3")["batches_batchentry"]

    done = hmis(target, "restore", str(archive), "--key-file", str(key_file))

    assert "every row count and checksum as backed up" in done.stdout
    # Check independently of the manifest: the snapshot inside the archive against the restore.
    with open(archive, "rb") as stream, open(tmp_path / "plain.tar.gz", "wb") as plain:
        encryption.decrypt(stream, plain, key_file.read_text())
    with tarfile.open(tmp_path / "plain.tar.gz") as unpacked:
        unpacked.extractall(tmp_path / "unpacked", filter="data")
    snapshot = checksums_of(tmp_path / "unpacked" / "database.sqlite3")
    restored = checksums_of(tmp_path / "target" / "hmis.sqlite3")
    assert restored == snapshot
    assert len(restored) > 30
    entries = restored["batches_batchentry"]["rows"]
    assert 0 < entries <= scanned_in_all["rows"]  # taken while the desk was scanning
    assert restored["services_service"]["rows"] == entries  # each auto-posted entry whole
    assert (tmp_path / "target" / "media" / "photos" / "p1.jpg").read_bytes() == photo.read_bytes()

    # The restored database is in use now: a second restore is refused unless forced.
    again = hmis(target, "restore", str(archive), "--key-file", str(key_file), check=False)
    assert again.returncode == 1
    assert "The database is not empty" in again.stderr
    # Without its key, an encrypted backup is refused with a reason.
    nokey = hmis(env_for(tmp_path / "other"), "restore", str(archive), check=False)
    assert "This backup is encrypted" in nokey.stderr
    wrong = tmp_path / "wrong.key"
    wrong.write_text(Fernet.generate_key().decode())
    bad = hmis(
        env_for(tmp_path / "other"), "restore", str(archive), "--key-file", str(wrong), check=False
    )
    assert "cannot be decrypted with this key" in bad.stderr
    forced = hmis(target, "restore", str(archive), "--key-file", str(key_file), "--force")
    assert forced.returncode == 0


@pytest.mark.parametrize("cut", [0, 50])
def test_a_tampered_or_cut_encrypted_backup_is_refused(tmp_path, cut):
    import io

    key = Fernet.generate_key().decode()
    data = os.urandom(encryption.CHUNK + 1000)  # two chunks
    sealed = io.BytesIO()
    encryption.encrypt(io.BytesIO(data), sealed, key)
    damaged = sealed.getvalue()
    damaged = damaged[: len(damaged) - 10] if not cut else damaged[:cut] + b"x" + damaged[cut + 1 :]
    with pytest.raises(encryption.BackupKeyError):
        encryption.decrypt(io.BytesIO(damaged), io.BytesIO(), key)
    opened = io.BytesIO()
    encryption.decrypt(io.BytesIO(sealed.getvalue()), opened, key)
    assert opened.getvalue() == data


@pytest.fixture
def two_postgres_databases():
    """A source and an empty target database beside the one DATABASE_URL names."""
    import psycopg

    base = os.environ["DATABASE_URL"]
    server, _, name = base.rpartition("/")
    names = [f"{name}_backup_source", f"{name}_backup_target"]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for db in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}"')
            admin.execute(f'CREATE DATABASE "{db}"')
    yield [f"{server}/{db}" for db in names]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for db in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def pg_checksums(env: dict[str, str]) -> dict:
    """Checksums of the database `env` points at, read through Django's connection (as the backup
    reads them: it decodes JSON and time zones its own way), in a process of its own."""
    code = (
        "import json, django; django.setup(); from django.db import connection; "
        "from hmis.backups.checksums import postgres_tables, table_checksums; "
        "cursor = connection.cursor(); "
        "print(json.dumps(table_checksums(cursor, postgres_tables(cursor))))"
    )
    done = subprocess.run(  # noqa: S603 -- our own code
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "hmis.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.postgres
def test_postgres_backup_while_scanning_restores_every_table_exactly(
    tmp_path, two_postgres_databases
):
    source_url, target_url = two_postgres_databases
    source = {**env_for(tmp_path / "source"), "DATABASE_URL": source_url}
    target = {**env_for(tmp_path / "target"), "DATABASE_URL": target_url}
    hmis(source, "migrate", "-v0")
    stop = tmp_path / "stop"
    scanner = subprocess.Popen(  # noqa: S603 -- our own script
        [sys.executable, str(ROOT / "tests" / "backups" / "scanner.py"), str(stop)],
        env=source,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert scanner.stdout.readline().strip() == "ready", scanner.stderr.read()
        archive = tmp_path / "hmis.backup"
        hmis(source, "backup", "--output", str(archive))
    finally:
        stop.touch()
        scanner.wait(timeout=120)

    hmis(target, "restore", str(archive))

    restored = pg_checksums(target)
    with tarfile.open(archive) as unpacked:
        manifest = json.load(unpacked.extractfile("manifest.json"))
    assert restored == manifest["tables"]
    entries = restored["batches_batchentry"]["rows"]
    assert 0 < entries and restored["services_service"]["rows"] == entries
    again = hmis(target, "restore", str(archive), check=False)
    assert "The database is not empty" in again.stderr
