"""A throwaway database for a benchmark, so that no benchmark ever touches the real one.

Without DATABASE_URL: a new SQLite file in a temporary folder, migrated. With DATABASE_URL: a
pytest-style test_<name> database beside it, created and dropped here."""

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def throwaway_database():
    """Set Django up on a fresh, migrated database; yield its connection; remove it after."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    temp_dir = None
    if not os.environ.get("DATABASE_URL"):
        temp_dir = tempfile.TemporaryDirectory(prefix="hmis-bench-")
        os.environ["HMIS_DATA_DIR"] = temp_dir.name
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hmis.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    test_db = None
    if temp_dir is None:
        test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    else:
        call_command("migrate", verbosity=0)
    try:
        yield connection
    finally:
        if test_db is not None:
            connection.creation.destroy_test_db(test_db, verbosity=0)
        if temp_dir is not None:
            connection.close()
            temp_dir.cleanup()
