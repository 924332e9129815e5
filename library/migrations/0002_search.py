"""The full-text index of library items (see library/search.py): an FTS5 table on SQLite, a tsvector column
under a GIN index on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE library_search USING fts5(title, summary, body, tokenize = 'unicode61 remove_diacritics 2')",
]
POSTGRESQL = [
    "CREATE TABLE library_search (item_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX library_search_document ON library_search USING GIN (document)",
]


def create(apps, schema_editor):
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute("DROP TABLE IF EXISTS library_search")


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
