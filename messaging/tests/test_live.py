"""Live delivery with real server processes: uvicorn against the test database, posts through the real
endpoints, streams read over real sockets.

What the issue asks to be shown: a post reaches open streams (one process, in-process broker; two
processes, Redis); a stream resumes from its last event id with nothing lost or repeated; after a
SIGKILL every acknowledged post is stored and delivered; audience, mentions, mutes and the open thread
decide who receives what; suspension closes a person's streams; events leave only after commit.

Every wait is bounded (servers.WAIT) and fails saying what was expected; nothing asserts on timings.
"""

import http.client
import re
import threading
import uuid
from collections.abc import Iterator

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.test import RequestFactory

from accounts import actions as account_actions
from accounts.models import Organisation, Person
from conftest import make_person
from environet import broker
from messaging import actions
from messaging.models import Audience, Event, Follow, Message
from messaging.stream import BACKLOG_LIMIT
from messaging.tests.servers import Server, Servers, Stream, Visitor, eventually, request
from topics.models import TOPIC_NAMES, Topic, TopicChoice

# Committed data, which the server processes read. (Not serialized_rollback: it fails after any other
# transactional test without it, whose flush re-creates the content types; see ``topics`` below.)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def topics(transactional_db) -> None:
    """The topics A–G the migrations seed, gone if another transactional test emptied the database."""
    for position, (code, name) in enumerate(TOPIC_NAMES.items()):
        Topic.objects.get_or_create(code=code, defaults={"name": str(name), "position": position})


@pytest.fixture(scope="module")
def server(django_db_setup) -> Iterator[Server]:
    """One server with the in-process broker, shared by the tests that do not stop it (each has its own
    data: the database is emptied after each test; event ids keep growing, as in production)."""
    started = Servers()
    try:
        yield started.start()
    finally:
        started.stop_all()


@pytest.fixture
def channel(redis_url: str, settings) -> str:
    """A Redis channel of this test's own (pub/sub ignores database numbers); this process publishes
    there too, like another server process."""
    name = f"environet:test:{uuid.uuid4().hex}"
    settings.REDIS_URL, settings.LIVE_CHANNEL = redis_url, name
    return name


@pytest.fixture
def abroad() -> Organisation:
    return Organisation.objects.create(name="French Customs", short_name="DGDDI", kind="customs", country="FR")


def topic(code: str) -> int:
    return Topic.objects.get(code=code).pk


def follows(person: Person, *codes: str) -> Person:
    for code in codes:
        TopicChoice.objects.create(person=person, topic_id=topic(code), delivery=TopicChoice.Delivery.LIVE)
    return person


def open_stream(streams: list[Stream], visitor: Visitor, server, **options) -> Stream:
    stream = visitor.stream(server, **options)
    streams.append(stream)
    assert stream.status == 200, f"the stream answered {stream.status}"
    return stream


BODY = re.compile(r'<div class="body"><p>(.*?)</p>')


def markers(frames) -> list[str]:
    """The text of each message event (a one-line body), in the order received."""
    found = [BODY.search(frame.data["html"]) for frame in frames]
    return [match.group(1) if match else "?" for match in found]


def test_a_post_reaches_an_open_stream_on_the_same_server_with_heartbeats(server, streams, home):
    author = Visitor(follows(make_person("amina@kra.example", "Amina Author", home), "A"))
    reader = Visitor(follows(make_person("rashid@kra.example", "Rashid Reader", home), "A"))
    stream = open_stream(streams, reader, server)
    # An id from beyond the last event (a made-up header, a restored database) must not hold events back.
    from_the_future = open_stream(streams, reader, server, last_id=10**20)
    stream.wait(lambda s: s.heartbeats >= 2, "heartbeat comments on a quiet stream")

    thread = author.start_thread(server, subject="Pangolin scales at the port", body="live-1", topics=[topic("A")])

    (frame,) = stream.wait_for_messages(1)
    (same,) = from_the_future.wait_for_messages(1)
    assert same.id == frame.id
    event = Event.objects.get(pk=frame.id)
    assert (event.kind, event.thread_id) == ("message", thread)
    assert frame.data["thread"] == thread and frame.data["subject"] == "Pangolin scales at the port"
    assert markers([frame]) == ["live-1"]
    assert "audience" not in frame.data and "mentions" not in frame.data  # who else may read it stays inside


