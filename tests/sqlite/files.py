"""The test database on a file, for tests of SQLite's write lock."""

import sqlite3
from contextlib import closing, contextmanager

from django.db import connection


@contextmanager
def served_from_a_file(folder):
    """The default connection uses a file copy of the test database, with a 0.2 s busy timeout:
    SQLite's write lock is then the real one of a file (the in-memory test database shares a cache
    and fails another way), and the test does not wait 20 s."""
    connection.ensure_connection()
    memory = connection.connection
    path = folder / "busy.sqlite3"
    with closing(sqlite3.connect(path)) as copy:
        memory.backup(copy)
    saved = connection.settings_dict
    saved_name, saved_options = saved["NAME"], saved["OPTIONS"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    connection.settings_dict["OPTIONS"] = {**saved_options, "timeout": 0.2}
    connection.ensure_connection()  # in WAL mode before anyone takes the lock
    try:
        yield path
    finally:
        connection.close()
        connection.settings_dict["NAME"], connection.settings_dict["OPTIONS"] = (
            saved_name,
            saved_options,
        )
        connection.connection = memory


@contextmanager
def write_lock_held(path):
    """Another connection holds the write lock, as an import or a long post does."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
