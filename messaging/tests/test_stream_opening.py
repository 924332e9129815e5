"""Opening a stream without Django's request handling (messaging.stream.serve): it happens only when every
check Django's middleware makes passes; anything else goes to Django's handling."""

import asyncio
import contextlib
import contextvars
import sqlite3
import time
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection, connections

from accounts.models import Person
from environet import loop_reads
from messaging import live, stream
from messaging.models import Audience, Thread
from messaging.tests.servers import session_for
from topics.models import Topic, TopicChoice


@pytest.fixture(autouse=True)
def _fresh_facts():
    live.hub.facts.clear()
    stream._whose.clear()
    yield
    live.hub.facts.clear()


def test_it_opens_for_a_signed_in_active_person_with_their_facts(cast):
    TopicChoice.objects.update_or_create(
        person=cast.member, topic=Topic.objects.get(code="B"), defaults={"delivery": TopicChoice.Delivery.LIVE}
    )
    opened = stream.signed_in_reader(session_for(cast.member), None)

    assert opened is not None
    reader, language, remaining = opened
    assert (reader.person_id, reader.organisation_id, reader.country) == (cast.member.pk, cast.home.pk, "KE")
    assert "B" in reader.topics
    assert language == cast.member.language
    assert 0 < remaining <= 30 * 60


@pytest.mark.parametrize(
    ("backend", "opens"),
    [
        ("accounts.backends.SignedInPerson", True),  # as sign-in makes them
        ("django.contrib.auth.backends.ModelBackend", True),  # made before it
        ("accounts.tokens.TokenBackend", False),  # not one that reads a session's person: Django answers
    ],
)
def test_it_opens_for_the_backends_that_read_a_sessions_person(cast, backend, opens):
    assert (stream.signed_in_reader(session_for(cast.member, backend), None) is not None) is opens


def test_it_leaves_an_ended_session_to_django(cast):
    key = session_for(cast.member)
    Session.objects.filter(session_key=key).delete()

    assert stream.signed_in_reader(key, None) is None


def test_it_leaves_a_session_of_an_older_password_or_epoch_to_django(cast):
    key = session_for(cast.member)
    Person.objects.filter(pk=cast.member.pk).update(session_epoch=cast.member.session_epoch + 1)

    assert stream.signed_in_reader(key, None) is None


def test_it_leaves_a_suspended_person_to_django(cast):
    key = session_for(cast.member)
    Person.objects.filter(pk=cast.member.pk).update(state=Person.State.SUSPENDED)

    assert stream.signed_in_reader(key, None) is None


@pytest.mark.parametrize("stamp", ["seen_at", "signed_in_at"])
def test_it_leaves_a_session_past_its_limits_to_django(cast, stamp):
    key = session_for(cast.member)
    session = SessionStore(session_key=key)
    session[stamp] = time.time() - 13 * 3600
    session.save()

    assert stream.signed_in_reader(key, None) is None


def test_it_leaves_a_half_signed_in_session_to_django(cast):
    """A session waiting for the second factor holds no person (accounts.confirmation)."""
    session = SessionStore()
    session.update({"pending": {"person": cast.member.pk, "stage": "code", "since": time.time()}})
    session.create()
    assert session.session_key is not None

    assert stream.signed_in_reader(session.session_key, None) is None


def test_a_wrong_guess_of_whose_session_it_is_costs_a_query_not_a_mistake(cast):
    key = session_for(cast.member)
    stream._whose[key] = cast.focal_point.pk

    opened = stream.signed_in_reader(key, None)

    assert opened is not None and opened[0].person_id == cast.member.pk


def test_a_change_of_choices_is_not_served_from_the_cache(cast):
    key = session_for(cast.member)
    first = stream.signed_in_reader(key, None)
    assert first is not None and "C" not in first[0].topics
    TopicChoice.objects.update_or_create(
        person=cast.member, topic=Topic.objects.get(code="C"), defaults={"delivery": TopicChoice.Delivery.LIVE}
    )
    live.hub.deliver({"kind": "reader.changed", "person": cast.member.pk})  # what topics.actions publishes

    second = stream.signed_in_reader(key, None)

    assert second is not None and "C" in second[0].topics


