"""``environet.held_open``: with one connection held open, an SQLite database in WAL mode keeps its log when a
request's connection (the last other one) closes, instead of copying it into the database and deleting it, to
make it again on the next request; what was written is read by the next connection either way, and the log is
still copied into the database when asked (SQLite's checkpoint)."""

import sqlite3
from pathlib import Path

import pytest
from django.db import connection

from environet import held_open


@pytest.fixture
def database(tmp_path):
    """A database in a file, in WAL mode, as the settings make it."""
    path = tmp_path / "held.sqlite3"
    made = sqlite3.connect(path)
    made.execute("PRAGMA journal_mode=WAL")
    made.execute("CREATE TABLE seizure (id INTEGER PRIMARY KEY, reference TEXT)")
    made.close()
    yield path
    held_open.release()


def a_request_writes(path: Path, reference: str) -> None:
    request = sqlite3.connect(path)
    request.execute("INSERT INTO seizure (reference) VALUES (?)", [reference])
    request.commit()
    request.close()


def log_of(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def test_without_a_connection_held_the_last_close_deletes_the_log(database):
    a_request_writes(database, "KE-2026-000001")
    assert not log_of(database).exists()


def test_with_one_held_the_log_and_what_was_written_stay(database):
    held = held_open.hold(database)
    assert held is not None
    a_request_writes(database, "KE-2026-000001")
    assert log_of(database).exists() and log_of(database).stat().st_size > 0
    reader = sqlite3.connect(database)
    assert reader.execute("SELECT reference FROM seizure").fetchall() == [("KE-2026-000001",)]
    # The holder stops no checkpoint: the log is copied into the database and emptied when asked.
    assert reader.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
    reader.close()
    assert log_of(database).stat().st_size == 0
    a_request_writes(database, "KE-2026-000002")  # and writers still write
    assert [row[0] for row in held.execute("SELECT reference FROM seizure ORDER BY id")] == [
        "KE-2026-000001",
        "KE-2026-000002",
    ]


def test_nothing_is_held_for_a_database_not_yet_made(tmp_path):
    missing = tmp_path / "not-migrated.sqlite3"
    assert held_open.hold(missing) is None
    assert not missing.exists()  # not made by trying


@pytest.mark.django_db
def test_the_web_process_holds_the_sqlite_database_it_uses_and_nothing_else():
    held = held_open.hold_open()
    try:
        if connection.vendor == "sqlite":
            assert held is not None
            [(_, _name, file)] = [row for row in held.execute("PRAGMA database_list") if row[1] == "main"]
            assert Path(file).resolve() == Path(connection.settings_dict["NAME"]).resolve()
        else:
            assert held is None  # PostgreSQL keeps no such log
    finally:
        held_open.release()