def test_the_stream_refuses_anyone_not_signed_in(server):
    status, headers, _ = request(server, "GET", "/messages/live/", headers={"Accept": "text/event-stream"})
    assert (status, headers["Location"].split("?")[0]) == (302, "/accounts/signin/")


@pytest.mark.redis
def test_a_post_on_one_process_reaches_a_stream_on_the_other(servers, streams, channel, redis_url, home):
    first = servers.start(redis_url=redis_url, channel=channel)
    second = servers.start(redis_url=redis_url, channel=channel)
    author = Visitor(follows(make_person("amina@kra.example", "Amina Author", home), "B"))
    reader = Visitor(follows(make_person("rashid@kra.example", "Rashid Reader", home), "B"))
    on_second = open_stream(streams, reader, second)
    on_first = open_stream(streams, reader, first)

    thread = author.start_thread(first, subject="Ivory in transit", body="cross-1", topics=[topic("B")])
    assert author.reply(second, thread, "cross-2") == 302

    assert markers(on_second.wait_for_messages(2)) == ["cross-1", "cross-2"]
    assert markers(on_first.wait_for_messages(2)) == ["cross-1", "cross-2"]


@pytest.mark.redis
def test_notices_out_of_order_still_reach_the_stream_in_order_and_once(
    servers, streams, channel, redis_url, home, monkeypatch
):
    """Two processes commit events 10 and 11, but 11's notice is published first: the stream must not
    send 11 and then drop 10 (a browser resuming after 11 would never get it back)."""
    server = servers.start(redis_url=redis_url, channel=channel)
    author = follows(make_person("amina@kra.example", "Amina Author", home), "B")
    reader = Visitor(follows(make_person("rashid@kra.example", "Rashid Reader", home), "B"))
    stream = open_stream(streams, reader, server)
    draft = actions.Draft(subject="Parrots", topics=[Topic.objects.get(code="B")], kind="information", body="x")
    thread = actions.start_thread(request=None, author=author, draft=draft)  # published through Redis
    stream.wait_for_messages(1)

    held: list[dict] = []
    real_publish = broker.publish
    monkeypatch.setattr(broker, "publish", held.append)
    for body in ("order-1", "order-2", "order-3"):
        actions.reply(request=None, author=author, thread=thread, kind="information", body=body)
    monkeypatch.setattr(broker, "publish", real_publish)
    assert [event["kind"] for event in held] == ["message"] * 3

    real_publish({**held[2], "id": 10**12})  # a notice with no event here (another site on the channel)
    for event in reversed(held):
        real_publish(event)
    actions.reply(request=None, author=author, thread=thread, kind="information", body="order-4")

    received = stream.wait_for_messages(5)[1:]
    assert markers(received) == ["order-1", "order-2", "order-3", "order-4"]
    assert [frame.id for frame in received] == sorted({frame.id for frame in received})


def test_a_stream_resumes_from_its_last_event_id_with_exactly_what_it_missed(server, streams, home):
    author = Visitor(follows(make_person("amina@kra.example", "Amina Author", home), "C"))
    reader = Visitor(follows(make_person("rashid@kra.example", "Rashid Reader", home), "C"))
    stream = open_stream(streams, reader, server)
    thread = author.start_thread(server, subject="Modified maize", body="before-0", topics=[topic("C")])
    for number in (1, 2):
        assert author.reply(server, thread, f"before-{number}") == 302
    assert markers(stream.wait_for_messages(3)) == ["before-0", "before-1", "before-2"]
    last = stream.last_event_id
    stream.close()

    for number in range(50):
        assert author.reply(server, thread, f"missed-{number}") == 302
        if number == 24:
            # Other people's events in between, more than one page of the catch-up (stream.BACKLOG_LIMIT).
            others = {"person": author.person.pk, "message": 0, "reader": "someone"}
            Event.objects.bulk_create(Event(kind="receipt", data=others) for _ in range(BACKLOG_LIMIT + 100))

    resumed = open_stream(streams, reader, server, last_id=last)
    missed = resumed.wait_for_messages(50)
    assert markers(missed) == [f"missed-{number}" for number in range(50)]
    stored = list(Message.objects.filter(thread_id=thread, body__startswith="missed-").order_by("pk"))
    assert [frame.data["message"] for frame in missed] == [message.pk for message in stored]
    # Nothing twice: the next event on the stream is the next message, not a repeat.
    assert author.reply(server, thread, "after") == 302
    assert markers(resumed.wait_for_messages(51)) == [*markers(missed), "after"]
    assert len({frame.id for frame in resumed.frames}) == len(resumed.frames)


