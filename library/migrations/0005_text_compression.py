"""On PostgreSQL, the extracted text of library files and the index's documents are compressed with lz4 instead
of the default pglz when the server offers it: storing a 50-page manual's 185,000 characters took longer with
pglz than indexing them (bench/library.py). Nothing changes on SQLite or on a server built without lz4; rows
already stored keep their compression until they are written again."""

from django.db import migrations

COLUMNS = (("library_libraryfile", "text"), ("library_search", "document"))


def lz4_offered(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
    return bool(row) and "lz4" in (row[0] or [])


def compress_with(method: str):
    def change(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql" or not lz4_offered(connection):
            return
        for table, column in COLUMNS:
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")

    return change


class Migration(migrations.Migration):
    dependencies = [("library", "0004_item_corrected_at")]

    operations = [migrations.RunPython(compress_with("lz4"), compress_with("pglz"))]
