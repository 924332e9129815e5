"""The live event log: what changed, stored as references; what a reader is sent, made when it is sent.

An event row holds its kind and the ids it is about (thread, message, the one person a notice or a
receipt is for), never a subject, a body or a name. What goes out on a stream is built from those ids
when it goes out, through today's access rule and from today's content: a stream resuming from an old
Last-Event-ID skips what the reader may no longer see, and a message retracted, hidden or edited since
is sent as its page shows it now. There is no second copy of content to keep in step.

Building costs the same as before for a live event: once per event, after commit, whoever receives it
(the broker carries the built event; the hub decides in memory who wants it). Only catch-up builds for
one reader, and only the events that reader may see.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.template.loader import render_to_string

from environet import broker, notices
from messaging import access
from messaging.models import Event, Message

# The same lock the audit chain takes: event ids are handed out while it is held, so they commit in order.
_EVENT_LOCK = 73112009
MESSAGE_KINDS = ("message", "message.changed")
PERSONAL_KINDS = ("notice", "receipt")


def _create(kind: str, **fields: Any) -> Event:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_EVENT_LOCK])
    event = Event.objects.create(kind=kind, **fields)
    event_id = event.pk
    transaction.on_commit(lambda: _publish_stored(event_id))
    return event


def _publish_stored(event_id: int) -> None:
    """Build the event from what is stored now (after commit) and hand it to every server process."""
    row = Event.objects.filter(pk=event_id).first()
    built = build([row])[0] if row is not None else None
    # An event nobody may be shown still goes out as its bare id: the hubs hand events out in id order
    # and would otherwise wait for it (see messaging.live).
    broker.publish(built or {"id": event_id, "kind": "skip", "person": None})


def message_event(kind: str, message: Message) -> Event:
    """A message was posted (``message``) or changed (``message.changed``: edited, retracted, hidden)."""
    return _create(kind, thread_id=message.thread_id, message=message)


def notice(*, person, about: str, **references: Any) -> Event:
    """A notice for one person only, worded when shown by the renderer registered for ``about``
    (environet.notices). ``references`` are ids and codes, never content."""
    if not notices.is_known(about):
        raise ValueError(f"no renderer for notices about {about!r}")
    return _create("notice", person=person, data={"about": about, **references})


def receipt(*, message: Message, reader) -> Event:
    """``reader`` has read ``message``, an alert: its author sees who has."""
    return _create(
        "receipt", thread_id=message.thread_id, message=message, person_id=message.author_id, data={"reader": reader.pk}
    )


# --- Building what is sent --------------------------------------------------------------------------


def build(rows: Iterable[Event]) -> list[dict[str, Any] | None]:
    """The events as sent on streams, in the order given; None for one that is to be shown to nobody
    (a receipt or notice its person may no longer know of, an unknown kind)."""
    rows = list(rows)
    messages = _messages({row.message_id for row in rows if row.message_id})
    people = _people({row.person_id for row in rows if row.person_id})
    audiences: dict[int, dict[str, Any]] = {}
    built: list[dict[str, Any] | None] = []
    for row in rows:
        message, person = messages.get(row.message_id or 0), people.get(row.person_id or 0)
        if row.kind in MESSAGE_KINDS:
            built.append(_message_payload(row, message, audiences))
        elif row.kind == "notice":
            built.append(_notice_payload(row, person))
        elif row.kind == "receipt":
            built.append(_receipt_payload(row, person, message))
        else:
            built.append(None)
    return built


def _messages(ids: set[int]) -> dict[int, Message]:
    if not ids:
        return {}
    return (
        Message.objects.select_related("thread", "author", "author__organisation")
        .prefetch_related("attachments", "thread__topics")
        .in_bulk(list(ids))
    )


def _people(ids: set[int]) -> dict[int, Any]:
    from accounts.models import Person

    if not ids:
        return {}
    return Person.objects.select_related("organisation").in_bulk(list(ids))


def _message_payload(row: Event, message: Message | None, audiences: dict[int, dict[str, Any]]) -> dict | None:
    if message is None:
        return None
    thread = message.thread
    if thread.pk not in audiences:
        topics = list(thread.topics.all())
        audiences[thread.pk] = access.audience_of(
            thread,
            topic_codes=[topic.code for topic in topics],
            forum_ids=[topic.pk for topic in topics if topic.is_forum],
        )
    audience = audiences[thread.pk]
    html = render_to_string("messaging/_message.html", {"message": message, "thread": thread, "live": True})
    return {
        "id": row.pk,
        "kind": row.kind,
        "thread": thread.pk,
        "message": message.pk,
        "subject": thread.subject,
        "marking": thread.marking,
        "marking_label": str(thread.get_marking_display()),
        "topics": audience["topics"],
        # Alerts and seizure notices put a notice on every open page of the people who get them.
        "alert": row.kind == "message"
        and message.kind in (Message.Kind.ALERT, Message.Kind.SEIZURE_NOTICE)
        and message.is_visible_text,
        "author": message.author.full_name,
        "html": html,
        "audience": audience,
        "mentions": list(message.mentions.values_list("pk", flat=True)),
    }


def _notice_payload(row: Event, person) -> dict | None:
    data = dict(row.data)
    about = data.pop("about", None)
    if person is None or not isinstance(about, str):
        return None
    shown = notices.render(person, about, data)
    if shown is None:
        return None
    return {"id": row.pk, "kind": "notice", "person": person.pk, "text": shown.text, "url": shown.url}


def _receipt_payload(row: Event, author, message: Message | None) -> dict | None:
    from accounts.models import Person

    reader_id = row.data.get("reader")
    if author is None or message is None or not isinstance(reader_id, int):
        return None
    # The author is told only while they may still see the alert, and while it still shows its text.
    if not message.is_visible_text or not access.messages_visible_to(author).filter(pk=message.pk).exists():
        return None
    reader = Person.objects.filter(pk=reader_id).values_list("full_name", flat=True).first()
    if reader is None:
        return None
    return {"id": row.pk, "kind": "receipt", "person": author.pk, "message": message.pk, "reader": reader}


# --- Catch-up for one reader --------------------------------------------------------------------------


def for_reader(rows: list[Event], person) -> list[dict[str, Any]]:
    """The stored events among ``rows`` that ``person`` may be shown today, built (oldest first).

    Only what the access rule lets through is built: message events of threads the person may read
    now (the query form of the rule), and notices and receipts that are theirs."""
    thread_ids = {row.thread_id for row in rows if row.kind in MESSAGE_KINDS and row.thread_id}
    visible = (
        set(access.threads_visible_to(person).filter(pk__in=thread_ids).values_list("pk", flat=True))
        if thread_ids
        else set()
    )
    wanted = [
        row
        for row in rows
        if (row.kind in MESSAGE_KINDS and row.thread_id in visible)
        or (row.kind in PERSONAL_KINDS and row.person_id == person.pk)
    ]
    return [event for event in build(wanted) if event is not None]
