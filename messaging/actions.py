"""Writes in conversations: validate, change, audit, and publish live events after commit."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.access import named_people
from accounts.models import Organisation, Person
from audit.actions import record
from environet import broker
from environet.compiled import ByIds, Kept, ids_in_one_value
from messaging import access, attachments, events, notify, render, search
from messaging.attachments import Upload
from messaging.models import (
    Attachment,
    Audience,
    Follow,
    Marking,
    Message,
    Reading,
    Revision,
    Shared,
    Thread,
)


class Refused(Exception):
    """The change is not allowed; views answer as if the object did not exist."""


@dataclass
class Draft:
    """A new thread as the author composed it (validated by the form)."""

    subject: str
    topics: list[Any]
    kind: str
    body: str
    marking: str = Marking.GREEN
    audience: str = Audience.NETWORK
    organisations: list[Organisation] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    attachments: list[Upload] = field(default_factory=list)


def notice(*, person: Person, about: str, **references: Any) -> None:
    """A live notice for one person only, shown on their open pages (sent after commit). It stores what it
    is ``about`` and the ids it refers to; the renderer registered for ``about`` (environet.notices) words
    it when shown, in their language and saying only what they may know then."""
    events.notice(person=person, about=about, **references)


def _message_event(kind: str, message: Message) -> None:
    events.message_event(kind, message)


def _mentions(message: Message) -> None:
    addresses = render.mentioned_addresses(message.body)
    if not addresses:
        return
    candidates, _nobody = named_people(addresses)
    # A mention reaches only people in the thread's audience: naming someone does not share it with them.
    visible_to = [
        person for person in candidates if access.threads_visible_to(person).filter(pk=message.thread_id).exists()
    ]
    message.mentions.set(visible_to)


def _new_message(
    *, request, thread: Thread, author: Person, kind: str, body: str, files: Sequence[Upload], written: list[Path]
) -> Message:
    message = Message.objects.create(thread=thread, author=author, kind=kind, body=body, body_html=render.to_html(body))
    _mentions(message)
    for upload in files:
        attachment = attachments.store(message=message, upload=upload, written=written)
        record(
            "attachment.added",
            request=request,
            actor=author,
            target=attachment,
            changes={"message": message.pk, "content_type": attachment.content_type, "size": attachment.size},
        )
    search.index(message)
    return message


def audience_columns(*, marking: str, audience: str, countries: Sequence[str]) -> dict[str, str]:
    """The marking and audience columns of something shared (a thread, a seizure record)."""
    return {
        "marking": marking,
        "audience": audience,
        "audience_countries": "," + ",".join(countries) + "," if audience == Audience.COUNTRIES else "",
    }


def set_audience_members(
    shared: Shared, *, audience: str, organisations: Sequence[Organisation], people: Sequence[Person], author: Person
) -> None:
    """The chosen organisations or named people of something shared (saved already); a named-people
    audience always includes its author."""
    shared.audience_organisations.set(organisations if audience == Audience.ORGANISATIONS else [])
    shared.audience_people.set([*people, author] if audience == Audience.PEOPLE else [])


def start_thread(*, request, author: Person, draft: Draft) -> Thread:
    # Attachment files are written before the commit; if anything fails they are removed again.
    with attachments.removed_on_failure() as written:
        return _start_thread(request=request, author=author, draft=draft, written=written)


@transaction.atomic
def _start_thread(*, request, author: Person, draft: Draft, written: list[Path]) -> Thread:
    if not access.can_post(author):
        raise Refused
    problem = access.marking_refusal(marking=draft.marking, audience=draft.audience, people=draft.people)
    if problem:
        raise Refused(problem)  # the form says it first; this guards every other caller
    thread = Thread.objects.create(
        subject=draft.subject,
        author=author,
        organisation=author.organisation,
        **audience_columns(marking=draft.marking, audience=draft.audience, countries=draft.countries),
    )
    thread.topics.set(draft.topics)
    set_audience_members(
        thread, audience=draft.audience, organisations=draft.organisations, people=draft.people, author=author
    )
    message = _new_message(
        request=request,
        thread=thread,
        author=author,
        kind=draft.kind,
        body=draft.body,
        files=draft.attachments,
        written=written,
    )
    Follow.objects.create(person=author, thread=thread, state=Follow.State.FOLLOW)
    Reading.objects.create(person=author, message=message)
    record(
        "thread.started",
        request=request,
        actor=author,
        target=thread,
        changes={"marking": thread.marking, "audience": thread.audience, "kind": message.kind},
    )
    _message_event("message", message)
    notify.after_commit(message)
    return thread


def reply(*, request, author: Person, thread: Thread, kind: str, body: str, files: Sequence[Upload] = ()) -> Message:
    with attachments.removed_on_failure() as written:
        return _reply(request=request, author=author, thread=thread, kind=kind, body=body, files=files, written=written)


@transaction.atomic
def _reply(
    *, request, author: Person, thread: Thread, kind: str, body: str, files: Sequence[Upload], written: list[Path]
) -> Message:
    thread = access.thread_for(author, thread.pk)
    if not access.can_reply(author, thread):
        raise Refused
    message = _new_message(
        request=request, thread=thread, author=author, kind=kind, body=body, files=files, written=written
    )
    Thread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
    Reading.objects.create(person=author, message=message)
    record("message.posted", request=request, actor=author, target=message, changes={"kind": kind})
    _message_event("message", message)
    notify.after_commit(message)
    return message


@transaction.atomic
def edit(*, request, editor: Person, message: Message, body: str) -> Message:
    if not access.can_edit(editor, message):
        raise Refused
    Revision.objects.create(message=message, body=message.body, written_at=message.edited_at or message.created_at)
    message.body, message.body_html, message.edited_at = body, render.to_html(body), timezone.now()
    message.save(update_fields=["body", "body_html", "edited_at"])
    _mentions(message)
    search.index(message)
    record("message.edited", request=request, actor=editor, target=message)
    _message_event("message.changed", message)
    return message


@transaction.atomic
def retract(*, request, person: Person, message: Message) -> None:
    if not access.can_edit(person, message):
        raise Refused
    message.retracted_at = timezone.now()
    message.save(update_fields=["retracted_at"])
    search.remove(message)
    record("message.retracted", request=request, actor=person, target=message)
    _message_event("message.changed", message)


@transaction.atomic
def hide(*, request, moderator: Person, message: Message, reason: str) -> None:
    if not access.can_moderate(moderator) or message.hidden_at is not None:
        raise Refused
    message.hidden_at, message.hidden_by = timezone.now(), moderator
    message.save(update_fields=["hidden_at", "hidden_by"])
    search.remove(message)
    record("message.hidden", request=request, actor=moderator, target=message, changes={"reason": reason})
    _message_event("message.changed", message)


def download_attachment(*, request, person: Person, attachment: Attachment, thumbnail: bool = False) -> bytes:
    """The decrypted file or thumbnail, for someone access.attachment_for let through; every download is
    audited."""
    content = attachments.content_of(attachment, thumbnail=thumbnail)
    record(
        "attachment.downloaded",
        request=request,
        actor=person,
        target=attachment,
        changes={"message": attachment.message_id, "part": "thumbnail" if thumbnail else "file"},
    )
    return content


@transaction.atomic
def set_locked(*, request, moderator: Person, thread: Thread, locked: bool) -> None:
    if not access.can_moderate(moderator) or thread.is_locked == locked:
        raise Refused
    thread.locked_at, thread.locked_by = (timezone.now(), moderator) if locked else (None, None)
    thread.save(update_fields=["locked_at", "locked_by"])
    record("thread.locked" if locked else "thread.unlocked", request=request, actor=moderator, target=thread)


@transaction.atomic
def set_follow(*, request, person: Person, thread: Thread, state: str | None) -> None:
    """Follow or mute one thread, or (None) go back to what the person's topic choices say."""
    if state is None:
        Follow.objects.filter(person=person, thread=thread).delete()
    else:
        Follow.objects.update_or_create(person=person, thread=thread, defaults={"state": state})
    record(
        "settings.thread_follow", request=request, actor=person, target=thread, changes={"follow": state or "topics"}
    )
    broker.readers_changed([person.pk])


# Which of a page's messages a person has read already: compiled once per person (a thread page asks it on every
# visit), the page's ids given as one value.
_READ: Kept[ByIds] = Kept(1024)


def mark_read(*, person: Person, messages: list[Message]) -> list[Message]:
    """Record that the person has read these messages; returns those read for the first time.

    Reading is not audited (it is not a change anyone makes), but the author of an alert is told live.
    """
    read_of = _READ.statement(
        person.pk,
        lambda: ByIds.of(
            Reading.objects.filter(person=person, message_id__in=ids_in_one_value()).values_list("message_id")
        ),
    )
    already = {pk for (pk,) in read_of.rows([message.pk for message in messages])} if messages else set()
    fresh = [message for message in messages if message.pk not in already and message.author_id != person.pk]
    if not fresh:
        return []
    with transaction.atomic():
        Reading.objects.bulk_create(
            [Reading(person=person, message=message) for message in fresh], ignore_conflicts=True
        )
        for message in fresh:
            if message.kind == Message.Kind.ALERT:
                events.receipt(message=message, reader=person)
    return fresh
