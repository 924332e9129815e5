"""On PostgreSQL, the words of a text being read, parsed part by part by the database while the rest is still being
read (library.search.WordsAhead), wait in ``library_search_part`` until the index row is made from them in the same
transaction, which also deletes them: no row of it outlives its transaction. So the table is unlogged (nothing in
it needs to survive a crash, and writing it costs no WAL) and its documents are stored uncompressed (each is read
back once, milliseconds later). Nothing on SQLite, whose index is built in the same process."""

from django.db import migrations

POSTGRESQL = [
    "CREATE UNLOGGED TABLE library_search_part (reading uuid NOT NULL, number integer NOT NULL, "
    "document tsvector NOT NULL, PRIMARY KEY (reading, number))",
    "ALTER TABLE library_search_part ALTER COLUMN document SET STORAGE EXTERNAL",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS library_search_part")


class Migration(migrations.Migration):
    dependencies = [("library", "0005_text_compression")]

    operations = [migrations.RunPython(create, drop)]
