"""The full-text index of messages (see messaging/search.py): an FTS5 table on SQLite, a tsvector column
under a GIN index on PostgreSQL. Messages already written are indexed here; retracted and hidden ones
are left out, as the actions leave them out."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE messaging_search USING fts5(subject, body, tokenize = 'unicode61 remove_diacritics 2')",
    "INSERT INTO messaging_search (rowid, subject, body) "
    "SELECT m.id, t.subject, m.body FROM messaging_message m JOIN messaging_thread t ON t.id = m.thread_id "
    "WHERE m.retracted_at IS NULL AND m.hidden_at IS NULL",
]
POSTGRESQL = [
    "CREATE TABLE messaging_search (message_id bigint PRIMARY KEY, document tsvector NOT NULL)",
    "CREATE INDEX messaging_search_document ON messaging_search USING GIN (document)",
    "INSERT INTO messaging_search (message_id, document) "
    "SELECT m.id, to_tsvector('simple', t.subject || ' ' || m.body) "
    "FROM messaging_message m JOIN messaging_thread t ON t.id = m.thread_id "
    "WHERE m.retracted_at IS NULL AND m.hidden_at IS NULL",
]


def create(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute("DROP TABLE IF EXISTS messaging_search")


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0002_attachment'),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
