"""Row counts and checksums of every table, to prove a restore holds exactly what was backed up.
Rows are read in primary-key order and hashed as text, the same way on SQLite and PostgreSQL."""

import hashlib

CHUNK = 5000


def table_checksums(cursor, tables: list[str]) -> dict[str, dict[str, object]]:
    """{table: {"rows": n, "sha256": hex}} through a DB-API `cursor` (compare like with like: a
    raw sqlite3 cursor with another, a psycopg cursor with another)."""
    figures = {}
    for table in sorted(tables):
        quoted = '"' + table.replace('"', '""') + '"'
        cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608 (our own table names)
        digest = hashlib.sha256()
        rows = 0
        while batch := cursor.fetchmany(CHUNK):
            for row in batch:
                digest.update(repr(tuple(_plain(value) for value in row)).encode())
                rows += 1
        figures[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return figures


def sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [name for (name,) in cursor.fetchall()]


def postgres_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [name for (name,) in cursor.fetchall()]


def _plain(value):
    """The same text for a value whichever database returned it."""
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return value
    return str(value)
