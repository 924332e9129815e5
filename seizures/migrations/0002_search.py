"""The full-text index of seizure records (see seizures/search.py): an FTS5 table on SQLite, a tsvector
column under a GIN index on PostgreSQL. It holds non-nominal text only."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE seizures_search USING fts5(document, tokenize = 'unicode61 remove_diacritics 2')",
]
POSTGRESQL = [
    "CREATE TABLE seizures_search (seizure_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX seizures_search_document ON seizures_search USING GIN (document)",
]


def create(apps, schema_editor):
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute("DROP TABLE IF EXISTS seizures_search")


class Migration(migrations.Migration):

    dependencies = [
        ("seizures", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
