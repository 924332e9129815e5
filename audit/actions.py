"""Writing to the audit trail. Every write elsewhere in ENVIRONET calls ``record`` in its transaction."""

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit import labels
from audit.models import GENESIS, Entry
from environet import bulk
from environet.compiled import Kept, Prepared, prepare

# Any fixed number: the key of the PostgreSQL advisory lock that queues writers of the chain.
_CHAIN_LOCK = 73112009


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    target: Any = None,
    label: str = "",
    changes: dict[str, Any] | None = None,
    subject_organisation: Any = None,
) -> Entry:
    """Append one entry. ``actor`` defaults to the request's person; ``target`` is the object acted on.

    The entry keeps a reference to ``target`` (type and id). For a type with content (a thread, a file, a
    seizure record: see audit/labels.py) nothing of the object is stored, and its label is made when the
    trail is shown, through the viewer's access; passing ``label`` for one is an error. Other targets
    (people, organisations) keep ``label`` or their name, and ``label`` alone names what was tried when
    there is no object (the address of a failed sign-in).

    ``changes`` maps a field to ``[old, new]`` (or holds other facts such as a reason): facts about
    settings (marking, audience kind, state, role) and counts, never subjects, bodies, file names, titles,
    nominal data or secrets.
    """
    object_type = target._meta.label_lower if target is not None else ""
    if label and labels.carries_content(object_type):
        raise ValueError(f"{object_type} carries content: its label is made when the trail is shown")
    # No savepoint of its own (two round trips fewer per write on PostgreSQL): an entry that cannot be written
    # fails the write it records, whole.
    with transaction.atomic(savepoint=False):
        last = _last_of_chain()
        entry = _entry(
            action,
            request=request,
            actor=actor,
            target=target,
            label=label,
            changes=changes,
            subject_organisation=subject_organisation,
            last=last,
        )
        entry.save(force_insert=True)
    return entry


def record_each(
    action: str, *, request: HttpRequest | None = None, actor: Any = None, targets: Sequence[tuple[Any, dict[str, Any]]]
) -> list[Entry]:
    """Append one entry per (target, changes), exactly as ``record`` called for each in turn would, in one
    statement: for a write that makes many objects at once (an import's records). Same rules as ``record``."""
    entries: list[Entry] = []
    with transaction.atomic(savepoint=False):
        last = _last_of_chain()
        for target, changes in targets:
            last = _entry(action, request=request, actor=actor, target=target, changes=changes, last=last)
            entries.append(last)
        bulk.create(entries)
    return entries


def _last_of_chain() -> Entry | None:
    """The last entry, once no one else may append (call inside a transaction)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    # On SQLite the IMMEDIATE transaction already holds the write lock, so no one else appends now.
    # ``Entry.objects.order_by("-seq").only("seq", "hash").first()``, compiled once: every write asks it.
    statement = _LAST.statement("last", lambda: prepare(Entry.objects.order_by("-seq").values_list("seq", "hash")[:1]))
    rows = statement.rows() if statement is not None else []
    return Entry(seq=rows[0][0], hash=rows[0][1]) if rows else None


_LAST: Kept[Prepared | None] = Kept(2)


def _entry(
    action: str,
    *,
    request: HttpRequest | None,
    actor: Any,
    target: Any,
    changes: dict[str, Any] | None,
    last: Entry | None,
    label: str = "",
    subject_organisation: Any = None,
) -> Entry:
    """The entry that follows ``last`` in the chain, with its hash (not saved)."""
    object_type = target._meta.label_lower if target is not None else ""
    if labels.carries_content(object_type):
        stored_label = ""  # passing one is refused by record, before the chain is locked
    else:
        stored_label = (label or (str(target) if target is not None else ""))[:300]
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if subject_organisation is None and target is not None:
        subject_organisation = getattr(target, "organisation", None)
        if subject_organisation is None and target._meta.label_lower == "accounts.organisation":
            subject_organisation = target
    entry = Entry(
        seq=(last.seq + 1) if last else 1,
        at=timezone.now(),
        actor=actor,
        actor_name=_describe(actor),
        organisation=getattr(actor, "organisation", None),
        subject_organisation=subject_organisation,
        action=action,
        object_type=object_type,
        object_id=str(target.pk) if target is not None else "",
        object_label=stored_label,
        changes=changes or {},
        client_address=getattr(request, "client_address", "") if request else "",
        user_agent=request.headers.get("User-Agent", "")[:300] if request else "",
        previous_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry.compute_hash()
    return entry


def _describe(actor: Any) -> str:
    if actor is None:
        return ""
    organisation = getattr(actor, "organisation", None)
    return f"{actor.full_name} <{actor.email}>" + (f" ({organisation})" if organisation else "")
