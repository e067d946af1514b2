"""A trigram index for client name search on PostgreSQL.

search_clients() matches word prefixes with LIKE 'tok%' OR LIKE '% tok%'; a B-tree index cannot
serve the second form, a pg_trgm GIN index can, which keeps the desk's search-as-you-type fast
with millions of clients. SQLite has no such index and needs none at a single site's size. Where
the database user may not create the extension, the index is skipped with a notice: search still
works, only slower.
"""

from django.db import migrations, transaction

INDEX = "clients_client_search_name_trgm"


def create_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON clients_client "
                "USING gin (search_name gin_trgm_ops)"
            )
    except Exception as error:  # noqa: BLE001 - any refusal leaves search working, unindexed
        print(f"\n  Notice: client name search index not created ({error}).")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
