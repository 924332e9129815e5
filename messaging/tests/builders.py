"""Helpers for the conversation tests: composing threads through the pages, events, emails, audit entries."""

from collections.abc import Callable, Iterable
from typing import Any

from django.test import Client

from accounts.models import Person
from audit.models import Entry
from conftest import Mailbox, signed_in
from messaging import events
from messaging.models import Audience, Event, Marking, Message, Thread
from topics.models import Topic, TopicChoice

NEW_THREAD = "/messages/new/"


def topic(code: str) -> Topic:
    return Topic.objects.get(code=code)


def _topic_pk(value: Topic | str) -> int:
    return value.pk if isinstance(value, Topic) else topic(value).pk


def thread_form(
    *,
    subject: str = "Pangolin scales at Mombasa",
    body: str = "Twelve bags declared as **cashew nuts**.",
    topics: Iterable[Topic | str] = ("B",),
    kind: str = Message.Kind.INFORMATION,
    marking: str = Marking.GREEN,
    audience: str = Audience.NETWORK,
    organisations: Iterable[Any] = (),
    countries: Iterable[str] = (),
    people: Iterable[Person | str] = (),
) -> dict[str, Any]:
    """What the "New message" form posts."""
    return {
        "subject": subject,
        "body": body,
        "topics": [_topic_pk(value) for value in topics],
        "kind": kind,
        "marking": marking,
        "audience": audience,
        "organisations": [getattr(value, "pk", value) for value in organisations],
        "countries": list(countries),
        "people": ", ".join(value.email if isinstance(value, Person) else value for value in people),
    }


def thread_id_of(location: str) -> int:
    """The id in /messages/threads/<id>/."""
    return int(location.rstrip("/").rsplit("/", 1)[-1])


def start(author: Person, capture: Callable, files: Iterable[Any] = (), **fields: Any) -> Thread:
    """Start a thread through the page, running what waits for the commit (events, emails); ``files`` are
    uploaded as its attachments."""
    client = signed_in(author)
    data = thread_form(**fields)
    if files:
        data["attachments"] = list(files)
    with capture(execute=True):
        response = client.post(NEW_THREAD, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return Thread.objects.get(pk=thread_id_of(response["Location"]))


def reply(person: Person, thread: Thread, capture: Callable, body: str = "Seen here too.", kind: str = "information"):
    client = signed_in(person)
    with capture(execute=True):
        return client.post(f"/messages/threads/{thread.pk}/reply/", {"body": body, "kind": kind})


def choose(person: Person, code: Topic | str, delivery: str = TopicChoice.Delivery.LIVE_AND_EMAIL) -> None:
    """The person ticks a topic in their profile."""
    chosen = code if isinstance(code, Topic) else topic(code)
    TopicChoice.objects.update_or_create(person=person, topic=chosen, defaults={"delivery": delivery})


def events_of(thread: Thread) -> list[dict[str, Any]]:
    """The stored live events of a thread, built as the stream hands them to Reader.wants now."""
    return [event for event in events.build(Event.objects.filter(thread=thread).order_by("pk")) if event is not None]


def entries(action: str) -> list[Entry]:
    return list(Entry.objects.filter(action=action).order_by("seq"))


def text_of(message) -> str:
    """Subject and body of an email, as one string."""
    return f"{message['Subject']}\n{Mailbox.body(message)}"


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()