def test_readers_who_choose_alike_share_their_sets(cast):
    readers = [stream.signed_in_reader(session_for(person), None) for person in (cast.member, cast.focal_point)]

    assert readers[0] is not None and readers[1] is not None
    assert readers[0][0].followed is readers[1][0].followed


def test_anything_it_does_not_serve_goes_to_django():
    handed: list[dict] = []

    async def django(scope, receive, send):
        handed.append(scope)

    async def nothing():
        return {"type": "http.disconnect"}

    async def ignore(message):
        raise AssertionError("answered without Django")

    cookie = (b"cookie", f"{settings.SESSION_COOKIE_NAME}=x".encode())
    host = (b"host", b"localhost")
    for method, headers in (("GET", [host]), ("POST", [host, cookie]), ("GET", [(b"host", b"evil.example"), cookie])):
        scope = {"type": "http", "method": method, "path": "/messages/live/", "headers": headers, "query_string": b""}
        asyncio.run(stream.serve(scope, nothing, ignore, django))

    assert len(handed) == 3


def test_a_thread_page_watches_its_thread_when_the_person_may_read_it(cast, django_assert_num_queries):
    forum = Topic.objects.create(code="WG", name="Working group", is_forum=True)
    open_thread = _thread(cast.focal_point, Audience.NETWORK)
    named = _thread(cast.focal_point, Audience.PEOPLE, people=[cast.member])
    not_named = _thread(cast.focal_point, Audience.PEOPLE, people=[cast.other_focal_point])
    other_country = _thread(cast.other_focal_point, Audience.COUNTRIES, countries=",FR,")
    in_forum = _thread(cast.focal_point, Audience.NETWORK, topics=[forum])
    key = session_for(cast.member)
    stream.signed_in_reader(key, None)  # the person's facts are kept from here on

    def watched(thread_id: int) -> int | None:
        opened = stream.signed_in_reader(key, thread_id)
        assert opened is not None  # a thread that cannot be watched does not stop the stream
        return opened[0].watching

    # The session and person, then the thread: the rule asked in one statement, not built each time.
    with django_assert_num_queries(2):
        assert watched(open_thread.pk) == open_thread.pk
    assert watched(named.pk) == named.pk
    # Forbidden and missing are alike: not watched.
    assert watched(not_named.pk) is None
    assert watched(other_country.pk) is None
    assert watched(in_forum.pk) is None
    assert watched(in_forum.pk + 1000) is None
    forum.members.add(cast.member)
    assert watched(in_forum.pk) == in_forum.pk


def _thread(author, audience, *, people=(), countries="", topics=()) -> Thread:
    thread = Thread.objects.create(
        subject="Ivory at the port",
        author=author,
        organisation=author.organisation,
        audience=audience,
        audience_countries=countries,
    )
    thread.audience_people.set(people)
    thread.topics.set([Topic.objects.get(code="B"), *topics])
    return thread


def test_a_wsgi_server_is_told_to_stop_asking_rather_than_held_open(cast, client):
    """Under WSGI Django would read the endless stream to its end before sending anything, holding a thread
    per open page: the page is answered 204, on which browsers stop asking. Under ASGI the stream opens."""
    from asgiref.sync import async_to_sync
    from django.test import AsyncClient
    from django.urls import reverse

    client.force_login(cast.member, backend="accounts.backends.SignedInPerson")
    held = client.get(reverse("messaging:live"))
    assert (held.status_code, held.content) == (204, b"")

    async def open_and_close():
        asynchronous = AsyncClient()
        asynchronous.cookies = client.cookies
        opened = await asynchronous.get(reverse("messaging:live"))
        await opened.streaming_content.aclose()  # type: ignore[attr-defined]  # a streaming response
        return opened

    opened = async_to_sync(open_and_close)()
    assert (opened.status_code, opened["Content-Type"]) == (200, "text/event-stream")