def test_after_a_sigkill_every_acknowledged_post_is_stored_and_delivered_on_reconnection(servers, streams, home):
    server = servers.start()
    author = Visitor(follows(make_person("amina@kra.example", "Amina Author", home), "D"))
    reader = Visitor(follows(make_person("rashid@kra.example", "Rashid Reader", home), "D"))
    before = open_stream(streams, reader, server)
    thread = author.start_thread(server, subject="CFC cylinders", body="crash-start", topics=[topic("D")])
    acknowledged: list[str] = []
    stop = threading.Event()

    def post_until_the_server_dies() -> None:
        number = 0
        while not stop.is_set():
            marker = f"crash-{number}"
            try:
                status = author.reply(server, thread, marker, timeout=10)
            except (OSError, http.client.HTTPException):
                return  # the connection died with the server: not acknowledged
            if status == 302:
                acknowledged.append(marker)
            number += 1

    poster = threading.Thread(target=post_until_the_server_dies, daemon=True)
    poster.start()
    try:
        eventually(lambda: len(acknowledged) >= 10, "ten acknowledged posts before the kill")
        server.kill()
    finally:
        stop.set()
        poster.join(15)
    assert not poster.is_alive()
    before.wait_until_ended()

    stored = dict(Message.objects.filter(thread_id=thread).values_list("body", "pk"))
    assert set(acknowledged) <= set(stored), f"acknowledged but lost: {set(acknowledged) - set(stored)}"
    wanted = {stored[marker] for marker in acknowledged}

    server.restart()
    resumed = open_stream(streams, reader, server, last_id=before.last_event_id)
    from_scratch = open_stream(streams, reader, server, last_id=0)
    count = Message.objects.filter(thread_id=thread).count()
    new_since = count - len(before.messages())
    got_before = [frame.data["message"] for frame in before.messages()]
    got_after = [frame.data["message"] for frame in resumed.wait_for_messages(new_since)]
    assert wanted <= set(got_before) | set(got_after)
    assert len(got_before + got_after) == len(set(got_before + got_after)), "a message came twice"
    everything = from_scratch.wait_for_messages(count)
    assert wanted <= {frame.data["message"] for frame in everything}
    assert [frame.id for frame in everything] == sorted({frame.id for frame in everything})  # in order, once each


def test_the_stream_delivers_by_audience_mentions_mutes_and_the_open_thread(server, streams, home, abroad):
    author = Visitor(make_person("amina@kra.example", "Amina Author", home))
    outsider = follows(make_person("odile@douane.example", "Odile Outsider", abroad), "A")
    mentioned = make_person("mehdi@kra.example", "Mehdi Mentioned", home)  # follows nothing
    muter = follows(make_person("muna@kra.example", "Muna Muter", home), "A")
    watcher = make_person("wanjiru@kra.example", "Wanjiru Watcher", home)  # follows nothing
    muted = author.start_thread(server, subject="Drums of solvent", body="m", topics=[topic("A")])
    Follow.objects.create(person=muter, thread_id=muted, state=Follow.State.MUTE)
    watched = author.start_thread(server, subject="Orchids", body="w", topics=[topic("B")])
    received = {
        outsider.email: open_stream(streams, Visitor(outsider), server),
        mentioned.email: open_stream(streams, Visitor(mentioned), server),
        muter.email: open_stream(streams, Visitor(muter), server),
        watcher.email: open_stream(streams, Visitor(watcher), server, thread=watched),
    }

    kra_only = author.start_thread(
        server,
        subject="Kenyan customs only",
        body="For KRA: @mehdi@kra.example please check",
        topics=[topic("A")],
        audience=Audience.ORGANISATIONS,
        organisations=[home.pk],
    )
    assert author.reply(server, muted, "on the muted thread") == 302
    assert author.reply(server, watched, "on the open thread") == 302
    # Last, one everyone receives (it mentions them all): what came before it is all that will.
    everyone = " ".join(f"@{email}" for email in received)
    last = author.start_thread(server, subject="To all", body=f"Hello {everyone}", topics=[topic("G")])

    expected = {
        outsider.email: [muted, last],  # KRA only is not for a French officer, even following topic A
        mentioned.email: [kra_only, last],  # mentioned, following nothing
        muter.email: [kra_only, last],  # follows topic A, muted one thread of it
        watcher.email: [watched, last],  # follows nothing, has the thread open
    }
    for email, stream in received.items():
        stream.wait(lambda s: any(frame.data["thread"] == last for frame in s.messages()), "the last thread")
        assert [frame.data["thread"] for frame in stream.messages()] == expected[email], email


