"""Audit entries keep references, not copies: the labels older entries stored for objects with content
(a thread's subject, a file's name, a seizure record's reference) are removed.

Those labels are now made when the trail is shown, through the viewer's access (audit/labels.py); a
stored copy would outlive the item's being narrowed, retracted or edited. (No entry ever put such content
in ``changes``: the record(...) calls have only ever stored settings, counts and ids there. A moderator's
reason for hiding a message stays, and is shown only to those who may read the message.)

Why the chain is re-sealed: each entry's hash covers its label, and the next entry's ``previous_hash``
covers that hash. A hash over a label cannot be checked once the label is gone, so no change to what the
hash covers could let these old entries verify. The migration therefore re-hashes the chain from the
first entry it changes, and does it so that it cannot hide anything:
- it verifies the chain as it stands first, and refuses to run on a damaged one (re-sealing would make
  an intruder's edit verify afterwards);
- entries before the first one changed keep their hashes;
- it appends an entry, "audit.labels_removed", saying how many labels were removed, from which entry,
  and the last hash before the re-sealing, so a hash kept elsewhere (a backup, a log of audit_verify)
  can be matched to this migration rather than to tampering.

The hashing is copied here as it is today (Entry.content, Entry.compute_hash): a migration must mean the
same thing when the model's code changes later.

On PostgreSQL the table refuses UPDATE (0002_append_only): the trigger is turned off for this
transaction's own updates and on again before it commits (ALTER TABLE is transactional there).
"""

import hashlib
import json

from django.db import migrations, transaction
from django.utils import timezone

GENESIS = "0" * 64
CHAIN_LOCK = 73112009  # audit.actions._CHAIN_LOCK: no one appends while the chain is re-sealed
BATCH = 1000

# The object types whose str() was content when this migration was written (see audit/labels.py for
# today's list): thread subjects, message subjects, file names, seizure references, forum names.
CONTENT_TYPES = (
    "messaging.thread",
    "messaging.message",
    "messaging.attachment",
    "seizures.seizure",
    "seizures.seizurefile",
    "seizures.importjob",
    "topics.topic",
)


def entry_hash(entry) -> str:
    content = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "organisation": entry.organisation_id,
        "subject_organisation": entry.subject_organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "changes": entry.changes,
        "client_address": entry.client_address,
        "user_agent": entry.user_agent,
        "previous_hash": entry.previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def in_order(Entry, after: int = 0):
    while True:
        batch = list(Entry.objects.filter(seq__gt=after).order_by("seq")[:BATCH])
        if not batch:
            return
        yield batch
        after = batch[-1].seq


def check_intact(Entry) -> None:
    """As audit.verify.verify_chain, stopping at the first problem."""
    expected_seq, previous_hash = 1, GENESIS
    for batch in in_order(Entry):
        for entry in batch:
            if (entry.seq, entry.previous_hash, entry_hash(entry)) != (expected_seq, previous_hash, entry.hash):
                raise RuntimeError(
                    f"The audit trail is damaged at entry #{entry.seq}: run `manage.py audit_verify` and restore "
                    "the trail before this migration. Re-sealing a damaged chain would hide the damage."
                )
            expected_seq, previous_hash = entry.seq + 1, entry.hash


def set_append_only(connection, enabled: bool) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # ALTER TABLE refuses to run while this transaction still has deferred constraint checks.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE audit_entry {'ENABLE' if enabled else 'DISABLE'} TRIGGER audit_entry_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def remove_content_labels(apps, schema_editor) -> None:
    Entry = apps.get_model("audit", "Entry")
    connection = schema_editor.connection
    with transaction.atomic(using=connection.alias):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        carrying = Entry.objects.filter(object_type__in=CONTENT_TYPES).exclude(object_label="")
        first = carrying.order_by("seq").values_list("seq", flat=True).first()
        if first is None:
            return
        check_intact(Entry)
        head_before = Entry.objects.order_by("-seq").values_list("hash", flat=True).first()
        previous = Entry.objects.filter(seq__lt=first).order_by("-seq").values_list("hash", flat=True).first()
        previous, removed, last_seq = previous or GENESIS, 0, first - 1
        set_append_only(connection, False)
        for batch in in_order(Entry, after=first - 1):
            for entry in batch:
                if entry.object_type in CONTENT_TYPES and entry.object_label:
                    entry.object_label = ""
                    removed += 1
                entry.previous_hash = previous
                entry.hash = previous = entry_hash(entry)
                last_seq = entry.seq
            Entry.objects.bulk_update(batch, ["object_label", "previous_hash", "hash"])
        set_append_only(connection, True)
        note = Entry(
            seq=last_seq + 1,
            at=timezone.now(),
            action="audit.labels_removed",
            changes={"labels_removed": removed, "from_entry": first, "last_hash_before": head_before},
            previous_hash=previous,
        )
        note.hash = entry_hash(note)
        note.save(force_insert=True)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    # Going back cannot bring the labels back; the entries stay as they are.
    operations = [migrations.RunPython(remove_content_labels, migrations.RunPython.noop)]
