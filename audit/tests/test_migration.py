"""Migration 0003 removes the labels older entries stored for things with content, and leaves a chain that
still verifies: re-sealed from the first entry it changed, with an entry that says so."""

import importlib
from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.actions import record
from audit.models import GENESIS, Entry
from audit.tests.test_chain import tamper, verify
from audit.verify import verify_chain
from messaging.models import Attachment, Message, Thread
from seizures.models import Seizure

migration = importlib.import_module("audit.migrations.0003_references_not_copies")


def migrate() -> None:
    """Run the migration's step on this database, as `manage.py migrate` would."""
    migration.remove_content_labels(apps, SimpleNamespace(connection=connection))


def written_before(action: str, *, actor=None, target, changes: dict | None = None) -> Entry:
    """An entry as record() wrote it before this change: the target's str() kept as its label."""
    last = Entry.objects.order_by("-seq").first()
    entry = Entry(
        seq=last.seq + 1 if last else 1,
        at=timezone.now(),
        actor=actor,
        actor_name=f"{actor.full_name} <{actor.email}>" if actor else "",
        organisation=getattr(actor, "organisation", None),
        subject_organisation=getattr(target, "organisation", None),
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_label=str(target)[:300],
        changes=changes or {},
        previous_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry.compute_hash()
    entry.save(force_insert=True)
    return entry


@pytest.fixture
def old_trail(cast) -> dict[str, Entry]:
    # Made directly, so that the only entries are those written the old way below.
    thread = Thread.objects.create(subject="Operation Ivory Sunset", author=cast.member, organisation=cast.home)
    message = Message.objects.create(thread=thread, author=cast.member, body="...", body_html="...")
    attachment = Attachment.objects.create(
        message=message, name="informant-kamau.pdf", content_type="application/pdf", size=3, storage_key="x"
    )
    seizure = Seizure.objects.create(
        organisation=cast.home, officer=cast.member, occurred_on=date(2026, 10, 1), country="KE", reference="KE-2026-7"
    )
    return {
        "signin": written_before("signin.succeeded", actor=cast.member, target=cast.member),
        "thread": written_before("thread.started", actor=cast.member, target=thread, changes={"marking": "red"}),
        "attachment": written_before("attachment.added", actor=cast.member, target=attachment),
        "role": written_before("person.role_changed", actor=cast.focal_point, target=cast.member),
        "seizure": written_before("seizure.filed", actor=cast.member, target=seizure),
        "hidden": written_before("message.hidden", actor=cast.administrator, target=message, changes={"reason": "r"}),
    }


def test_the_old_entries_verify_before(old_trail):
    assert Entry.objects.get(seq=2).object_label == "Operation Ivory Sunset"
    assert verify_chain() == (6, [])


def test_it_removes_the_stored_labels_of_things_with_content(old_trail):
    migrate()

    labels = dict(Entry.objects.values_list("action", "object_label"))
    assert labels["thread.started"] == labels["attachment.added"] == labels["seizure.filed"] == ""
    assert labels["message.hidden"] == ""
    # People keep their names; references and facts about settings stay.
    assert labels["signin.succeeded"] == labels["person.role_changed"] == "Mohamed Member"
    thread = Entry.objects.get(action="thread.started")
    assert (thread.object_id, thread.changes) == (old_trail["thread"].object_id, {"marking": "red"})
    assert Entry.objects.get(action="message.hidden").changes == {"reason": "r"}
    for secret in ("Ivory Sunset", "informant-kamau", "KE-2026"):
        assert secret not in str(list(Entry.objects.values_list("object_label", "changes")))


def test_the_chain_verifies_after(old_trail):
    migrate()

    assert verify_chain() == (7, [])
    assert "intact: 7 entries" in verify()[0]
    # Entries before the first one changed keep their hashes; from there on the chain is re-sealed.
    assert Entry.objects.get(seq=1).hash == old_trail["signin"].hash
    assert Entry.objects.get(seq=2).hash != old_trail["thread"].hash
    # The re-sealing is in the trail itself, with the last hash before it.
    note = Entry.objects.get(seq=7)
    assert note.action == "audit.labels_removed"
    assert note.changes == {"labels_removed": 4, "from_entry": 2, "last_hash_before": old_trail["hidden"].hash}
    # Writing goes on from there.
    record("signin.succeeded", target=old_trail["signin"].actor)
    assert verify_chain() == (8, [])


def test_it_does_nothing_when_there_is_nothing_to_remove(cast):
    first = record("signin.succeeded", actor=cast.member, target=cast.member)
    migrate()
    assert list(Entry.objects.values_list("seq", "hash")) == [(1, first.hash)]


def test_it_refuses_to_reseal_a_damaged_chain(old_trail):
    # Re-hashing would make an intruder's change verify: the migration stops instead.
    tamper("UPDATE audit_entry SET action = %s WHERE seq = %s", ["forged", 4])
    with pytest.raises(RuntimeError, match="damaged at entry #4"), transaction.atomic():
        migrate()
    assert Entry.objects.get(seq=2).object_label == "Operation Ivory Sunset"
    assert not Entry.objects.filter(action="audit.labels_removed").exists()


def test_it_leaves_the_table_append_only_on_postgresql(postgres_only, old_trail):
    migrate()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Entry.objects.filter(seq=1).update(action="forged")
    assert verify_chain() == (7, [])