def _open_once(session_key: str) -> tuple[list[dict], list[dict]]:
    """``serve`` asked for a stream with ``session_key``, the page going away once the stream has begun: what
    was sent, and what was handed to Django."""
    sent: list[dict] = []
    handed: list[dict] = []
    begun = asyncio.Event()

    async def django(scope, receive, send):
        handed.append(scope)

    async def receive():
        await begun.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body":
            begun.set()

    cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/messages/live/",
        "headers": [(b"host", b"localhost"), (b"cookie", cookie)],
        "query_string": b"",
    }

    async def opening():
        try:
            await asyncio.wait_for(stream.serve(scope, receive, send, django), timeout=20)
        finally:
            await loop_reads.aclose()  # this loop's PostgreSQL connection, if it made one

    asyncio.run(opening())
    return sent, handed


@pytest.fixture
def thread_reads(monkeypatch) -> list[str]:
    """Each time the stream's reads are made in a thread (``signed_in_reader``), rather than on the loop."""
    made: list[str] = []
    read_in_a_thread = stream.signed_in_reader

    def counted(*given):
        made.append("read")
        return read_in_a_thread(*given)

    monkeypatch.setattr(stream, "signed_in_reader", counted)
    return made


@pytest.mark.django_db(transaction=True)  # the loop's own connection reads what is committed
def test_a_stream_opens_with_its_reads_made_on_the_loop(cast, thread_reads):
    key = session_for(cast.member)

    sent, handed = _open_once(key)

    assert handed == []
    assert sent[0]["status"] == 200
    assert sent[1]["body"].startswith(b"retry:")
    assert thread_reads == []  # no hand-over to a thread


@pytest.mark.django_db(transaction=True)
def test_a_failed_read_on_the_loop_is_made_in_a_thread_instead(cast, monkeypatch, thread_reads):
    key = session_for(cast.member)

    class Failing:
        def cursor(self, factory=None):
            raise (sqlite3.OperationalError if connection.vendor == "sqlite" else psycopg.OperationalError)("gone")

        def close(self):
            pass

    @contextlib.asynccontextmanager
    async def failing_waiting(alias="default"):
        yield Failing() if connection.vendor == "postgresql" else None

    monkeypatch.setattr(loop_reads, "_connection", lambda alias: Failing() if connection.vendor == "sqlite" else None)
    monkeypatch.setattr(loop_reads, "waiting", failing_waiting)

    sent, handed = _open_once(key)

    assert (handed, sent[0]["status"], thread_reads) == ([], 200, ["read"])


@pytest.mark.django_db(transaction=True)
def test_the_loop_reads_the_same_reader_as_the_thread(cast):
    key = session_for(cast.member)
    open_thread = _thread(cast.focal_point, Audience.NETWORK)
    not_named = _thread(cast.focal_point, Audience.PEOPLE, people=[cast.other_focal_point])

    async def on_the_loop(watching: int) -> stream.Opened | None:
        live.hub.facts.clear()  # the facts read each time
        try:
            with loop_reads.cursor() as cursor:
                if cursor is not None:
                    return stream.read_reader(cursor, key, watching)
            async with loop_reads.waiting() as waiting:
                assert waiting is not None  # SQLite in a file, or PostgreSQL
                return await stream.read_reader_waiting(waiting, key, watching)
        finally:
            await loop_reads.aclose()

    watched = {}
    for watching in (open_thread.pk, not_named.pk):
        read_there = asyncio.run(on_the_loop(watching))
        live.hub.facts.clear()
        read_here = stream.signed_in_reader(key, watching)
        assert read_there is not None and read_here is not None
        assert read_there[:2] == read_here[:2]  # the reader (its facts, the thread watched) and the language
        watched[watching] = read_there[0].watching
    assert watched == {open_thread.pk: open_thread.pk, not_named.pk: None}


@pytest.mark.django_db(transaction=True)
def test_opening_on_the_loop_leaves_no_connection_object_with_the_stream(cast):
    """Django's connection object, asked for in an event loop's task, is made for that task and kept as long
    as it lives: a stream's, for hours (3.8 KiB more per idle stream)."""
    key = session_for(cast.member)
    stream.signed_in_reader(key, None)  # the statements, made once for the process, as by its first stream

    async def open_one() -> tuple[Any, list]:
        try:
            opened = await stream._read_on_the_loop(key, None)
            return opened, list(connections.all(initialized_only=True))
        finally:
            await loop_reads.aclose()

    opened, made = contextvars.Context().run(asyncio.run, open_one())  # a task's own context, as the server's

    assert opened is not stream._NOT_READ and opened is not None
    assert made == []