def test_suspension_closes_the_persons_open_streams_at_once(server, streams, home):
    focal_point = Visitor(make_person("fatou@kra.example", "Fatou Focal", home, role=Person.Role.FOCAL_POINT))
    suspended = follows(make_person("sam@kra.example", "Sam Suspended", home), "E")
    colleague = Visitor(follows(make_person("carla@kra.example", "Carla Colleague", home), "E"))
    their_browser = Visitor(suspended)
    their_streams = [open_stream(streams, their_browser, server) for _ in range(2)]  # two tabs
    colleague_stream = open_stream(streams, colleague, server)

    status, location = focal_point.post(server, f"/accounts/people/{suspended.pk}/suspend/", {"reason": "Inquiry"})
    assert status == 302, f"the suspension was refused: {status} {location}"

    for stream in their_streams:
        stream.wait_until_ended()
        assert stream.error is None
    streams.append(their_browser.stream(server))
    assert streams[-1].status == 302  # and it cannot come back: the session has ended, sign in again
    # Other people's streams stay open.
    focal_point.start_thread(server, subject="Teak logs", body="still-here", topics=[topic("E")])
    assert markers(colleague_stream.wait_for_messages(1)) == ["still-here"]
    assert not any(stream.messages() for stream in their_streams)


def web_request(person: Person):
    """A request from a signed-in person, for actions called directly."""
    web = RequestFactory().post("/")
    web.session, web.user = SessionStore(), person
    return web


def test_a_password_change_closes_the_persons_open_streams(monkeypatch, home):
    published: list[dict] = []
    monkeypatch.setattr(broker, "publish", published.append)
    person = make_person("amina@kra.example", "Amina Author", home)

    with transaction.atomic():
        account_actions.change_password(
            request=web_request(person), person=person, password="a new and long passphrase 7"
        )
        assert published == []  # not before the commit
    assert published == [{"kind": "person.ended", "person": person.pk}]


def test_events_are_published_only_after_commit_and_never_for_a_rollback(monkeypatch, home):
    published: list[dict] = []
    monkeypatch.setattr(broker, "publish", published.append)
    author = make_person("amina@kra.example", "Amina Author", home)
    target = make_person("sam@kra.example", "Sam Suspended", home)
    focal_point = make_person("fatou@kra.example", "Fatou Focal", home, role=Person.Role.FOCAL_POINT)
    draft = actions.Draft(subject="Sharks", topics=[Topic.objects.get(code="F")], kind="alert", body="fins")

    with pytest.raises(RuntimeError), transaction.atomic():
        actions.start_thread(request=None, author=author, draft=draft)
        account_actions.suspend(request=web_request(focal_point), actor=focal_point, person=target, reason="Inquiry")
        raise RuntimeError("rolled back")
    assert published == [] and not Event.objects.exists()
    target.refresh_from_db()  # the rolled-back suspension changed the object in memory
    assert target.state == Person.State.ACTIVE

    with transaction.atomic():
        thread = actions.start_thread(request=None, author=author, draft=draft)
        account_actions.suspend(request=web_request(focal_point), actor=focal_point, person=target, reason="Inquiry")
        assert published == []
    event = Event.objects.get()
    assert [item["kind"] for item in published] == ["message", "person.ended"]
    assert published[0]["id"] == event.pk and published[0]["thread"] == thread.pk
    assert published[1]["person"] == target.pk


def test_a_post_is_not_refused_when_redis_is_out_of_reach(settings, home):
    """The change is committed before the event is published: a broker failure must not turn it into an
    error page (the poster would post again). Streams catch up on the event from the database."""
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing answers there
    author = make_person("amina@kra.example", "Amina Author", home)
    draft = actions.Draft(subject="Sawn timber", topics=[Topic.objects.get(code="E")], kind="information", body="x")

    thread = actions.start_thread(request=None, author=author, draft=draft)

    assert Event.objects.get().thread_id == thread.pk
