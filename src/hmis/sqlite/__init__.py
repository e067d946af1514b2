"""The SQLite database engine of the embedded default (settings.database_config): Django's own,
with the threads of one process taking turns at the write lock (base.py)."""
