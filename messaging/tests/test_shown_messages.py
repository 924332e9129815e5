"""A thread page's messages rendered once and shown again (messaging.templatetags.thread_messages, issue 14):
after any change to what a message shows, or to the language and time zone it is shown in, the page is what it
would be with nothing kept; and what is each reader's own (the tools under their messages) stays theirs."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import shown_as_if_nothing_were_kept, signed_in
from messaging.models import Attachment, Message, Thread
from messaging.templatetags import thread_messages
from messaging.tests.test_thread_pages import thread_of


def conversation(cast) -> tuple[Thread, Message]:
    thread, _opening = thread_of(cast.member, 0, subject="Pangolin scales at Mombasa")
    reply = Message.objects.create(
        thread=thread, author=cast.other_focal_point, body="A reply.", body_html="<p>A reply.</p>"
    )
    attach(reply, "seizure-report.pdf")
    return thread, reply


def attach(message: Message, name: str) -> None:
    Attachment.objects.create(
        message=message,
        name=name,
        content_type="application/pdf",
        size=2048,
        sha256="0" * 64,
        storage_key=f"{message.pk}-{name}",
    )


def messages_of(client, thread: Thread) -> str:
    """The thread page's messages, without the forms' one-time tokens."""
    content = client.get(f"/messages/threads/{thread.pk}/").content.decode()
    shown = content[content.index('<div id="messages"') : content.rindex("</article>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", shown)


def edited(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(body_html="<p>A corrected reply.</p>", edited_at=timezone.now())


def retracted(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(retracted_at=timezone.now())


def hidden(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(hidden_at=timezone.now())


def made_an_alert(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(kind=Message.Kind.ALERT)


def moved_in_time(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(created_at=message.created_at - timedelta(minutes=3))


def author_renamed(message: Message) -> None:
    message.author.full_name = "Oscar Renamed"
    message.author.save(update_fields=["full_name"])


def organisation_renamed(message: Message) -> None:
    organisation = message.author.organisation
    organisation.short_name = "DOUANE"
    organisation.save(update_fields=["short_name"])


def file_added(message: Message) -> None:
    attach(message, "manifest.pdf")


def file_renamed(message: Message) -> None:
    message.attachments.update(name="seizure-report-final.pdf")


@pytest.mark.parametrize(
    "change",
    [
        *(edited, retracted, hidden, made_an_alert, moved_in_time),
        *(author_renamed, organisation_renamed, file_added, file_renamed),
    ],
)
def test_a_change_to_a_message_shows_as_if_nothing_were_kept(cast, change: Callable[[Message], None]):
    thread, reply = conversation(cast)
    reader = signed_in(cast.focal_point)
    shown_as_if_nothing_were_kept(lambda: messages_of(reader, thread), lambda: change(reply), thread_messages._SHOWN)


@pytest.mark.parametrize("setting", [("language", "fr"), ("time_zone", "Asia/Tokyo")])
def test_the_readers_language_and_time_zone_are_those_shown(cast, setting: tuple[str, str]):
    thread, reply = conversation(cast)
    made_an_alert(reply)  # its kind is said in words
    reader = signed_in(cast.focal_point)
    before = messages_of(reader, thread)

    field, value = setting
    setattr(cast.focal_point, field, value)
    cast.focal_point.save(update_fields=[field])
    shown = messages_of(reader, thread)
    thread_messages._SHOWN.clear()
    assert shown == messages_of(reader, thread)
    assert shown != before


def test_the_tools_under_a_message_stay_its_authors(cast):
    thread, reply = conversation(cast)
    edit = f'href="/messages/messages/{reply.pk}/edit/"'

    assert edit in messages_of(signed_in(cast.other_focal_point), thread)
    assert edit not in messages_of(signed_in(cast.focal_point), thread)  # the same message, kept
    assert edit in messages_of(signed_in(cast.other_focal_point), thread)


def _no_change(message: Message) -> None:
    pass


@pytest.mark.parametrize("state", [_no_change, edited, retracted, hidden, made_an_alert])
def test_every_reader_sees_their_own_tools_whoever_read_before(cast, state: Callable[[Message], None]):
    """A message kept whole for a reader with no tools under it is never shown whole to a reader with tools
    (its author, a moderator), nor their tools to anyone else: each page is what it is with nothing kept."""
    thread, reply = conversation(cast)
    state(reply)
    readers = [cast.other_focal_point, cast.focal_point, cast.administrator, cast.observer, cast.other_focal_point]
    alone = {}
    for person in readers:
        thread_messages._SHOWN.clear()
        alone[person.pk] = messages_of(signed_in(person), thread)
    thread_messages._SHOWN.clear()
    for person in [*readers, *reversed(readers)]:
        assert messages_of(signed_in(person), thread) == alone[person.pk], person.email
