"""New rows of one model written at once, as ``bulk_create`` writes them: for the thousands of rows of an import
(its records, lines, history and audit entries).

On PostgreSQL by COPY: Django's bulk_create there sends each column as an array, which psycopg (binding on the
client, as Django has it) writes out value by value in Python: most of the time of writing an import's rows.
Elsewhere (SQLite) by bulk_create itself."""

from collections.abc import Sequence

from django.db import connection, models

# Rows written in one statement where there is no COPY: a few hundred, as SQLite takes them in one go.
_BATCH = 500


def create(objects: Sequence[models.Model]) -> None:
    """``objects`` (new, all of one model) written, each given its id as bulk_create gives it: once this returns
    they are saved objects, with their ids."""
    if not objects:
        return
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=_BATCH)
        return
    unnumbered = [each for each in objects if each.pk is None]
    for each, pk in zip(unnumbered, next_ids(model, len(unnumbered)), strict=True):
        each.pk = pk
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)  # type: ignore[arg-type]  # concrete: has one
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for each in objects:
            # Refuses a row whose related object is not saved yet, as bulk_create does (Django's own method).
            each._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
            copy.write_row([field.get_db_prep_save(field.pre_save(each, True), connection) for field in fields])
    for each in objects:
        each._state.adding, each._state.db = False, connection.alias


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new ids of ``model`` on PostgreSQL, in increasing order (as rows inserted in that order would
    get), from the sequence the table's inserts take theirs from: no other insert can be given one of them."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), model._meta.pk.column, count],
        )
        return sorted(pk for (pk,) in cursor.fetchall())
