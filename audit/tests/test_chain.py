"""The audit trail's hash chain: appended in order, verified by `manage.py audit_verify`, append-only on
PostgreSQL, and intact when many processes write at once."""

import itertools
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from audit.actions import record
from audit.models import GENESIS, Entry
from audit.verify import verify_chain


def verify() -> tuple[str, str]:
    """Run the command as an operator would; (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("audit_verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails() -> str:
    """Run the command on a damaged chain; what it says about the damage."""
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify", stdout=StringIO(), stderr=err)
    return f"{err.getvalue()}\n{failure.value}"


def tamper(sql: str, params: list | None = None) -> None:
    """Change the table behind the application's back, as an intruder with database access would.

    On PostgreSQL the append-only trigger refuses that, so the intruder (here: the test) first turns
    it off. ALTER TABLE is transactional there: the test's rollback turns the trigger back on. (It also
    refuses to run while foreign-key checks of this transaction are still deferred, so those run first.)
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(sql, params or [])


@pytest.fixture
def chain(cast) -> list[Entry]:
    return [
        record("signin.succeeded", actor=cast.member, target=cast.member, changes={"method": "authenticator"}),
        record("person.role_changed", actor=cast.focal_point, target=cast.observer, changes={"role": ["member", "x"]}),
        record("organisation.saved", actor=cast.administrator, target=cast.home, label="Kenya Revenue Authority"),
        record("signin.failed", label="nobody@example.org", changes={"step": "password"}),
    ]


def test_it_chains_each_entry_to_the_one_before(chain):
    entries = list(Entry.objects.order_by("seq"))
    assert [entry.seq for entry in entries] == [1, 2, 3, 4]
    assert entries[0].previous_hash == GENESIS
    for before, after in itertools.pairwise(entries):
        assert after.previous_hash == before.hash
    # Read back from the database, every row still hashes to what was stored when it was written.
    assert all(entry.compute_hash() == entry.hash for entry in entries)


def test_it_records_who_acted_and_on_which_organisation(cast, chain):
    role_change = Entry.objects.get(seq=2)
    assert role_change.actor == cast.focal_point
    assert role_change.actor_name == "Fatou Focal <fatou@kra.example> (KRA)"
    assert role_change.organisation == cast.home
    assert role_change.subject_organisation == cast.home
    assert (role_change.object_type, role_change.object_id) == ("accounts.person", str(cast.observer.pk))
    # An organisation acted on is its own subject organisation, so its focal points see the entry.
    organisation_saved = Entry.objects.get(seq=3)
    assert organisation_saved.subject_organisation == cast.home
    assert organisation_saved.organisation == cast.secretariat


def test_it_verifies_an_intact_chain(chain):
    out, err = verify()
    assert "intact: 4 entries" in out
    assert err == ""


def test_it_verifies_an_empty_trail(db):
    out, _err = verify()
    assert "intact: 0 entries" in out


def test_it_reports_an_altered_row(chain):
    tamper("UPDATE audit_entry SET action = %s WHERE seq = %s", ["signin.failed", 2])
    err = StringIO()
    with pytest.raises(CommandError, match=r"1 problem\(s\) in 4 entries, first entry #2: .* altered"):
        call_command("audit_verify", stdout=StringIO(), stderr=err)
    assert err.getvalue() == "entry #2: content does not match its hash: altered\n"


def test_it_reports_an_altered_row_even_when_its_hash_is_recomputed(chain):
    # Someone who knows the scheme rewrites the row and its hash: the next row no longer follows it.
    altered = Entry.objects.get(seq=2)
    altered.changes = {"role": ["member", "observer"]}
    tamper(
        "UPDATE audit_entry SET changes = %s, hash = %s WHERE seq = %s",
        ['{"role": ["member", "observer"]}', altered.compute_hash(), 2],
    )
    report = verify_fails()
    assert "entry #3: does not follow the entry before it" in report


def test_it_reports_a_removed_row(chain):
    tamper("DELETE FROM audit_entry WHERE seq = %s", [2])
    report = verify_fails()
    assert "entry #3: expected #2 here" in report
    assert "entry #3: does not follow the entry before it" in report


def test_it_reports_reordered_rows(chain):
    # Swap rows 2 and 3 (through a free number, as seq is unique).
    tamper("UPDATE audit_entry SET seq = -2 WHERE seq = 2")
    tamper("UPDATE audit_entry SET seq = 2 WHERE seq = 3")
    tamper("UPDATE audit_entry SET seq = 3 WHERE seq = -2")
    report = verify_fails()
    assert "entry #2: does not follow the entry before it" in report
    assert "entry #3: does not follow the entry before it" in report


def test_it_reports_nothing_once_the_damage_is_undone(chain):
    # The check compares content, not history: it failed above because of the change, not by habit.
    original = Entry.objects.get(seq=2).action
    tamper("UPDATE audit_entry SET action = %s WHERE seq = 2", ["forged"])
    verify_fails()
    tamper("UPDATE audit_entry SET action = %s WHERE seq = 2", [original])
    assert "intact: 4 entries" in verify()[0]


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_entry SET action = 'forged' WHERE seq = 1", "DELETE FROM audit_entry WHERE seq = 1"]
)
def test_it_refuses_updates_and_deletes_on_postgresql(postgres_only, chain, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert Entry.objects.get(seq=1).action == "signin.succeeded"


def test_it_refuses_orm_updates_on_postgresql(postgres_only, chain):
    # The ORM is no back door either.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Entry.objects.filter(seq=2).update(action="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Entry.objects.filter(seq=2).delete()
    assert verify_chain() == (4, [])


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_chain_whole_when_many_write_at_once(cast):
    # Each thread has its own database connection, like separate server processes. Without the
    # chain lock (PostgreSQL) or the IMMEDIATE write lock (SQLite), two writers would read the same
    # last entry and collide on its successor's number or fork the chain.
    threads_count, per_thread = 6, 15
    start = threading.Barrier(threads_count)
    failures: list[BaseException] = []

    def write(number: int) -> None:
        try:
            start.wait()
            for step in range(per_thread):
                record("test.concurrent", actor=cast.member, label=f"writer {number} step {step}")
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(number,)) for number in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert verify_chain() == (threads_count * per_thread, [])
    assert "intact: 90 entries" in verify()[0]
