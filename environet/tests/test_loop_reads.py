"""The event loop's own reading connection (environet/loop_reads.py): SQLite in a file only, reading what is
committed, never writing, replaced when it fails."""

import sqlite3

import pytest
from django.db import connection

from accounts.models import Person
from environet import loop_reads

pytestmark = pytest.mark.django_db(transaction=True)  # a connection of its own sees only what is committed


@pytest.fixture(autouse=True)
def _closed_afterwards():
    yield
    loop_reads.close()


def test_it_reads_what_is_committed_on_sqlite_and_nothing_on_postgresql(cast):
    with loop_reads.cursor() as cursor:
        if connection.vendor != "sqlite":
            assert cursor is None  # over a socket: not on the loop
            return
        assert cursor is not None
        cursor.execute("SELECT email FROM accounts_person WHERE id = %s", [cast.member.pk])
        assert cursor.fetchone() == (cast.member.email,)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: PostgreSQL is read in a thread")
def test_it_never_writes(cast):
    with pytest.raises(sqlite3.OperationalError, match="readonly"), loop_reads.cursor() as cursor:
        assert cursor is not None
        cursor.execute("UPDATE accounts_person SET full_name = %s WHERE id = %s", ["Changed", cast.member.pk])

    assert Person.objects.get(pk=cast.member.pk).full_name == cast.member.full_name


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: PostgreSQL is read in a thread")
def test_a_connection_that_failed_is_replaced(cast):
    with loop_reads.cursor() as cursor:
        first = cursor.connection  # type: ignore[union-attr]
    with pytest.raises(sqlite3.OperationalError), loop_reads.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")  # type: ignore[union-attr]
    with loop_reads.cursor() as cursor:
        assert cursor.connection is not first  # type: ignore[union-attr]
        cursor.execute("SELECT count(*) FROM accounts_person")  # type: ignore[union-attr]
        assert cursor.fetchone()[0] == Person.objects.count()  # type: ignore[union-attr]
