"""The event loop's own reading connections (environet/loop_reads.py): SQLite in a file read directly,
PostgreSQL through an asynchronous connection; each reading what is committed, never writing, replaced when
it fails."""

import asyncio
import sqlite3

import psycopg
import pytest
from django.db import connection

from accounts.models import Person
from environet import loop_reads

pytestmark = pytest.mark.django_db(transaction=True)  # a connection of its own sees only what is committed
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


@pytest.fixture(autouse=True)
def _closed_afterwards():
    yield
    loop_reads.close()


def _email(person_id: int) -> tuple | None:
    """The person's email as read on the loop, by whichever of the two connections this database has."""

    async def read() -> tuple | None:
        try:
            with loop_reads.cursor() as cursor:
                if cursor is not None:
                    cursor.execute("SELECT email FROM accounts_person WHERE id = %s", [person_id])
                    return cursor.fetchone()
            async with loop_reads.waiting() as waiting:
                assert waiting is not None
                found = await waiting.execute("SELECT email FROM accounts_person WHERE id = %s", [person_id])
                return await found.fetchone()
        finally:
            await loop_reads.aclose()

    return asyncio.run(read())


def test_it_reads_what_is_committed(cast):
    assert _email(cast.member.pk) == (cast.member.email,)
    Person.objects.filter(pk=cast.member.pk).update(email="changed@kra.example")
    assert _email(cast.member.pk) == ("changed@kra.example",)


def test_each_database_has_one_of_the_two():
    async def kinds() -> tuple[bool, bool]:
        with loop_reads.cursor() as cursor:
            direct = cursor is not None
        async with loop_reads.waiting() as waiting:
            awaited = waiting is not None
        await loop_reads.aclose()
        return direct, awaited

    assert asyncio.run(kinds()) == ((True, False) if connection.vendor == "sqlite" else (False, True))


@sqlite_only
def test_on_sqlite_it_never_writes(cast):
    with pytest.raises(sqlite3.OperationalError, match="readonly"), loop_reads.cursor() as cursor:
        assert cursor is not None
        cursor.execute("UPDATE accounts_person SET full_name = %s WHERE id = %s", ["Changed", cast.member.pk])

    assert Person.objects.get(pk=cast.member.pk).full_name == cast.member.full_name


@sqlite_only
def test_on_sqlite_a_connection_that_failed_is_replaced(cast):
    with loop_reads.cursor() as cursor:
        first = cursor.connection  # type: ignore[union-attr]
    with pytest.raises(sqlite3.OperationalError), loop_reads.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")  # type: ignore[union-attr]
    with loop_reads.cursor() as cursor:
        assert cursor.connection is not first  # type: ignore[union-attr]
        cursor.execute("SELECT count(*) FROM accounts_person")  # type: ignore[union-attr]
        assert cursor.fetchone()[0] == Person.objects.count()  # type: ignore[union-attr]


@postgresql_only
def test_on_postgresql_it_never_writes(cast):
    async def write() -> None:
        try:
            async with loop_reads.waiting() as waiting:
                assert waiting is not None
                await waiting.execute(
                    "UPDATE accounts_person SET full_name = %s WHERE id = %s", ["Changed", cast.member.pk]
                )
        finally:
            await loop_reads.aclose()

    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        asyncio.run(write())
    assert Person.objects.get(pk=cast.member.pk).full_name == cast.member.full_name


@postgresql_only
def test_on_postgresql_a_connection_that_failed_is_replaced(cast):
    async def fail_then_read() -> tuple[bool, bool, int]:
        try:
            async with loop_reads.waiting() as first:
                assert first is not None
                await first.execute("SELECT * FROM no_such_table")
        except psycopg.Error:
            pass
        async with loop_reads.waiting() as second:
            assert second is not None
            found = await (await second.execute("SELECT count(*) FROM accounts_person")).fetchone()
        await loop_reads.aclose()
        assert first is not None and found is not None
        return first.closed, second is first, found[0]

    assert asyncio.run(fail_then_read()) == (True, False, Person.objects.count())
